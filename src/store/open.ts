import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { printableDatabaseUrl } from '../config.js';
import { RosterError } from '../errors.js';
import type { SqlDatabase } from './sql/connection.js';
import { translateSqliteError } from './sql/database-errors.js';
import { migrate, SCHEMA_VERSION, schemaState } from './sql/migrations/index.js';
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
  /**
   * `migrate` (the default; what the server does): create the database if there is none and bring
   * its schema up to date. `existing`: open a Roster database that is already up to date, and
   * refuse anything else without writing a byte.
   */
  readonly schema?: 'migrate' | 'existing';
}

/** A database opened, and what bringing its schema up to date did. */
export interface OpenedDatabase {
  readonly database: SqlDatabase;
  /** The migrations applied by this opening (none when opened as `existing`). */
  readonly applied: readonly number[];
  /** The schema version the database is at. */
  readonly version: number;
  /** Where it is, fit to print: a SQLite file's absolute path, a PostgreSQL URL without its password. */
  readonly location: string;
  /** The same as a `--database` value: `sqlite:<absolute path>`, or the URL without its password. */
  readonly printableUrl: string;
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
    `Database '${printableDatabaseUrl(url)}' is not understood: use sqlite:<file> (e.g. sqlite:./data/roster.db) or postgres://user@host:5432/db.`,
  );
}

/** Opens the database and brings its schema up to date (or, as `existing`, checks that it is). */
export async function openDatabase(url: string, options: DatabaseOptions = {}): Promise<SqlDatabase> {
  return (await openRosterDatabase(url, options)).database;
}

export async function openRosterDatabase(
  url: string,
  options: DatabaseOptions = {},
): Promise<OpenedDatabase> {
  const target = describeDatabaseUrl(url);
  const existing = options.schema === 'existing';
  const where = target.kind === 'sqlite' ? target.file : printableDatabaseUrl(target.url);
  const printableUrl = target.kind === 'sqlite' ? `sqlite:${target.file}` : where;
  let database: SqlDatabase;
  if (target.kind === 'postgres') {
    database = new PostgresDatabase({
      connectionString: target.url,
      ...(options.postgresPoolSize ? { maxConnections: options.postgresPoolSize } : {}),
      ...(options.postgresSchema ? { schema: options.postgresSchema } : {}),
      ...(options.statementTimeoutMs ? { statementTimeoutMs: options.statementTimeoutMs } : {}),
    });
  } else {
    if (target.file !== ':memory:') {
      if (!existing) mkdirSync(dirname(target.file), { recursive: true });
      else if (!existsSync(target.file)) throw noDatabase(where);
    }
    try {
      database = new SqliteDatabase({
        file: target.file,
        ...(options.sqliteSynchronous ? { synchronous: options.sqliteSynchronous } : {}),
        ...(options.strictTransactions ? { strictTransactions: true } : {}),
      });
    } catch (error) {
      if ((error as { code?: unknown }).code === 'SQLITE_NOTADB') {
        throw new RosterError(
          'database-not-found',
          `${where} is not a SQLite database, so not a Roster database: name the right one with --database.`,
        );
      }
      throw translateSqliteError(error);
    }
  }
  try {
    if (!existing) {
      const applied = await migrate(database);
      return { database, applied, version: SCHEMA_VERSION, location: where, printableUrl };
    }
    const state = await schemaState(database);
    if (state.kind === 'absent') throw noDatabase(where);
    if (state.missing.length > 0) {
      throw new RosterError(
        'database-not-migrated',
        `The Roster database at ${where} is at schema version ${state.version}; this Roster needs ` +
          `version ${SCHEMA_VERSION}. Run roster migrate (or start roster serve) on it first.`,
      );
    }
    return { database, applied: [], version: state.version, location: where, printableUrl };
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}

function noDatabase(where: string): RosterError {
  return new RosterError(
    'database-not-found',
    `There is no Roster database at ${where}: name the right one with --database (or ` +
      'ROSTER_DATABASE_URL), or create it with roster migrate (roster serve does too).',
  );
}
