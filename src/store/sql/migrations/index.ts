import type { DialectName, SqlDatabase } from '../connection.js';
import { dialectTypes, type DialectTypes } from '../dialect.js';
import { init } from './0001-init.js';

/** A numbered, forward-only schema change. Once a migration lands it is never edited. */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: (types: DialectTypes) => string;
}

export const migrations: readonly Migration[] = [init];

/**
 * Applies the migrations this database has not seen, in order, each in its own transaction, under
 * a database-wide lock so that several Roster nodes starting together migrate once.
 */
export async function migrate(db: SqlDatabase): Promise<number[]> {
  return db.withExclusiveLock(async () => {
    await db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const applied = new Set(
      (await db.all<{ id: number }>('SELECT id FROM schema_migrations')).map((row) => Number(row.id)),
    );
    const newlyApplied: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.id)) continue;
      await applyOne(db, migration, db.dialect);
      newlyApplied.push(migration.id);
    }
    return newlyApplied;
  });
}

async function applyOne(db: SqlDatabase, migration: Migration, dialect: DialectName): Promise<void> {
  const statements = migration
    .sql(dialectTypes[dialect])
    .replace(/^\s*--.*$/gm, '')
    .split(';')
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
  await db.transaction(async (tx) => {
    for (const statement of statements) await tx.run(statement);
    await tx.run('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)', [
      migration.id,
      migration.name,
      Date.now(),
    ]);
  });
}
