import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, expectOneLineFailure } from '../helpers/cli.js';
import { DIALECTS, startTestRoster, type TestRoster } from '../helpers/roster.js';

describe.each(DIALECTS)('roster tokens (%s)', (dialect) => {
  let harness: TestRoster;
  const run = (...argv: string[]) => cli([...argv, '--database', harness.database.url]);

  beforeAll(async () => {
    harness = await startTestRoster(dialect);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('every tokens command names its site the same way and takes --json and --database', async () => {
    for (const [command, usage] of [
      ['create', /^Usage: roster tokens create \[options\]$/],
      ['list', /^Usage: roster tokens list \[options\]$/],
      ['revoke', /^Usage: roster tokens revoke \[options\] <id>$/],
    ] as const) {
      const help = await cli(['tokens', command, '--help']);
      expect(help.code).toBe(0);
      const text = help.out.join('\n');
      expect(text.split('\n')[0]).toMatch(usage);
      expect(text).toMatch(/--site <slug>/);
      expect(text).toMatch(/--json/);
      expect(text).toMatch(/--database <url>/);
      expectOneLineFailure(
        await run('tokens', command, ...(command === 'revoke' ? ['some-id'] : [])),
        /required option '--site <slug>' not specified/,
      );
    }
  });

  it('logs creating and revoking a token, with the operator as the actor', async () => {
    const site = await harness.newSite();
    const slug = site.site.slug;
    const created = await run(
      'tokens',
      'create',
      '--site',
      slug,
      '--description',
      'Entra ID',
      '--days',
      '30',
      '--json',
    );
    expect(created.code, JSON.stringify(created)).toBe(0);
    const { id, token } = created.json() as { id: string; token: string };
    const revoked = await run('tokens', 'revoke', id, '--site', slug);
    expect(revoked.out).toEqual([
      `Revoked token ${id} ('Entra ID', ${token.slice(0, 8)}…) of site '${slug}': its next request is refused.`,
    ]);

    const log = await run('log', '--site', slug, '--json', '--operation', 'token create');
    expect(log.json()).toEqual([
      expect.objectContaining({
        actor: 'cli',
        tokenId: null,
        operation: 'token create',
        resourceType: 'Token',
        resourceId: id,
        resourceName: 'Entra ID',
        outcome: 'success',
        changes: [{ field: 'expiresAt', after: expect.any(String) }],
      }),
    ]);
    const revokes = (await run('log', '--site', slug, '--json', '--operation', 'token revoke')).json();
    expect(revokes).toEqual([
      expect.objectContaining({ actor: 'cli', resourceId: id, resourceName: 'Entra ID', outcome: 'success' }),
    ]);
    const table = await run('log', '--site', slug, '--operation', 'token revoke');
    expect(table.out[1]).toMatch(/token revoke\s+success\s+200\s+Token 'Entra ID' \(rst_.{4}…\)/);
  });
});
