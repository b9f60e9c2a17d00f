/**
 * Microsoft Entra ID's group provisioning, replayed request by request
 * (`../shared/idp/other-clients.md` §1.1–1.3, §0 rules 5, 7, 9): create with Entra's extra ADSCIM
 * schema URN and `meta`, the matching lookup with `excludedAttributes=members`, rename, members
 * added as `[{"$ref":null,"value":…}]` and removed by value list (the default job) or by value
 * filter (the `aadOptscim062020` flag), several memberships in one PATCH, and delete. Each step
 * checks the answer and the stored membership. Both dialects.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  entraCreateUserBody,
  entraHeaders,
  entraProfile,
  type Json,
  PATCH_OP_SCHEMA,
} from '../fixtures/entra.js';
import { ERROR_SCHEMA, LIST_RESPONSE_SCHEMA } from '../fixtures/okta.js';
import {
  DIALECTS,
  type ScimResponse,
  startTestRoster,
  type TestRoster,
  type TestSite,
} from '../helpers/roster.js';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ADSCIM_GROUP_SCHEMA = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

/** The matching lookup (§1.1): members excluded, the filter on displayName. */
function entraGroupLookupPath(displayName: string): string {
  return `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`displayName eq "${displayName}"`)}`;
}

/** The tutorial's create body (§1.2): the ADSCIM URN, Entra's object id as externalId, `meta`, no members. */
function entraCreateGroupBody(displayName: string, externalId: string = randomUUID()): Json {
  return {
    schemas: [GROUP_SCHEMA, ADSCIM_GROUP_SCHEMA],
    externalId,
    displayName,
    meta: { resourceType: 'Group' },
  };
}

function patchOp(...operations: Json[]): Json {
  return { schemas: [PATCH_OP_SCHEMA], Operations: operations };
}

/** Entra's member entries: `$ref` null, our id as `value`. */
const refs = (...ids: string[]): Json[] => ids.map((value) => ({ $ref: null, value }));

