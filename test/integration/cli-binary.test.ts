import { mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openServices } from '../../src/main.js';
import { cli, ensureBuilt, rosterBinary, rosterPipedToHead } from '../helpers/cli.js';

/** The real `bin/roster.js`, run as an operator runs it: a process of its own, in a folder of its own. */
describe('the roster binary', () => {
  let dir: string;
  let database: string;

  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'roster-cli-'));
    database = `sqlite:${join(dir, 'roster.db')}`;
    expect((await rosterBinary(dir, ['migrate', '--database', database])).code).toBe(0);
    expect((await cli(['sites', 'create', 'binary-site', '--database', database])).code).toBe(0);
  }, 120_000);
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists sites as JSON and fails on an unknown site with one line on stderr', async () => {
    const listed = await rosterBinary(dir, ['sites', 'list', '--json', '--database', database]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stderr).toBe('');
    const sites = JSON.parse(listed.stdout) as { slug: string }[];
    expect(sites.map((site) => site.slug)).toContain('binary-site');

    const failed = await rosterBinary(dir, ['tokens', 'create', '--site', 'nope', '--database', database]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toMatch(/^roster: [^\n]*nope[^\n]*\n$/);
  });

  it('in a folder without a database, says so and creates nothing; roster migrate creates it there', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'roster-empty-'));
    try {
      const expected = join(realpathSync(empty), 'data', 'roster.db');
      for (const argv of [
        ['sites', 'list'],
        ['tokens', 'list', '--site', 'default'],
        ['log', '--site', 'default'],
      ]) {
        const refused = await rosterBinary(empty, argv);
        expect(refused.code).toBe(1);
        expect(refused.stdout).toBe('');
        expect(refused.stderr).toBe(
          `roster: There is no Roster database at ${expected}: name the right one with --database ` +
            '(or ROSTER_DATABASE_URL), or create it with roster migrate (roster serve does too). [database-not-found]\n',
        );
      }
      expect(readdirSync(empty)).toEqual([]);

      const migrated = await rosterBinary(empty, ['migrate']);
      expect(migrated.code, migrated.stderr).toBe(0);
      expect(migrated.stdout).toContain(`Brought the Roster database at ${expected} to schema version`);
      expect(migrated.stdout).toContain("Created the site 'default'.");
      const listed = await rosterBinary(empty, ['sites', 'list', '--json']);
      expect(JSON.parse(listed.stdout).map((site: { slug: string }) => site.slug)).toEqual(['default']);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("walks an operator's repair of a broken identity provider through the binary", async () => {
    const roster = (...argv: string[]) => rosterBinary(dir, [...argv, '--database', database]);
    const site = ['--site', 'binary-site'];

    const version = await rosterBinary(dir, ['--version']);
    expect(version.stdout.trim()).toMatch(/^roster \d+\.\d+\.\d+$/);

    const created = await roster(
      'users',
      'create',
      ...site,
      '--logon',
      'Ann@Binary.test',
      '--time-zone',
      'Europe/London',
    );
    expect(created.code, created.stderr).toBe(0);
    const badZone = await roster(
      'users',
      'create',
      ...site,
      '--logon',
      'bob@binary.test',
      '--time-zone',
      'Mars/Base',
    );
    expect(badZone.code).toBe(1);
    expect(badZone.stderr).toMatch(/^roster: [^\n]*Mars\/Base[^\n]*\n$/);

    const privileged = await roster(
      'users',
      'set-privilege',
      'ann@binary.test',
      ...site,
      '--privilege',
      'Promaster',
    );
    expect(privileged.code, privileged.stderr).toBe(0);
    expect(privileged.stdout).toMatch(/Promaster/);
    const disabled = await roster('users', 'disable', 'ann@binary.test', ...site);
    expect(disabled.code).toBe(1);
    expect(disabled.stderr).toMatch(/last-promaster/);

    const shown = JSON.parse((await roster('users', 'show', 'ann@binary.test', ...site, '--json')).stdout);
    expect(shown).toMatchObject({ logon: 'Ann@Binary.test', privilege: 'Promaster', status: 'Active' });

    const renamed = await roster('sites', 'rename', 'binary-site', '--name', 'Binary Works');
    expect(renamed.code, renamed.stderr).toBe(0);

    const token = JSON.parse((await roster('tokens', 'create', ...site, '--json')).stdout) as { id: string };
    expect((await roster('tokens', 'revoke', token.id, ...site)).code).toBe(0);

    const refusals = JSON.parse((await roster('log', ...site, '--outcome', 'failure', '--json')).stdout);
    expect(
      refusals.map((event: { operation: string; logon: string | null }) => [event.operation, event.logon]),
    ).toEqual([
      ['disable', 'Ann@Binary.test'],
      ['create', 'bob@binary.test'],
    ]);
    const outOfRange = await roster('log', ...site, '--limit', '0');
    expect(outOfRange.code).toBe(1);
    expect(outOfRange.stderr).toMatch(/^roster: [^\n]*--limit[^\n]*1[^\n]*10000[^\n]*\n$/);
    const port = await rosterBinary(dir, ['serve', '--port', '70000', '--database', database]);
    expect(port.code).toBe(1);
    expect(port.stderr).toMatch(/^roster: [^\n]*--port[^\n]*65535[^\n]*\n$/);
  }, 120_000);

  it('ends quietly when the reader closes the pipe (| head)', async () => {
    const opened = await openServices(loadConfig({}, { databaseUrl: database }));
    try {
      const site = await opened.services.sites.create('pipe-site');
      // More than a pipe's buffer (64 KiB), so the reader is gone while roster still writes.
      for (let i = 0; i < 700; i++) {
        await opened.services.tokens.issue(site, {
          description: `token number ${i} with a description long enough to fill the pipe`,
          createdBy: 'test',
        });
      }
    } finally {
      await opened.close();
    }
    const tokens = await rosterPipedToHead(
      dir,
      ['tokens', 'list', '--site', 'pipe-site', '--database', database],
      2,
    );
    expect(tokens.stderr).toBe('');
    expect(tokens.code).toBe(0);
    expect(tokens.stdout.split('\n')).toHaveLength(3);

    const json = await rosterPipedToHead(
      dir,
      ['tokens', 'list', '--site', 'pipe-site', '--json', '--database', database],
      1,
    );
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
  }, 60_000);
});
