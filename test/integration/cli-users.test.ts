import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, expectOneLineFailure } from '../helpers/cli.js';
import { DIALECTS, startTestRoster, type TestRoster, type TestSite } from '../helpers/roster.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

describe.each(DIALECTS)('roster users (%s)', (dialect) => {
  let harness: TestRoster;
  const run = (...argv: string[]) => cli([...argv, '--database', harness.database.url]);
  const eventCount = async (site: TestSite): Promise<number> =>
    (await harness.roster.store.events.list(site.site.id, { limit: 1000 })).length;

  beforeAll(async () => {
    harness = await startTestRoster(dialect);
  });
  afterAll(async () => {
    await harness.close();
  });

  async function userIn(site: TestSite, logon: string, extra: object = {}): Promise<string> {
    const created = await site.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: logon, ...extra });
    expect(created.status, created.raw).toBe(201);
    return created.body.id as string;
  }

  async function groupIn(
    site: TestSite,
    name: string,
    members: string[],
    privilege?: string,
  ): Promise<string> {
    const created = await site.scim('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: name,
      members: members.map((value) => ({ value })),
    });
    expect(created.status, created.raw).toBe(201);
    if (privilege) {
      const mapped = await run(
        'privileges',
        'map',
        '--site',
        site.site.slug,
        '--group',
        name,
        '--privilege',
        privilege,
      );
      expect(mapped.code, JSON.stringify(mapped)).toBe(0);
    }
    return created.body.id as string;
  }

  describe('set-privilege', () => {
    it("says the user's own and effective privilege and which group grants it", async () => {
      const site = await harness.newSite();
      const ann = await userIn(site, 'ann@users.test');
      const boss = await userIn(site, 'boss@users.test');
      const groupId = await groupIn(site, 'Process Admins', [ann, boss], 'Promaster');
      const slug = site.site.slug;

      const before = await eventCount(site);
      const same = await run(
        'users',
        'set-privilege',
        'ANN@users.test',
        '--site',
        slug,
        '--privilege',
        'user',
      );
      expect(same).toMatchObject({
        code: 0,
        out: [
          "'ann@users.test' already holds User of its own: nothing changed. " +
            "It is Promaster: the group 'Process Admins' grants it.",
        ],
      });
      // Nothing changed, so nothing is logged.
      expect(await eventCount(site)).toBe(before);

      const lowered = await run(
        'users',
        'set-privilege',
        'ann@users.test',
        '--site',
        slug,
        '--privilege',
        'Business Analyst',
      );
      expect(lowered.out).toEqual([
        "'ann@users.test' now holds Business Analyst of its own, but is Promaster: the group 'Process Admins' grants it.",
      ]);
      const json = await run(
        'users',
        'set-privilege',
        'ann@users.test',
        '--site',
        slug,
        '--privilege',
        'User',
        '--json',
      );
      expect(json.json()).toEqual({
        logon: 'ann@users.test',
        privilege: 'Promaster',
        ownPrivilege: 'User',
        grantedBy: [{ groupId, displayName: 'Process Admins', privilege: 'Promaster' }],
        changed: true,
      });
      const [event] = await harness.roster.store.events.list(site.site.id, { limit: 1 });
      expect(event).toMatchObject({
        operation: 'privilege change',
        actor: 'cli',
        logon: 'ann@users.test',
        changes: [{ field: 'own privilege', before: 'Business Analyst', after: 'User' }],
        detail: "Promaster granted by the group 'Process Admins'.",
      });

      const raised = await run(
        'users',
        'set-privilege',
        'boss@users.test',
        '--site',
        slug,
        '--privilege',
        'Promaster',
      );
      expect(raised.out).toEqual(["'boss@users.test' now holds Promaster."]);
      expectOneLineFailure(
        await run('users', 'set-privilege', 'boss@users.test', '--site', slug, '--privilege', 'Root'),
        /'Root' is not a privilege/,
      );
    });
  });
});
