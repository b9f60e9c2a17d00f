/**
 * Okta's Group Push, replayed request by request (`../shared/idp/okta.md` §3.9 and §7 flows 11–12)
 * with Okta's headers and bodies: the OIN flavour (PATCH for everything, with the path-less
 * `replace {id, displayName}` Okta sends right after create and with every membership change) and
 * the App Integration Wizard flavour (PUT with the full member list), plus the connection test's
 * `GET /Groups?startIndex=1&count=100`. Every step checks the answer and the stored membership.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ERROR_SCHEMA,
  type Json,
  LIST_RESPONSE_SCHEMA,
  oktaCreateUserBody,
  oktaHeaders,
  oktaProfile,
  PATCH_OP_SCHEMA,
} from '../fixtures/okta.js';
import {
  DIALECTS,
  type ScimResponse,
  startTestRoster,
  type TestRoster,
  type TestSite,
} from '../helpers/roster.js';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

/** `GET /Groups?filter=displayName eq "…"&startIndex=1&count=100`, spaces as `%20` (current docs) or `+` (2018 capture). */
function oktaGroupLookupPath(displayName: string, spaces: 'percent' | 'plus' = 'percent'): string {
  const space = spaces === 'percent' ? '%20' : '+';
  return `/Groups?filter=displayName${space}eq${space}${encodeURIComponent(`"${displayName}"`)}&startIndex=1&count=100`;
}

const OKTA_GROUPS_CONNECTION_TEST_PATH = '/Groups?startIndex=1&count=100';

function patchOp(...operations: Json[]): Json {
  return { schemas: [PATCH_OP_SCHEMA], Operations: operations };
}

interface OktaUser {
  readonly id: string;
  readonly userName: string;
}

