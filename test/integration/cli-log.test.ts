import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { DIALECTS, startTestRoster, type TestRoster, type TestSite } from '../helpers/roster.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

interface LoggedEvent {
  id: string;
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
});
