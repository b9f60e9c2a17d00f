import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { RosterError } from '../errors.js';
import type { SqlDatabase } from './sql/connection.js';
import { migrate } from './sql/migrations/index.js';
import { PostgresDatabase } from './sql/postgres-database.js';
import { type SqliteSynchronous, SqliteDatabase } from './sql/sqlite-database.js';

export interface DatabaseOptions {
  readonly sqliteSynchronous?: SqliteSynchronous;
  readonly postgresPoolSize?: number;
  /** A PostgreSQL schema to work in (tests give each run its own). */
  readonly postgresSchema?: string;
  /** PostgreSQL's `statement_timeout`, in milliseconds. */
  readonly statementTimeoutMs?: number;
  /** SQLite: fail at once on a write issued outside a transaction while inside one. */
  readonly strictTransactions?: boolean;
}

/** What a `--database` / `ROSTER_DATABASE_URL` value names: `sqlite:<file>` or `postgres://…`. */
export function describeDatabaseUrl(
  url: string,
): { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string } {
  if (/^postgres(ql)?:\/\//i.test(url)) return { kind: 'postgres', url };
  const match = /^sqlite:(?:\/\/)?(.+)$/i.exec(url);
  if (match?.[1]) return { kind: 'sqlite', file: match[1] === ':memory:' ? ':memory:' : resolve(match[1]) };
  throw new RosterError(
    'invalid-config',
    `Database '${url}' is not understood: use sqlite:<file> (e.g. sqlite:./data/roster.db) or postgres://user@host:5432/db.`,
  );
}

/** Opens the database and brings its schema up to date. */
export async function openDatabase(url: string, options: DatabaseOptions = {}): Promise<SqlDatabase> {
  const target = describeDatabaseUrl(url);
  let database: SqlDatabase;
  if (target.kind === 'postgres') {
    database = new PostgresDatabase({
      connectionString: target.url,
      ...(options.postgresPoolSize ? { maxConnections: options.postgresPoolSize } : {}),
      ...(options.postgresSchema ? { schema: options.postgresSchema } : {}),
      ...(options.statementTimeoutMs ? { statementTimeoutMs: options.statementTimeoutMs } : {}),
    });
  } else {
    if (target.file !== ':memory:') mkdirSync(dirname(target.file), { recursive: true });
    database = new SqliteDatabase({
      file: target.file,
      ...(options.sqliteSynchronous ? { synchronous: options.sqliteSynchronous } : {}),
      ...(options.strictTransactions ? { strictTransactions: true } : {}),
    });
  }
  try {
    await migrate(database);
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
  return database;
}
