import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';

export type BenchDialect = 'sqlite' | 'postgres';

/** A database that exists only for one bench run, and the means to remove it. */
export interface BenchDatabase {
  readonly dialect: BenchDialect;
  readonly url: string;
  /** The engine and its version, for the report. */
  readonly engine: string;
  /**
   * Gathers the planner's statistics after a bulk load, as autovacuum's auto-analyze would soon
   * after one (PostgreSQL), and says how many seconds it took; SQLite gathers none by itself, so
   * nothing is done there and the answer is undefined.
   */
  analyze(): Promise<number | undefined>;
  /** Whether the database is still running statements of the server (PostgreSQL; SQLite runs in the server). */
  busy(): Promise<boolean>;
  drop(): Promise<void>;
}

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh SQLite file in a temporary directory. */
export function createSqliteDatabase(): BenchDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'roster-bench-'));
  const probe = new Database(':memory:');
  const version = (probe.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  probe.close();
  return {
    dialect: 'sqlite',
    url: `sqlite:${join(dir, 'roster.db')}`,
    engine: `SQLite ${version}`,
    analyze: () => Promise.resolve(undefined),
    busy: () => Promise.resolve(false),
    drop: async () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh PostgreSQL database (`roster_bench_<random>`) on the server `adminUrl` points at; the
 * random suffix keeps two bench runs on one machine apart. Dropped with FORCE afterwards.
 */
export async function createPostgresDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `roster_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  let engine: string;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const result = await admin.query<{ server_version: string }>('SHOW server_version');
    engine = `PostgreSQL ${result.rows[0]?.server_version.split(' ')[0] ?? '?'}`;
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    dialect: 'postgres',
    url: url.toString(),
    engine,
    analyze: async () => {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        const started = performance.now();
        await client.query('ANALYZE');
        return (performance.now() - started) / 1000;
      } finally {
        await client.end();
      }
    },
    busy: async () => {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        const result = await client.query<{ active: number }>(
          "SELECT count(*)::int AS active FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()",
        );
        return (result.rows[0]?.active ?? 0) > 0;
      } finally {
        await client.end();
      }
    },
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