describe.each(DIALECTS)('Okta Group Push (%s)', (dialect) => {
  let harness: TestRoster;
  beforeAll(async () => {
    harness = await startTestRoster(dialect);
  });
  afterAll(async () => harness.close());

  const oktaGet = (site: TestSite, path: string) =>
    site.scim('GET', path, undefined, oktaHeaders({ body: false }));
  const oktaSend = (site: TestSite, method: 'POST' | 'PUT' | 'PATCH', path: string, body: unknown) =>
    site.scim(method, path, body, oktaHeaders({ body: true }));
  const oktaDelete = (site: TestSite, path: string) =>
    site.scim('DELETE', path, undefined, oktaHeaders({ body: false }));

  /** Only users Okta already provisioned can be members (§3.9): assign them first. */
  async function assignUsers(site: TestSite, count: number): Promise<OktaUser[]> {
    const users: OktaUser[] = [];
    for (let n = 0; n < count; n++) {
      const profile = oktaProfile(`push.user${n}@okta.local`, n);
      const created = await oktaSend(site, 'POST', '/Users', oktaCreateUserBody(profile));
      expect(created.status, created.raw).toBe(201);
      users.push({ id: created.body.id, userName: profile.userName });
    }
    return users;
  }

  /** Okta's member entries: our user id as `value`, Okta's username as `display`. */
  const member = (user: OktaUser): Json => ({ value: user.id, display: user.userName });

  async function stored(site: TestSite, groupId: string): Promise<string[]> {
    return (await harness.roster.store.members.ofGroup(site.site.id, groupId)).map((m) => m.id).sort();
  }

  const ids = (...users: OktaUser[]): string[] => users.map((user) => user.id).sort();

  function expectEmptyList(response: ScimResponse): void {
    expect(response.status, response.raw).toBe(200);
    expect(response.body).toEqual({
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
      Resources: [],
    });
  }

  function expectGroup(response: ScimResponse, status: number, id: string, displayName: string): void {
    expect(response.status, response.raw).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(response.body.schemas).toEqual([GROUP_SCHEMA]);
    expect(response.body.id).toBe(id);
    expect(response.body.displayName).toBe(displayName);
    expect(response.body.meta.resourceType).toBe('Group');
  }

  /** Okta's rename PATCH (§3.9): path-less replace of `{id, displayName}`, sent with every push. */
  const renamePatch = (id: string, displayName: string): Json =>
    patchOp({ op: 'replace', value: { id, displayName } });

  it('connection test: GET /Groups?startIndex=1&count=100 answers a ListResponse, empty or not', async () => {
    const site = await harness.newSite();
    expectEmptyList(await oktaGet(site, OKTA_GROUPS_CONNECTION_TEST_PATH));

    const [user] = await assignUsers(site, 1);
    const created = await oktaSend(site, 'POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Connection',
      members: [member(user!)],
    });
    expect(created.status, created.raw).toBe(201);
    const listed = await oktaGet(site, OKTA_GROUPS_CONNECTION_TEST_PATH);
    expect(listed.status, listed.raw).toBe(200);
    expect(listed.body).toMatchObject({
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults: 1,
      startIndex: 1,
      itemsPerPage: 1,
    });
    expect(Number.isInteger(listed.body.totalResults)).toBe(true);
    expect(listed.body.Resources[0]).toMatchObject({ id: created.body.id, displayName: 'Connection' });
    expect(listed.body.Resources[0].members.map((m: Json) => m.value)).toEqual([user!.id]);

    // A wrong token: a 401 with a SCIM error body Okta can parse.
    const refused = await site.scim('GET', OKTA_GROUPS_CONNECTION_TEST_PATH, undefined, {
      ...oktaHeaders({ body: false }),
      authorization: 'Bearer not-a-token',
    });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '401' });
  });

  it('flow 11, OIN: lookup → POST → rename → add → remove+add → replace → path-less members → GET → DELETE', async () => {
    const site = await harness.newSite();
    const [u0, u1, u2, u3] = (await assignUsers(site, 4)) as [OktaUser, OktaUser, OktaUser, OktaUser];
    const name = 'Test SCIMv2';

    // 1. Lookup by name: nothing yet.
    expectEmptyList(await oktaGet(site, oktaGroupLookupPath(name)));

    // 2. Create, with an empty member list.
    const created = await oktaSend(site, 'POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: name,
      members: [],
    });
    expectGroup(created, 201, created.body.id, name);
    const id = created.body.id as string;
    expect(created.body.members).toEqual([]);
    expect(created.headers.location).toMatch(new RegExp(`/Groups/${id}$`));
    expect(await stored(site, id)).toEqual([]);
    // Found by name now, in either encoding and any case.
    for (const path of [oktaGroupLookupPath(name), oktaGroupLookupPath(name.toUpperCase(), 'plus')]) {
      const found = await oktaGet(site, path);
      expect(found.status, found.raw).toBe(200);
      expect(found.body).toMatchObject({ totalResults: 1, itemsPerPage: 1, startIndex: 1 });
      expect(found.body.Resources[0]).toMatchObject({ id, displayName: name });
    }

    // 3. The rename PATCH Okta sends right after create (same name).
    const renamed = await oktaSend(site, 'PATCH', `/Groups/${id}`, renamePatch(id, name));
    expectGroup(renamed, 200, id, name);
    expect(renamed.body.meta.version).toBe(created.body.meta.version);

    // 4. Add members (each membership push comes with its rename PATCH).
    expectGroup(await oktaSend(site, 'PATCH', `/Groups/${id}`, renamePatch(id, name)), 200, id, name);
    const added = await oktaSend(
      site,
      'PATCH',
      `/Groups/${id}`,
      patchOp({ op: 'add', path: 'members', value: [member(u0), member(u1)] }),
    );
    expectGroup(added, 200, id, name);
    expect(added.body.members.map((m: Json) => m.value).sort()).toEqual(ids(u0, u1));
    expect(await stored(site, id)).toEqual(ids(u0, u1));

    // 5. Remove one by a value filter and add another, in one request.
    const swapped = await oktaSend(
      site,
      'PATCH',
      `/Groups/${id}`,
      patchOp(
        { op: 'remove', path: `members[value eq "${u0.id}"]` },
        { op: 'add', path: 'members', value: [member(u2)] },
      ),
    );
    expectGroup(swapped, 200, id, name);
    expect(await stored(site, id)).toEqual(ids(u1, u2));

    // 6. "Push Now": replace the whole member list.
    const replaced = await oktaSend(
      site,
      'PATCH',
      `/Groups/${id}`,
      patchOp({ op: 'replace', path: 'members', value: [member(u2), member(u3)] }),
    );
    expectGroup(replaced, 200, id, name);
    expect(await stored(site, id)).toEqual(ids(u2, u3));

    // 7. The path-less form of the same, with a rename in it.
    const pathless = await oktaSend(
      site,
      'PATCH',
      `/Groups/${id}`,
      patchOp({
        op: 'replace',
        value: { id, displayName: 'Test SCIMv20', members: [member(u0), member(u3)] },
      }),
    );
    expectGroup(pathless, 200, id, 'Test SCIMv20');
    expect(await stored(site, id)).toEqual(ids(u0, u3));

    // 8. GET shows the members, with our ids as values.
    const read = await oktaGet(site, `/Groups/${id}`);
    expectGroup(read, 200, id, 'Test SCIMv20');
    expect(read.body.members).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ value: u0.id, display: u0.userName, type: 'User' }),
        expect.objectContaining({ value: u3.id, display: u3.userName, type: 'User' }),
      ]),
    );
    expect(read.body.members).toHaveLength(2);

    // 9. Delete: 204, then gone by id and by name; the users stay.
    const deleted = await oktaDelete(site, `/Groups/${id}`);
    expect(deleted.status, deleted.raw).toBe(204);
    expect(deleted.raw).toBe('');
    const gone = await oktaGet(site, `/Groups/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '404' });
    expectEmptyList(await oktaGet(site, oktaGroupLookupPath('Test SCIMv20')));
    expect(await stored(site, id)).toEqual([]);
    for (const user of [u0, u1, u2, u3]) {
      const still = await oktaGet(site, `/Users/${user.id}`);
      expect(still.status).toBe(200);
      expect(still.body.active).toBe(true);
    }

    // The log tells the story: one create, the membership changes, the delete.
    const log = (await harness.roster.store.events.list(site.site.id, { limit: 100 }))
      .filter((e) => e.resourceType === 'Group')
      .reverse();
    expect(log.map((e) => e.operation)).toEqual([
      'create group',
      'update group',
      'update group',
      'group change',
      'group change',
      'group change',
      'group change',
      'delete group',
    ]);
    expect(log.every((e) => e.outcome === 'success')).toBe(true);
  });

  it('flow 11 with a user Okta pushed before we knew it: the unknown member is skipped, the rest applies', async () => {
    const site = await harness.newSite();
    const [u0] = (await assignUsers(site, 1)) as [OktaUser];
    const created = await oktaSend(site, 'POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Racing',
      members: [],
    });
    const id = created.body.id as string;
    const added = await oktaSend(
      site,
      'PATCH',
      `/Groups/${id}`,
      patchOp({
        op: 'add',
        path: 'members',
        value: [
          member(u0),
          { value: '23a35c27-23d3-4c03-b4c5-6443c09e7173', display: 'test.user@okta.local' },
        ],
      }),
    );
    expect(added.status, added.raw).toBe(200);
    expect(await stored(site, id)).toEqual([u0.id]);
    const event = (await harness.roster.store.events.list(site.site.id, { limit: 5 }))[0]!;
    expect(event.detail).toContain('23a35c27-23d3-4c03-b4c5-6443c09e7173');
  });

  it('flow 12, AIW: lookup → POST → GET → PUT with members → PUT with changed members → DELETE', async () => {
    const site = await harness.newSite();
    const [u0, u1, u2] = (await assignUsers(site, 3)) as [OktaUser, OktaUser, OktaUser];
    const name = 'AIW Pushed';

    expectEmptyList(await oktaGet(site, oktaGroupLookupPath(name)));
    const created = await oktaSend(site, 'POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: name,
      members: [],
    });
    expectGroup(created, 201, created.body.id, name);
    const id = created.body.id as string;

    const read = await oktaGet(site, `/Groups/${id}`);
    expectGroup(read, 200, id, name);
    expect(read.body.members).toEqual([]);

    const put = await oktaSend(site, 'PUT', `/Groups/${id}`, {
      schemas: [GROUP_SCHEMA],
      displayName: name,
      members: [member(u0), member(u1)],
    });
    expectGroup(put, 200, id, name);
    expect(put.body.members.map((m: Json) => m.value).sort()).toEqual(ids(u0, u1));
    expect(await stored(site, id)).toEqual(ids(u0, u1));

    const changed = await oktaSend(site, 'PUT', `/Groups/${id}`, {
      schemas: [GROUP_SCHEMA],
      displayName: name,
      members: [member(u1), member(u2)],
    });
    expectGroup(changed, 200, id, name);
    expect(await stored(site, id)).toEqual(ids(u1, u2));

    // Pushing the same list again changes nothing (no new version).
    const same = await oktaSend(site, 'PUT', `/Groups/${id}`, {
      schemas: [GROUP_SCHEMA],
      displayName: name,
      members: [member(u2), member(u1)],
    });
    expectGroup(same, 200, id, name);
    expect(same.body.meta.version).toBe(changed.body.meta.version);
    expect(await stored(site, id)).toEqual(ids(u1, u2));

    // A rename through PUT.
    const renamed = await oktaSend(site, 'PUT', `/Groups/${id}`, {
      schemas: [GROUP_SCHEMA],
      displayName: 'AIW Renamed',
      members: [member(u1), member(u2)],
    });
    expectGroup(renamed, 200, id, 'AIW Renamed');

    const deleted = await oktaDelete(site, `/Groups/${id}`);
    expect(deleted.status, deleted.raw).toBe(204);
    expect((await oktaGet(site, `/Groups/${id}`)).status).toBe(404);
    expectEmptyList(await oktaGet(site, oktaGroupLookupPath('AIW Renamed')));
    expect(await stored(site, id)).toEqual([]);
  });

  it('pushing a group whose name exists (any case) is 409 uniqueness; Okta then links by lookup', async () => {
    const site = await harness.newSite();
    const first = await oktaSend(site, 'POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Linked',
      members: [],
    });
    expect(first.status, first.raw).toBe(201);
    const again = await oktaSend(site, 'POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'LINKED',
      members: [],
    });
    expect(again.status, again.raw).toBe(409);
    expect(again.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '409', scimType: 'uniqueness' });
    const found = await oktaGet(site, oktaGroupLookupPath('linked'));
    expect(found.body.Resources.map((g: Json) => g.id)).toEqual([first.body.id]);
  });
});
