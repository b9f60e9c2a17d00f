/**
 * SCIM clients other than Okta and Entra ID: the requests `../shared/idp/other-clients.md` §2 and §0
 * record for OneLogin, the Keycloak plugin, Ping (PingFederate, PingOne), JumpCloud, Rippling,
 * SailPoint and authentik, replayed over HTTP with what was stored read back. Both dialects; each
 * flow on a site of its own. Group flows come with the Groups resource.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisioningEvent } from '../../src/store/store.js';
import {
  ENTERPRISE_USER_SCHEMA,
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

/** OneLogin's SCIM 1.1-style URNs in a SCIM 2.0 body (§2.1). */
const ONELOGIN_SCHEMAS = ['urn:scim:schemas:core:2.0', 'urn:scim:schemas:extension:enterprise:2.0'];

function patchBody(...operations: Json[]): Json {
  return { schemas: [PATCH_OP_SCHEMA], Operations: operations };
}

describe.each(DIALECTS)('other SCIM clients (%s)', (dialect) => {
  let harness: TestRoster;
  beforeAll(async () => {
    harness = await startTestRoster(dialect);
  });
  afterAll(async () => harness.close());

  async function create(site: TestSite, body: Json): Promise<Json> {
    const created = await site.scim('POST', '/Users', body);
    expect(created.status, created.raw).toBe(201);
    return created.body;
  }

  async function readUser(site: TestSite, id: string): Promise<Json> {
    const response = await site.scim('GET', `/Users/${id}`);
    expect(response.status, response.raw).toBe(200);
    expect(response.headers.etag).toBe(response.body.meta.version);
    return response.body;
  }

  async function lookup(site: TestSite, path: string): Promise<Json[]> {
    const response = await site.scim('GET', path);
    expectListResponse(response);
    return response.body.Resources as Json[];
  }

  async function events(site: TestSite): Promise<ProvisioningEvent[]> {
    return (await harness.roster.store.events.list(site.site.id, { limit: 200 })).reverse();
  }

  // ------------------------------------------------------------------------------------------
  // OneLogin (§2.1): `+` for spaces, a trailing `&` or `?`, PUT with 1.1-style URNs
  // ------------------------------------------------------------------------------------------

  it('OneLogin: lookup with a trailing "&", create, PUT full replace at "/Users/{id}?" keeping spaces', async () => {
    const site = await harness.newSite();
    const lookupPath = '/Users?filter=userName+eq+%22onelogin-test-user01%22&';
    expect(await lookup(site, lookupPath)).toEqual([]);
    const created = await create(site, {
      schemas: ONELOGIN_SCHEMAS,
      userName: 'onelogin-test-user01',
      name: { familyName: 'User 01', givenName: 'Test' },
      emails: [{ value: 'onelogin-test-user01@example.com', type: 'work', primary: true }],
      title: 'Tester',
    });
    const id = created.id as string;
    expect(created.schemas).toEqual([USER_SCHEMA]);
    const found = await lookup(site, lookupPath);
    expect(found.map((user) => user.id)).toEqual([id]);

    // The captured PUT: trailing `?`, 1.1-style URNs, a leading space in familyName.
    const put = await site.scim('PUT', `/Users/${id}?`, {
      schemas: ONELOGIN_SCHEMAS,
      userName: 'onelogin-test-user01',
      name: { familyName: ' User 01', givenName: 'AAA Test' },
      emails: [{ value: 'onelogin-test-user01@example.com', type: 'work', primary: true }],
      active: true,
    });
    expect(put.status, put.raw).toBe(200);
    const user = await readUser(site, id);
    expect(user).toEqual(put.body);
    // Stored exactly as sent: the leading space stays.
    expect(user.name).toEqual({ familyName: ' User 01', givenName: 'AAA Test' });
    // PUT replaces: the title the body no longer carries is gone.
    expect(user).not.toHaveProperty('title');
    const stored = await harness.roster.store.users.get(site.site.id, id);
    expect(stored).toMatchObject({ firstName: 'AAA Test', lastName: ' User 01' });

    // Attributes under the 1.1-style enterprise key are no schema of ours: ignored and logged.
    const withExtension = await site.scim('PUT', `/Users/${id}?`, {
      ...put.body,
      schemas: ONELOGIN_SCHEMAS,
      'urn:scim:schemas:extension:enterprise:2.0': { department: 'Sales' },
      active: false,
    });
    expect(withExtension.status, withExtension.raw).toBe(200);
    const disabled = await readUser(site, id);
    expect(disabled.active).toBe(false);
    expect(disabled).not.toHaveProperty('urn:scim:schemas:extension:enterprise:2.0');
    expect(disabled).not.toHaveProperty(ENTERPRISE_USER_SCHEMA);
    const last = (await events(site)).at(-1);
    expect(last).toMatchObject({ operation: 'disable', outcome: 'success' });
    expect(last?.detail).toContain('urn:scim:schemas:extension:enterprise:2.0');
    // A disabled user is still found by OneLogin's lookup.
    expect((await lookup(site, lookupPath)).map((item) => item.active)).toEqual([false]);
  });

  it('OneLogin: GET with a trailing "?" or "&" after other parameters routes normally', async () => {
    const site = await harness.newSite();
    const { id } = await create(site, { schemas: ONELOGIN_SCHEMAS, userName: 'stray@example.com' });
    expect((await readUser(site, `${id}?`)).id).toBe(id);
    expect((await lookup(site, '/Users?startIndex=1&count=10&')).map((user) => user.id)).toEqual([id]);
    expect((await lookup(site, '/Users?')).map((user) => user.id)).toEqual([id]);
  });

  // ------------------------------------------------------------------------------------------
  // Keycloak plugin (§2.7): POST, PUT by default, PATCH with string booleans, re-POST on 404
  // ------------------------------------------------------------------------------------------

  /** `pelotech/keycloak-scim`'s UserAdapter: the Keycloak id in externalId, realm roles as {value}. */
  function keycloakUser(userName: string, keycloakId: string, enabled = true): Json {
    return {
      schemas: [USER_SCHEMA],
      externalId: keycloakId,
      userName,
      displayName: 'Kim Cloak',
      name: { givenName: 'Kim', familyName: 'Cloak' },
      emails: [{ value: `${userName}@example.com`, type: 'work', primary: true }],
      active: enabled,
      roles: [{ value: 'scim-operator' }],
    };
  }

  it('Keycloak plugin: create, PUT the full resource, PATCH active as "false"/"true" strings', async () => {
    const site = await harness.newSite();
    const keycloakId = randomUUID();
    const created = await create(site, keycloakUser('kim', keycloakId));
    const id = created.id as string;
    expect(created).toMatchObject({ externalId: keycloakId, roles: [{ value: 'scim-operator' }] });

    const put = await site.scim('PUT', `/Users/${id}`, {
      ...keycloakUser('kim', keycloakId),
      displayName: 'Kim C.',
      name: { givenName: 'Kim', familyName: 'C.' },
    });
    expect(put.status, put.raw).toBe(200);
    expect(await readUser(site, id)).toMatchObject({ displayName: 'Kim C.', name: { familyName: 'C.' } });

    // With `user-patchOp` on: `replace active` as a string, then userName and displayName.
    const disable = await site.scim(
      'PATCH',
      `/Users/${id}`,
      patchBody(
        { op: 'replace', path: 'active', value: 'false' },
        { op: 'replace', path: 'userName', value: 'kim.cloak' },
        { op: 'replace', path: 'displayName', value: 'Kim Cloak' },
      ),
    );
    expect(disable.status, disable.raw).toBe(200);
    expect(await readUser(site, id)).toMatchObject({
      active: false,
      userName: 'kim.cloak',
      displayName: 'Kim Cloak',
    });
    const enable = await site.scim(
      'PATCH',
      `/Users/${id}`,
      patchBody({ op: 'replace', path: 'active', value: 'true' }),
    );
    expect(enable.status, enable.raw).toBe(200);
    expect((await readUser(site, id)).active).toBe(true);
    expect(await harness.roster.store.users.get(site.site.id, id)).toMatchObject({
      logon: 'kim.cloak',
      active: true,
    });

    // A user deleted in Keycloak is deleted here.
    expect((await site.scim('DELETE', `/Users/${id}`)).status).toBe(204);
    expectScimError(await site.scim('GET', `/Users/${id}`), 404);
  });

  it('Keycloak plugin: 404 only for ids that do not exist, so its re-POST is right when it happens', async () => {
    const site = await harness.newSite();
    const keycloakId = randomUUID();
    const { id } = await create(site, keycloakUser('lee', keycloakId));

    // A PUT to an existing id is never 404 or 400 for things the plugin may send: an `id` that
    // differs, a readOnly `meta`, unknown attributes.
    const tolerant = await site.scim('PUT', `/Users/${id}`, {
      ...keycloakUser('lee', keycloakId),
      id: randomUUID(),
      meta: { resourceType: 'User', version: 'W/"999"' },
      keycloakAttribute: 'x',
    });
    expect(tolerant.status, tolerant.raw).toBe(200);
    expect(tolerant.body.id).toBe(id);

    // A truly unknown id: 404; the plugin then POSTs, which creates.
    const unknown = randomUUID();
    expectScimError(await site.scim('PUT', `/Users/${unknown}`, keycloakUser('max', randomUUID())), 404);
    const reposted = await create(site, keycloakUser('max', randomUUID()));
    expect(reposted.id).not.toBe(unknown);

    // A user removed by a SCIM DELETE is 404 to PUT too; the plugin's re-POST restores the record.
    expect((await site.scim('DELETE', `/Users/${id}`)).status).toBe(204);
    expectScimError(await site.scim('PUT', `/Users/${id}`, keycloakUser('lee', keycloakId)), 404);
    const restored = await create(site, keycloakUser('lee', keycloakId));
    expect(restored.id).toBe(id);
    expect((await readUser(site, id)).active).toBe(true);
  });

  it('Keycloak plugin, delete-mode "deactivate": GET then PUT active false; a re-created account gets 409', async () => {
    const site = await harness.newSite();
    const { id } = await create(site, keycloakUser('dee', randomUUID()));
    const fetched = await readUser(site, id);
    const put = await site.scim('PUT', `/Users/${id}`, { ...fetched, active: false });
    expect(put.status, put.raw).toBe(200);
    const disabled = await readUser(site, id);
    expect(disabled.active).toBe(false);
    const { meta: _before, active: _a, ...keptBefore } = fetched;
    const { meta: _after, active: _b, ...keptAfter } = disabled;
    expect(keptAfter).toEqual(keptBefore);

    // The Keycloak account deleted and created again: a new Keycloak id, the same username. The
    // disabled user still holds the Logon, so this is a conflict, not the old id (see keycloak.md).
    expectScimError(await site.scim('POST', '/Users', keycloakUser('dee', randomUUID())), 409, 'uniqueness');
    expect((await readUser(site, id)).active).toBe(false);
  });

  // ------------------------------------------------------------------------------------------
  // Ping (§2.3): admin-written filters with mixed-case operators; PingFederate PUTs users
  // ------------------------------------------------------------------------------------------

  it('PingOne / PingFederate: "username Eq" filters, mixed-case operators, PUT updates and deprovisioning', async () => {
    const site = await harness.newSite();
    const filter = (template: string, value: string) =>
      `/Users?filter=${encodeURIComponent(template.replace('%s', value))}`;
    expect(await lookup(site, filter('username Eq "%s"', 'ping.user@example.com'))).toEqual([]);
    const { id } = await create(site, {
      schemas: [USER_SCHEMA],
      userName: 'Ping.User@example.com',
      name: { givenName: 'Ping', familyName: 'User' },
      emails: [{ value: 'ping.user@example.com', type: 'work', primary: true }],
      title: 'Analyst',
    });
    for (const path of [
      filter('username Eq "%s"', 'ping.user@example.com'),
      filter('USERNAME EQ "%s"', 'PING.USER@EXAMPLE.COM'),
      filter('emails Co "%s"', 'ping.user@'),
      filter('userName Sw "%s" AND title Pr', 'ping'),
      filter('NOT (userName Eq "%s") Or emails.Value Ew "@example.com"', 'nobody'),
    ]) {
      expect(
        (await lookup(site, path)).map((user) => user.id),
        path,
      ).toEqual([id]);
    }
    // PingOne's doc example `email Co "%s"` names no SCIM attribute: a clear 400, not an empty list.
    const email = await site.scim('GET', filter('email Co "%s"', 'ping'));
    expectScimError(email, 400, 'invalidFilter');
    expect(email.body.detail).toContain("'email'");

    // PingFederate never PATCHes users: every update is a full PUT.
    const put = await site.scim('PUT', `/Users/${id}`, {
      schemas: [USER_SCHEMA],
      userName: 'Ping.User@example.com',
      name: { givenName: 'Ping', familyName: 'Renamed' },
      emails: [{ value: 'ping.user@example.com', type: 'work', primary: true }],
      active: true,
    });
    expect(put.status, put.raw).toBe(200);
    const user = await readUser(site, id);
    expect(user.name).toEqual({ givenName: 'Ping', familyName: 'Renamed' });
    expect(user).not.toHaveProperty('title');
    // Remove User Action "Disable": a PUT with active false.
    const disable = await site.scim('PUT', `/Users/${id}`, { ...put.body, active: false });
    expect(disable.status, disable.raw).toBe(200);
    expect((await readUser(site, id)).active).toBe(false);
    // Remove User Action "Delete".
    expect((await site.scim('DELETE', `/Users/${id}`)).status).toBe(204);
    expect(await lookup(site, filter('username Eq "%s"', 'ping.user@example.com'))).toEqual([]);

    // "Provision disabled users": created with active false, stored disabled.
    const { id: disabledId } = await create(site, {
      schemas: [USER_SCHEMA],
      userName: 'off@example.com',
      active: false,
    });
    expect((await readUser(site, disabledId)).active).toBe(false);
    expect((await harness.roster.store.users.get(site.site.id, disabledId))?.active).toBe(false);
  });

  // ------------------------------------------------------------------------------------------
  // JumpCloud (§2.2): Test Connection creates a real test user and then DELETEs it
  // ------------------------------------------------------------------------------------------

  it('JumpCloud: Test Connection creates a test user and deletes it; the site is left as it was', async () => {
    const site = await harness.newSite();
    const testEmail = 'jc-test@verified.example.com';
    const byUserName = `/Users?filter=${encodeURIComponent(`userName eq "${testEmail}"`)}`;
    expect(await lookup(site, byUserName)).toEqual([]);
    const created = await create(site, {
      schemas: [USER_SCHEMA],
      userName: testEmail,
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ value: testEmail, type: 'work', primary: true }],
      active: true,
    });
    const deleted = await site.scim('DELETE', `/Users/${created.id}`);
    expect(deleted.status, deleted.raw).toBe(204);
    expectScimError(await site.scim('GET', `/Users/${created.id}`), 404);
    expect(await lookup(site, byUserName)).toEqual([]);
    const count = await site.scim('GET', '/Users?count=0');
    expectListResponse(count);
    expect(count.body.totalResults).toBe(0);
    expect((await events(site)).map((event) => [event.operation, event.httpStatus])).toEqual([
      ['create', 201],
      ['delete', 204],
    ]);

    // Running Test Connection again works the same (the record comes back, then goes again).
    const again = await create(site, { schemas: [USER_SCHEMA], userName: testEmail });
    expect(again.id).toBe(created.id);
    expect((await site.scim('DELETE', `/Users/${again.id}`)).status).toBe(204);

    // A test email that is already someone's Logon: 409, and that user is left as it was.
    const person = await create(site, {
      schemas: [USER_SCHEMA],
      userName: 'real.person@example.com',
      title: 'Real',
    });
    expectScimError(
      await site.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'Real.Person@example.com' }),
      409,
      'uniqueness',
    );
    expect(await readUser(site, person.id as string)).toEqual(person);

    // Deactivation (verb not documented): both PATCH and PUT with active false work.
    const { id } = await create(site, { schemas: [USER_SCHEMA], userName: 'jc.user@example.com' });
    const patched = await site.scim(
      'PATCH',
      `/Users/${id}`,
      patchBody({ op: 'replace', path: 'active', value: false }),
    );
    expect(patched.status, patched.raw).toBe(200);
    expect((await readUser(site, id)).active).toBe(false);
    const reactivated = await site.scim('PUT', `/Users/${id}`, {
      userName: 'jc.user@example.com',
      active: true,
    });
    expect(reactivated.status, reactivated.raw).toBe(200);
    expect((await readUser(site, id)).active).toBe(true);
  });

  // ------------------------------------------------------------------------------------------
  // Rippling (§2.5): /ServiceProviderConfig as Test Connection; retries resolved by lookup
  // ------------------------------------------------------------------------------------------

  it('Rippling: /ServiceProviderConfig as Test Connection; a re-POST is 409 and the lookup finds the user', async () => {
    const site = await harness.newSite();
    const config = await site.scim('GET', '/ServiceProviderConfig');
    expect(config.status, config.raw).toBe(200);
    expect(config.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(config.body).toMatchObject({
      patch: { supported: true },
      filter: { supported: true },
      etag: { supported: true },
      sort: { supported: true },
      bulk: { supported: true },
    });
    expect(config.body.filter.maxResults).toBeGreaterThan(0);
    expectScimError(
      await site.scim('GET', '/ServiceProviderConfig', undefined, { authorization: 'Bearer nope' }),
      401,
    );

    const body = {
      schemas: [USER_SCHEMA],
      externalId: 'rippling-emp-0042',
      userName: 'new.hire@example.com',
      name: { givenName: 'New', familyName: 'Hire' },
      emails: [{ value: 'new.hire@example.com', type: 'work', primary: true }],
      active: true,
    };
    const { id } = await create(site, body);
    for (const retry of [body, { ...body, userName: 'New.Hire@Example.com' }]) {
      expectScimError(await site.scim('POST', '/Users', retry), 409, 'uniqueness');
    }
    const found = await lookup(
      site,
      `/Users?filter=${encodeURIComponent('userName eq "new.hire@example.com"')}`,
    );
    expect(found.map((user) => user.id)).toEqual([id]);
    // One user, however many retries.
    const all = await site.scim('GET', '/Users?count=0');
    expect(all.body.totalResults).toBe(1);

    // The termination date arrives as a deactivation.
    const terminated = await site.scim(
      'PATCH',
      `/Users/${id}`,
      patchBody({ op: 'replace', path: 'active', value: false }),
    );
    expect(terminated.status, terminated.raw).toBe(200);
    expect((await harness.roster.store.users.get(site.site.id, id))?.active).toBe(false);
  });

  // ------------------------------------------------------------------------------------------
  // SailPoint and authentik (§2.8)
  // ------------------------------------------------------------------------------------------

  it('SailPoint / authentik: an id in a PATCH value or a PUT body is ignored; replace of a complex value merges', async () => {
    const site = await harness.newSite();
    const { id } = await create(site, {
      schemas: [USER_SCHEMA],
      userName: 'sail@example.com',
      name: { givenName: 'Sail', familyName: 'Point' },
    });
    const other = randomUUID();
    const patched = await site.scim(
      'PATCH',
      `/Users/${id}`,
      patchBody({
        op: 'replace',
        value: { id: other, meta: { version: 'W/"1"' }, schemas: [USER_SCHEMA], displayName: 'Sail Point' },
      }),
    );
    expect(patched.status, patched.raw).toBe(200);
    const user = await readUser(site, id);
    expect(user).toMatchObject({ id, displayName: 'Sail Point' });
    expectScimError(await site.scim('GET', `/Users/${other}`), 404);

    const put = await site.scim('PUT', `/Users/${id}`, { ...user, id: other });
    expect(put.status, put.raw).toBe(200);
    expect(put.body.id).toBe(id);

    // SailPoint's `replace` of a single complex attribute meaning "add": the other sub-attributes stay.
    const merged = await site.scim(
      'PATCH',
      `/Users/${id}`,
      patchBody({ op: 'replace', path: 'name', value: { givenName: 'Sailor' } }),
    );
    expect(merged.status, merged.raw).toBe(200);
    expect((await readUser(site, id)).name).toEqual({ givenName: 'Sailor', familyName: 'Point' });

    // Naming `id` as the PATCH target is refused: it is read-only.
    const targeted = await site.scim(
      'PATCH',
      `/Users/${id}`,
      patchBody({ op: 'replace', path: 'id', value: other }),
    );
    expectScimError(targeted, 400, 'mutability');
    expect((await readUser(site, id)).id).toBe(id);
  });
});

// --------------------------------------------------------------------------------------------
// Assertions
// --------------------------------------------------------------------------------------------

function expectListResponse(response: ScimResponse): void {
  expect(response.status, response.raw).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
  expect(response.body.schemas).toEqual([LIST_RESPONSE_SCHEMA]);
  expect(Number.isInteger(response.body.totalResults)).toBe(true);
  expect(Array.isArray(response.body.Resources)).toBe(true);
  expect(response.body.itemsPerPage).toBe(response.body.Resources.length);
}

function expectScimError(response: ScimResponse, status: number, scimType?: string): void {
  expect(response.status, response.raw).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
  expect(response.body.schemas).toEqual([ERROR_SCHEMA]);
  expect(response.body.status).toBe(String(status));
  if (scimType === undefined) expect(response.body).not.toHaveProperty('scimType');
  else expect(response.body.scimType).toBe(scimType);
}
