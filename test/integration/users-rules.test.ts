import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestRoster, type TestRoster, type TestSite } from '../helpers/roster.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

function filterQuery(filter: string): string {
  return `/Users?filter=${encodeURIComponent(filter)}`;
}

async function createUser(site: TestSite, body: Record<string, unknown>): Promise<any> {
  const response = await site.scim('POST', '/Users', { schemas: [USER_SCHEMA], ...body });
  expect(response.status, response.raw).toBe(201);
  return response.body;
}

function patch(...operations: object[]): object {
  return { schemas: [PATCH_OP], Operations: operations };
}

describe.each(DIALECTS)('user rules (%s)', (dialect) => {
  let harness: TestRoster;
  beforeAll(async () => {
    harness = await startTestRoster(dialect);
  });
  afterAll(async () => harness.close());

  describe('DELETE (DESIGN §5: deprovisioning never destroys)', () => {
    it('hides the user from SCIM but keeps it, disabled, in the directory', async () => {
      const site = await harness.newSite();
      const user = await createUser(site, {
        userName: 'Leaver@okta.local',
        name: { givenName: 'Lee', familyName: 'Ver' },
        emails: [{ value: 'leaver@okta.local', type: 'work', primary: true }],
      });
      const deleted = await site.scim('DELETE', `/Users/${user.id}`);
      expect(deleted.status, deleted.raw).toBe(204);

      expect((await site.scim('GET', `/Users/${user.id}`)).status).toBe(404);
      expect((await site.scim('GET', filterQuery('userName eq "leaver@okta.local"'))).body.totalResults).toBe(
        0,
      );
      expect((await site.scim('GET', filterQuery(`id eq "${user.id}"`))).body.totalResults).toBe(0);
      expect((await site.scim('GET', '/Users')).body.totalResults).toBe(0);
      // A second DELETE, a PUT or a PATCH of a removed user finds nothing either.
      expect((await site.scim('DELETE', `/Users/${user.id}`)).status).toBe(404);
      expect(
        (await site.scim('PATCH', `/Users/${user.id}`, patch({ op: 'replace', path: 'title', value: 'x' })))
          .status,
      ).toBe(404);

      const { store } = harness.roster;
      const everyone = await store.users.page(
        site.site.id,
        { start: { index: 1 }, count: 10 },
        { includeDeleted: true },
      );
      expect(everyone.totalResults).toBe(1);
      expect(everyone.items[0]).toMatchObject({
        id: user.id,
        logon: 'Leaver@okta.local',
        firstName: 'Lee',
        email: 'leaver@okta.local',
        active: false,
      });
      expect(everyone.items[0]!.deletedAt).toEqual(expect.any(Number));

      const events = await store.events.list(site.site.id, { limit: 10 });
      const deletes = events.filter((event) => event.operation === 'delete' && event.outcome === 'success');
      expect(deletes).toHaveLength(1);
      expect(deletes[0]).toMatchObject({
        httpStatus: 204,
        resourceId: user.id,
        changes: [{ field: 'active', before: true, after: false }],
      });
    });

    it('brings back the same record when the same Logon is provisioned again, in any letter case', async () => {
      const site = await harness.newSite();
      const original = await createUser(site, {
        userName: 'returner@okta.local',
        externalId: 'okta-1',
        name: { givenName: 'Old', familyName: 'Name' },
        title: 'Old title',
      });
      expect((await site.scim('DELETE', `/Users/${original.id}`)).status).toBe(204);

      const again = await site.scim('POST', '/Users', {
        schemas: [USER_SCHEMA],
        userName: 'Returner@OKTA.local',
        externalId: 'okta-2',
        name: { givenName: 'New', familyName: 'Name' },
        active: true,
      });
      expect(again.status, again.raw).toBe(201);
      expect(again.body.id).toBe(original.id);
      expect(again.body).toMatchObject({
        userName: 'Returner@OKTA.local',
        externalId: 'okta-2',
        name: { givenName: 'New', familyName: 'Name' },
        active: true,
      });
      // The new body replaces the old attributes: what it does not carry is gone.
      expect(again.body.title).toBeUndefined();

      const got = await site.scim('GET', `/Users/${original.id}`);
      expect(got.status).toBe(200);
      expect(got.body.userName).toBe('Returner@OKTA.local');
      const everyone = await harness.roster.store.users.page(
        site.site.id,
        { start: { index: 1 }, count: 10 },
        { includeDeleted: true },
      );
      expect(everyone.totalResults).toBe(1);
      expect(everyone.items[0]).toMatchObject({ id: original.id, deletedAt: null, active: true });
      expect(everyone.items[0]!.createdAt).toBe(Date.parse(original.meta.created));
    });
  });

  describe('PUT', () => {
    it('never creates a user', async () => {
      const site = await harness.newSite();
      const id = randomUUID();
      const put = await site.scim('PUT', `/Users/${id}`, {
        schemas: [USER_SCHEMA],
        userName: 'ghost@okta.local',
      });
      expect(put.status, put.raw).toBe(404);
      expect((await site.scim('GET', `/Users/${id}`)).status).toBe(404);
      expect((await site.scim('GET', '/Users')).body.totalResults).toBe(0);
    });

    it('keeps the current status when the body has no active', async () => {
      const site = await harness.newSite();
      const disabled = await createUser(site, { userName: 'off@okta.local', active: false });
      const enabled = await createUser(site, { userName: 'on@okta.local', active: true });
      const putDisabled = await site.scim('PUT', `/Users/${disabled.id}`, {
        schemas: [USER_SCHEMA],
        userName: 'off@okta.local',
        title: 'Still off',
      });
      expect(putDisabled.status, putDisabled.raw).toBe(200);
      expect(putDisabled.body).toMatchObject({ title: 'Still off', active: false });
      const putEnabled = await site.scim('PUT', `/Users/${enabled.id}`, {
        schemas: [USER_SCHEMA],
        userName: 'on@okta.local',
        title: 'Still on',
      });
      expect(putEnabled.body).toMatchObject({ title: 'Still on', active: true });
      expect((await site.scim('GET', `/Users/${disabled.id}`)).body.active).toBe(false);
      expect((await site.scim('GET', `/Users/${enabled.id}`)).body.active).toBe(true);
    });
  });

  it("refuses to rename a user onto another user's Logon, by PUT or PATCH, in any letter case", async () => {
    const site = await harness.newSite();
    await createUser(site, { userName: 'taken@okta.local' });
    const other = await createUser(site, { userName: 'other@okta.local' });

    const put = await site.scim('PUT', `/Users/${other.id}`, {
      schemas: [USER_SCHEMA],
      userName: 'TAKEN@okta.local',
    });
    expect(put.status, put.raw).toBe(409);
    expect(put.body.scimType).toBe('uniqueness');
    const patched = await site.scim(
      'PATCH',
      `/Users/${other.id}`,
      patch({ op: 'replace', path: 'userName', value: 'Taken@Okta.Local' }),
    );
    expect(patched.status, patched.raw).toBe(409);
    expect(patched.body.scimType).toBe('uniqueness');
    const noPath = await site.scim(
      'PATCH',
      `/Users/${other.id}`,
      patch({ op: 'replace', value: { userName: 'taken@okta.local' } }),
    );
    expect(noPath.status, noPath.raw).toBe(409);

    expect((await site.scim('GET', `/Users/${other.id}`)).body.userName).toBe('other@okta.local');
    // Changing only the letter case of one's own Logon is not a conflict.
    const recased = await site.scim(
      'PATCH',
      `/Users/${other.id}`,
      patch({ op: 'replace', path: 'userName', value: 'Other@okta.local' }),
    );
    expect(recased.status, recased.raw).toBe(200);
    expect(recased.body.userName).toBe('Other@okta.local');
  });

  it('ignores attributes no schema defines and stray schema URNs, and notes them in the log', async () => {
    const site = await harness.newSite();
    const created = await site.scim('POST', '/Users', {
      schemas: [
        USER_SCHEMA,
        'urn:scim:schemas:core:2.0',
        'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group',
      ],
      userName: 'lenient@okta.local',
      favouriteColour: 'teal',
      name: { givenName: 'Len', shoeSize: 44 },
      'urn:scim:schemas:extension:custom:2.0:User': { badge: '7' },
    });
    expect(created.status, created.raw).toBe(201);
    expect(created.body.favouriteColour).toBeUndefined();
    expect(created.body.name).toEqual({ givenName: 'Len' });
    expect(created.body['urn:scim:schemas:extension:custom:2.0:User']).toBeUndefined();
    expect(created.body.schemas).toEqual([USER_SCHEMA]);

    const [event] = await harness.roster.store.events.list(site.site.id, { limit: 1 });
    expect(event).toMatchObject({ operation: 'create', outcome: 'success' });
    expect(event!.detail).toContain('favouriteColour');
    expect(event!.detail).toContain('name.shoeSize');
    expect(event!.detail).toContain('urn:scim:schemas:extension:custom:2.0:User');

    // A PUT from a SCIM 1.1-style client (OneLogin) is accepted the same way.
    const put = await site.scim('PUT', `/Users/${created.body.id}`, {
      schemas: ['urn:scim:schemas:core:2.0', 'urn:scim:schemas:extension:enterprise:2.0'],
      userName: 'lenient@okta.local',
      name: { givenName: ' Len', familyName: ' Ient' },
      favouriteColour: 'red',
    });
    expect(put.status, put.raw).toBe(200);
    expect(put.body.name).toEqual({ givenName: ' Len', familyName: ' Ient' });
    const [putEvent] = await harness.roster.store.events.list(site.site.id, { limit: 1 });
    expect(putEvent!.detail).toContain('favouriteColour');
  });

  it('ignores id, meta and groups in a body', async () => {
    const site = await harness.newSite();
    const created = await site.scim('POST', '/Users', {
      schemas: [USER_SCHEMA],
      id: 'chosen-by-client',
      userName: 'readonly@okta.local',
      meta: { created: '2001-01-01T00:00:00Z', version: 'W/"99"', resourceType: 'Group' },
      groups: [{ value: 'some-group', display: 'Admins' }],
    });
    expect(created.status, created.raw).toBe(201);
    expect(created.body.id).not.toBe('chosen-by-client');
    expect(created.body.meta.created).not.toBe('2001-01-01T00:00:00Z');
    expect(created.body.meta).toMatchObject({ resourceType: 'User', version: 'W/"1"' });
    expect(created.body.groups).toBeUndefined();
    expect((await site.scim('GET', '/Users/chosen-by-client')).status).toBe(404);

    const put = await site.scim('PUT', `/Users/${created.body.id}`, {
      schemas: [USER_SCHEMA],
      id: 'another-id',
      userName: 'readonly@okta.local',
      title: 'Changed',
      meta: { created: '2001-01-01T00:00:00Z' },
      groups: [{ value: 'some-group' }],
    });
    expect(put.status, put.raw).toBe(200);
    expect(put.body.id).toBe(created.body.id);
    expect(put.body.meta.created).toBe(created.body.meta.created);
    expect(put.body.groups).toBeUndefined();
    const got = await site.scim('GET', `/Users/${created.body.id}`);
    expect(got.body).toMatchObject({ id: created.body.id, title: 'Changed' });
    expect(got.body.groups).toBeUndefined();
  });

  it('keeps and returns enterprise extension attributes, manager as an object or a bare id', async () => {
    const site = await harness.newSite();
    const boss = await createUser(site, { userName: 'boss@okta.local' });
    const withObject = await createUser(site, {
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName: 'report.one@okta.local',
      [ENTERPRISE]: { department: 'Finance', employeeNumber: '1001', manager: { value: boss.id } },
    });
    expect(withObject[ENTERPRISE]).toEqual({
      department: 'Finance',
      employeeNumber: '1001',
      manager: { value: boss.id },
    });
    expect(withObject.schemas).toContain(ENTERPRISE);
    const withString = await createUser(site, {
      schemas: [USER_SCHEMA, ENTERPRISE],
      userName: 'report.two@okta.local',
      [ENTERPRISE]: { department: 'Sales', manager: boss.id },
    });
    expect(withString[ENTERPRISE]).toEqual({ department: 'Sales', manager: { value: boss.id } });

    const got = await site.scim('GET', `/Users/${withString.id}`);
    expect(got.body.schemas).toEqual([USER_SCHEMA, ENTERPRISE]);
    expect(got.body[ENTERPRISE]).toEqual({ department: 'Sales', manager: { value: boss.id } });

    // Entra sets the manager by PATCH with a bare id on the extension path.
    const patched = await site.scim(
      'PATCH',
      `/Users/${withObject.id}`,
      patch({ op: 'add', path: `${ENTERPRISE}:manager`, value: withString.id }),
    );
    expect(patched.status, patched.raw).toBe(200);
    expect(patched.body[ENTERPRISE].manager).toEqual({ value: withString.id });
    const list = await site.scim('GET', filterQuery(`${ENTERPRISE}:department eq "Finance"`));
    expect(list.body.totalResults, list.raw).toBe(1);
    expect(list.body.Resources[0][ENTERPRISE].manager).toEqual({ value: withString.id });
  });

  it('lets several users share an externalId, and finds them all by it', async () => {
    const site = await harness.newSite();
    const first = await createUser(site, { userName: 'twin.one@okta.local', externalId: 'shared-ext' });
    const second = await createUser(site, { userName: 'twin.two@okta.local', externalId: 'shared-ext' });
    await createUser(site, { userName: 'single@okta.local', externalId: 'other-ext' });
    const found = await site.scim('GET', filterQuery('externalId eq "shared-ext"'));
    expect(found.status, found.raw).toBe(200);
    expect(found.body.totalResults).toBe(2);
    expect((found.body.Resources as { id: string }[]).map((user) => user.id).sort()).toEqual(
      [first.id, second.id].sort(),
    );
  });

  it('filters by emails.value and by id', async () => {
    const site = await harness.newSite();
    const target = await createUser(site, {
      userName: 'mail.target@okta.local',
      emails: [
        { value: 'home.target@example.com', type: 'home' },
        { value: 'Work.Target@Example.com', type: 'work', primary: true },
      ],
    });
    await createUser(site, {
      userName: 'mail.other@okta.local',
      emails: [{ value: 'other@example.com', type: 'work' }],
    });

    const byWork = await site.scim('GET', filterQuery('emails.value eq "work.target@example.com"'));
    expect(byWork.status, byWork.raw).toBe(200);
    expect(byWork.body.totalResults).toBe(1);
    expect(byWork.body.Resources[0].id).toBe(target.id);
    // A secondary email finds the user too.
    const byHome = await site.scim('GET', filterQuery('emails.value eq "home.target@example.com"'));
    expect(byHome.body.Resources.map((user: { id: string }) => user.id)).toEqual([target.id]);
    expect(
      (await site.scim('GET', filterQuery('emails.value eq "nobody@example.com"'))).body.totalResults,
    ).toBe(0);

    const byId = await site.scim('GET', filterQuery(`id eq "${target.id}"`));
    expect(byId.body.totalResults).toBe(1);
    expect(byId.body.Resources[0].userName).toBe('mail.target@okta.local');
    expect((await site.scim('GET', filterQuery(`id eq "${randomUUID()}"`))).body.totalResults).toBe(0);
  });

  it('projects attributes and excludedAttributes, keeping id and schemas and never the password', async () => {
    const site = await harness.newSite();
    await harness.roster.services.sites.configure(site.site.slug, { passwordSync: true });
    const user = await createUser(site, {
      userName: 'projected@okta.local',
      name: { givenName: 'Pro', familyName: 'Jected' },
      emails: [{ value: 'projected@okta.local', primary: true }],
      password: 'Projected-Secret-42',
    });

    const onlyUserName = await site.scim('GET', `/Users/${user.id}?attributes=userName`);
    expect(onlyUserName.status, onlyUserName.raw).toBe(200);
    expect(onlyUserName.body).toMatchObject({
      id: user.id,
      schemas: [USER_SCHEMA],
      userName: 'projected@okta.local',
    });
    expect(onlyUserName.body.name).toBeUndefined();
    expect(onlyUserName.body.emails).toBeUndefined();
    expect(onlyUserName.body.active).toBeUndefined();
    expect(onlyUserName.body.password).toBeUndefined();

    const listed = await site.scim(
      'GET',
      `${filterQuery('userName eq "projected@okta.local"')}&attributes=userName`,
    );
    expect(listed.body.Resources[0]).toMatchObject({
      id: user.id,
      schemas: [USER_SCHEMA],
      userName: 'projected@okta.local',
    });
    expect(listed.body.Resources[0].name).toBeUndefined();

    const withoutEmails = await site.scim('GET', `/Users/${user.id}?excludedAttributes=emails`);
    expect(withoutEmails.status, withoutEmails.raw).toBe(200);
    expect(withoutEmails.body).toMatchObject({
      id: user.id,
      schemas: [USER_SCHEMA],
      userName: 'projected@okta.local',
      name: { givenName: 'Pro', familyName: 'Jected' },
      active: true,
    });
    expect(withoutEmails.body.emails).toBeUndefined();
    expect(withoutEmails.body.password).toBeUndefined();

    // Neither can be asked away or asked for.
    const excludeId = await site.scim('GET', `/Users/${user.id}?excludedAttributes=id,schemas,userName`);
    expect(excludeId.body.id).toBe(user.id);
    expect(excludeId.body.schemas).toEqual([USER_SCHEMA]);
    const askPassword = await site.scim('GET', `/Users/${user.id}?attributes=password`);
    expect(askPassword.body.password).toBeUndefined();
    expect(askPassword.raw).not.toContain('Projected-Secret-42');
    expect(askPassword.raw).not.toContain('argon2');
  });

  it('accepts IANA time zone names and refuses anything else', async () => {
    const site = await harness.newSite();
    for (const [i, zone] of ['Europe/London', 'America/Argentina/Buenos_Aires', 'UTC'].entries()) {
      const user = await createUser(site, { userName: `zone.${i}@okta.local`, timezone: zone });
      expect(user.timezone).toBe(zone);
      const stored = await harness.roster.store.users.get(site.site.id, user.id);
      expect(stored?.timeZone).toBe(zone);
    }
    const refused = await site.scim('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'martian@okta.local',
      timezone: 'Mars/Base',
    });
    expect(refused.status, refused.raw).toBe(400);
    expect(refused.body.scimType).toBe('invalidValue');
    expect(refused.body.detail).toContain('Mars/Base');
    expect((await site.scim('GET', filterQuery('userName eq "martian@okta.local"'))).body.totalResults).toBe(
      0,
    );

    const someone = await createUser(site, { userName: 'earthling@okta.local', timezone: 'UTC' });
    const patched = await site.scim(
      'PATCH',
      `/Users/${someone.id}`,
      patch({ op: 'replace', path: 'timezone', value: 'Mars/Base' }),
    );
    expect(patched.status, patched.raw).toBe(400);
    expect(patched.body.scimType).toBe('invalidValue');
    expect((await site.scim('GET', `/Users/${someone.id}`)).body.timezone).toBe('UTC');
  });

  it('accepts the strings "True" and "False" for active', async () => {
    const site = await harness.newSite();
    const created = await createUser(site, { userName: 'stringly@okta.local', active: 'False' });
    expect(created.active).toBe(false);
    const enabled = await site.scim(
      'PATCH',
      `/Users/${created.id}`,
      patch({ op: 'Replace', path: 'active', value: 'True' }),
    );
    expect(enabled.status, enabled.raw).toBe(200);
    expect(enabled.body.active).toBe(true);
    const disabled = await site.scim(
      'PATCH',
      `/Users/${created.id}`,
      patch({ op: 'replace', value: { active: 'False' } }),
    );
    expect(disabled.body.active).toBe(false);
    const put = await site.scim('PUT', `/Users/${created.id}`, {
      schemas: [USER_SCHEMA],
      userName: 'stringly@okta.local',
      active: 'True',
    });
    expect(put.body.active).toBe(true);
    const stored = await harness.roster.store.users.get(site.site.id, created.id);
    expect(stored?.active).toBe(true);
  });

  it('shows every write to the very next read', async () => {
    const site = await harness.newSite();
    for (let i = 0; i < 5; i++) {
      const user = await createUser(site, { userName: `fresh.${i}@okta.local`, title: 'v1' });
      expect(
        (await site.scim('GET', filterQuery(`userName eq "fresh.${i}@okta.local"`))).body.totalResults,
      ).toBe(1);
      const patched = await site.scim(
        'PATCH',
        `/Users/${user.id}`,
        patch({ op: 'replace', path: 'title', value: 'v2' }),
      );
      expect(patched.status).toBe(200);
      expect((await site.scim('GET', `/Users/${user.id}`)).body.title).toBe('v2');
      expect(
        (await site.scim('GET', filterQuery(`title eq "v2" and id eq "${user.id}"`))).body.totalResults,
      ).toBe(1);
      await site.scim('PUT', `/Users/${user.id}`, {
        schemas: [USER_SCHEMA],
        userName: `fresh.${i}@okta.local`,
        active: false,
      });
      expect((await site.scim('GET', `/Users/${user.id}`)).body.active).toBe(false);
      expect((await site.scim('DELETE', `/Users/${user.id}`)).status).toBe(204);
      expect((await site.scim('GET', `/Users/${user.id}`)).status).toBe(404);
    }
  });

  it("keeps one site's users invisible to another site's token", async () => {
    const mine = await harness.newSite();
    const theirs = await harness.newSite();
    const user = await createUser(mine, { userName: 'private@okta.local', externalId: 'private-ext' });

    expect((await theirs.scim('GET', `/Users/${user.id}`)).status).toBe(404);
    const list = await theirs.scim('GET', '/Users');
    expect(list.body.totalResults).toBe(0);
    expect(list.body.Resources).toEqual([]);
    for (const filter of [
      'userName eq "private@okta.local"',
      `id eq "${user.id}"`,
      'externalId eq "private-ext"',
    ]) {
      expect((await theirs.scim('GET', filterQuery(filter))).body.totalResults).toBe(0);
    }
    expect(
      (await theirs.scim('PATCH', `/Users/${user.id}`, patch({ op: 'replace', path: 'title', value: 'x' })))
        .status,
    ).toBe(404);
    expect(
      (await theirs.scim('PUT', `/Users/${user.id}`, { schemas: [USER_SCHEMA], userName: 'x@okta.local' }))
        .status,
    ).toBe(404);
    expect((await theirs.scim('DELETE', `/Users/${user.id}`)).status).toBe(404);

    // The same Logon is free in the other site: uniqueness is per site.
    const twin = await theirs.scim('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'PRIVATE@okta.local',
    });
    expect(twin.status, twin.raw).toBe(201);
    expect(twin.body.id).not.toBe(user.id);

    const untouched = await mine.scim('GET', `/Users/${user.id}`);
    expect(untouched.body).toMatchObject({ userName: 'private@okta.local', active: true });
    expect(untouched.body.title).toBeUndefined();
    expect((await mine.scim('GET', '/Users')).body.totalResults).toBe(1);
  });
});
