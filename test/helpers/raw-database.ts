import type { SqlDatabase } from '../../src/store/sql/connection.js';
import { describeDatabaseUrl, openDatabase } from '../../src/store/open.js';

/**
 * Opens a second connection to a test database, to read rows as they are stored (what a service
 * call would hide, such as a token's columns) without going through the store's own mapping.
 */
export async function withRawDatabase<T>(url: string, work: (db: SqlDatabase) => Promise<T>): Promise<T> {
  const db = await openDatabase(url, { postgresPoolSize: 2 });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

/** A test database opened without migrating: `migrate` then takes it exactly as far as a test says. */
export async function openUnmigrated(url: string): Promise<SqlDatabase> {
  const target = describeDatabaseUrl(url);
  if (target.kind === 'sqlite') {
    const { SqliteDatabase } = await import('../../src/store/sql/sqlite-database.js');
    return new SqliteDatabase({ file: target.file });
  }
  const { PostgresDatabase } = await import('../../src/store/sql/postgres-database.js');
  return new PostgresDatabase({ connectionString: target.url, maxConnections: 2 });
}
