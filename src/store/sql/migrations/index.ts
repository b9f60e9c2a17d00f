import type { DialectName, SqlDatabase, SqlExecutor } from '../connection.js';
import { dialectTypes, type DialectTypes } from '../dialect.js';
import { init } from './0001-init.js';
import { listing } from './0002-listing.js';
import { lookupOrder } from './0003-lookup-order.js';
import { groups } from './0004-groups.js';
import { countShards } from './0005-count-shards.js';
import { extensionsAndCoalescing } from './0006-extensions-and-coalescing.js';
import { memberIndex } from './0007-member-index.js';
import { eventNames } from './0008-event-names.js';
import { eventLookups } from './0009-event-lookups.js';

/** A numbered, forward-only schema change. Once a migration lands it is never edited. */
export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly sql: (types: DialectTypes) => string;
}

export const migrations: readonly Migration[] = [
  init,
  listing,
  lookupOrder,
  groups,
  countShards,
  extensionsAndCoalescing,
  memberIndex,
  eventNames,
  eventLookups,
];

/** The schema version this code needs: the last migration it knows. */
export const SCHEMA_VERSION = migrations[migrations.length - 1]!.id;

/**
 * Applies the migrations this database has not seen, in order, in one transaction that first takes
 * a database-wide lock, so that several Roster nodes starting together migrate once. Everything,
 * the lock included, happens on that transaction's connection: a pool of one connection suffices.
 * `upTo` stops at a version (tests build the databases older releases left behind).
 */
export async function migrate(db: SqlDatabase, upTo = SCHEMA_VERSION): Promise<number[]> {
  return db.transaction(async (tx) => {
    const lock = migrationLock[db.dialect];
    if (lock) await tx.get(lock);
    await tx.run(
      'CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const applied = new Set(
      (await tx.all<{ id: number }>('SELECT id FROM schema_migrations')).map((row) => Number(row.id)),
    );
    const newlyApplied: number[] = [];
    for (const migration of migrations) {
      if (applied.has(migration.id) || migration.id > upTo) continue;
      await applyOne(tx, migration, db.dialect);
      newlyApplied.push(migration.id);
    }
    return newlyApplied;
  });
}

/** Where a database stands: not a Roster database at all, or the migrations it has seen. */
export type SchemaState =
  | { readonly kind: 'absent' }
  | { readonly kind: 'present'; readonly version: number; readonly missing: readonly number[] };

/**
 * Reads where the database stands without changing it: commands that only use a database must
 * never create or migrate one (an operator in the wrong folder would get an empty database).
 */
export async function schemaState(db: SqlExecutor): Promise<SchemaState> {
  const table = await db.get<{ name: string | null }>(migrationTable[db.dialect]);
  if (!table?.name) return { kind: 'absent' };
  const applied = new Set(
    (await db.all<{ id: number }>('SELECT id FROM schema_migrations')).map((row) => Number(row.id)),
  );
  return {
    kind: 'present',
    version: Math.max(0, ...applied),
    missing: migrations.filter((migration) => !applied.has(migration.id)).map((migration) => migration.id),
  };
}

/** Whether `schema_migrations` exists (in PostgreSQL's search_path). */
const migrationTable: Record<DialectName, string> = {
  postgres: "SELECT to_regclass('schema_migrations')::text AS name",
  sqlite: "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
};

/**
 * PostgreSQL: a transaction-scoped advisory lock (the key spells "roster"), released at commit.
 * SQLite: the transaction's own write lock (BEGIN IMMEDIATE) already excludes other writers.
 */
const migrationLock: Record<DialectName, string | undefined> = {
  postgres: 'SELECT pg_advisory_xact_lock(125779316253042)',
  sqlite: undefined,
};

async function applyOne(tx: SqlExecutor, migration: Migration, dialect: DialectName): Promise<void> {
  const statements = migration
    .sql(dialectTypes[dialect])
    .replace(/^\s*--.*$/gm, '')
    .split(';')
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
  for (const statement of statements) await tx.run(statement);
  await tx.run('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)', [
    migration.id,
    migration.name,
    Date.now(),
  ]);
}
