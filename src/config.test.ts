import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RosterError } from './errors.js';
import { loadConfig, printableDatabaseUrl } from './config.js';

const source = readFileSync(new URL('./config.ts', import.meta.url), 'utf8');
const documented = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');

/** The variables `loadConfig` reads: `env.ROSTER_…` and the names passed to its readers. */
const read = new Set([...source.matchAll(/(?:env\.|')(ROSTER_[A-Z0-9_]+)\b/g)].map((match) => match[1]!));
/** The variables configuration.md lists: the first column of its tables. */
const listed = new Set([...documented.matchAll(/^\| `(ROSTER_[A-Z0-9_]+)`/gm)].map((match) => match[1]!));
/** Read by the test helpers, not by Roster. */
const TEST_ONLY = ['ROSTER_TEST_POSTGRES_URL'];

describe('docs/configuration.md', () => {
  it('lists every variable loadConfig reads', () => {
    expect(read.size).toBeGreaterThan(10);
    expect([...read].filter((name) => !listed.has(name))).toEqual([]);
  });

  it('lists no variable Roster does not read', () => {
    expect([...listed].filter((name) => !read.has(name) && !TEST_ONLY.includes(name))).toEqual([]);
  });
});

describe('loadConfig', () => {
  it('reads the defaults configuration.md gives', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      databaseUrl: 'sqlite:./data/roster.db',
      publicUrl: undefined,
      documentationUrl: undefined,
      trustProxy: false,
      bodyLimit: 1048576,
      defaultPageSize: 100,
      maxPageSize: 1000,
      defaultSite: 'default',
      cursorTimeoutMs: 3_600_000,
      logLevel: 'info',
      sqliteSynchronous: 'NORMAL',
      postgresPoolSize: 10,
      statementTimeoutMs: 30_000,
      strictTransactions: false,
    });
  });
});

describe('ROSTER_DOCUMENTATION_URL', () => {
  const refusal = (raw: string): string => {
    try {
      loadConfig({ ROSTER_DOCUMENTATION_URL: raw });
    } catch (error) {
      if (error instanceof RosterError) return `${error.code}: ${error.detail}`;
      throw error;
    }
    throw new Error(`'${raw}' was accepted`);
  };

  it('is absent unless set (an empty value too)', () => {
    expect(loadConfig({}).documentationUrl).toBeUndefined();
    expect(loadConfig({ ROSTER_DOCUMENTATION_URL: '' }).documentationUrl).toBeUndefined();
  });

  it('takes an absolute http or https URL', () => {
    expect(
      loadConfig({ ROSTER_DOCUMENTATION_URL: 'https://wiki.example.com/it/roster#scim' }).documentationUrl,
    ).toBe('https://wiki.example.com/it/roster#scim');
    expect(loadConfig({ ROSTER_DOCUMENTATION_URL: 'http://intranet/roster' }).documentationUrl).toBe(
      'http://intranet/roster',
    );
  });

  it('refuses anything else at start-up, naming the setting', () => {
    expect(refusal('docs/roster')).toMatch(
      /^invalid-config: ROSTER_DOCUMENTATION_URL must be an absolute URL/,
    );
    expect(refusal('/docs')).toMatch(/^invalid-config: ROSTER_DOCUMENTATION_URL must be an absolute URL/);
    expect(refusal('ftp://files.example.com/roster')).toMatch(
      /^invalid-config: ROSTER_DOCUMENTATION_URL must be an http or https URL/,
    );
    expect(refusal('javascript:alert(1)')).toMatch(/must be an http or https URL/);
  });
});

describe('Bulk settings (RFC 7644 §3.7.4)', () => {
  it('default to 1,000 operations and 4 MiB, never less than a single request may carry', () => {
    expect(loadConfig({})).toMatchObject({
      bodyLimit: 1024 * 1024,
      bulkBodyLimit: 4 * 1024 * 1024,
      bulkMaxOperations: 1000,
    });
    expect(loadConfig({ ROSTER_BODY_LIMIT: String(8 * 1024 * 1024) }).bulkBodyLimit).toBe(8 * 1024 * 1024);
  });

  it('are read from ROSTER_BULK_MAX_OPERATIONS and ROSTER_BULK_BODY_LIMIT, in range', () => {
    expect(loadConfig({ ROSTER_BULK_MAX_OPERATIONS: '50', ROSTER_BULK_BODY_LIMIT: '65536' })).toMatchObject({
      bulkMaxOperations: 50,
      bulkBodyLimit: 65536,
    });
    expect(() => loadConfig({ ROSTER_BULK_MAX_OPERATIONS: '0' })).toThrow(
      'ROSTER_BULK_MAX_OPERATIONS must be a whole number from 1 to 100000',
    );
    expect(() => loadConfig({ ROSTER_BULK_BODY_LIMIT: '1k' })).toThrow('ROSTER_BULK_BODY_LIMIT');
  });
});

describe('printableDatabaseUrl', () => {
  it.each([
    ['postgres://roster:s3cret@db:5432/roster', 'postgres://roster:***@db:5432/roster'],
    ['postgresql://roster:p@ss@db/roster', 'postgresql://roster:***@db/roster'],
    [
      'postgres://db/roster?user=roster&password=s3cret&sslmode=require',
      'postgres://db/roster?user=roster&password=***&sslmode=require',
    ],
    [
      'postgres://roster@db/roster?options=-c%20search_path%3Dx',
      'postgres://roster@db/roster?options=-c%20search_path%3Dx',
    ],
    ['sqlite:./data/roster.db', 'sqlite:./data/roster.db'],
    ['mysql://root:s3cret@localhost/roster', 'mysql://root:***@localhost/roster'],
  ])('%s → %s', (url, printable) => {
    expect(printableDatabaseUrl(url)).toBe(printable);
  });
});
