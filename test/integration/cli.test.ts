import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createRoster, type Roster } from '../../src/main.js';
import { cli, type CliRun, expectOneLineFailure } from '../helpers/cli.js';
import { createTestDatabase, DIALECTS, scimRequest, type TestDatabase } from '../helpers/roster.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const DAY_MS = 24 * 60 * 60 * 1000;

describe.each(DIALECTS)('cli (%s)', (dialect) => {
  let database: TestDatabase;
  /** A server on the same database, to check what the CLI did the way an identity provider would. */
  let roster: Roster;
  const run = (...argv: string[]): Promise<CliRun> => cli([...argv, '--database', database.url]);

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    roster = await createRoster(
      loadConfig({}, { databaseUrl: database.url, logLevel: 'silent', defaultSite: undefined }),
      createLogger('silent'),
    );
  });
  afterAll(async () => {
    await roster.close();
    await database.drop();
  });

  it('creates, lists and configures sites', async () => {
    const created = await run('sites', 'create', 'acme', '--name', 'Acme Corp', '--json');
    expect(created.code, JSON.stringify(created)).toBe(0);
    expect(created.json()).toMatchObject({
      slug: 'acme',
      name: 'Acme Corp',
      settings: { passwordSync: false },
    });

    const plain = await run('sites', 'create', 'globex');
    expect(plain.code).toBe(0);
    expect(plain.out.join('\n')).toContain("Created site 'globex'");

    const listed = await run('sites', 'list', '--json');
    expect(listed.code).toBe(0);
    const slugs = (listed.json() as { slug: string }[]).map((site) => site.slug);
    expect(slugs).toEqual(expect.arrayContaining(['acme', 'globex']));

    const table = await run('sites', 'list');
    expect(table.out[0]).toMatch(/^SLUG\s+NAME/);
    expect(table.out.some((line) => line.startsWith('acme ') && line.includes('Acme Corp'))).toBe(true);

    const configured = await run(
      'sites',
      'configure',
      'acme',
      '--password-sync',
      'on',
      '--password-min-length',
      '12',
      '--password-require-symbol',
      'on',
      '--json',
    );
    expect(configured.code, JSON.stringify(configured)).toBe(0);
    expect(configured.json().settings).toMatchObject({
      passwordSync: true,
      passwordPolicy: { minLength: 12, requireSymbol: true, requireUppercase: true },
    });
    const stored = await roster.services.sites.get('acme');
    expect(stored.settings.passwordSync).toBe(true);
    expect(stored.settings.passwordPolicy.minLength).toBe(12);

    const duplicate = await run('sites', 'create', 'acme');
    expectOneLineFailure(duplicate, /already exists/);
  });

  it('creates a token that works against a server on the same database, and lists it without its secret', async () => {
    await run('sites', 'create', 'tokens-site');
    const before = Date.now();
    const created = await run(
      'tokens',
      'create',
      '--site',
      'tokens-site',
      '--description',
      'Okta prod',
      '--json',
    );
    expect(created.code, JSON.stringify(created)).toBe(0);
    const issued = created.json();
    expect(Object.keys(issued).sort()).toEqual(['expiresAt', 'id', 'token']);
    expect(issued.token).toMatch(/^rst_[A-Za-z0-9_-]{43}$/);
    const expiresAt = Date.parse(issued.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 365 * DAY_MS - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 365 * DAY_MS);

    const works = await scimRequest(roster, issued.token, 'POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'via.cli.token@okta.local',
    });
    expect(works.status, works.raw).toBe(201);

    // Without --json the secret alone goes to stdout, so it can be piped; the rest is on stderr.
    const plain = await run('tokens', 'create', '--site', 'tokens-site', '--days', '30');
    expect(plain.code).toBe(0);
    expect(plain.out).toHaveLength(1);
    expect(plain.out[0]).toMatch(/^rst_[A-Za-z0-9_-]{43}$/);
    expect(plain.err.join('\n')).toMatch(/shown only once/);

    const listed = await run('tokens', 'list', '--site', 'tokens-site', '--json');
    expect(listed.code).toBe(0);
    const tokens = listed.json() as Record<string, unknown>[];
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toMatchObject({
      id: issued.id,
      description: 'Okta prod',
      status: 'active',
      createdBy: 'cli',
    });
    expect(tokens[0]!.lastUsedAt).toEqual(expect.any(String));
    const printed = listed.out.join('\n');
    expect(printed).not.toContain(issued.token);
    expect(printed).not.toContain(issued.token.slice(8));
    expect(printed).not.toContain(plain.out[0]!);
    expect(printed).not.toMatch(/"token"|tokenHash|token_hash/);
    const table = await run('tokens', 'list', '--site', 'tokens-site');
    expect(table.out.join('\n')).not.toContain(issued.token);
  });

  it('revokes a token, which then gets 401', async () => {
    await run('sites', 'create', 'revoke-site');
    const issued = (await run('tokens', 'create', '--site', 'revoke-site', '--json')).json();
    expect((await scimRequest(roster, issued.token, 'GET', '/Users')).status).toBe(200);

    // Revoking names the site: another site's slug does not reach the token, which keeps working.
    await run('sites', 'create', 'other-revoke-site');
    expectOneLineFailure(
      await run('tokens', 'revoke', issued.id, '--site', 'other-revoke-site'),
      /has no token/,
    );
    expectOneLineFailure(await run('tokens', 'revoke', issued.id), /--site/);
    expect((await scimRequest(roster, issued.token, 'GET', '/Users')).status).toBe(200);

    const revoked = await run('tokens', 'revoke', issued.id, '--site', 'revoke-site');
    expect(revoked.code, JSON.stringify(revoked)).toBe(0);
    expect(revoked.out.join('\n')).toContain(issued.id);
    const refused = await scimRequest(roster, issued.token, 'GET', '/Users');
    expect(refused.status, refused.raw).toBe(401);

    const listed = (await run('tokens', 'list', '--site', 'revoke-site', '--json')).json();
    expect(listed[0]).toMatchObject({ id: issued.id, status: 'revoked', revokedAt: expect.any(String) });
    expectOneLineFailure(
      await run('tokens', 'revoke', issued.id, '--site', 'revoke-site'),
      /already revoked/,
    );
    expectOneLineFailure(
      await run('tokens', 'revoke', 'no-such-token', '--site', 'revoke-site'),
      /has no token/,
    );
  });

  it('lists active users by default and disabled ones with --inactive', async () => {
    await run('sites', 'create', 'users-site');
    const { token } = (await run('tokens', 'create', '--site', 'users-site', '--json')).json();
    const scim = (method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown) =>
      scimRequest(roster, token, method, path, body);
    const active = await scim('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'active@users.test',
      name: { givenName: 'Ann', familyName: 'Active' },
      emails: [{ value: 'ann@users.test', primary: true }],
    });
    const disabled = await scim('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'disabled@users.test',
      active: false,
    });
    const removed = await scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'removed@users.test' });
    for (const response of [active, disabled, removed]) expect(response.status, response.raw).toBe(201);
    expect((await scim('DELETE', `/Users/${removed.body.id}`)).status).toBe(204);

    const listed = await run('users', 'list', '--site', 'users-site', '--json');
    expect(listed.code, JSON.stringify(listed)).toBe(0);
    expect(listed.json()).toEqual([
      expect.objectContaining({
        id: active.body.id,
        logon: 'active@users.test',
        firstName: 'Ann',
        lastName: 'Active',
        email: 'ann@users.test',
        privilege: 'User',
        status: 'Active',
        source: 'scim',
        removedFromScim: false,
      }),
    ]);
    expect(listed.out.join('\n')).not.toMatch(/password/i);

    const everyone = (await run('users', 'list', '--site', 'users-site', '--inactive', '--json')).json() as {
      logon: string;
      status: string;
      removedFromScim: boolean;
    }[];
    expect(
      everyone
        .map(({ logon, status, removedFromScim }) => ({ logon, status, removedFromScim }))
        .sort((a, b) => a.logon.localeCompare(b.logon)),
    ).toEqual([
      { logon: 'active@users.test', status: 'Active', removedFromScim: false },
      { logon: 'disabled@users.test', status: 'Disabled', removedFromScim: false },
      { logon: 'removed@users.test', status: 'Disabled', removedFromScim: true },
    ]);

    const table = await run('users', 'list', '--site', 'users-site', '--inactive');
    expect(table.out[0]).toMatch(/^LOGON\s+FIRST NAME/);
    expect(table.out).toHaveLength(4);
  });

  it("prints a site's provisioning log, newest first, up to --limit", async () => {
    await run('sites', 'create', 'log-site');
    const { token, id: tokenId } = (await run('tokens', 'create', '--site', 'log-site', '--json')).json();
    for (const name of ['first', 'second', 'third']) {
      const response = await scimRequest(roster, token, 'POST', '/Users', {
        schemas: [USER_SCHEMA],
        userName: `${name}@log.test`,
      });
      expect(response.status).toBe(201);
    }
    const duplicate = await scimRequest(roster, token, 'POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'FIRST@log.test',
    });
    expect(duplicate.status).toBe(409);

    const limited = await run('log', '--site', 'log-site', '--limit', '2', '--json');
    expect(limited.code, JSON.stringify(limited)).toBe(0);
    const events = limited.json() as Record<string, unknown>[];
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      operation: 'create',
      outcome: 'failure',
      httpStatus: 409,
      tokenId,
      actor: 'scim',
    });
    expect(events[1]).toMatchObject({
      operation: 'create',
      outcome: 'success',
      httpStatus: 201,
      logon: 'third@log.test',
    });

    const all = (await run('log', '--site', 'log-site', '--json')).json() as {
      operation: string;
      logon: string | null;
    }[];
    // What the operator did is logged too: creating the site and the token the writes were made with.
    expect(all).toHaveLength(6);
    expect(all.slice(1).map((event) => event.logon ?? event.operation)).toEqual([
      'third@log.test',
      'second@log.test',
      'first@log.test',
      'token create',
      'site create',
    ]);

    const table = await run('log', '--site', 'log-site');
    expect(table.out[0]).toMatch(/^TIME\s+OPERATION/);
    expect(table.out).toHaveLength(7);
  });

  it('fails with one line on stderr and exit code 1 on bad input', async () => {
    await run('sites', 'create', 'errors-site');
    expectOneLineFailure(
      await run('tokens', 'create', '--site', 'no-such-site'),
      /Site 'no-such-site' does not exist/,
    );
    expectOneLineFailure(await run('users', 'list', '--site', 'no-such-site'), /does not exist/);
    expectOneLineFailure(await run('log', '--site', 'no-such-site'), /does not exist/);
    expectOneLineFailure(await run('sites', 'create', 'Bad_Slug!'), /slug 'Bad_Slug!' is not valid/);
    expectOneLineFailure(await run('tokens', 'create', '--site', 'errors-site', '--days', 'soon'), /--days/);
    expectOneLineFailure(await run('tokens', 'create', '--site', 'errors-site', '--days', '0'), /days/);
    expectOneLineFailure(await run('tokens', 'create', '--site', 'errors-site', '--days', '-5'), /days/);
    expectOneLineFailure(await run('tokens', 'create'), /--site/);
    expectOneLineFailure(await run('log'), /--site/);
    expectOneLineFailure(await run('sites', 'configure', 'errors-site'), /Nothing to change/);
    expectOneLineFailure(
      await run('sites', 'configure', 'errors-site', '--password-sync', 'maybe'),
      /on or off/,
    );
    expectOneLineFailure(
      await cli(['sites', 'list', '--database', 'mysql://root@localhost/roster']),
      /mysql:\/\/root@localhost\/roster' is not understood/,
    );
    expectOneLineFailure(await run('sites', 'frobnicate'), /frobnicate/);

    // None of the refused commands changed anything.
    expect((await roster.services.sites.list()).map((site) => site.slug)).not.toContain('Bad_Slug!');
    expect(await roster.services.tokens.list(await roster.services.sites.get('errors-site'))).toEqual([]);
  });
});
