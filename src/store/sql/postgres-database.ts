import pg from 'pg';
import type { RunResult, SqlDatabase, SqlExecutor, SqlValue } from './connection.js';
import { translatePostgresError } from './database-errors.js';

export interface PostgresOptions {
  readonly connectionString: string;
  readonly maxConnections?: number;
  /** A schema to work in (tests give each run its own); the default is the server's search_path. */
  readonly schema?: string;
  /** `statement_timeout`: no statement holds a connection longer (0 or absent: the server's). */
  readonly statementTimeoutMs?: number;
  /** How long a request waits for a free connection before it is refused as unavailable. */
  readonly acquireTimeoutMs?: number;
}

const INT8_OID = 20;
const NAMED_STATEMENT_LIMIT = 512;
const DEFAULT_ACQUIRE_TIMEOUT_MS = 10_000;

/**
 * PostgreSQL through `pg`'s pool. Statements are written with `?` placeholders; each distinct text
 * is rewritten to `$1…$n` once and sent as a named prepared statement, so every connection plans
 * it once.
 */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly rewritten = new Map<string, { text: string; name?: string }>();

  constructor(options: PostgresOptions) {
    // Millisecond timestamps are BIGINT; they fit a JS number exactly, so parse them as numbers.
    const types = new pg.TypeOverrides();
    types.setTypeParser(INT8_OID, (value: string) => Number(value));
    this.pool = new pg.Pool({
      max: options.maxConnections ?? 10,
      types,
      connectionTimeoutMillis: options.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS,
      ...connectionSettings(options.connectionString, options.schema, options.statementTimeoutMs),
    });
    // An idle client that loses its connection must not crash the process.
    this.pool.on('error', () => undefined);
  }

  all<Row>(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    return runOn<Row>(this.pool, this.prepare(sql), params).then((result) => result.rows);
  }

  get<Row>(sql: string, params: readonly SqlValue[] = []): Promise<Row | undefined> {
    return runOn<Row>(this.pool, this.prepare(sql), params).then((result) => result.rows[0]);
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return runOn(this.pool, this.prepare(sql), params).then((result) => ({ changes: result.rowCount ?? 0 }));
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch((error: unknown) => {
      throw translatePostgresError(error);
    });
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(new TransactionExecutor(client, (sql) => this.prepare(sql)));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw translatePostgresError(error);
    } finally {
      client.release(broken);
    }
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private prepare(sql: string): { text: string; name?: string } {
    const prepared = this.rewritten.get(sql);
    if (prepared) return prepared;
    let index = 0;
    const text = sql.replace(/\?/g, () => `$${++index}`);
    // Each named statement lives on every connection for good; past a bound (filters come in as
    // many shapes as clients write them) statements are sent unnamed, planned per use.
    if (this.rewritten.size >= NAMED_STATEMENT_LIMIT) return { text };
    const named = { text, name: `roster_${this.rewritten.size}` };
    this.rewritten.set(sql, named);
    return named;
  }
}

class TransactionExecutor implements SqlExecutor {
  readonly dialect = 'postgres' as const;
  constructor(
    private readonly client: pg.PoolClient,
    private readonly prepare: (sql: string) => { text: string; name?: string },
  ) {}

  all<Row>(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    return runOn<Row>(this.client, this.prepare(sql), params).then((result) => result.rows);
  }
  get<Row>(sql: string, params: readonly SqlValue[] = []): Promise<Row | undefined> {
    return runOn<Row>(this.client, this.prepare(sql), params).then((result) => result.rows[0]);
  }
  run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return runOn(this.client, this.prepare(sql), params).then((result) => ({
      changes: result.rowCount ?? 0,
    }));
  }
}

async function runOn<Row>(
  target: pg.Pool | pg.PoolClient,
  prepared: { text: string; name?: string },
  params: readonly SqlValue[],
): Promise<pg.QueryResult<Row & pg.QueryResultRow>> {
  try {
    return await target.query<Row & pg.QueryResultRow>({
      ...(prepared.name !== undefined ? { name: prepared.name } : {}),
      text: prepared.text,
      values: params as SqlValue[],
    });
  } catch (error) {
    throw translatePostgresError(error);
  }
}

/**
 * Server settings for every connection, merged with any `options` the URL carries (pg lets the
 * URL's win over the config's, so they move out of the URL). Roster's queries are short: JIT
 * compiling a large filter's count cost more than running it (0.93 s of JIT for 0.89 s of execution
 * at 100,000 users), so JIT is off.
 */
function connectionSettings(
  connectionString: string,
  schema: string | undefined,
  statementTimeoutMs: number | undefined,
): { connectionString: string; options: string } {
  let url = connectionString;
  let given: string | null = null;
  try {
    const parsed = new URL(connectionString);
    given = parsed.searchParams.get('options');
    parsed.searchParams.delete('options');
    url = parsed.toString();
  } catch {
    // Not a URL (a key=value string): pg reads it as it is.
  }
  const options = [
    given,
    '-c jit=off',
    statementTimeoutMs ? `-c statement_timeout=${Math.round(statementTimeoutMs)}` : null,
    schema ? `-c search_path=${schema}` : null,
  ]
    .filter(Boolean)
    .join(' ');
  return { connectionString: url, options };
}
