import type { SqlDatabase } from '../../src/store/sql/connection.js';
import { openDatabase } from '../../src/store/open.js';

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