describe.each(DIALECTS)('Entra ID groups (%s)', (dialect) => {
  let harness: TestRoster;
  beforeAll(async () => {
    harness = await startTestRoster(dialect);
  });
  afterAll(async () => harness.close());

  const entraGet = (site: TestSite, path: string) =>
    site.scim('GET', path, undefined, entraHeaders({ body: false }));
  const entraSend = (site: TestSite, method: 'POST' | 'PATCH', path: string, body: unknown) =>
    site.scim(method, path, body, entraHeaders({ body: true }));

  async function provisionUsers(site: TestSite, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const created = await entraSend(site, 'POST', '/Users', entraCreateUserBody(entraProfile()));
      expect(created.status, created.raw).toBe(201);
      ids.push(created.body.id as string);
    }
    return ids;
  }

  async function stored(site: TestSite, groupId: string): Promise<string[]> {
    return (await harness.roster.store.members.ofGroup(site.site.id, groupId)).map((m) => m.id).sort();
  }

  const sorted = (ids: readonly string[]): string[] => [...ids].sort();

  /** PATCH answers: 200 with the group by default, 204 when the site chose it (Entra accepts both). */
  function expectPatched(response: ScimResponse, noContent: boolean): void {
    if (noContent) {
      expect(response.status, response.raw).toBe(204);
      expect(response.raw).toBe('');
    } else {
      expect(response.status, response.raw).toBe(200);
      expect(response.body.schemas).toEqual([GROUP_SCHEMA]);
    }
  }

  for (const noContent of [false, true]) {
    it(`the tutorial's group flow, PATCH answering ${noContent ? '204' : '200'}`, async () => {
      const site = await harness.newSite();
      if (noContent) await harness.roster.services.sites.configure(site.site.slug, { patchNoContent: true });
      const [a, b, c] = (await provisionUsers(site, 3)) as [string, string, string];
      const displayName = `displayName_${randomUUID()}`;
      const externalId = randomUUID();

      // Matching: not there yet (also what Test Connection's random lookup looks like).
      const miss = await entraGet(site, entraGroupLookupPath(displayName));
      expect(miss.status, miss.raw).toBe(200);
      expect(miss.body).toEqual({
        schemas: [LIST_RESPONSE_SCHEMA],
        totalResults: 0,
        startIndex: 1,
        itemsPerPage: 0,
        Resources: [],
      });

      // Create: 201, members [], the extra URN and meta ignored.
      const created = await entraSend(site, 'POST', '/Groups', entraCreateGroupBody(displayName, externalId));
      expect(created.status, created.raw).toBe(201);
      expect(created.body).toMatchObject({
        schemas: [GROUP_SCHEMA],
        displayName,
        externalId,
        members: [],
        meta: { resourceType: 'Group' },
      });
      expect(typeof created.body.id).toBe('string');
      expect(created.body.meta.created).toEqual(expect.any(String));
      expect(created.body.meta.lastModified).toEqual(expect.any(String));
      expect(JSON.stringify(created.body)).not.toContain('ADSCIM');
      const id = created.body.id as string;

      // Matching again: found, without members; also by id with members excluded.
      const hit = await entraGet(site, entraGroupLookupPath(displayName));
      expect(hit.status, hit.raw).toBe(200);
      expect(hit.body).toMatchObject({ totalResults: 1, itemsPerPage: 1, startIndex: 1 });
      expect(hit.body.Resources[0]).toMatchObject({ id, displayName, externalId });
      expect(hit.body.Resources[0].members).toBeUndefined();
      const byId = await entraGet(site, `/Groups/${id}?excludedAttributes=members`);
      expect(byId.status, byId.raw).toBe(200);
      expect(byId.body).toMatchObject({ id, displayName });
      expect(byId.body.members).toBeUndefined();
      const byExternalId = await entraGet(
        site,
        `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`externalId eq "${externalId}"`)}`,
      );
      expect(byExternalId.body.Resources.map((g: Json) => g.id)).toEqual([id]);

      // Rename.
      const renamedTo = `${displayName}updatedDisplayName`;
      const renamed = await entraSend(
        site,
        'PATCH',
        `/Groups/${id}`,
        patchOp({ op: 'Replace', path: 'displayName', value: renamedTo }),
      );
      expectPatched(renamed, noContent);
      if (!noContent) expect(renamed.body.displayName).toBe(renamedTo);
      expect((await entraGet(site, `/Groups/${id}?excludedAttributes=members`)).body.displayName).toBe(
        renamedTo,
      );
      expect((await entraGet(site, entraGroupLookupPath(renamedTo))).body.totalResults).toBe(1);
      expect((await entraGet(site, entraGroupLookupPath(displayName))).body.totalResults).toBe(0);

      // Add a member, Entra's way.
      const added = await entraSend(
        site,
        'PATCH',
        `/Groups/${id}`,
        patchOp({ op: 'Add', path: 'members', value: refs(a) }),
      );
      expectPatched(added, noContent);
      expect(await stored(site, id)).toEqual([a]);

      // Several memberships in one PATCH (the gallery checklist).
      const several = await entraSend(
        site,
        'PATCH',
        `/Groups/${id}`,
        patchOp(
          { op: 'Add', path: 'members', value: refs(b, c) },
          { op: 'Remove', path: 'members', value: refs(a) },
        ),
      );
      expectPatched(several, noContent);
      expect(await stored(site, id)).toEqual(sorted([b, c]));

      // Remove by value list (the default job).
      const removed = await entraSend(
        site,
        'PATCH',
        `/Groups/${id}`,
        patchOp({ op: 'Remove', path: 'members', value: refs(b) }),
      );
      expectPatched(removed, noContent);
      expect(await stored(site, id)).toEqual([c]);

      const read = await entraGet(site, `/Groups/${id}`);
      expect(read.body.members.map((m: Json) => m.value)).toEqual([c]);
      const userC = await entraGet(site, `/Users/${c}`);
      expect(userC.body.groups).toEqual([expect.objectContaining({ value: id, display: renamedTo })]);

      // Delete.
      const deleted = await site.scim('DELETE', `/Groups/${id}`, undefined, entraHeaders({ body: false }));
      expect(deleted.status, deleted.raw).toBe(204);
      const gone = await entraGet(site, `/Groups/${id}?excludedAttributes=members`);
      expect(gone.status).toBe(404);
      expect(gone.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '404' });
      expect((await entraGet(site, entraGroupLookupPath(renamedTo))).body.totalResults).toBe(0);
      expect(await stored(site, id)).toEqual([]);
      expect((await entraGet(site, `/Users/${c}`)).body.groups ?? []).toEqual([]);
    });
  }

  it('the aadOptscim062020 flag: lower-case ops and removal by value filter', async () => {
    const site = await harness.newSite();
    const [a, b, c] = (await provisionUsers(site, 3)) as [string, string, string];
    const created = await entraSend(site, 'POST', '/Groups', entraCreateGroupBody('Flagged'));
    expect(created.status, created.raw).toBe(201);
    const id = created.body.id as string;
    const added = await entraSend(
      site,
      'PATCH',
      `/Groups/${id}`,
      patchOp({ op: 'add', path: 'members', value: [{ value: a }, { value: b }, { value: c }] }),
    );
    expect(added.status, added.raw).toBe(200);
    expect(await stored(site, id)).toEqual(sorted([a, b, c]));
    const removed = await entraSend(
      site,
      'PATCH',
      `/Groups/${id}`,
      patchOp(
        { op: 'remove', path: `members[value eq "${a}"]` },
        { op: 'remove', path: `members[value eq "${b}"]` },
      ),
    );
    expect(removed.status, removed.raw).toBe(200);
    expect(removed.body.members.map((m: Json) => m.value)).toEqual([c]);
    expect(await stored(site, id)).toEqual([c]);
  });

  it('many memberships in one PATCH: one operation per member, as Entra batches them', async () => {
    const site = await harness.newSite();
    const users = await provisionUsers(site, 12);
    const created = await entraSend(site, 'POST', '/Groups', entraCreateGroupBody('Batched'));
    const id = created.body.id as string;
    const first = await entraSend(
      site,
      'PATCH',
      `/Groups/${id}`,
      patchOp(...users.slice(0, 8).map((value) => ({ op: 'Add', path: 'members', value: refs(value) }))),
    );
    expect(first.status, first.raw).toBe(200);
    expect(await stored(site, id)).toEqual(sorted(users.slice(0, 8)));
    const second = await entraSend(
      site,
      'PATCH',
      `/Groups/${id}`,
      patchOp(
        ...users.slice(0, 4).map((value) => ({ op: 'Remove', path: 'members', value: refs(value) })),
        ...users.slice(8).map((value) => ({ op: 'Add', path: 'members', value: refs(value) })),
      ),
    );
    expect(second.status, second.raw).toBe(200);
    expect(await stored(site, id)).toEqual(sorted(users.slice(4)));
    const event = (await harness.roster.store.events.list(site.site.id, { limit: 1 }))[0]!;
    expect(event).toMatchObject({ operation: 'group change', detail: 'Added 4 members. Removed 4 members.' });
  });

  it('a second group with the same name (any case) is 409 uniqueness: Entra matches groups by name', async () => {
    const site = await harness.newSite();
    const created = await entraSend(site, 'POST', '/Groups', entraCreateGroupBody('Sales Team'));
    expect(created.status, created.raw).toBe(201);
    const duplicate = await entraSend(site, 'POST', '/Groups', entraCreateGroupBody('sales team'));
    expect(duplicate.status, duplicate.raw).toBe(409);
    expect(duplicate.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '409', scimType: 'uniqueness' });
    const lookup = await entraGet(site, entraGroupLookupPath('SALES TEAM'));
    expect(lookup.body.Resources.map((g: Json) => g.id)).toEqual([created.body.id]);
  });
});
