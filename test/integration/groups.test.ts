/**
 * Groups (RFC 7643 §4.2, RFC 7644 §3): create, read, list, replace, every PATCH shape identity
 * providers send for members (`../shared/idp/other-clients.md` §0 rule 5, `okta.md` §3.9), ETags,
 * delete, a user's read-only `groups`, nested groups, the provisioning log and discovery. Every
 * membership assertion reads the stored membership back, not only the response. Both dialects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisioningEvent } from '../../src/store/store.js';
import {
  ERROR_SCHEMA,
  type Json,
  LIST_RESPONSE_SCHEMA,
  PATCH_OP_SCHEMA,
  USER_SCHEMA,
} from '../fixtures/okta.js';
import {
  DIALECTS,
  type ScimResponse,
  startTestRoster,
  type TestRoster,
  type TestSite,
} from '../helpers/roster.js';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const WEAK_TAG = /^W\/"[^"]+"$/;

function patchBody(...operations: Json[]): Json {
  return { schemas: [PATCH_OP_SCHEMA], Operations: operations };
}

function filterPath(resource: 'Users' | 'Groups', filter: string, extra = ''): string {
  return `/${resource}?filter=${encodeURIComponent(filter)}${extra}`;
}

function valuesOf(members: readonly Json[] | undefined): string[] {
  return (members ?? []).map((member) => member.value as string).sort();
}

function sorted(ids: readonly string[]): string[] {
  return [...ids].sort();
}

function expectError(response: ScimResponse, status: number, scimType?: string): void {
  expect(response.status, response.raw).toBe(status);
  expect(response.body.schemas).toEqual([ERROR_SCHEMA]);
  expect(response.body.status).toBe(String(status));
  if (scimType !== undefined) expect(response.body.scimType).toBe(scimType);
  expect(typeof response.body.detail).toBe('string');
  expect(response.body.detail.length).toBeGreaterThan(0);
}

const PATCH_RENAME_ONE = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'replace', path: 'displayName', value: 'One renamed' }],
};

describe.each(DIALECTS)('groups (%s)', (dialect) => {
  let harness: TestRoster;
  beforeAll(async () => {
    harness = await startTestRoster(dialect);
  });
  afterAll(async () => harness.close());

  const store = () => harness.roster.store;

  async function newUser(site: TestSite, userName: string): Promise<string> {
    const created = await site.scim('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName,
      name: { givenName: 'Group', familyName: 'Member' },
      emails: [{ value: `${userName}@example.com`, type: 'work', primary: true }],
    });
    expect(created.status, created.raw).toBe(201);
    return created.body.id as string;
  }

  async function newUsers(site: TestSite, count: number, prefix = 'member'): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(await newUser(site, `${prefix}${i}`));
    return ids;
  }

  async function newGroup(
    site: TestSite,
    displayName: string,
    memberIds: readonly string[] = [],
    extra: Json = {},
  ): Promise<Json> {
    const created = await site.scim('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName,
      members: memberIds.map((value) => ({ value })),
      ...extra,
    });
    expect(created.status, created.raw).toBe(201);
    return created.body;
  }

  /** The member ids as stored, sorted. */
  async function stored(site: TestSite, groupId: string): Promise<string[]> {
    return sorted((await store().members.ofGroup(site.site.id, groupId)).map((member) => member.id));
  }

  async function events(site: TestSite): Promise<ProvisioningEvent[]> {
    return store().events.list(site.site.id, { limit: 500 });
  }

  async function patchGroup(site: TestSite, id: string, ...operations: Json[]): Promise<ScimResponse> {
    return site.scim('PATCH', `/Groups/${id}`, patchBody(...operations));
  }

  // ------------------------------------------------------------------------------------------
  // Create and read
  // ------------------------------------------------------------------------------------------

  it('POST creates a group: 201, Location, meta, and members with value, $ref, display and type', async () => {
    const site = await harness.newSite();
    const [alice, bob] = [await newUser(site, 'alice'), await newUser(site, 'bob')];
    const created = await site.scim('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Engineering',
      externalId: 'okta-00g1',
      members: [{ value: alice }, { value: bob, display: 'Bob the Builder' }],
    });
    expect(created.status, created.raw).toBe(201);
    const group = created.body;
    expect(group.schemas).toEqual([GROUP_SCHEMA]);
    expect(typeof group.id).toBe('string');
    expect(group.displayName).toBe('Engineering');
    expect(group.externalId).toBe('okta-00g1');
    expect(created.headers.location).toMatch(new RegExp(`/scim/v2/Groups/${group.id}$`));
    expect(group.meta).toMatchObject({ resourceType: 'Group', location: created.headers.location });
    expect(group.meta.version).toMatch(WEAK_TAG);
    expect(created.headers.etag).toBe(group.meta.version);
    expect(Date.parse(group.meta.created)).not.toBeNaN();
    expect(group.meta.lastModified).toBe(group.meta.created);
    expect(created.headers['content-type']).toMatch(/^application\/scim\+json/);

    const byValue = new Map<string, Json>(group.members.map((member: Json) => [member.value, member]));
    expect(byValue.get(alice)).toEqual({
      value: alice,
      $ref: expect.stringMatching(new RegExp(`/scim/v2/Users/${alice}$`)),
      display: 'alice',
      type: 'User',
    });
    expect(byValue.get(bob)).toEqual({
      value: bob,
      $ref: expect.stringMatching(new RegExp(`/scim/v2/Users/${bob}$`)),
      // `display` is readOnly: the server fills in the Logon, whatever the client sent.
      display: 'bob',
      type: 'User',
    });
    expect(await stored(site, group.id)).toEqual(sorted([alice, bob]));

    const event = (await events(site)).find((e) => e.operation === 'create group');
    expect(event).toMatchObject({
      resourceType: 'Group',
      resourceId: group.id,
      resourceName: 'Engineering',
      logon: null,
      outcome: 'success',
      httpStatus: 201,
    });
    expect(event!.detail).toContain('Added 2 members.');
    expect(event!.changes).toEqual(
      expect.arrayContaining([
        { field: 'displayName', after: 'Engineering' },
        { field: 'members added', after: expect.arrayContaining([alice, bob]) },
      ]),
    );
  });

  it('POST skips member ids that name nothing, applies the rest, and the log says what it skipped', async () => {
    const site = await harness.newSite();
    const alice = await newUser(site, 'alice');
    const other = await harness.newSite();
    const foreign = await newUser(other, 'stranger');
    const created = await site.scim('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Partial',
      members: [{ value: alice }, { value: 'no-such-user' }, { value: foreign }],
    });
    expect(created.status, created.raw).toBe(201);
    expect(valuesOf(created.body.members)).toEqual([alice]);
    expect(await stored(site, created.body.id)).toEqual([alice]);

    const event = (await events(site)).find((e) => e.operation === 'create group');
    expect(event!.detail).toContain('Added 1 member.');
    expect(event!.detail).toContain('Skipped 2 member ids');
    expect(event!.detail).toContain('no-such-user');
    expect(event!.detail).toContain(foreign);
  });

  it('POST without members or with members [] answers members [], and a duplicate name (any case) is 409', async () => {
    const site = await harness.newSite();
    const empty = await newGroup(site, 'Empty');
    expect(empty.members).toEqual([]);
    const bare = await site.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Bare' });
    expect(bare.status, bare.raw).toBe(201);
    expect(bare.body.members).toEqual([]);

    const duplicate = await site.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'eMPTY' });
    expectError(duplicate, 409, 'uniqueness');
    expect(duplicate.body.detail).toContain('eMPTY');
    const listed = await site.scim('GET', '/Groups');
    expect(listed.body.totalResults).toBe(2);

    const nameless = await site.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], members: [] });
    expectError(nameless, 400);
  });

  it('GET by id shows members; excludedAttributes=members omits them; attributes=displayName keeps id', async () => {
    const site = await harness.newSite();
    const [alice, bob] = await newUsers(site, 2);
    const group = await newGroup(site, 'Readers', [alice!, bob!], { externalId: 'ext-readers' });

    const read = await site.scim('GET', `/Groups/${group.id}`);
    expect(read.status, read.raw).toBe(200);
    expect(read.body).toEqual(group);
    expect(read.headers.etag).toBe(group.meta.version);
    expect(valuesOf(read.body.members)).toEqual(sorted([alice!, bob!]));

    const excluded = await site.scim('GET', `/Groups/${group.id}?excludedAttributes=members`);
    expect(excluded.status, excluded.raw).toBe(200);
    expect(excluded.body.members).toBeUndefined();
    expect(excluded.body).toMatchObject({ id: group.id, displayName: 'Readers', externalId: 'ext-readers' });
    expect(excluded.body.meta.resourceType).toBe('Group');

    const projected = await site.scim('GET', `/Groups/${group.id}?attributes=displayName`);
    expect(projected.status, projected.raw).toBe(200);
    expect(projected.body.id).toBe(group.id);
    expect(projected.body.displayName).toBe('Readers');
    expect(projected.body.members).toBeUndefined();
    expect(projected.body.externalId).toBeUndefined();

    const missing = await site.scim('GET', '/Groups/00000000-0000-7000-8000-000000000000');
    expectError(missing, 404);
    const malformed = await site.scim('GET', '/Groups/not-a-uuid');
    expectError(malformed, 404);

    const notModified = await site.scim('GET', `/Groups/${group.id}`, undefined, {
      'if-none-match': group.meta.version,
    });
    expect(notModified.status).toBe(304);
  });

  it('a group of another site is not found', async () => {
    const site = await harness.newSite();
    const other = await harness.newSite();
    const group = await newGroup(other, 'Theirs');
    expectError(await site.scim('GET', `/Groups/${group.id}`), 404);
    expectError(await patchGroup(site, group.id, { op: 'replace', path: 'displayName', value: 'Mine' }), 404);
    expectError(await site.scim('DELETE', `/Groups/${group.id}`), 404);
    expect((await other.scim('GET', `/Groups/${group.id}`)).body.displayName).toBe('Theirs');
  });

  // ------------------------------------------------------------------------------------------
  // Lists: filters, paging, sorting
  // ------------------------------------------------------------------------------------------

  it('filters groups by displayName (case-insensitively), members, externalId, sw, and/or', async () => {
    const site = await harness.newSite();
    const [alice, bob] = await newUsers(site, 2);
    const engineering = await newGroup(site, 'Engineering', [alice!], { externalId: 'ext-1' });
    const engineers = await newGroup(site, 'Engine Room', [alice!, bob!], { externalId: 'ext-2' });
    const sales = await newGroup(site, 'Sales', [bob!], { externalId: 'ext-1' });

    const ids = async (filter: string): Promise<string[]> => {
      const response = await site.scim('GET', filterPath('Groups', filter));
      expect(response.status, response.raw).toBe(200);
      expect(response.body.schemas).toEqual([LIST_RESPONSE_SCHEMA]);
      expect(response.body.totalResults).toBe(response.body.Resources.length);
      expect(response.body.itemsPerPage).toBe(response.body.Resources.length);
      return sorted(response.body.Resources.map((group: Json) => group.id));
    };

    expect(await ids('displayName eq "engineering"')).toEqual([engineering.id]);
    expect(await ids('DISPLAYNAME EQ "SALES"')).toEqual([sales.id]);
    expect(await ids('displayName eq "Engineerin"')).toEqual([]);
    expect(await ids(`members[value eq "${alice}"]`)).toEqual(sorted([engineering.id, engineers.id]));
    expect(await ids(`members[value eq "${bob}"]`)).toEqual(sorted([engineers.id, sales.id]));
    expect(await ids(`members.value eq "${bob}"`)).toEqual(sorted([engineers.id, sales.id]));
    expect(await ids('externalId eq "ext-1"')).toEqual(sorted([engineering.id, sales.id]));
    expect(await ids('displayName sw "eng"')).toEqual(sorted([engineering.id, engineers.id]));
    expect(await ids('displayName sw "Engine" and externalId eq "ext-1"')).toEqual([engineering.id]);
    expect(await ids(`displayName eq "Sales" or members[value eq "${alice}"]`)).toEqual(
      sorted([engineering.id, engineers.id, sales.id]),
    );
    expect(await ids(`displayName sw "Eng" and not (members[value eq "${bob}"])`)).toEqual([engineering.id]);

    // The list shows members unless excluded (Entra's lookup always excludes them).
    const withMembers = await site.scim('GET', filterPath('Groups', 'displayName eq "Engine Room"'));
    expect(valuesOf(withMembers.body.Resources[0].members)).toEqual(sorted([alice!, bob!]));
    const without = await site.scim(
      'GET',
      filterPath('Groups', 'displayName eq "Engine Room"', '&excludedAttributes=members'),
    );
    expect(without.body.totalResults).toBe(1);
    expect(without.body.Resources[0].members).toBeUndefined();
    expect(without.body.Resources[0].displayName).toBe('Engine Room');

    const bad = await site.scim('GET', filterPath('Groups', 'displayName eq'));
    expectError(bad, 400, 'invalidFilter');
  });

  it('pages and sorts groups by displayName', async () => {
    const site = await harness.newSite();
    for (const name of ['delta', 'Alpha', 'charlie', 'Bravo', 'echo']) await newGroup(site, name);
    const page = async (query: string): Promise<Json> => {
      const response = await site.scim('GET', `/Groups?${query}`);
      expect(response.status, response.raw).toBe(200);
      return response.body;
    };
    const names = (body: Json): string[] => body.Resources.map((group: Json) => group.displayName);

    const first = await page('sortBy=displayName&startIndex=1&count=2');
    expect(first).toMatchObject({ totalResults: 5, startIndex: 1, itemsPerPage: 2 });
    expect(names(first)).toEqual(['Alpha', 'Bravo']);
    const second = await page('sortBy=displayName&startIndex=3&count=2');
    expect(second).toMatchObject({ totalResults: 5, startIndex: 3, itemsPerPage: 2 });
    expect(names(second)).toEqual(['charlie', 'delta']);
    const last = await page('sortBy=displayName&startIndex=5&count=2');
    expect(last).toMatchObject({ totalResults: 5, startIndex: 5, itemsPerPage: 1 });
    expect(names(last)).toEqual(['echo']);

    const descending = await page('sortBy=displayName&sortOrder=descending&count=3');
    expect(names(descending)).toEqual(['echo', 'delta', 'charlie']);

    // Default order: creation order, stable across pages.
    const all: string[] = [];
    for (let start = 1; start <= 5; start += 2) all.push(...names(await page(`startIndex=${start}&count=2`)));
    expect(all).toEqual(['delta', 'Alpha', 'charlie', 'Bravo', 'echo']);

    const counted = await page('count=0');
    expect(counted).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });

    // Cursor paging (RFC 9865), sorted, walks every group once.
    const walked: string[] = [];
    let cursor = '';
    for (let pages = 0; pages < 10; pages++) {
      const body = await page(`sortBy=displayName&count=2&cursor=${encodeURIComponent(cursor)}`);
      walked.push(...names(body));
      if (body.nextCursor === undefined) break;
      cursor = body.nextCursor as string;
    }
    expect(walked).toEqual(['Alpha', 'Bravo', 'charlie', 'delta', 'echo']);

    // The same query as a SearchRequest body.
    const searched = await site.scim('POST', '/Groups/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'displayName sw "e" or displayName sw "d"',
      sortBy: 'displayName',
      sortOrder: 'descending',
      excludedAttributes: ['members'],
    });
    expect(searched.status, searched.raw).toBe(200);
    expect(names(searched.body)).toEqual(['echo', 'delta']);
    expect(searched.body.Resources.every((group: Json) => group.members === undefined)).toBe(true);
  });

  // ------------------------------------------------------------------------------------------
  // PUT
  // ------------------------------------------------------------------------------------------

  it('PUT replaces the attributes and the whole member list', async () => {
    const site = await harness.newSite();
    const [a, b, c] = await newUsers(site, 3);
    const group = await newGroup(site, 'Before', [a!, b!], { externalId: 'ext-before' });

    const replaced = await site.scim('PUT', `/Groups/${group.id}`, {
      schemas: [GROUP_SCHEMA],
      id: group.id,
      displayName: 'After',
      members: [{ value: b }, { value: c, display: 'Charlie' }],
      meta: { resourceType: 'Group' },
    });
    expect(replaced.status, replaced.raw).toBe(200);
    expect(replaced.body.id).toBe(group.id);
    expect(replaced.body.displayName).toBe('After');
    expect(replaced.body.externalId).toBeUndefined();
    expect(valuesOf(replaced.body.members)).toEqual(sorted([b!, c!]));
    expect(replaced.body.meta.version).not.toBe(group.meta.version);
    expect(await stored(site, group.id)).toEqual(sorted([b!, c!]));

    const read = await site.scim('GET', `/Groups/${group.id}`);
    expect(read.body.displayName).toBe('After');
    expect(read.body.externalId).toBeUndefined();
    expect(read.body.members.find((member: Json) => member.value === c).display).toBe('member2');

    const change = (await events(site)).find((e) => e.operation === 'group change');
    expect(change).toMatchObject({ resourceId: group.id, httpStatus: 200, outcome: 'success' });
    expect(change!.changes).toEqual(
      expect.arrayContaining([
        { field: 'displayName', before: 'Before', after: 'After' },
        { field: 'externalId', before: 'ext-before' },
        { field: 'members added', after: [c] },
        { field: 'members removed', before: [a] },
      ]),
    );

    // A PUT with no members empties the group; an unknown id is 404 (PUT never creates).
    const emptied = await site.scim('PUT', `/Groups/${group.id}`, {
      schemas: [GROUP_SCHEMA],
      displayName: 'After',
    });
    expect(emptied.status, emptied.raw).toBe(200);
    expect(await stored(site, group.id)).toEqual([]);
    expectError(
      await site.scim('PUT', '/Groups/00000000-0000-7000-8000-000000000000', {
        schemas: [GROUP_SCHEMA],
        displayName: 'Nobody',
      }),
      404,
    );
  });

  // ------------------------------------------------------------------------------------------
  // PATCH: members
  // ------------------------------------------------------------------------------------------

  it('PATCH add members adds them (and adding a member twice changes nothing)', async () => {
    const site = await harness.newSite();
    const [a, b, c] = await newUsers(site, 3);
    const group = await newGroup(site, 'Adders', [a!]);
    const added = await patchGroup(site, group.id, {
      op: 'add',
      path: 'members',
      value: [{ value: b, display: 'Someone Else' }, { value: c }, { value: a }],
    });
    expect(added.status, added.raw).toBe(200);
    expect(valuesOf(added.body.members)).toEqual(sorted([a!, b!, c!]));
    expect(await stored(site, group.id)).toEqual(sorted([a!, b!, c!]));
    // `display` is readOnly: as on POST and PUT, the server fills in the Logon.
    const members = await store().members.ofGroup(site.site.id, group.id);
    expect(members.find((member) => member.id === b)).toEqual({ id: b, type: 'User', display: 'member1' });

    const event = (await events(site)).find((e) => e.operation === 'group change');
    expect(event!.detail).toBe('Added 2 members.');
    expect(event!.changes).toEqual([{ field: 'members added', after: expect.arrayContaining([b, c]) }]);
    expect((event!.changes![0]!.after as string[]).length).toBe(2);

    const again = await patchGroup(site, group.id, { op: 'add', path: 'members', value: [{ value: b }] });
    expect(again.status, again.raw).toBe(200);
    expect(again.body.meta.version).toBe(added.body.meta.version);
    expect(await stored(site, group.id)).toEqual(sorted([a!, b!, c!]));
  });

  it('PATCH remove by a value filter, and by an or of two', async () => {
    const site = await harness.newSite();
    const [a, b, c, d] = await newUsers(site, 4);
    const group = await newGroup(site, 'Removers', [a!, b!, c!, d!]);

    const one = await patchGroup(site, group.id, { op: 'remove', path: `members[value eq "${a}"]` });
    expect(one.status, one.raw).toBe(200);
    expect(valuesOf(one.body.members)).toEqual(sorted([b!, c!, d!]));
    expect(await stored(site, group.id)).toEqual(sorted([b!, c!, d!]));

    const two = await patchGroup(site, group.id, {
      op: 'remove',
      path: `members[value eq "${b}" or value eq "${c}"]`,
    });
    expect(two.status, two.raw).toBe(200);
    expect(valuesOf(two.body.members)).toEqual([d]);
    expect(await stored(site, group.id)).toEqual([d]);

    const event = (await events(site)).find((e) => e.operation === 'group change');
    expect(event!.detail).toBe('Removed 2 members.');
    expect(event!.changes).toEqual([{ field: 'members removed', before: expect.arrayContaining([b, c]) }]);
  });

  it('PATCH remove by a filter on another sub-attribute (type, display) is evaluated over the members', async () => {
    const site = await harness.newSite();
    const [a, b] = await newUsers(site, 2);
    const child = await newGroup(site, 'Child');
    const group = await newGroup(site, 'Mixed', [a!, b!, child.id]);
    const byType = await patchGroup(site, group.id, { op: 'remove', path: 'members[type eq "Group"]' });
    expect(byType.status, byType.raw).toBe(200);
    expect(await stored(site, group.id)).toEqual(sorted([a!, b!]));
    const byDisplay = await patchGroup(site, group.id, {
      op: 'remove',
      path: 'members[display eq "member0"]',
    });
    expect(byDisplay.status, byDisplay.raw).toBe(200);
    expect(await stored(site, group.id)).toEqual([b]);
  });

  it("PATCH remove by a value list (Entra's default) and remove all (no value)", async () => {
    const site = await harness.newSite();
    const [a, b, c, d] = await newUsers(site, 4);
    const group = await newGroup(site, 'Lists', [a!, b!, c!, d!]);

    const byList = await patchGroup(site, group.id, {
      op: 'Remove',
      path: 'members',
      value: [{ value: a }, { $ref: null, value: b }],
    });
    expect(byList.status, byList.raw).toBe(200);
    expect(await stored(site, group.id)).toEqual(sorted([c!, d!]));

    const all = await patchGroup(site, group.id, { op: 'remove', path: 'members' });
    expect(all.status, all.raw).toBe(200);
    expect(all.body.members).toEqual([]);
    expect(await stored(site, group.id)).toEqual([]);
    // The users themselves stay.
    for (const id of [a, b, c, d]) expect((await site.scim('GET', `/Users/${id}`)).status).toBe(200);
  });

  it('PATCH replace members sets exactly the given list', async () => {
    const site = await harness.newSite();
    const [a, b, c] = await newUsers(site, 3);
    const group = await newGroup(site, 'Replaced', [a!, b!]);
    const replaced = await patchGroup(site, group.id, {
      op: 'replace',
      path: 'members',
      value: [{ value: b }, { value: c }, { value: 'ghost' }],
    });
    expect(replaced.status, replaced.raw).toBe(200);
    expect(valuesOf(replaced.body.members)).toEqual(sorted([b!, c!]));
    expect(await stored(site, group.id)).toEqual(sorted([b!, c!]));
    const event = (await events(site)).find((e) => e.operation === 'group change');
    expect(event!.detail).toContain('Added 1 member.');
    expect(event!.detail).toContain('Removed 1 member.');
    expect(event!.detail).toContain('Skipped 1 member id that names no user or group: ghost');

    const cleared = await patchGroup(site, group.id, { op: 'replace', path: 'members', value: [] });
    expect(cleared.status, cleared.raw).toBe(200);
    expect(await stored(site, group.id)).toEqual([]);
  });

  it("PATCH path-less replace (Okta): displayName with the group's id in the value, and with members", async () => {
    const site = await harness.newSite();
    const [a, b, c] = await newUsers(site, 3);
    const group = await newGroup(site, 'Okta Name', [a!]);

    const renamed = await patchGroup(site, group.id, {
      op: 'replace',
      value: { id: group.id, displayName: 'Okta Renamed' },
    });
    expect(renamed.status, renamed.raw).toBe(200);
    expect(renamed.body).toMatchObject({ id: group.id, displayName: 'Okta Renamed' });
    expect(await stored(site, group.id)).toEqual([a]);

    // The id in the value is ignored even when it is not this group's (the URL decides).
    const otherId = await patchGroup(site, group.id, {
      op: 'replace',
      value: { id: 'something-else', displayName: 'Okta Renamed' },
    });
    expect(otherId.status, otherId.raw).toBe(200);
    expect(otherId.body.id).toBe(group.id);

    const withMembers = await patchGroup(site, group.id, {
      op: 'replace',
      value: { id: group.id, displayName: 'Okta Final', members: [{ value: b }, { value: c }] },
    });
    expect(withMembers.status, withMembers.raw).toBe(200);
    expect(withMembers.body.displayName).toBe('Okta Final');
    expect(valuesOf(withMembers.body.members)).toEqual(sorted([b!, c!]));
    expect(await stored(site, group.id)).toEqual(sorted([b!, c!]));
    const read = await site.scim('GET', `/Groups/${group.id}`);
    expect(read.body.displayName).toBe('Okta Final');
  });

  it('PATCH renames; renaming onto another group (any case) is 409 and changes nothing', async () => {
    const site = await harness.newSite();
    const [a] = await newUsers(site, 1);
    const first = await newGroup(site, 'First', [a!]);
    await newGroup(site, 'Second');

    const renamed = await patchGroup(site, first.id, {
      op: 'Replace',
      path: 'displayName',
      value: 'Primero',
    });
    expect(renamed.status, renamed.raw).toBe(200);
    expect(renamed.body.displayName).toBe('Primero');
    const rename = (await events(site)).find((e) => e.operation === 'update group');
    expect(rename!.changes).toEqual([{ field: 'displayName', before: 'First', after: 'Primero' }]);

    // A change of letter case of its own name is a rename, not a conflict.
    const recased = await patchGroup(site, first.id, {
      op: 'replace',
      path: 'displayName',
      value: 'PRIMERO',
    });
    expect(recased.status, recased.raw).toBe(200);

    for (const taken of ['Second', 'second', 'SECOND']) {
      const clash = await patchGroup(
        site,
        first.id,
        { op: 'add', path: 'members', value: [{ value: a }] },
        { op: 'replace', path: 'displayName', value: taken },
      );
      expectError(clash, 409, 'uniqueness');
      expect(clash.body.detail).toContain(taken);
    }
    const pathless = await patchGroup(site, first.id, { op: 'replace', value: { displayName: 'second' } });
    expectError(pathless, 409, 'uniqueness');
    const put = await site.scim('PUT', `/Groups/${first.id}`, {
      schemas: [GROUP_SCHEMA],
      displayName: 'Second',
    });
    expectError(put, 409, 'uniqueness');

    const read = await site.scim('GET', `/Groups/${first.id}`);
    expect(read.body.displayName).toBe('PRIMERO');
    expect(await stored(site, first.id)).toEqual([a]);
    const refusals = (await events(site)).filter((e) => e.outcome === 'failure');
    expect(refusals.length).toBe(5);
    expect(refusals.every((e) => e.httpStatus === 409 && e.resourceId === first.id)).toBe(true);
  });

  it('removing a non-member succeeds and changes nothing', async () => {
    const site = await harness.newSite();
    const [a, b] = await newUsers(site, 2);
    const group = await newGroup(site, 'Steady', [a!]);
    for (const operation of [
      { op: 'remove', path: `members[value eq "${b}"]` },
      { op: 'remove', path: 'members[value eq "not-an-id"]' },
      { op: 'Remove', path: 'members', value: [{ value: b }] },
    ]) {
      const response = await patchGroup(site, group.id, operation);
      expect(response.status, response.raw).toBe(200);
      expect(response.body.meta.version).toBe(group.meta.version);
      expect(await stored(site, group.id)).toEqual([a]);
    }
    const last = (await events(site))[0]!;
    expect(last).toMatchObject({ operation: 'update group', outcome: 'success', detail: 'No changes.' });
  });

  it("PATCH of members' sub-attributes is 400 mutability and changes nothing", async () => {
    const site = await harness.newSite();
    const [a] = await newUsers(site, 1);
    const group = await newGroup(site, 'Immutable', [a!]);
    for (const operation of [
      { op: 'replace', path: 'members.display', value: 'x' },
      { op: 'replace', path: `members[value eq "${a}"].display`, value: 'x' },
      { op: 'replace', path: `members[value eq "${a}"].value`, value: 'x' },
      { op: 'remove', path: 'members.value' },
    ]) {
      const response = await patchGroup(site, group.id, operation);
      expectError(response, 400, 'mutability');
    }
    const read = await site.scim('GET', `/Groups/${group.id}`);
    expect(read.body).toEqual(group);
    expect(await stored(site, group.id)).toEqual([a]);
  });

  it('PATCH answers 200 with the group, honours excludedAttributes=members, or 204 when the site chose it', async () => {
    const site = await harness.newSite();
    const [a, b] = await newUsers(site, 2);
    const group = await newGroup(site, 'Answers', [a!]);

    const excluded = await site.scim(
      'PATCH',
      `/Groups/${group.id}?excludedAttributes=members`,
      patchBody({ op: 'add', path: 'members', value: [{ value: b }] }),
    );
    expect(excluded.status, excluded.raw).toBe(200);
    expect(excluded.body.members).toBeUndefined();
    expect(excluded.body).toMatchObject({ id: group.id, displayName: 'Answers' });
    expect(await stored(site, group.id)).toEqual(sorted([a!, b!]));

    // POST and PUT answers honour it too.
    const created = await site.scim('POST', '/Groups?excludedAttributes=members', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Answers Too',
      members: [{ value: a }],
    });
    expect(created.status, created.raw).toBe(201);
    expect(created.body.members).toBeUndefined();
    const put = await site.scim('PUT', `/Groups/${created.body.id}?excludedAttributes=members`, {
      schemas: [GROUP_SCHEMA],
      displayName: 'Answers Too',
      members: [{ value: a }, { value: b }],
    });
    expect(put.status, put.raw).toBe(200);
    expect(put.body.members).toBeUndefined();
    expect(await stored(site, created.body.id)).toEqual(sorted([a!, b!]));

    await harness.roster.services.sites.configure(site.site.slug, { patchNoContent: true });
    const noContent = await patchGroup(site, group.id, { op: 'remove', path: `members[value eq "${a}"]` });
    expect(noContent.status, noContent.raw).toBe(204);
    expect(noContent.raw).toBe('');
    expect(noContent.headers.etag).toMatch(WEAK_TAG);
    expect(await stored(site, group.id)).toEqual([b]);
    const read = await site.scim('GET', `/Groups/${group.id}`);
    expect(read.headers.etag).toBe(noContent.headers.etag);
  });

  // ------------------------------------------------------------------------------------------
  // ETags
  // ------------------------------------------------------------------------------------------

  it('If-Match: the current version passes; a stale one is 412 on PATCH, PUT and DELETE and changes nothing', async () => {
    const site = await harness.newSite();
    const [a, b] = await newUsers(site, 2);
    const group = await newGroup(site, 'Tagged', [a!]);
    const v1 = group.meta.version as string;

    const fresh = await site.scim(
      'PATCH',
      `/Groups/${group.id}`,
      patchBody({ op: 'add', path: 'members', value: [{ value: b }] }),
      { 'if-match': v1 },
    );
    expect(fresh.status, fresh.raw).toBe(200);
    const v2 = fresh.body.meta.version as string;
    expect(v2).not.toBe(v1);
    expect(fresh.headers.etag).toBe(v2);

    const stalePatch = await site.scim(
      'PATCH',
      `/Groups/${group.id}`,
      patchBody({ op: 'remove', path: 'members' }),
      { 'if-match': v1 },
    );
    expectError(stalePatch, 412);
    const stalePut = await site.scim(
      'PUT',
      `/Groups/${group.id}`,
      { schemas: [GROUP_SCHEMA], displayName: 'Overwritten', members: [] },
      { 'if-match': v1 },
    );
    expectError(stalePut, 412);
    const staleDelete = await site.scim('DELETE', `/Groups/${group.id}`, undefined, { 'if-match': v1 });
    expectError(staleDelete, 412);

    const read = await site.scim('GET', `/Groups/${group.id}`);
    expect(read.body.displayName).toBe('Tagged');
    expect(read.body.meta.version).toBe(v2);
    expect(await stored(site, group.id)).toEqual(sorted([a!, b!]));
    const refusals = (await events(site)).filter((e) => e.outcome === 'failure');
    expect(refusals.map((e) => e.httpStatus)).toEqual([412, 412, 412]);

    const put = await site.scim(
      'PUT',
      `/Groups/${group.id}`,
      { schemas: [GROUP_SCHEMA], displayName: 'Tagged', members: [{ value: a }] },
      { 'if-match': v2 },
    );
    expect(put.status, put.raw).toBe(200);
    const deleted = await site.scim('DELETE', `/Groups/${group.id}`, undefined, {
      'if-match': put.body.meta.version,
    });
    expect(deleted.status, deleted.raw).toBe(204);
  });

  // ------------------------------------------------------------------------------------------
  // DELETE, a user's groups, nested groups
  // ------------------------------------------------------------------------------------------

  it("DELETE: 204, then 404, filter 0, and the former members' groups no longer list it", async () => {
    const site = await harness.newSite();
    const [a, b] = await newUsers(site, 2);
    const doomed = await newGroup(site, 'Doomed', [a!, b!]);
    const kept = await newGroup(site, 'Kept', [a!]);

    const deleted = await site.scim('DELETE', `/Groups/${doomed.id}`);
    expect(deleted.status, deleted.raw).toBe(204);
    expect(deleted.raw).toBe('');
    expectError(await site.scim('GET', `/Groups/${doomed.id}`), 404);
    expectError(await site.scim('DELETE', `/Groups/${doomed.id}`), 404);
    const byName = await site.scim('GET', filterPath('Groups', 'displayName eq "Doomed"'));
    expect(byName.body).toMatchObject({ totalResults: 0, Resources: [] });
    const byMember = await site.scim('GET', filterPath('Groups', `members[value eq "${b}"]`));
    expect(byMember.body.totalResults).toBe(0);
    expect((await site.scim('GET', '/Groups')).body.totalResults).toBe(1);
    expect(await stored(site, doomed.id)).toEqual([]);

    const userA = await site.scim('GET', `/Users/${a}`);
    expect(userA.status).toBe(200);
    expect(userA.body.groups.map((group: Json) => group.value)).toEqual([kept.id]);
    const userB = await site.scim('GET', `/Users/${b}`);
    expect(userB.status).toBe(200);
    expect(userB.body.groups ?? []).toEqual([]);
    expect((await store().members.groupsOf(site.site.id, [a!, b!])).get(b!)).toBeUndefined();

    const event = (await events(site)).find((e) => e.operation === 'delete group' && e.outcome === 'success');
    expect(event).toMatchObject({
      resourceId: doomed.id,
      resourceName: 'Doomed',
      logon: null,
      outcome: 'success',
      httpStatus: 204,
      detail: 'Removed 2 members.',
    });
    expect(event!.changes).toEqual([{ field: 'members removed', before: expect.arrayContaining([a, b]) }]);

    // The name is free again.
    const again = await newGroup(site, 'doomed');
    expect(again.id).not.toBe(doomed.id);
  });

  it("a user's groups list its groups (value, $ref, display, type direct) and filter by groups.value", async () => {
    const site = await harness.newSite();
    const [a, b, c] = await newUsers(site, 3);
    const zeta = await newGroup(site, 'Zeta', [a!, b!]);
    const alpha = await newGroup(site, 'alpha', [a!]);

    const user = await site.scim('GET', `/Users/${a}`);
    expect(user.status, user.raw).toBe(200);
    expect(user.body.groups).toEqual([
      {
        value: alpha.id,
        $ref: expect.stringMatching(new RegExp(`/scim/v2/Groups/${alpha.id}$`)),
        display: 'alpha',
        type: 'direct',
      },
      {
        value: zeta.id,
        $ref: expect.stringMatching(new RegExp(`/scim/v2/Groups/${zeta.id}$`)),
        display: 'Zeta',
        type: 'direct',
      },
    ]);
    const none = await site.scim('GET', `/Users/${c}`);
    expect(none.body.groups ?? []).toEqual([]);
    const excluded = await site.scim('GET', `/Users/${a}?excludedAttributes=groups`);
    expect(excluded.body.groups).toBeUndefined();

    // The list shows groups too, and a rename shows at once.
    await patchGroup(site, zeta.id, { op: 'replace', path: 'displayName', value: 'Zeta Prime' });
    const listed = await site.scim('GET', filterPath('Users', `userName eq "member1"`));
    expect(listed.body.Resources[0].groups).toEqual([
      expect.objectContaining({ value: zeta.id, display: 'Zeta Prime' }),
    ]);

    const members = await site.scim('GET', filterPath('Users', `groups.value eq "${zeta.id}"`));
    expect(members.status, members.raw).toBe(200);
    expect(sorted(members.body.Resources.map((u: Json) => u.id))).toEqual(sorted([a!, b!]));
    expect(members.body.totalResults).toBe(2);
    const bracket = await site.scim('GET', filterPath('Users', `groups[value eq "${alpha.id}"]`));
    expect(bracket.body.Resources.map((u: Json) => u.id)).toEqual([a]);
    const byDisplay = await site.scim('GET', filterPath('Users', 'groups.display eq "Zeta Prime"'));
    expect(sorted(byDisplay.body.Resources.map((u: Json) => u.id))).toEqual(sorted([a!, b!]));
    const outside = await site.scim('GET', filterPath('Users', `not (groups.value eq "${zeta.id}")`));
    expect(outside.body.Resources.map((u: Json) => u.id)).toEqual([c]);

    // `groups` is read-only: a client cannot join a group through the user.
    const sneaky = await site.scim(
      'PATCH',
      `/Users/${c}`,
      patchBody({ op: 'add', path: 'groups', value: [{ value: zeta.id }] }),
    );
    expectError(sneaky, 400, 'mutability');
    // In a PUT body it is ignored (Okta sends the user's groups back), never applied.
    const put = await site.scim('PUT', `/Users/${c}`, {
      schemas: [USER_SCHEMA],
      userName: 'member2',
      groups: [{ value: zeta.id, display: 'Zeta Prime' }],
    });
    expect(put.status, put.raw).toBe(200);
    expect(put.body.groups ?? []).toEqual([]);
    expect(await stored(site, zeta.id)).toEqual(sorted([a!, b!]));
  });

  it('a SCIM DELETE of a user removes its memberships', async () => {
    const site = await harness.newSite();
    const [a, b] = await newUsers(site, 2);
    const one = await newGroup(site, 'One', [a!, b!]);
    const two = await newGroup(site, 'Two', [a!]);
    const versionBefore = (await site.scim('GET', `/Groups/${one.id}`)).body.meta.version;
    const deleted = await site.scim('DELETE', `/Users/${a}`);
    expect(deleted.status, deleted.raw).toBe(204);
    expect(await stored(site, one.id)).toEqual([b]);
    expect(await stored(site, two.id)).toEqual([]);
    const read = await site.scim('GET', `/Groups/${one.id}`);
    expect(valuesOf(read.body.members)).toEqual([b]);
    // Its member list changed, so its version did: an If-Match with the old one is stale.
    expect(read.body.meta.version).not.toBe(versionBefore);
    const stale = await site.scim('PATCH', `/Groups/${one.id}`, PATCH_RENAME_ONE, {
      'if-match': versionBefore,
    });
    expect(stale.status, stale.raw).toBe(412);
    const filtered = await site.scim('GET', filterPath('Groups', `members[value eq "${a}"]`));
    expect(filtered.body.totalResults).toBe(0);

    // A removed user cannot be added back by id; provisioning the Logon again brings it back, memberless.
    const readd = await patchGroup(site, one.id, { op: 'add', path: 'members', value: [{ value: a }] });
    expect(readd.status, readd.raw).toBe(200);
    expect(await stored(site, one.id)).toEqual([b]);
    const restored = await site.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'member0' });
    expect(restored.status, restored.raw).toBe(201);
    expect(restored.body.id).toBe(a);
    expect(restored.body.groups ?? []).toEqual([]);
  });

  it('a group can be a member of a group (type Group), but never of itself', async () => {
    const site = await harness.newSite();
    const [a] = await newUsers(site, 1);
    const child = await newGroup(site, 'Child', [a!]);
    const parent = await newGroup(site, 'Parent', [child.id]);
    expect(parent.members).toEqual([
      {
        value: child.id,
        $ref: expect.stringMatching(new RegExp(`/scim/v2/Groups/${child.id}$`)),
        display: 'Child',
        type: 'Group',
      },
    ]);
    expect(await store().members.ofGroup(site.site.id, parent.id)).toEqual([
      { id: child.id, type: 'Group', display: 'Child' },
    ]);
    const byMember = await site.scim('GET', filterPath('Groups', `members[value eq "${child.id}"]`));
    expect(byMember.body.Resources.map((g: Json) => g.id)).toEqual([parent.id]);
    const byType = await site.scim('GET', filterPath('Groups', 'members[type eq "Group"]'));
    expect(byType.body.Resources.map((g: Json) => g.id)).toEqual([parent.id]);

    const self = await patchGroup(site, parent.id, {
      op: 'add',
      path: 'members',
      value: [{ value: parent.id }, { value: a }],
    });
    expect(self.status, self.raw).toBe(200);
    expect(await stored(site, parent.id)).toEqual(sorted([child.id, a!]));
    const event = (await events(site)).find((e) => e.operation === 'group change');
    expect(event!.detail).toContain('Added 1 member.');
    expect(event!.detail).toContain(`Skipped 1 member id that names no user or group: ${parent.id}`);
    const selfPut = await site.scim('PUT', `/Groups/${parent.id}`, {
      schemas: [GROUP_SCHEMA],
      displayName: 'Parent',
      members: [{ value: parent.id }, { value: child.id }],
    });
    expect(selfPut.status, selfPut.raw).toBe(200);
    expect(await stored(site, parent.id)).toEqual([child.id]);

    // Deleting the child takes it out of the parent.
    expect((await site.scim('DELETE', `/Groups/${child.id}`)).status).toBe(204);
    expect(await stored(site, parent.id)).toEqual([]);
    expect((await site.scim('GET', `/Groups/${parent.id}`)).body.members).toEqual([]);
  });

  // ------------------------------------------------------------------------------------------
  // The provisioning log
  // ------------------------------------------------------------------------------------------

  it('logs create, update, each membership change and delete, with ids and counts', async () => {
    const site = await harness.newSite();
    const [a, b, c] = await newUsers(site, 3);
    const group = await newGroup(site, 'Logged', [a!]);
    await patchGroup(site, group.id, { op: 'add', path: 'members', value: [{ value: b }, { value: c }] });
    await patchGroup(site, group.id, { op: 'remove', path: `members[value eq "${b}"]` });
    await patchGroup(site, group.id, { op: 'replace', path: 'displayName', value: 'Logged Too' });
    await site.scim('DELETE', `/Groups/${group.id}`);

    const log = (await events(site)).filter((e) => e.resourceType === 'Group').reverse();
    expect(log.map((e) => [e.operation, e.httpStatus, e.outcome])).toEqual([
      ['create group', 201, 'success'],
      ['group change', 200, 'success'],
      ['group change', 200, 'success'],
      ['update group', 200, 'success'],
      ['delete group', 204, 'success'],
    ]);
    expect(
      log.every((e) => e.resourceId === group.id && e.actor === 'scim' && e.tokenId === site.tokenId),
    ).toBe(true);
    expect(log.every((e) => typeof e.requestId === 'string' && e.requestId.length > 0)).toBe(true);
    expect(log[0]!.changes).toEqual([
      { field: 'displayName', after: 'Logged' },
      { field: 'members added', after: [a] },
    ]);
    expect(log[1]!.changes).toEqual([{ field: 'members added', after: expect.arrayContaining([b, c]) }]);
    expect(log[1]!.detail).toBe('Added 2 members.');
    expect(log[2]!.changes).toEqual([{ field: 'members removed', before: [b] }]);
    expect(log[2]!.detail).toBe('Removed 1 member.');
    expect(log[3]!.changes).toEqual([{ field: 'displayName', before: 'Logged', after: 'Logged Too' }]);
    expect(log[4]!.changes).toEqual([{ field: 'members removed', before: expect.arrayContaining([a, c]) }]);
    expect(log[4]!.resourceName).toBe('Logged Too');
    expect(log[4]!.logon).toBeNull();
    expect(log[4]!.detail).toBe('Removed 2 members.');
  });

  it('lists at most 50 member ids in an event, with the exact count in the detail', async () => {
    const site = await harness.newSite();
    const ids = await Promise.all(Array.from({ length: 60 }, (_, i) => newUser(site, `bulk${i}`)));
    const group = await newGroup(site, 'Bulk');
    const added = await patchGroup(site, group.id, {
      op: 'add',
      path: 'members',
      value: ids.map((value) => ({ value })),
    });
    expect(added.status, added.raw).toBe(200);
    expect(await stored(site, group.id)).toEqual(sorted(ids));
    const event = (await events(site)).find((e) => e.operation === 'group change');
    expect(event!.detail).toBe('Added 60 members.');
    const listed = event!.changes![0]!.after as string[];
    expect(listed.length).toBe(50);
    expect(listed.every((id) => ids.includes(id))).toBe(true);
  });

  it('refused requests are logged as failures', async () => {
    const site = await harness.newSite();
    const bad = await site.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: '' });
    expectError(bad, 400);
    const group = await newGroup(site, 'Refusals');
    const badPatch = await patchGroup(site, group.id, { op: 'replace', path: 'displayName', value: '' });
    expectError(badPatch, 400);
    expectError(
      await patchGroup(site, '00000000-0000-7000-8000-000000000000', { op: 'remove', path: 'members' }),
      404,
    );
    const failures = (await events(site)).filter((e) => e.outcome === 'failure').reverse();
    expect(failures.map((e) => [e.operation, e.httpStatus])).toEqual([
      ['create group', 400],
      ['update group', 400],
      ['update group', 404],
    ]);
    expect(failures.every((e) => typeof e.detail === 'string' && e.detail.length > 0)).toBe(true);
    expect((await site.scim('GET', `/Groups/${group.id}`)).body.displayName).toBe('Refusals');
  });

  // ------------------------------------------------------------------------------------------
  // Discovery and the root search
  // ------------------------------------------------------------------------------------------

  it('discovery describes Groups: /ResourceTypes, /Schemas and /Schemas/<Group URN>', async () => {
    const site = await harness.newSite();
    const types = await site.scim('GET', '/ResourceTypes');
    expect(types.status, types.raw).toBe(200);
    const group = types.body.Resources.find((type: Json) => type.id === 'Group');
    expect(group).toMatchObject({ name: 'Group', endpoint: '/Groups', schema: GROUP_SCHEMA });
    expect((await site.scim('GET', '/ResourceTypes/Group')).body).toMatchObject({ id: 'Group' });

    const schemas = await site.scim('GET', '/Schemas');
    expect(schemas.status, schemas.raw).toBe(200);
    expect(schemas.body.Resources.map((schema: Json) => schema.id)).toContain(GROUP_SCHEMA);

    const schema = await site.scim('GET', `/Schemas/${GROUP_SCHEMA}`);
    expect(schema.status, schema.raw).toBe(200);
    expect(schema.body.id).toBe(GROUP_SCHEMA);
    const attributes = new Map<string, Json>(schema.body.attributes.map((a: Json) => [a.name, a]));
    expect(attributes.get('displayName')).toMatchObject({
      type: 'string',
      required: true,
      uniqueness: 'server',
    });
    const members = attributes.get('members')!;
    expect(members).toMatchObject({ type: 'complex', multiValued: true });
    expect(members.subAttributes.map((sub: Json) => sub.name)).toEqual(
      expect.arrayContaining(['value', '$ref', 'display', 'type']),
    );
    expect(JSON.stringify(schema.body)).not.toContain('null');
  });

  it('the root POST /.search returns users and groups', async () => {
    const site = await harness.newSite();
    const [a, b] = await newUsers(site, 2);
    const g1 = await newGroup(site, 'Root One', [a!]);
    const g2 = await newGroup(site, 'Root Two');
    const all = await site.scim('POST', '/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
    });
    expect(all.status, all.raw).toBe(200);
    expect(all.body.totalResults).toBe(4);
    const found = all.body.Resources.map((r: Json) => [r.meta.resourceType, r.id]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['User', a],
        ['User', b],
        ['Group', g1.id],
        ['Group', g2.id],
      ]),
    );
    // Users found at the root show their groups as on /Users.
    const userA = all.body.Resources.find((r: Json) => r.id === a);
    expect(userA.groups).toEqual([
      expect.objectContaining({ value: g1.id, display: 'Root One', type: 'direct' }),
    ]);
    const groupOne = all.body.Resources.find((r: Json) => r.id === g1.id);
    expect(valuesOf(groupOne.members)).toEqual([a]);
    const groupsOnly = await site.scim('POST', '/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'displayName sw "Root"',
      excludedAttributes: ['members'],
    });
    expect(groupsOnly.status, groupsOnly.raw).toBe(200);
    expect(sorted(groupsOnly.body.Resources.map((r: Json) => r.id))).toEqual(sorted([g1.id, g2.id]));
    expect(groupsOnly.body.Resources.every((r: Json) => r.members === undefined)).toBe(true);
    const paged = await site.scim('POST', '/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      startIndex: 2,
      count: 2,
    });
    expect(paged.body).toMatchObject({ totalResults: 4, startIndex: 2, itemsPerPage: 2 });
    expect(paged.body.Resources.map((r: Json) => r.meta.resourceType)).toEqual(['User', 'Group']);
  });
});
