import { mkdtempSync, rmSync } from 'node:fs';
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
