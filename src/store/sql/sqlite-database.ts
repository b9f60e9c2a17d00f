import Database from 'better-sqlite3';
import type { Database as SqliteConnection, Statement } from 'better-sqlite3';
import type { RunResult, SqlDatabase, SqlExecutor, SqlValue } from './connection.js';
import { translateSqliteError } from './database-errors.js';
import { type Checkpointer, startCheckpointer } from './sqlite-checkpointer.js';

export type SqliteSynchronous = 'OFF' | 'NORMAL' | 'FULL';

export interface SqliteOptions {
  readonly file: string;
  /**
   * `NORMAL` (the default) with WAL survives a process crash and loses at most the last
   * transactions on power loss; `FULL` survives power loss at a large cost in write throughput.
   */
  readonly synchronous?: SqliteSynchronous;
}

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
  private readonly checkpointer: Checkpointer | undefined;

  constructor(options: SqliteOptions) {
    const synchronous = options.synchronous ?? 'NORMAL';
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
        const result = await work(this.writer);
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
    });
  }

  close(): Promise<void> {
    return this.serialize(async () => {
      await this.checkpointer?.stop();
      if (this.reader !== this.writer) this.reader.connection.close();
      // The last connection to close checkpoints what is left and removes the WAL.
      this.writer.connection.close();
    });
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work, work);
    this.queue = result.catch(() => undefined);
    return result;
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
    this.beginStatement.run();
  }
  commit(): void {
    this.commitStatement.run();
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
