import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createRoster, type Roster } from '../../src/main.js';
import type { SiteRecord } from '../../src/model/site.js';

export type DialectName = 'sqlite' | 'postgres';
/** Every integration suite runs once per dialect. */
export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres'];

export const TEST_POSTGRES_URL =
  process.env.ROSTER_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  readonly url: string;
  readonly dialect: DialectName;
  drop(): Promise<void>;
}

/**
 * A database of its own for one test file: a temporary SQLite file, or a fresh PostgreSQL schema
 * (selected through the connection's search_path) that is dropped afterwards.
 */
export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'roster-test-'));
    return {
      url: `sqlite:${join(dir, 'roster.db')}`,
      dialect,
      drop: async () => {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `roster_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(TEST_POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    dialect,
    drop: async () => {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

export interface TestRoster {
  readonly roster: Roster;
  readonly database: TestDatabase;
  readonly config: Config;
  /** A new site with a fresh SCIM token, so tests never share data. */
  newSite(slug?: string): Promise<TestSite>;
  close(): Promise<void>;
}

export interface TestSite {
  readonly site: SiteRecord;
  readonly token: string;
  readonly tokenId: string;
  /** A SCIM request to /scim/v2 + path, authenticated with the site's token unless headers say otherwise. */
  scim(
    method: InjectOptions['method'],
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ScimResponse>;
}

export interface ScimResponse {
  readonly status: number;
  readonly headers: LightMyRequestResponse['headers'];
  readonly body: any;
  readonly raw: string;
}

export async function startTestRoster(
  dialect: DialectName,
  overrides: Partial<Config> = {},
): Promise<TestRoster> {
  const database = await createTestDatabase(dialect);
  const config = loadConfig(
    {},
    {
      databaseUrl: database.url,
      logLevel: 'silent',
      defaultSite: undefined,
      strictTransactions: true,
      ...overrides,
    },
  );
  const roster = await createRoster(config, createLogger('silent'));
  return {
    roster,
    database,
    config,
    async newSite(slug) {
      const site = await roster.services.sites.create(slug ?? `site-${randomBytes(5).toString('hex')}`);
      const issued = await roster.services.tokens.issue(site, { createdBy: 'test' });
      return {
        site,
        token: issued.token,
        tokenId: issued.record.id,
        scim: (method, path, body, headers) => scimRequest(roster, issued.token, method, path, body, headers),
      };
    },
    async close() {
      await roster.close();
      await database.drop();
    },
  };
}

export async function scimRequest(
  roster: Roster,
  token: string,
  method: InjectOptions['method'],
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ScimResponse> {
  const response = await roster.app.inject({
    method,
    url: `/scim/v2${path}`,
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'application/scim+json',
      ...(body !== undefined ? { 'content-type': 'application/scim+json; charset=utf-8' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  let parsed: unknown;
  try {
    parsed = response.body === '' ? undefined : JSON.parse(response.body);
  } catch {
    parsed = undefined;
  }
  return { status: response.statusCode, headers: response.headers, body: parsed, raw: response.body };
}
