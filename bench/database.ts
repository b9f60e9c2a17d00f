import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

export type BenchDialect = 'sqlite' | 'postgres';

/** A database that exists only for one bench run, and the means to remove it. */
export interface BenchDatabase {
  readonly dialect: BenchDialect;
  readonly url: string;
  /** The engine and its version, for the report. */
  readonly engine: string;
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
