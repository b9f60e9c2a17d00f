import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import type { Database as SqliteConnection, Statement } from 'better-sqlite3';
import type { RunResult, SqlDatabase, SqlExecutor, SqlValue } from './connection.js';
import { translateSqliteError } from './database-errors.js';
import { RosterError } from '../../errors.js';
import { type Checkpointer, startCheckpointer } from './sqlite-checkpointer.js';

export type SqliteSynchronous = 'OFF' | 'NORMAL' | 'FULL';

export interface SqliteOptions {
  readonly file: string;
  /**
   * `NORMAL` (the default) with WAL survives a process crash and loses at most the last
   * transactions on power loss; `FULL` survives power loss at a large cost in write throughput.
   */
  readonly synchronous?: SqliteSynchronous;
  /**
   * How long a write may wait for the writer before it is refused as busy (503): the bound on
   * overload, and on the deadlock of a write issued inside a transaction outside it.
   */
  readonly writerWaitMs?: number;
  /**
   * Checks that no write is issued outside a transaction while inside one, and fails at once if it
   * is. Tests turn it on; it costs every promise of the process (async hooks), so servers do not.
   */
  readonly strictTransactions?: boolean;
}

const DEFAULT_WRITER_WAIT_MS = 5000;

/**
 * SQLite through better-sqlite3, in WAL mode. Two connections: writes and transactions go through
 * the writer, one transaction at a time (SQLite has a single writer anyway); reads outside a
 * transaction go through the reader, so they never see a transaction's uncommitted writes even
 * though the driver is synchronous and requests interleave at every `await`.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite' as const;
  private readonly writer: ConnectionRunner;
  private readonly reader: ConnectionRunner;
  private queue: Promise<unknown> = Promise.resolve();
  /** Writes queued or running on the writer. */
  private pending = 0;
  private readonly writerWaitMs: number;
  private readonly insideTransaction: AsyncLocalStorage<true> | undefined;
  private readonly checkpointer: Checkpointer | undefined;

  constructor(options: SqliteOptions) {
    const synchronous = options.synchronous ?? 'NORMAL';
    this.writerWaitMs = options.writerWaitMs ?? DEFAULT_WRITER_WAIT_MS;
    this.insideTransaction = options.strictTransactions ? new AsyncLocalStorage<true>() : undefined;
    const writer = openConnection(options.file, synchronous);
    this.writer = new ConnectionRunner(writer);
    if (options.file !== ':memory:') {
      // Checkpoints move to a worker thread (DESIGN §6: write p99 and throughput both gain).
      writer.pragma('wal_autocheckpoint = 0');
      this.checkpointer = startCheckpointer(options.file, synchronous);
    }
    // An in-memory database exists only on its own connection, so it reads through the writer.
    this.reader =
      options.file === ':memory:'
        ? this.writer
        : new ConnectionRunner(openConnection(options.file, options.synchronous ?? 'NORMAL'));
  }

  all<Row>(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    return Promise.resolve(this.reader.all<Row>(sql, params));
  }

  get<Row>(sql: string, params: readonly SqlValue[] = []): Promise<Row | undefined> {
    return Promise.resolve(this.reader.get<Row>(sql, params));
  }

  /** A single write outside a transaction still waits its turn behind open transactions. */
  run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return this.serialize(() => Promise.resolve(this.writer.run(sql, params)));
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.serialize(async () => {
      this.writer.begin();
      try {
        const writer = this.writer;
        const result = await (this.insideTransaction
          ? this.insideTransaction.run(true, () => work(writer))
          : work(writer));
        this.writer.commit();
        return result;
      } catch (error) {
        this.writer.rollback();
        throw error;
      }
    });
  }

  exec(sql: string): Promise<void> {
    return this.serialize(() => {
      this.writer.connection.exec(sql);
      return Promise.resolve();
    }, false);
  }

  close(): Promise<void> {
    return this.serialize(async () => {
      await this.checkpointer?.stop();
      if (this.reader !== this.writer) this.reader.connection.close();
      // The last connection to close checkpoints what is left and removes the WAL.
      this.writer.connection.close();
    }, false);
  }

  /**
   * Runs writes one at a time. A write that waits longer than `writerWaitMs` for its turn is
   * refused (and never runs): under overload the client gets a 503 to retry rather than a
   * request that hangs, and a write issued inside a transaction outside it, which would wait for
   * that very transaction forever, fails instead.
   */
  private serialize<T>(work: () => Promise<T>, bounded = true): Promise<T> {
    if (this.insideTransaction?.getStore()) {
      return Promise.reject(
        new Error(
          'A write was issued on the database inside a transaction: use the transaction the callback was given.',
        ),
      );
    }
    const waits = this.pending > 0;
    this.pending++;
    let state: 'queued' | 'running' | 'abandoned' = 'queued';
    const run = (): Promise<T | undefined> => {
      if (state === 'abandoned') return Promise.resolve(undefined);
      state = 'running';
      return work();
    };
    const result = this.queue.then(run, run).finally(() => {
      this.pending--;
    });
    this.queue = result.catch(() => undefined);
    if (!waits || !bounded) return result as Promise<T>;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (state !== 'queued') return;
        state = 'abandoned';
        reject(
          new RosterError('database-busy', 'The database is busy with other writes: try again in a moment.', {
            retryAfterSeconds: 1,
          }),
        );
      }, this.writerWaitMs);
      result.then(
        (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }
}

