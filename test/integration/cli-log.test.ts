import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { DIALECTS, startTestRoster, type TestRoster, type TestSite } from '../helpers/roster.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

interface LoggedEvent {
  id: string;
  at: string;
  operation: string;
  outcome: string;
  httpStatus: number;
  resourceType: string | null;
  resourceId: string | null;
  resourceName: string | null;
  logon: string | null;
  externalId: string | null;
  tokenId: string | null;
  detail: string | null;
}

describe.each(DIALECTS)('roster log (%s)', (dialect) => {
  let harness: TestRoster;
  const run = (...argv: string[]) => cli([...argv, '--database', harness.database.url]);
  const logOf = async (site: TestSite, ...argv: string[]): Promise<LoggedEvent[]> => {
    const printed = await run('log', '--site', site.site.slug, '--json', ...argv);
    expect(printed.code, JSON.stringify(printed)).toBe(0);
    return printed.json() as LoggedEvent[];
  };

  beforeAll(async () => {
    harness = await startTestRoster(dialect);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('names the Logon and externalId of a create it refused', async () => {
    const site = await harness.newSite();
    const syncOn = await run('sites', 'configure', site.site.slug, '--password-sync', 'on');
    expect(syncOn.code, JSON.stringify(syncOn)).toBe(0);
    const refusals: [unknown, number][] = [
      [
        {
          schemas: [USER_SCHEMA],
          userName: 'zoned@log.test',
          externalId: 'okta-1',
          timezone: 'Mars/Olympus',
        },
        400,
      ],
      [{ schemas: [USER_SCHEMA], userName: 'weak@log.test', externalId: 'okta-2', password: 'short' }, 400],
    ];
    expect(
      (await site.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'taken@log.test' })).status,
    ).toBe(201);
    refusals.push([{ schemas: [USER_SCHEMA], userName: 'TAKEN@log.test', externalId: 'okta-3' }, 409]);
    for (const [body, status] of refusals) {
      const refused = await site.scim('POST', '/Users', body);
      expect(refused.status, refused.raw).toBe(status);
    }
    // A body without a Logon is still logged, with what it did name.
    expect((await site.scim('POST', '/Users', { schemas: [USER_SCHEMA], externalId: 'okta-4' })).status).toBe(
      400,
    );

    const failures = (await logOf(site)).filter((e) => e.outcome === 'failure').reverse();
    expect(
      failures.map((e) => [e.operation, e.httpStatus, e.resourceType, e.logon, e.resourceName, e.externalId]),
    ).toEqual([
      ['create', 400, 'User', 'zoned@log.test', 'zoned@log.test', 'okta-1'],
      ['create', 400, 'User', 'weak@log.test', 'weak@log.test', 'okta-2'],
      ['create', 409, 'User', 'TAKEN@log.test', 'TAKEN@log.test', 'okta-3'],
      ['create', 400, 'User', null, null, 'okta-4'],
    ]);
    expect(failures.every((e) => e.resourceId === null && e.tokenId === site.tokenId)).toBe(true);

    const table = await run('log', '--site', site.site.slug);
    expect(table.out.find((line) => line.includes('Mars/Olympus'))).toMatch(/User zoned@log\.test/);
  });

  it('keeps a group’s name in resourceName, not in logon', async () => {
    const site = await harness.newSite();
    const created = await site.scim('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Engineering',
      externalId: 'grp-1',
    });
    expect(created.status, created.raw).toBe(201);
    const refused = await site.scim('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'engineering',
    });
    expect(refused.status).toBe(409);

    const events = await logOf(site);
    expect(events.map((e) => [e.operation, e.outcome, e.resourceName, e.logon, e.externalId])).toEqual([
      ['create group', 'failure', 'engineering', null, null],
      ['create group', 'success', 'Engineering', null, 'grp-1'],
    ]);
    const user = await site.scim('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'ann@log.test',
      externalId: 'u-1',
    });
    expect((await logOf(site, '--limit', '1'))[0]).toMatchObject({
      resourceType: 'User',
      resourceId: user.body.id,
      resourceName: 'ann@log.test',
      logon: 'ann@log.test',
      externalId: 'u-1',
    });
  });

  it('filters by user, operation, outcome, token and time, and pages past the newest events', async () => {
    const site = await harness.newSite();
    const other = await harness.roster.services.tokens.issue(site.site, {
      description: 'Okta staging',
      createdBy: 'test',
    });
    const ids: Record<string, string> = {};
    for (const name of ['u1', 'u2', 'u3', 'u4']) {
      const created = await site.scim('POST', '/Users', {
        schemas: [USER_SCHEMA],
        userName: `${name}@log.test`,
      });
      ids[name] = created.body.id;
    }
    const patch = (id: string, op: object) =>
      site.scim('PATCH', `/Users/${id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [op],
      });
    expect((await patch(ids.u2!, { op: 'replace', path: 'active', value: false })).status).toBe(200);
    expect(
      (await patch(ids.u3!, { op: 'replace', path: 'userName', value: 'u3-renamed@log.test' })).status,
    ).toBe(200);
    const duplicate = await harness.roster.app.inject({
      method: 'POST',
      url: '/scim/v2/Users',
      headers: { authorization: `Bearer ${other.token}`, 'content-type': 'application/scim+json' },
      payload: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'U1@log.test' }),
    });
    expect(duplicate.statusCode).toBe(409);
    expect((await run('tokens', 'revoke', other.record.id, '--site', site.site.slug)).code).toBe(0);
    const refused = await harness.roster.app.inject({
      method: 'GET',
      url: '/scim/v2/Users',
      headers: { authorization: `Bearer ${other.token}` },
    });
    expect(refused.statusCode).toBe(401);

    const all = await logOf(site);
    // Six writes with the site's token, two with the other, and the operator's revocation.
    expect(all).toHaveLength(9);
    expect(all.filter((e) => e.operation === 'token revoke')).toHaveLength(1);
    const ops = (events: LoggedEvent[]) =>
      events.map((e) => `${e.operation} ${e.outcome} ${e.resourceName ?? ''}`);

    // The user's history, under either Logon, any letter case: its id ties the events together.
    expect(ops(await logOf(site, '--user', 'U3-RENAMED@log.test'))).toEqual([
      'update success u3-renamed@log.test',
      'create success u3@log.test',
    ]);
    expect(ops(await logOf(site, '--user', 'u1@log.test'))).toEqual([
      'create failure U1@log.test',
      'create success u1@log.test',
    ]);
    expect(ops(await logOf(site, '--operation', 'disable'))).toEqual(['disable success u2@log.test']);
    // A token's refusals are one event per minute, whose id is the minute's: the log keeps id order.
    const failures = all.filter((e) => e.outcome === 'failure');
    expect(ops(failures).sort()).toEqual(['authenticate failure Okta staging', 'create failure U1@log.test']);
    expect(ops(await logOf(site, '--outcome', 'failure'))).toEqual(ops(failures));
    expect(ops(await logOf(site, '--token', other.record.id))).toEqual(
      ops(await logOf(site, '--outcome', 'failure')),
    );
    expect((await logOf(site, '--token', site.tokenId)).map((e) => e.id)).toEqual(
      all.filter((e) => e.tokenId === site.tokenId).map((e) => e.id),
    );
    expect(all.filter((e) => e.tokenId === site.tokenId)).toHaveLength(6);

    const middle = all[4]!;
    const since = await logOf(site, '--since', middle.at);
    expect(since.map((e) => e.id)).toEqual(all.filter((e) => e.at >= middle.at).map((e) => e.id));
    const until = await logOf(site, '--until', middle.at);
    expect(until.map((e) => e.id)).toEqual(all.filter((e) => e.at <= middle.at).map((e) => e.id));
    expect(await logOf(site, '--since', '2000-01-01', '--until', '2000-12-31T23:59:59Z')).toEqual([]);

    // Paging: each page says where to read on, and the pages are the whole log, once.
    const pages: LoggedEvent[] = [];
    let argv = [
      'log',
      '--site',
      site.site.slug,
      '--limit',
      '3',
      '--json',
      '--database',
      harness.database.url,
    ];
    for (;;) {
      const page = await cli(argv);
      expect(page.code, JSON.stringify(page)).toBe(0);
      pages.push(...(page.json() as LoggedEvent[]));
      if (page.err.length === 0) break;
      expect(page.err).toHaveLength(1);
      const next = /^Older events: roster log (.*)$/.exec(page.err[0]!)![1]!;
      expect(next).toContain('--limit 3 --before ');
      argv = ['log', ...next.split(' ').map((word) => word.replace(/^'(.*)'$/, '$1'))];
    }
    expect(pages.map((e) => e.id)).toEqual(all.map((e) => e.id));

    const table = await run('log', '--site', site.site.slug, '--outcome', 'failure');
    expect(table.out.find((line) => line.includes('authenticate'))).toMatch(
      /authenticate\s+failure\s+401\s+Token 'Okta staging' \(rst_.{4}…\)\s+GET \/scim\/v2\/Users refused: token revoked\./,
    );
    const none = await run('log', '--site', site.site.slug, '--operation', 'frobnicate');
    expect(none).toMatchObject({ code: 0, out: [], err: ['No events match.'] });
  });

  it('refuses filters it cannot use in one line naming the flag', async () => {
    const site = await harness.newSite();
    const refuse = async (flag: string, value: string, pattern: RegExp, code = 'invalid-argument') => {
      const refused = await run('log', '--site', site.site.slug, flag, value);
      expect(refused.code).toBe(1);
      expect(refused.err).toEqual([expect.stringMatching(pattern)]);
      expect(refused.err[0]).toContain(`[${code}]`);
    };
    await refuse('--since', 'yesterday', /^roster: --since takes an ISO 8601 date or time/);
    await refuse('--until', '2026-02-30', /^roster: --until takes an ISO 8601 date or time/);
    await refuse('--before', '42', /^roster: --before takes an event id/);
    await refuse('--outcome', 'failed', /^roster: --outcome takes success or failure, got 'failed'/);
    await refuse('--token', '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b', /has no token/, 'token-not-found');
    const backwards = await run(
      'log',
      '--site',
      site.site.slug,
      '--since',
      '2026-02-01',
      '--until',
      '2026-01-01',
    );
    expect(backwards.err).toEqual([expect.stringMatching(/start of the period is after its end/)]);
  });
});
