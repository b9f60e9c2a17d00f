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
