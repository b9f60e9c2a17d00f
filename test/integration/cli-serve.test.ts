import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, ensureBuilt, ROOT, rosterBinary, rosterServing, shell } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/roster.js';

describe('roster serve, --version and the numbers operators type', () => {
  let dir: string;

  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'roster-serve-'));
  }, 120_000);
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints its version', async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const printed = await rosterBinary(dir, [flag]);
      expect(printed).toEqual({ code: 0, stdout: `roster ${version}\n`, stderr: '' });
    }
  });

  it.each([
    [['serve', '--port', '70000'], "--port must be a whole number from 0 to 65535, got '70000'."],
    [['serve', '--port', 'http'], "--port must be a whole number from 0 to 65535, got 'http'."],
    [
      ['tokens', 'create', '--site', 'x', '--days', '0'],
      "--days must be a whole number from 1 to 3650, got '0'.",
    ],
    [
      ['tokens', 'create', '--site', 'x', '--days', '-1'],
      "--days must be a whole number from 1 to 3650, got '-1'.",
    ],
    [['log', '--site', 'x', '--limit', '0'], "--limit must be a whole number from 1 to 10000, got '0'."],
    [
      ['log', '--site', 'x', '--limit', '20000'],
      "--limit must be a whole number from 1 to 10000, got '20000'.",
    ],
    [
      ['sites', 'configure', 'x', '--password-min-length', '0'],
      "--password-min-length must be a whole number from 1 to 256, got '0'.",
    ],
    [['sites', 'configure', 'x', '--password-sync', 'yes'], "--password-sync takes on or off, got 'yes'."],
    [
      ['sites', 'configure', 'x', '--password-require-digit', '1'],
      "--password-require-digit takes on or off, got '1'.",
    ],
    [['sites', 'configure', 'x', '--patch-response', '201'], "--patch-response takes 200 or 204, got '201'."],
  ])('refuses %j naming the flag and what it takes', async (argv, message) => {
    const refused = await rosterBinary(dir, argv);
    expect(refused).toEqual({ code: 1, stdout: '', stderr: `roster: ${message} [invalid-argument]\n` });
  });

  it('names --port and ROSTER_PORT when the port is taken', async () => {
    const taken: Server = createServer();
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const port = (taken.address() as { port: number }).port;
    try {
      const database = `sqlite:${join(dir, 'busy.db')}`;
      const refused = await rosterBinary(dir, ['serve', '--port', String(port), '--database', database]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(
        `roster: Port ${port} on 127.0.0.1 is already in use: stop what listens there, or choose another ` +
          'port with --port or ROSTER_PORT (0 picks a free one). [port-in-use]\n',
      );
    } finally {
      await new Promise((done) => taken.close(done));
    }
  });

  describe('on PostgreSQL', () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase('postgres');
    });
    afterAll(async () => {
      await database.drop();
    });

    it('prints the token command with that database, its password hidden, and the command works', async () => {
      const url = new URL(database.url);
      url.password = 'hunter2';
      const serving = await rosterServing(
        dir,
        ['--port', '0', '--database', url.toString()],
        /Create a SCIM access token for it with: .*\n/,
      );
      try {
        const printed = /Create a SCIM access token for it with: (.*)\n/.exec(serving.stdout)![1]!;
        expect(printed).not.toContain('hunter2');
        const shown = new URL(url);
        shown.password = '***';
        expect(printed).toBe(
          `node ${join(ROOT, 'bin/roster.js')} tokens create --site default --database '${shown.toString()}'` +
            ' (with the database password in place of ***)',
        );
        // Pasted, with the password back, it creates a token in the server's database: not in a
        // SQLite file of the current folder.
        const command = printed.replace(' (with the database password in place of ***)', '');
        const pasted = await shell(dir, command.replace('***', 'hunter2'));
        expect(pasted.code, pasted.stderr).toBe(0);
        expect(pasted.stdout).toMatch(/^rst_/);
      } finally {
        await serving.stop();
      }
      const tokens = await cli(['tokens', 'list', '--site', 'default', '--json', '--database', database.url]);
      expect(tokens.json()).toHaveLength(1);
      expect(existsSync(join(dir, 'data'))).toBe(false);
    });
  });
});
