/**
 * Groups grant privileges (`src/directory/privileges.ts`): a group mapped to Promaster or Business
 * Analyst makes its members hold the highest of their own privilege and their groups'; leaving the
 * group or unmapping it gives back their own. And the product's rule (DESIGN §5): no identity
 * provider can disable, delete or demote the site's last active Promaster — whether that privilege
 * is the user's own or comes from a group — and the refusal is logged. Both dialects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { cliContext, type RequestContext } from '../../src/directory/context.js';
import { RosterError } from '../../src/errors.js';
import type { ProvisioningEvent } from '../../src/model/event.js';
import type { Privilege } from '../../src/model/resource.js';
import { ERROR_SCHEMA, type Json, PATCH_OP_SCHEMA, USER_SCHEMA } from '../fixtures/okta.js';
import {
  DIALECTS,
  type ScimResponse,
  startTestRoster,
  type TestRoster,
  type TestSite,
} from '../helpers/roster.js';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

function patchBody(...operations: Json[]): Json {
  return { schemas: [PATCH_OP_SCHEMA], Operations: operations };
}

interface CliRun {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

async function cli(argv: readonly string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: {},
  });
  return { code, out, err };
}

describe.each(DIALECTS)('group privileges (%s)', (dialect) => {
  let harness: TestRoster;
  beforeAll(async () => {
    harness = await startTestRoster(dialect);
  });
  afterAll(async () => harness.close());

  const services = () => harness.roster.services;
  const contextOf = (site: TestSite): RequestContext => cliContext(site.site);

  async function newUser(site: TestSite, userName: string): Promise<string> {
    const created = await site.scim('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName,
      name: { givenName: 'Priv', familyName: 'Ilege' },
      emails: [{ value: `${userName}@example.com`, type: 'work', primary: true }],
    });
    expect(created.status, created.raw).toBe(201);
    return created.body.id as string;
  }

  async function newGroup(
    site: TestSite,
    displayName: string,
    memberIds: readonly string[],
  ): Promise<string> {
    const created = await site.scim('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName,
      members: memberIds.map((value) => ({ value })),
    });
    expect(created.status, created.raw).toBe(201);
    return created.body.id as string;
  }

  async function privilegeOf(site: TestSite, userId: string): Promise<Privilege> {
    const user = await harness.roster.store.users.get(site.site.id, userId);
    expect(user).toBeDefined();
    return user!.privilege;
  }

  async function privileges(site: TestSite, ids: readonly string[]): Promise<Privilege[]> {
    return Promise.all(ids.map((id) => privilegeOf(site, id)));
  }

  async function members(site: TestSite, groupId: string): Promise<string[]> {
    return (await harness.roster.store.members.ofGroup(site.site.id, groupId))
      .map((member) => member.id)
      .sort();
  }

  async function events(site: TestSite): Promise<ProvisioningEvent[]> {
    return harness.roster.store.events.list(site.site.id, { limit: 500 });
  }

  const map = (site: TestSite, group: string, privilege: string) =>
    services().privileges.map(contextOf(site), group, privilege);
  const unmap = (site: TestSite, group: string) => services().privileges.unmap(contextOf(site), group);
  const setOwn = (site: TestSite, logon: string, privilege: string) =>
    services()
      .privileges.setUserPrivilege(contextOf(site), logon, privilege)
      .then((standing) => standing.privilege);

  // ------------------------------------------------------------------------------------------
  // Mapping
  // ------------------------------------------------------------------------------------------

  it('mapping a group to Promaster makes its members Promasters, and its later members too', async () => {
    const site = await harness.newSite();
    const [a, b, outsider, later] = [
      await newUser(site, 'ann'),
      await newUser(site, 'ben'),
      await newUser(site, 'out'),
      await newUser(site, 'late'),
    ];
    const groupId = await newGroup(site, 'Process Admins', [a, b]);
    expect(await privileges(site, [a, b, outsider])).toEqual(['User', 'User', 'User']);

    const mapping = await map(site, 'process admins', 'promaster');
    expect(mapping).toEqual({
      groupId,
      displayName: 'Process Admins',
      privilege: 'Promaster',
      members: 2,
    });
    expect(await privileges(site, [a, b, outsider])).toEqual(['Promaster', 'Promaster', 'User']);

    const event = (await events(site)).find((e) => e.operation === 'privilege mapped');
    expect(event).toMatchObject({
      actor: 'cli',
      resourceType: 'Group',
      resourceId: groupId,
      resourceName: 'Process Admins',
      logon: null,
      outcome: 'success',
      changes: [{ field: 'privilege', after: 'Promaster' }],
      detail: '2 users changed privilege.',
    });

    const added = await site.scim(
      'PATCH',
      `/Groups/${groupId}`,
      patchBody({ op: 'add', path: 'members', value: [{ value: later }] }),
    );
    expect(added.status, added.raw).toBe(200);
    expect(await privilegeOf(site, later)).toBe('Promaster');
    // The directory's own record shows it: the CLI's view of the users.
    const listed = await cli([
      'users',
      'list',
      '--site',
      site.site.slug,
      '--json',
      '--database',
      harness.database.url,
    ]);
    expect(listed.code, listed.err.join('\n')).toBe(0);
    const byLogon = new Map<string, string>(
      (JSON.parse(listed.out.join('\n')) as { logon: string; privilege: string }[]).map((u) => [
        u.logon,
        u.privilege,
      ]),
    );
    expect(Object.fromEntries(byLogon)).toEqual({
      ann: 'Promaster',
      ben: 'Promaster',
      out: 'User',
      late: 'Promaster',
    });

    expect(await services().privileges.list(site.site)).toEqual([
      { groupId, displayName: 'Process Admins', privilege: 'Promaster', members: 3 },
    ]);
  });

  it('maps, lists and unmaps through the CLI', async () => {
    const site = await harness.newSite();
    const [a, b] = [await newUser(site, 'ann'), await newUser(site, 'ben')];
    const groupId = await newGroup(site, 'Admins', [a]);
    await newGroup(site, 'Analysts', [b]);
    const database = ['--database', harness.database.url];

    const mapped = await cli([
      'privileges',
      'map',
      '--site',
      site.site.slug,
      '--group',
      'Admins',
      '--privilege',
      'Promaster',
      ...database,
    ]);
    expect(mapped.code, mapped.err.join('\n')).toBe(0);
    expect(mapped.out).toEqual(["Group 'Admins' now grants Promaster to its 1 member(s)."]);
    expect(await privileges(site, [a, b])).toEqual(['Promaster', 'User']);

    const analysts = await cli([
      'privileges',
      'map',
      '--site',
      site.site.slug,
      '--group',
      'analysts',
      '--privilege',
      'Business Analyst',
      '--json',
      ...database,
    ]);
    expect(analysts.code, analysts.err.join('\n')).toBe(0);
    expect(JSON.parse(analysts.out.join('\n'))).toMatchObject({
      displayName: 'Analysts',
      privilege: 'Business Analyst',
      members: 1,
    });
    expect(await privileges(site, [a, b])).toEqual(['Promaster', 'Business Analyst']);

    const listed = await cli(['privileges', 'list', '--site', site.site.slug, '--json', ...database]);
    expect(listed.code, listed.err.join('\n')).toBe(0);
    expect(
      (JSON.parse(listed.out.join('\n')) as { displayName: string; privilege: string; members: number }[])
        .map((m) => [m.displayName, m.privilege, m.members])
        .sort(),
    ).toEqual([
      ['Admins', 'Promaster', 1],
      ['Analysts', 'Business Analyst', 1],
    ]);
    const table = await cli(['privileges', 'list', '--site', site.site.slug, ...database]);
    expect(table.code).toBe(0);
    expect(table.out[0]).toMatch(/^GROUP\s+PRIVILEGE\s+MEMBERS\s+ID$/);
    expect(table.out.some((line) => line.startsWith('Admins') && line.includes(groupId))).toBe(true);

    // The last active Promaster's group cannot be unmapped; with another Promaster it can.
    const refused = await cli([
      'privileges',
      'unmap',
      '--site',
      site.site.slug,
      '--group',
      'Admins',
      ...database,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.err).toHaveLength(1);
    expect(refused.err[0]).toMatch(/^roster: .*without an active Promaster/);
    expect(await privilegeOf(site, a)).toBe('Promaster');
    const own = await cli([
      'users',
      'set-privilege',
      'ben',
      '--site',
      site.site.slug,
      '--privilege',
      'promaster',
      ...database,
    ]);
    expect(own.code, own.err.join('\n')).toBe(0);
    expect(own.out).toEqual(["'ben' now holds Promaster."]);
    const unmapped = await cli([
      'privileges',
      'unmap',
      '--site',
      site.site.slug,
      '--group',
      'Admins',
      ...database,
    ]);
    expect(unmapped.code, unmapped.err.join('\n')).toBe(0);
    expect(unmapped.out).toEqual(["Group 'Admins' no longer grants a privilege."]);
    expect(await privileges(site, [a, b])).toEqual(['User', 'Promaster']);

    const unknown = await cli([
      'privileges',
      'map',
      '--site',
      site.site.slug,
      '--group',
      'Nobody',
      '--privilege',
      'Promaster',
      ...database,
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.err[0]).toMatch(/^roster: .*no group named 'Nobody'/);
  });

  it('Business Analyst likewise; a user in both gets the highest; leaving a group returns the rest', async () => {
    const site = await harness.newSite();
    const [both, analyst, plain] = [
      await newUser(site, 'both'),
      await newUser(site, 'analyst'),
      await newUser(site, 'plain'),
    ];
    const admins = await newGroup(site, 'Admins', [both]);
    const analysts = await newGroup(site, 'Analysts', [both, analyst]);
    await map(site, 'Analysts', 'Business Analyst');
    expect(await privileges(site, [both, analyst, plain])).toEqual([
      'Business Analyst',
      'Business Analyst',
      'User',
    ]);
    await map(site, 'Admins', 'Promaster');
    expect(await privileges(site, [both, analyst, plain])).toEqual(['Promaster', 'Business Analyst', 'User']);

    // Leaving the Promaster group: the Business Analyst group still counts (another Promaster first).
    await setOwn(site, 'plain', 'Promaster');
    const left = await site.scim(
      'PATCH',
      `/Groups/${admins}`,
      patchBody({ op: 'remove', path: `members[value eq "${both}"]` }),
    );
    expect(left.status, left.raw).toBe(200);
    expect(await privilegeOf(site, both)).toBe('Business Analyst');
    const leftAgain = await site.scim(
      'PATCH',
      `/Groups/${analysts}`,
      patchBody({ op: 'Remove', path: 'members', value: [{ value: both }] }),
    );
    expect(leftAgain.status, leftAgain.raw).toBe(200);
    expect(await privileges(site, [both, analyst])).toEqual(['User', 'Business Analyst']);

    // Deleting a mapped group returns its members to their own privilege.
    expect((await site.scim('DELETE', `/Groups/${analysts}`)).status).toBe(204);
    expect(await privilegeOf(site, analyst)).toBe('User');
    expect(await services().privileges.list(site.site)).toEqual([
      { groupId: admins, displayName: 'Admins', privilege: 'Promaster', members: 0 },
    ]);
  });

  it("own privileges: set-privilege sets the user's own; groups add to it; unmap returns everyone to their own", async () => {
    const site = await harness.newSite();
    const [a, b, c] = [await newUser(site, 'ann'), await newUser(site, 'ben'), await newUser(site, 'cy')];
    expect(await setOwn(site, 'ANN', 'Business Analyst')).toBe('Business Analyst');
    expect(await setOwn(site, 'cy', 'Promaster')).toBe('Promaster');
    expect(await privileges(site, [a, b, c])).toEqual(['Business Analyst', 'User', 'Promaster']);

    await newGroup(site, 'Everyone', [a, b, c]);
    await map(site, 'Everyone', 'Promaster');
    expect(await privileges(site, [a, b, c])).toEqual(['Promaster', 'Promaster', 'Promaster']);

    // Own privilege changes under a group: the group still grants Promaster.
    expect(await setOwn(site, 'ben', 'Business Analyst')).toBe('Promaster');
    const setEvent = (await events(site)).find((e) => e.operation === 'privilege change');
    expect(setEvent!.detail).toBe("Promaster granted by the group 'Everyone'.");
    expect(setEvent!.changes).toEqual([
      { field: 'own privilege', before: 'User', after: 'Business Analyst' },
    ]);

    const unmapped = await unmap(site, 'Everyone');
    expect(unmapped.displayName).toBe('Everyone');
    expect(await privileges(site, [a, b, c])).toEqual(['Business Analyst', 'Business Analyst', 'Promaster']);
    const event = (await events(site)).find((e) => e.operation === 'privilege unmapped');
    expect(event).toMatchObject({
      changes: [{ field: 'privilege', before: 'Promaster' }],
      detail: '2 users changed privilege.',
    });
    expect(await services().privileges.list(site.site)).toEqual([]);
  });

  it('refuses what makes no sense: unknown group or Logon, a privilege no group can grant, unmapping an unmapped group', async () => {
    const site = await harness.newSite();
    await newUser(site, 'ann');
    await newGroup(site, 'Plain', []);
    const refusal = async (work: Promise<unknown>, kind: RosterError['kind'], text: RegExp) => {
      const error = await work.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(RosterError);
      expect((error as RosterError).kind).toBe(kind);
      expect((error as RosterError).message).toMatch(text);
    };
    await refusal(map(site, 'Nope', 'Promaster'), 'not-found', /no group named 'Nope'/);
    await refusal(map(site, 'Plain', 'User'), 'invalid', /not a privilege a group can grant/);
    await refusal(map(site, 'Plain', 'Admin'), 'invalid', /not a privilege a group can grant/);
    await refusal(unmap(site, 'Plain'), 'invalid', /grants no privilege/);
    await refusal(setOwn(site, 'nobody', 'Promaster'), 'not-found', /no user with Logon 'nobody'/);
    await refusal(setOwn(site, 'ann', 'Boss'), 'invalid', /not a privilege/);
    expect(await services().privileges.list(site.site)).toEqual([]);
  });

  it('privileges follow direct membership: members of a nested group do not inherit them', async () => {
    const site = await harness.newSite();
    const [inner, direct] = [await newUser(site, 'inner'), await newUser(site, 'direct')];
    const child = await newGroup(site, 'Child', [inner]);
    await newGroup(site, 'Parent', [child, direct]);
    await map(site, 'Parent', 'Promaster');
    expect(await privileges(site, [inner, direct])).toEqual(['User', 'Promaster']);
  });

  it('a user deleted by SCIM loses what its groups granted; provisioned again, it starts from its own', async () => {
    const site = await harness.newSite();
    await newUser(site, 'boss');
    await setOwn(site, 'boss', 'Promaster');
    const member = await newUser(site, 'member');
    const groupId = await newGroup(site, 'Admins', [member]);
    await map(site, 'Admins', 'Promaster');
    expect(await privilegeOf(site, member)).toBe('Promaster');

    expect((await site.scim('DELETE', `/Users/${member}`)).status).toBe(204);
    expect(await members(site, groupId)).toEqual([]);
    expect(await privilegeOf(site, member)).toBe('User');
    const restored = await site.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'member' });
    expect(restored.status, restored.raw).toBe(201);
    expect(restored.body.id).toBe(member);
    expect(await privilegeOf(site, member)).toBe('User');
  });

  // ------------------------------------------------------------------------------------------
  // The last active Promaster
  // ------------------------------------------------------------------------------------------

  function expectLastPromasterRefusal(response: ScimResponse): void {
    expect(response.status, response.raw).toBe(409);
    expect(response.body.schemas).toEqual([ERROR_SCHEMA]);
    expect(response.body.status).toBe('409');
    expect(response.body.detail).toMatch(/last (active )?Promaster|without an active Promaster/);
  }

  /** The user as SCIM and the directory see it, and the group's stored members. */
  async function snapshot(site: TestSite, userId: string, groupId?: string) {
    const user = await harness.roster.store.users.get(site.site.id, userId);
    const group = groupId ? await harness.roster.store.groups.get(site.site.id, groupId) : undefined;
    return {
      active: user!.active,
      deleted: user!.deletedAt !== null,
      privilege: user!.privilege,
      version: user!.version,
      group: group ? { name: group.displayName, version: group.version } : undefined,
      members: groupId ? await members(site, groupId) : undefined,
    };
  }

  /** Every way an identity provider could take a Promaster away, for a user and its group. */
  function attempts(
    userId: string,
    userName: string,
    groupId: string,
    groupName: string,
    otherMember: string,
  ) {
    return {
      'PATCH active false': (site: TestSite) =>
        site.scim('PATCH', `/Users/${userId}`, patchBody({ op: 'replace', value: { active: false } })),
      'PATCH active "False" (Entra)': (site: TestSite) =>
        site.scim('PATCH', `/Users/${userId}`, patchBody({ op: 'Replace', path: 'active', value: 'False' })),
      'PUT active false': (site: TestSite) =>
        site.scim('PUT', `/Users/${userId}`, { schemas: [USER_SCHEMA], userName, active: false }),
      'DELETE user': (site: TestSite) => site.scim('DELETE', `/Users/${userId}`),
      'PATCH remove member': (site: TestSite) =>
        site.scim(
          'PATCH',
          `/Groups/${groupId}`,
          patchBody({ op: 'remove', path: `members[value eq "${userId}"]` }),
        ),
      'PATCH remove by value list': (site: TestSite) =>
        site.scim(
          'PATCH',
          `/Groups/${groupId}`,
          patchBody({ op: 'Remove', path: 'members', value: [{ value: userId }] }),
        ),
      'PATCH remove all': (site: TestSite) =>
        site.scim('PATCH', `/Groups/${groupId}`, patchBody({ op: 'remove', path: 'members' })),
      'PATCH replace members': (site: TestSite) =>
        site.scim(
          'PATCH',
          `/Groups/${groupId}`,
          patchBody({ op: 'replace', path: 'members', value: [{ value: otherMember }] }),
        ),
      'PATCH path-less replace with members': (site: TestSite) =>
        site.scim(
          'PATCH',
          `/Groups/${groupId}`,
          patchBody({ op: 'replace', value: { id: groupId, displayName: groupName, members: [] } }),
        ),
      'PUT group without the member': (site: TestSite) =>
        site.scim('PUT', `/Groups/${groupId}`, {
          schemas: [GROUP_SCHEMA],
          displayName: groupName,
          members: [{ value: otherMember }],
        }),
      'DELETE group': (site: TestSite) => site.scim('DELETE', `/Groups/${groupId}`),
    };
  }

  const USER_ONLY = new Set([
    'PATCH active false',
    'PATCH active "False" (Entra)',
    'PUT active false',
    'DELETE user',
  ]);

  it('the only active Promaster (its own privilege) cannot be disabled or deleted by SCIM; the refusal is logged', async () => {
    const site = await harness.newSite();
    const boss = await newUser(site, 'boss');
    await setOwn(site, 'boss', 'Promaster');
    const other = await newUser(site, 'other');
    const groupId = await newGroup(site, 'Admins', [boss]);
    const before = await snapshot(site, boss, groupId);
    const all = attempts(boss, 'boss', groupId, 'Admins', other);
    for (const name of USER_ONLY) {
      const response = await all[name as keyof typeof all](site);
      expectLastPromasterRefusal(response);
      expect(response.body.detail).toContain("'boss'");
      expect(await snapshot(site, boss, groupId), name).toEqual(before);
    }
    // Group changes do not demote a user whose Promaster is its own.
    const removed = await all['PATCH remove member'](site);
    expect(removed.status, removed.raw).toBe(200);
    expect(await privilegeOf(site, boss)).toBe('Promaster');

    const failures = (await events(site)).filter((e) => e.outcome === 'failure').reverse();
    expect(failures.map((e) => [e.operation, e.httpStatus, e.resourceId, e.logon])).toEqual([
      // A refused PATCH or PUT of active is logged as the disable it was.
      ['disable', 409, boss, 'boss'],
      ['disable', 409, boss, 'boss'],
      ['disable', 409, boss, 'boss'],
      ['delete', 409, boss, 'boss'],
    ]);
    expect(failures.every((e) => /last active Promaster/.test(e.detail ?? ''))).toBe(true);
    expect((await site.scim('GET', `/Users/${boss}`)).body.active).toBe(true);
  });

  it('the only active Promaster by a group cannot be disabled, deleted or demoted by any group change', async () => {
    const site = await harness.newSite();
    const boss = await newUser(site, 'boss');
    // The replacement lists name a disabled user: it would become a Promaster, but not an active one.
    const other = await newUser(site, 'other');
    const disabled = await site.scim(
      'PATCH',
      `/Users/${other}`,
      patchBody({ op: 'replace', value: { active: false } }),
    );
    expect(disabled.status, disabled.raw).toBe(200);
    const groupId = await newGroup(site, 'Admins', [boss]);
    await map(site, 'Admins', 'Promaster');
    expect(await privileges(site, [boss, other])).toEqual(['Promaster', 'User']);
    const before = await snapshot(site, boss, groupId);
    const all = attempts(boss, 'boss', groupId, 'Admins', other);
    for (const [name, attempt] of Object.entries(all)) {
      const response = await attempt(site);
      expectLastPromasterRefusal(response);
      expect(await snapshot(site, boss, groupId), name).toEqual(before);
      expect(await privilegeOf(site, other), name).toBe('User');
    }
    const read = await site.scim('GET', `/Groups/${groupId}`);
    expect(read.status).toBe(200);
    expect(read.body.members.map((m: Json) => m.value)).toEqual([boss]);

    const failures = (await events(site))
      .filter((e) => e.outcome === 'failure' && e.httpStatus === 409)
      .reverse();
    expect(failures.map((e) => [e.operation, e.httpStatus])).toEqual([
      ['disable', 409],
      ['disable', 409],
      ['disable', 409],
      ['delete', 409],
      ['update group', 409],
      ['update group', 409],
      ['update group', 409],
      ['update group', 409],
      ['update group', 409],
      ['update group', 409],
      ['delete group', 409],
    ]);
    const groupFailures = failures.filter((e) => e.resourceType === 'Group');
    expect(groupFailures.every((e) => e.resourceId === groupId)).toBe(true);
    expect(groupFailures.every((e) => /without an active Promaster/.test(e.detail ?? ''))).toBe(true);
    // No success was recorded for any of them.
    expect(
      (await events(site)).filter(
        (e) => e.outcome === 'success' && e.resourceId === boss && e.operation !== 'create',
      ),
    ).toEqual([]);
  });

  it('handing the group over to another active user keeps a Promaster, so it succeeds', async () => {
    const site = await harness.newSite();
    const boss = await newUser(site, 'boss');
    const heir = await newUser(site, 'heir');
    const groupId = await newGroup(site, 'Admins', [boss]);
    await map(site, 'Admins', 'Promaster');
    const replaced = await site.scim(
      'PATCH',
      `/Groups/${groupId}`,
      patchBody({ op: 'replace', path: 'members', value: [{ value: heir }] }),
    );
    expect(replaced.status, replaced.raw).toBe(200);
    expect(await members(site, groupId)).toEqual([heir]);
    expect(await privileges(site, [boss, heir])).toEqual(['User', 'Promaster']);
    // Now the heir is the last one.
    expectLastPromasterRefusal(await site.scim('DELETE', `/Groups/${groupId}`));
    expect(await privilegeOf(site, heir)).toBe('Promaster');
  });

  it('a disabled Promaster does not count: the active one is still the last', async () => {
    const site = await harness.newSite();
    const boss = await newUser(site, 'boss');
    const sleeper = await newUser(site, 'sleeper');
    await setOwn(site, 'boss', 'Promaster');
    await setOwn(site, 'sleeper', 'Promaster');
    const off = await site.scim(
      'PATCH',
      `/Users/${sleeper}`,
      patchBody({ op: 'replace', value: { active: false } }),
    );
    expect(off.status, off.raw).toBe(200);
    expectLastPromasterRefusal(
      await site.scim('PATCH', `/Users/${boss}`, patchBody({ op: 'replace', value: { active: false } })),
    );
    expect((await harness.roster.store.users.get(site.site.id, boss))!.active).toBe(true);
  });

  it('with another active Promaster, each of those changes succeeds', async () => {
    const site = await harness.newSite();
    await newUser(site, 'keeper');
    await setOwn(site, 'keeper', 'Promaster');
    const other = await newUser(site, 'other');

    // Each attempt on a fresh Promaster-by-group user (own privilege User) in a fresh mapped group.
    const names = Object.keys(attempts('', '', '', '', ''));
    for (const [i, name] of names.entries()) {
      const userName = `boss${i}`;
      const boss = await newUser(site, userName);
      const groupName = `Admins${i}`;
      const groupId = await newGroup(site, groupName, [boss]);
      await map(site, groupName, 'Promaster');
      expect(await privilegeOf(site, boss)).toBe('Promaster');
      const all = attempts(boss, userName, groupId, groupName, other);
      const response = await all[name as keyof typeof all](site);
      expect([200, 204], `${name}: ${response.raw}`).toContain(response.status);
      const user = await harness.roster.store.users.get(site.site.id, boss);
      if (USER_ONLY.has(name)) {
        expect(user!.active, name).toBe(false);
        if (name === 'DELETE user') {
          expect(user!.deletedAt, name).not.toBeNull();
          expect(await members(site, groupId)).toEqual([]);
        }
      } else {
        expect(user!.privilege, name).toBe('User');
        expect(user!.active, name).toBe(true);
        if (name === 'DELETE group') expect((await site.scim('GET', `/Groups/${groupId}`)).status).toBe(404);
        else expect(await members(site, groupId), name).not.toContain(boss);
      }
      const last = (await events(site))[0]!;
      expect(last.outcome, name).toBe('success');
    }
  });
});
