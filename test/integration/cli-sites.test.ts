import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, expectOneLineFailure } from '../helpers/cli.js';
import { DIALECTS, startTestRoster, type TestRoster } from '../helpers/roster.js';

interface LoggedEvent {
  operation: string;
  actor: string;
  resourceType: string;
  resourceName: string | null;
  changes: { field: string; before?: unknown; after?: unknown }[] | null;
}

describe.each(DIALECTS)('roster sites (%s)', (dialect) => {
  let harness: TestRoster;
  const run = (...argv: string[]) => cli([...argv, '--database', harness.database.url]);
  const logOf = async (slug: string): Promise<LoggedEvent[]> =>
    (await run('log', '--site', slug, '--json')).json() as LoggedEvent[];

  beforeAll(async () => {
    harness = await startTestRoster(dialect);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('lists every setting, always, and the text form shows the PATCH answer and the password policy', async () => {
    expect((await run('sites', 'create', 'settings-site', '--name', 'Settings')).code).toBe(0);
    const site = async () =>
      ((await run('sites', 'list', '--json')).json() as { slug: string; settings: unknown }[]).find(
        (entry) => entry.slug === 'settings-site',
      )!;
    expect((await site()).settings).toEqual({
      passwordSync: false,
      passwordPolicy: {
        minLength: 8,
        requireUppercase: true,
        requireLowercase: true,
        requireDigit: true,
        requireSymbol: false,
        disallowLogon: true,
      },
      patchNoContent: false,
    });
    const configured = await run(
      'sites',
      'configure',
      'settings-site',
      '--patch-response',
      '204',
      '--password-min-length',
      '12',
    );
    expect(configured.out).toEqual([
      "Updated site 'settings-site': password sync off, PATCH answers 204 (no body), password policy: " +
        'at least 12 characters, an upper-case letter, a lower-case letter, a digit, not containing the Logon.',
    ]);
    expect((await site()).settings).toMatchObject({
      patchNoContent: true,
      passwordPolicy: { minLength: 12 },
    });

    const table = await run('sites', 'list');
    expect(table.out[0]).toMatch(/^SLUG\s+NAME\s+CREATED\s+PATCH ANSWER\s+PASSWORD SYNC\s+PASSWORD POLICY$/);
    expect(table.out.find((line) => line.startsWith('settings-site '))).toMatch(
      /Settings\s+\S+\s+204 \(no body\)\s+off\s+at least 12 characters, an upper-case letter/,
    );

    const [configure, create] = await logOf('settings-site');
    expect(create).toMatchObject({ operation: 'site create', actor: 'cli', resourceType: 'Site' });
    expect(configure).toMatchObject({ operation: 'site configure', actor: 'cli', resourceName: 'Settings' });
    expect(configure!.changes).toEqual(
      expect.arrayContaining([
        { field: 'passwordPolicy.minLength', before: 8, after: 12 },
        { field: 'patchNoContent', after: true },
      ]),
    );
  });

  it('renames a site, logged with the operator as the actor; the slug stays', async () => {
    expect((await run('sites', 'create', 'rename-site', '--name', 'Old Name')).code).toBe(0);
    const renamed = await run('sites', 'rename', 'rename-site', '--name', '  Acme Corp ');
    expect(renamed.out).toEqual(["Renamed site 'rename-site' to 'Acme Corp'."]);
    const json = await run('sites', 'rename', 'rename-site', '--name', 'Acme Corp', '--json');
    expect(json.json()).toMatchObject({ slug: 'rename-site', name: 'Acme Corp', changed: false });
    expect((await harness.roster.services.sites.get('rename-site')).name).toBe('Acme Corp');

    const events = await logOf('rename-site');
    expect(events.filter((e) => e.operation === 'site rename')).toEqual([
      expect.objectContaining({
        actor: 'cli',
        resourceType: 'Site',
        resourceName: 'Acme Corp',
        changes: [{ field: 'name', before: 'Old Name', after: 'Acme Corp' }],
      }),
    ]);

    expectOneLineFailure(
      await run('sites', 'rename', 'rename-site', '--name', '   '),
      /site's name is 1 to 200/,
    );
    expectOneLineFailure(
      await run('sites', 'rename', 'no-such-site', '--name', 'X'),
      /'no-such-site' does not exist/,
    );
    expectOneLineFailure(await run('sites', 'rename', 'rename-site'), /required option '--name <name>'/);
  });

  it('logs declaring and removing an extension schema', async () => {
    expect((await run('sites', 'create', 'schema-site')).code).toBe(0);
    const urn = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';
    expect(
      (await run('schemas', 'add', '--site', 'schema-site', '--urn', urn, '--attribute', 'costCenter:string'))
        .code,
    ).toBe(0);
    expect((await run('schemas', 'remove', '--site', 'schema-site', '--urn', urn)).code).toBe(0);
    const events = await logOf('schema-site');
    expect(events.map((e) => [e.operation, e.actor, e.resourceType, e.resourceName])).toEqual([
      ['schema remove', 'cli', 'Schema', urn],
      ['schema add', 'cli', 'Schema', urn],
      ['site create', 'cli', 'Site', 'schema-site'],
    ]);
  });
});