function openConnection(file: string, synchronous: SqliteSynchronous): SqliteConnection {
  const connection = new Database(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma(`synchronous = ${synchronous}`);
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  // LIKE must follow each attribute's caseExact; the SQL lowers both sides where it must not.
  connection.pragma('case_sensitive_like = ON');
  // SQLite's lower() folds ASCII only; JavaScript's (used for every lowered column) folds Unicode.
  connection.function('lower', { deterministic: true }, (value: unknown) =>
    typeof value === 'string' ? value.toLowerCase() : value,
  );
  return connection;
}

/** One connection with its prepared statements, each prepared once and reused. */
class ConnectionRunner implements SqlExecutor {
  readonly dialect = 'sqlite' as const;
  private readonly statements = new Map<string, Statement>();
  private readonly beginStatement: Statement;
  private readonly commitStatement: Statement;
  private readonly rollbackStatement: Statement;

  constructor(readonly connection: SqliteConnection) {
    this.beginStatement = connection.prepare('BEGIN IMMEDIATE');
    this.commitStatement = connection.prepare('COMMIT');
    this.rollbackStatement = connection.prepare('ROLLBACK');
  }

  all<Row>(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    try {
      return Promise.resolve(this.statement(sql).all(...toSqlite(params)) as Row[]);
    } catch (error) {
      return Promise.reject(translateSqliteError(error));
    }
  }

  get<Row>(sql: string, params: readonly SqlValue[] = []): Promise<Row | undefined> {
    try {
      return Promise.resolve(this.statement(sql).get(...toSqlite(params)) as Row | undefined);
    } catch (error) {
      return Promise.reject(translateSqliteError(error));
    }
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    try {
      const info = this.statement(sql).run(...toSqlite(params));
      return Promise.resolve({ changes: info.changes });
    } catch (error) {
      return Promise.reject(translateSqliteError(error));
    }
  }

  begin(): void {
    try {
      this.beginStatement.run();
    } catch (error) {
      throw translateSqliteError(error);
    }
  }
  commit(): void {
    try {
      this.commitStatement.run();
    } catch (error) {
      throw translateSqliteError(error);
    }
  }
  rollback(): void {
    if (this.connection.inTransaction) this.rollbackStatement.run();
  }

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement) {
      // Most recently used last, so the oldest entry is the one to evict.
      this.statements.delete(sql);
    } else {
      statement = this.connection.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.statements.keys().next().value;
        if (oldest !== undefined) this.statements.delete(oldest);
      }
    }
    this.statements.set(sql, statement);
    return statement;
  }
}

/**
 * Statements are cached by text. Filters come in as many shapes as clients write them, so the
 * cache is bounded; the fixed statements of every request stay in it because they are used most.
 */
const STATEMENT_CACHE_SIZE = 512;

function toSqlite(params: readonly SqlValue[]): (string | number | null)[] {
  return params.map((value) => (typeof value === 'boolean' ? (value ? 1 : 0) : value));
}
