import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeDatabaseUrl, openDatabase } from '../../src/store/open.js';
import { migrate, SCHEMA_VERSION, schemaState } from '../../src/store/sql/migrations/index.js';
import { cli, expectOneLineFailure } from '../helpers/cli.js';
import { openUnmigrated } from '../helpers/raw-database.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../helpers/roster.js';

/** Every command but `serve` and `migrate` uses a database and never creates or migrates one. */
const USING_COMMANDS: readonly (readonly string[])[] = [
  ['sites', 'list'],
  ['sites', 'create', 'acme'],
  ['tokens', 'list', '--site', 'default'],
  ['tokens', 'create', '--site', 'default'],
  ['users', 'list', '--site', 'default'],
  ['log', '--site', 'default'],
  ['schemas', 'list', '--site', 'default'],
  ['privileges', 'list', '--site', 'default'],
];

describe.each(DIALECTS)('the CLI and the database it names (%s)', (dialect) => {
  let database: TestDatabase;
  const run = (...argv: string[]) => cli([...argv, '--database', database.url]);
  const where = (): string => {
    const target = describeDatabaseUrl(database.url);
    return target.kind === 'sqlite' ? target.file : 'postgres://postgres@127.0.0.1:5432/test';
  };

  beforeEach(async () => {
    database = await createTestDatabase(dialect);
  });
  afterEach(async () => {
    await database.drop();
  });

  /** What the database holds, read without creating anything. */
  async function state() {
    const target = describeDatabaseUrl(database.url);
    if (target.kind === 'sqlite' && !existsSync(target.file)) return 'no file';
    const db = await openDatabase(database.url, { schema: 'existing' }).catch(() => undefined);
    if (db) await db.close();
    return db ? 'roster' : 'not roster';
  }

  it('refuses a missing database in one line naming where it looked, and creates nothing', async () => {
    for (const argv of USING_COMMANDS) {
      const refused = await run(...argv);
      expectOneLineFailure(refused, /There is no Roster database at .*\[database-not-found\]$/);
      expect(refused.err[0]).toContain(where());
      expect(refused.err[0]).toMatch(/roster migrate/);
    }
    expect(await state()).toBe(dialect === 'sqlite' ? 'no file' : 'not roster');
  });

  it('refuses a database an older Roster left behind, until roster migrate brings it up to date', async () => {
    const raw = await openUnmigrated(database.url);
    await migrate(raw, SCHEMA_VERSION - 1);
    expect(await schemaState(raw)).toMatchObject({ version: SCHEMA_VERSION - 1, missing: [SCHEMA_VERSION] });
    await raw.close();

    expectOneLineFailure(
      await run('sites', 'list'),
      new RegExp(
        `at schema version ${SCHEMA_VERSION - 1}; this Roster needs version ${SCHEMA_VERSION}\\. Run roster migrate.*\\[database-not-migrated\\]$`,
      ),
    );

    const migrated = await run('migrate', '--json');
    expect(migrated.code, JSON.stringify(migrated)).toBe(0);
    expect(migrated.json()).toEqual({
      database: expect.stringContaining(dialect === 'sqlite' ? '/roster.db' : 'postgres://'),
      version: SCHEMA_VERSION,
      applied: [SCHEMA_VERSION],
      createdSite: 'default',
    });
    const listed = await run('sites', 'list', '--json');
    expect(listed.code, JSON.stringify(listed)).toBe(0);
    expect(listed.json().map((site: { slug: string }) => site.slug)).toEqual(['default']);

    const again = await run('migrate');
    expect(again.out).toEqual([expect.stringMatching(/is up to date \(schema version \d+\)\.$/)]);
  });
});

describe('a database the CLI cannot use', () => {
  it('is named without its password', async () => {
    const refused = await cli(['sites', 'list', '--database', 'mysql://root:s3cret@localhost/roster']);
    expectOneLineFailure(refused, /'mysql:\/\/root:\*\*\*@localhost\/roster' is not understood/);
    expect(refused.err[0]).not.toContain('s3cret');
  });
});
