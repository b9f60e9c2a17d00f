import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, expectOneLineFailure, groupIn, userIn } from '../helpers/cli.js';
import { DIALECTS, startTestRoster, type TestRoster } from '../helpers/roster.js';

describe.each(DIALECTS)('roster users show (%s)', (dialect) => {
  let harness: TestRoster;
  const run = (...argv: string[]) => cli([...argv, '--database', harness.database.url]);

  beforeAll(async () => {
    harness = await startTestRoster(dialect);
  });
  afterAll(async () => {
    await harness.close();
  });

  describe('show', () => {
    it('shows every attribute, the privilege and where it comes from, the groups and the history', async () => {
      const site = await harness.newSite();
      const slug = site.site.slug;
      const ann = await userIn(site, 'ann@users.test', {
        externalId: 'okta-ann',
        title: 'Engineer',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D' },
      });
      const other = await userIn(site, 'boss@users.test');
      const groupId = await groupIn(run, site, 'Admins', [ann, other], 'Promaster');
      const renamed = await site.scim('PATCH', `/Users/${ann}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'userName', value: 'ann.lee@users.test' }],
      });
      expect(renamed.status, renamed.raw).toBe(200);

      const shown = await run('users', 'show', 'ANN.LEE@users.test', '--site', slug, '--json');
      expect(shown.code, JSON.stringify(shown)).toBe(0);
      const profile = shown.json();
      expect(profile).toMatchObject({
        id: ann,
        logon: 'ann.lee@users.test',
        externalId: 'okta-ann',
        status: 'Active',
        privilege: 'Promaster',
        ownPrivilege: 'User',
        grantedBy: [{ groupId, displayName: 'Admins', privilege: 'Promaster' }],
        groups: [{ id: groupId, displayName: 'Admins' }],
        passwordSet: false,
        removedFromScimAt: null,
        attributes: {
          title: 'Engineer',
          'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D' },
        },
      });
      expect(JSON.stringify(profile)).not.toMatch(/passwordHash|password_hash/);
      // Its history under both Logons, newest first (memberships are logged on the group).
      expect(
        profile.history.map((e: { operation: string; logon: string }) => `${e.operation} ${e.logon}`),
      ).toEqual(['update ann.lee@users.test', 'create ann@users.test']);

      const text = await run('users', 'show', 'ann.lee@users.test', '--site', slug, '--history', '1');
      expect(text.code).toBe(0);
      const lines = text.out.join('\n');
      expect(lines).toMatch(/^Logon\s+ann\.lee@users\.test$/m);
      expect(lines).toMatch(
        /^Privilege\s+Promaster: its own is User; groups granting: 'Admins' \(Promaster\)$/m,
      );
      expect(lines).toMatch(/^Groups\s+Admins$/m);
      expect(lines).toMatch(/^title\s+"Engineer"$/m);
      expect(lines).toMatch(/^History \(newest first, 1 event\):$/m);
      expect(text.err).toEqual([
        expect.stringMatching(
          /^Older events: roster log --site \S+ --user ann\.lee@users\.test --before \S+$/,
        ),
      ]);

      expectOneLineFailure(
        await run('users', 'show', 'nobody@users.test', '--site', slug),
        /no user with Logon 'nobody@users\.test'.*\[user-not-found\]$/,
      );
    });
  });
});
