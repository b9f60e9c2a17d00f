import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, expectOneLineFailure, groupIn, userIn } from '../helpers/cli.js';
import { DIALECTS, startTestRoster, type TestRoster, type TestSite } from '../helpers/roster.js';

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

  describe('set-privilege', () => {
    it("says the user's own and effective privilege and which group grants it", async () => {
      const site = await harness.newSite();
      const ann = await userIn(site, 'ann@users.test');
      const boss = await userIn(site, 'boss@users.test');
      const groupId = await groupIn(run, site, 'Process Admins', [ann, boss], 'Promaster');
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

  describe('create, disable, enable', () => {
    it('creates a user through the same rules as SCIM, logged with the operator as the actor', async () => {
      const site = await harness.newSite();
      const slug = site.site.slug;
      const created = await run(
        'users',
        'create',
        '--site',
        slug,
        '--logon',
        'Ann@Users.test',
        '--first-name',
        'Ann',
        '--last-name',
        'Lee',
        '--email',
        'ann@users.test',
        '--time-zone',
        'Europe/London',
        '--privilege',
        'promaster',
        '--json',
      );
      expect(created.code, JSON.stringify(created)).toBe(0);
      const user = created.json();
      expect(user).toMatchObject({
        logon: 'Ann@Users.test',
        firstName: 'Ann',
        lastName: 'Lee',
        email: 'ann@users.test',
        timeZone: 'Europe/London',
        privilege: 'Promaster',
        status: 'Active',
        source: 'cli',
        removedFromScim: false,
      });
      // An identity provider sees it like any other user.
      const scim = await site.scim('GET', `/Users/${user.id}`);
      expect(scim.body).toMatchObject({
        userName: 'Ann@Users.test',
        name: { givenName: 'Ann', familyName: 'Lee' },
      });

      const events = (await run('log', '--site', slug, '--user', 'ann@users.test', '--json')).json();
      expect(events.map((e: { operation: string; actor: string }) => `${e.operation} ${e.actor}`)).toEqual([
        'privilege change cli',
        'create cli',
      ]);

      expectOneLineFailure(
        await run('users', 'create', '--site', slug, '--logon', 'ANN@users.test'),
        /Logon 'ANN@users\.test' already exists in this site\. \[logon-taken\]$/,
      );
      expectOneLineFailure(
        await run(
          'users',
          'create',
          '--site',
          slug,
          '--logon',
          'bob@users.test',
          '--time-zone',
          'Mars/Olympus',
        ),
        /not an IANA time zone name .*\[invalid-time-zone\]$/,
      );
      expectOneLineFailure(
        await run('users', 'create', '--site', slug, '--logon', 'cy@users.test', '--privilege', 'Root'),
        /^roster: --privilege takes User, Business Analyst or Promaster, got 'Root'\. \[invalid-argument\]$/,
      );
      const refusals = (await run('log', '--site', slug, '--outcome', 'failure', '--json')).json();
      expect(
        refusals.map((e: { logon: string; actor: string; httpStatus: number }) => [
          e.logon,
          e.actor,
          e.httpStatus,
        ]),
      ).toEqual([
        ['bob@users.test', 'cli', 400],
        ['ANN@users.test', 'cli', 409],
      ]);
      expect((await run('users', 'list', '--site', slug, '--inactive', '--json')).json()).toHaveLength(1);
    });

    it('disables and enables, says when nothing changed, and never disables the last active Promaster', async () => {
      const site = await harness.newSite();
      const slug = site.site.slug;
      expect(
        (
          await run(
            'users',
            'create',
            '--site',
            slug,
            '--logon',
            'boss@users.test',
            '--privilege',
            'Promaster',
          )
        ).code,
      ).toBe(0);
      await userIn(site, 'ann@users.test');

      expect((await run('users', 'disable', 'ANN@users.test', '--site', slug)).out).toEqual([
        "Disabled 'ann@users.test'.",
      ]);
      const before = await eventCount(site);
      expect((await run('users', 'disable', 'ann@users.test', '--site', slug)).out).toEqual([
        "'ann@users.test' is already disabled: nothing changed.",
      ]);
      expect(await eventCount(site)).toBe(before);
      const listed = await site.scim('GET', '/Users?filter=userName eq "ann@users.test"');
      expect(listed.body.Resources[0].active).toBe(false);

      const enabled = await run('users', 'enable', 'ann@users.test', '--site', slug, '--json');
      expect(enabled.json()).toMatchObject({ logon: 'ann@users.test', status: 'Active', changed: true });
      const [event] = await harness.roster.store.events.list(site.site.id, { limit: 1 });
      expect(event).toMatchObject({
        operation: 'enable',
        actor: 'cli',
        logon: 'ann@users.test',
        outcome: 'success',
      });

      expectOneLineFailure(
        await run('users', 'disable', 'boss@users.test', '--site', slug),
        /'boss@users\.test' is the last active Promaster of this site and cannot be disabled.*\[last-promaster\]$/,
      );
      const [refusal] = await harness.roster.store.events.list(site.site.id, { limit: 1 });
      expect(refusal).toMatchObject({
        operation: 'disable',
        actor: 'cli',
        outcome: 'failure',
        httpStatus: 409,
      });

      const removed = await userIn(site, 'gone@users.test');
      expect((await site.scim('DELETE', `/Users/${removed}`)).status).toBe(204);
      expectOneLineFailure(
        await run('users', 'enable', 'gone@users.test', '--site', slug),
        /was removed by a SCIM DELETE.*roster users create --logon gone@users\.test/,
      );
      const back = await run('users', 'create', '--site', slug, '--logon', 'gone@users.test');
      expect(back.out).toEqual([
        expect.stringMatching(
          /^Brought back 'gone@users\.test' \(.*\), which a SCIM DELETE had removed, as User\.$/,
        ),
      ]);
      expectOneLineFailure(
        await run('users', 'disable', 'nobody@users.test', '--site', slug),
        /no user with Logon 'nobody@users\.test'/,
      );
    });
  });
});
