/**
 * Microsoft Entra ID conformance: replays, request by request, what Entra's provisioning service
 * and Microsoft's own SCIM test suites send (`../shared/idp/other-clients.md` §1.1–1.5, §0),
 * asserting status codes, bodies and what was stored (read back, never only the status). Each flow
 * runs on a site of its own, on SQLite and PostgreSQL. Groups come with the Groups resource.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisioningEvent } from '../../src/store/store.js';
import {
  Add,
  EMPLOYEE_NUMBER_PATH,
  ENTERPRISE_USER_SCHEMA,
  entraClearManagerPatch,
  entraCreateUserBody,
  entraDisablePatch,
  entraEnablePatch,
  entraExternalIdLookupPath,
  entraFlaggedUpdatePatch,
  entraHeaders,
  entraLegacyCreateUserBody,
  entraLegacyManagerPatch,
  type EntraProfile,
  entraProfile,
  entraSetManagerPatch,
  entraTestConnectionPath,
  entraUpdateUserPatch,
  entraUserNameLookupPath,
  entraWorkEmailLookupPath,
  type Json,
  MANAGER_PATH,
  MS_SUITE_FILTERS,
  MS_SUITE_HEADERS,
  MS_SUITE_JUNK_BODY,
  MS_SUITE_SHARED_EXTERNAL_ID,
  msReplaceManagerDotPatch,
  msSuiteGarbageUserBody,
  msSuitePostEnterpriseUserBody,
  msSuitePostUserBody,
  patchBody,
  Replace,
  USER_SCHEMA,
  usersFilterPath,
} from '../fixtures/entra.js';
import { ERROR_SCHEMA, LIST_RESPONSE_SCHEMA } from '../fixtures/okta.js';
import {
  DIALECTS,
  type ScimResponse,
  startTestRoster,
  type TestRoster,
  type TestSite,
} from '../helpers/roster.js';

describe.each(DIALECTS)('Entra ID conformance (%s)', (dialect) => {
  let harness: TestRoster;
  beforeAll(async () => {
    harness = await startTestRoster(dialect);
  });
  afterAll(async () => harness.close());

  // ------------------------------------------------------------------------------------------
  // What Entra's client sends
  // ------------------------------------------------------------------------------------------

  const entraGet = (site: TestSite, path: string) =>
    site.scim('GET', path, undefined, entraHeaders({ body: false }));

  const entraSend = (site: TestSite, method: 'POST' | 'PUT' | 'PATCH', path: string, body: unknown) =>
    site.scim(method, path, body, entraHeaders({ body: true }));

  /** Entra's assignment of a new user (§1.1): match on userName, find nothing, POST. */
  async function provision(site: TestSite, profile: EntraProfile = entraProfile()): Promise<Json> {
    expectNoMatch(await entraGet(site, entraUserNameLookupPath(profile.userName)));
    const created = await entraSend(site, 'POST', '/Users', entraCreateUserBody(profile));
    expect(created.status, created.raw).toBe(201);
    return created.body;
  }

  async function patch(site: TestSite, id: string, body: Json): Promise<Json> {
    const response = await entraSend(site, 'PATCH', `/Users/${id}`, body);
    expect(response.status, response.raw).toBe(200);
    expectUserResponse(response);
    return response.body;
  }

  /** GET by id: 200, the ETag header equal to `meta.version`, no nulls anywhere. */
  async function readUser(site: TestSite, id: string): Promise<Json> {
    const response = await entraGet(site, `/Users/${id}`);
    expect(response.status, response.raw).toBe(200);
    expectUserResponse(response);
    return response.body;
  }

  async function lookupOne(site: TestSite, path: string): Promise<Json> {
    const found = await entraGet(site, path);
    expectListResponse(found, { totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    return found.body.Resources[0] as Json;
  }

  async function events(site: TestSite): Promise<ProvisioningEvent[]> {
    return (await harness.roster.store.events.list(site.site.id, { limit: 200 })).reverse();
  }

  // ------------------------------------------------------------------------------------------
  // The provisioning service (§1.1–1.3)
  // ------------------------------------------------------------------------------------------

  it('Test Connection: a filter on a random GUID answers 200 with an empty ListResponse', async () => {
    const site = await harness.newSite();
    expectNoMatch(await entraGet(site, entraTestConnectionPath()));
    await provision(site);
    // A populated site answers the same: the GUID matches nobody.
    expectNoMatch(await entraGet(site, entraTestConnectionPath()));
    // "Fetch a random user" by id: a SCIM 404, never an HTML page or an empty 200.
    expectScimError(await entraGet(site, '/Users/5171a35d82074e068ce2'), 404);
    // A wrong Secret Token is a SCIM 401.
    expectScimError(
      await site.scim('GET', entraTestConnectionPath(), undefined, { authorization: 'Bearer wrong' }),
      401,
    );
  });

  it('matching then create: the tutorial body is stored, and every matching query finds it', async () => {
    const site = await harness.newSite();
    const profile = entraProfile();
    const created = await entraSend(site, 'POST', '/Users', entraCreateUserBody(profile));
    expect(created.status, created.raw).toBe(201);
    expectUserResponse(created);
    const user = created.body;
    expect(created.headers.location).toBe(user.meta.location);
    expect(user).toMatchObject({
      schemas: [USER_SCHEMA],
      userName: profile.userName,
      externalId: profile.externalId,
      active: true,
      name: {
        formatted: `${profile.givenName} ${profile.familyName}`,
        familyName: profile.familyName,
        givenName: profile.givenName,
      },
      emails: [{ primary: true, type: 'work', value: profile.email }],
    });
    // `roles: []` is no value; `meta` in the input is replaced by the server's.
    expect(user).not.toHaveProperty('roles');
    expect(user.meta).toEqual({
      resourceType: 'User',
      created: expect.any(String),
      lastModified: expect.any(String),
      location: expect.stringMatching(new RegExp(`/scim/v2/Users/${user.id}$`)),
      version: expect.any(String),
    });
    expect(await readUser(site, user.id)).toEqual(user);

    const stored = await harness.roster.store.users.get(site.site.id, user.id);
    expect(stored).toMatchObject({
      logon: profile.userName,
      firstName: profile.givenName,
      lastName: profile.familyName,
      email: profile.email,
      externalId: profile.externalId,
      privilege: 'User',
      source: 'scim',
      active: true,
    });

    // Every matching query Entra may build (§1.1, §0 rules 11 and 12) finds the same user.
    for (const path of [
      entraUserNameLookupPath(profile.userName),
      entraUserNameLookupPath(profile.userName.toUpperCase()),
      entraExternalIdLookupPath(profile.externalId),
      entraWorkEmailLookupPath(profile.email),
    ]) {
      expect((await lookupOne(site, path)).id, path).toBe(user.id);
    }
    // A work-email filter does not match another type of email with the same address.
    expectNoMatch(
      await entraGet(site, usersFilterPath(`emails[type eq "home"].value eq "${profile.email}"`)),
    );
    // A second create of the same userName, in any letter case, is 409 uniqueness.
    const again = await entraSend(
      site,
      'POST',
      '/Users',
      entraCreateUserBody({ ...profile, userName: profile.userName.toLowerCase() }),
    );
    expectScimError(again, 409, 'uniqueness');
  });

  it('the old doc sample: null attributes, top-level extras and the mistyped URN are tolerated', async () => {
    const site = await harness.newSite();
    const profile = {
      ...entraProfile({
        userName: 'jyoung@testuser.com',
        externalId: 'jyoung',
        givenName: 'Joy',
        familyName: 'Young',
        email: 'jyoung@Contoso.com',
      }),
      displayName: 'Joy Young',
    };
    const created = await entraSend(site, 'POST', '/Users', entraLegacyCreateUserBody(profile));
    expect(created.status, created.raw).toBe(201);
    expectUserResponse(created);
    const user = await readUser(site, created.body.id);
    expect(user).toEqual(created.body);
    expect(user).toMatchObject({
      schemas: [USER_SCHEMA],
      userName: 'jyoung@testuser.com',
      externalId: 'jyoung',
      displayName: 'Joy Young',
      // Values are stored exactly as sent (§1.3): the upper-case domain is kept.
      emails: [{ type: 'work', value: 'jyoung@Contoso.com', primary: true }],
      name: { familyName: 'Young', givenName: 'Joy' },
    });
    for (const key of ['addresses', 'phoneNumbers', 'preferredLanguage', 'title', 'department', 'manager']) {
      expect(user).not.toHaveProperty(key);
    }
    // The doc's own matching example, `externalId eq jyoung`, unquoted.
    expect((await lookupOne(site, entraExternalIdLookupPath('jyoung'))).id).toBe(user.id);
    // The log says what was ignored: the top-level `department` and `manager` no core schema defines.
    const create = (await events(site)).find((event) => event.operation === 'create');
    expect(create?.detail).toMatch(/department/);
    expect(create?.detail).toMatch(/manager/);
  });

  it('update (default job): capitalised Replace and Add, filtered paths, URN paths, rename', async () => {
    const site = await harness.newSite();
    const profile = entraProfile();
    const { id } = await provision(site, profile);

    // The tutorial's "Update User": 200 with the full user.
    const updated = await patch(
      site,
      id,
      entraUpdateUserPatch('updatedEmail@microsoft.com', 'updatedFamilyName'),
    );
    expect(updated).toMatchObject({
      id,
      userName: profile.userName,
      emails: [{ primary: true, type: 'work', value: 'updatedEmail@microsoft.com' }],
      name: { formatted: 'givenName familyName', givenName: 'givenName', familyName: 'updatedFamilyName' },
    });
    expect(await readUser(site, id)).toEqual(updated);

    // `Add` through an equality filter creates the element (SCIM-SDK#416), and several operations
    // through the same filter build one element (#680).
    await patch(
      site,
      id,
      patchBody(
        Add('emails[type eq "home"].value', 'home@example.com'),
        Add('addresses[type eq "work"].formatted', '1 Main St, Springfield'),
        Add('addresses[type eq "work"].locality', 'Springfield'),
        Add('addresses[type eq "work"].region', 'IL'),
      ),
    );
    let user = await readUser(site, id);
    expect(user.emails).toEqual([
      { primary: true, type: 'work', value: 'updatedEmail@microsoft.com' },
      { type: 'home', value: 'home@example.com' },
    ]);
    expect(user.addresses).toEqual([
      { type: 'work', formatted: '1 Main St, Springfield', locality: 'Springfield', region: 'IL' },
    ]);

    // A Replace of the work email leaves the other emails alone (#668).
    await patch(site, id, entraUpdateUserPatch('second@microsoft.com', 'updatedFamilyName'));
    user = await readUser(site, id);
    expect(user.emails).toEqual([
      { primary: true, type: 'work', value: 'second@microsoft.com' },
      { type: 'home', value: 'home@example.com' },
    ]);

    // One Replace per path, including the enterprise attribute by URN path; `Add` of a single value.
    const newExternalId = 'a1b2c3d4-0000-4000-8000-000000000001';
    await patch(
      site,
      id,
      patchBody(
        Replace(EMPLOYEE_NUMBER_PATH, 'E-1001'),
        Replace('externalId', newExternalId),
        Replace('name.givenName', 'Updated'),
        Add('nickName', 'Babs'),
      ),
    );
    user = await readUser(site, id);
    expect(user.schemas).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]);
    expect(user[ENTERPRISE_USER_SCHEMA]).toEqual({ employeeNumber: 'E-1001' });
    expect(user).toMatchObject({
      externalId: newExternalId,
      nickName: 'Babs',
      name: { givenName: 'Updated' },
    });
    expect((await lookupOne(site, entraExternalIdLookupPath(newExternalId))).id).toBe(id);

    // `Replace userName` renames: the old name no longer matches, the new one does.
    const renamed = `Renamed_${profile.userName}`;
    await patch(site, id, patchBody(Replace('userName', renamed)));
    expectNoMatch(await entraGet(site, entraUserNameLookupPath(profile.userName)));
    expect((await lookupOne(site, entraUserNameLookupPath(renamed))).id).toBe(id);

    const stored = await harness.roster.store.users.get(site.site.id, id);
    expect(stored).toMatchObject({
      logon: renamed,
      firstName: 'Updated',
      lastName: 'updatedFamilyName',
      email: 'second@microsoft.com',
      externalId: newExternalId,
    });
  });

  it('update (aadOptscim062020): a filtered path plus a path-less value with dotted and URN keys', async () => {
    const site = await harness.newSite();
    const { id } = await provision(site);
    const response = await patch(
      site,
      id,
      entraFlaggedUpdatePatch({
        email: 'flagged@contoso.com',
        displayName: 'Bjfe',
        givenName: 'Kkom',
        familyName: 'Unua',
        employeeNumber: 'Aklq',
      }),
    );
    const user = await readUser(site, id);
    expect(user).toEqual(response);
    expect(user).toMatchObject({
      displayName: 'Bjfe',
      name: { givenName: 'Kkom', familyName: 'Unua' },
      emails: [{ primary: true, type: 'work', value: 'flagged@contoso.com' }],
      [ENTERPRISE_USER_SCHEMA]: { employeeNumber: 'Aklq' },
    });
    // The dotted keys are paths, not attributes named "name.givenName".
    expect(user).not.toHaveProperty(['name.givenName']);
    const stored = await harness.roster.store.users.get(site.site.id, id);
    expect(stored).toMatchObject({ firstName: 'Kkom', lastName: 'Unua', email: 'flagged@contoso.com' });
  });

  it('the flag in the Tenant URL, if it reaches Roster, is an unknown query parameter and ignored', async () => {
    const site = await harness.newSite();
    const profile = entraProfile();
    const { id } = await provision(site, profile);
    const lookup = `/Users?aadOptscim062020&filter=${encodeURIComponent(`userName eq "${profile.userName}"`)}`;
    expect((await lookupOne(site, lookup)).id).toBe(id);
    const patched = await entraSend(
      site,
      'PATCH',
      `/Users/${id}?aadOptscim062020`,
      entraDisablePatch('aadOptscim062020'),
    );
    expect(patched.status, patched.raw).toBe(200);
    expect((await readUser(site, id)).active).toBe(false);
  });

  it('app roles: JSON-in-a-string values, the POST shape, and the "True" string inside a filter path', async () => {
    const site = await harness.newSite();
    const profile = entraProfile();
    const created = await entraSend(site, 'POST', '/Users', {
      ...entraCreateUserBody(profile),
      roles: [{ primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' }],
    });
    expect(created.status, created.raw).toBe(201);
    const id = created.body.id as string;
    expect((await readUser(site, id)).roles).toEqual([
      { primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' },
    ]);

    // AppRoleAssignmentsComplex: add-only, each value a JSON document in a string, kept as sent.
    const roleJson = JSON.stringify({
      id: '06b07648-ecfe-589f-9d2f-6325724a46ee',
      value: '25',
      displayName: 'Role1234',
    });
    await patch(site, id, patchBody(Add('roles', [{ value: roleJson }])));
    expect((await readUser(site, id)).roles).toEqual([
      { primary: true, type: 'WindowsAzureActiveDirectoryRole', value: 'Admin' },
      { value: roleJson },
    ]);

    // AssertiveAppRoleAssignmentsComplex: replace the whole list.
    await patch(
      site,
      id,
      patchBody({
        op: 'replace',
        path: 'roles',
        value: [
          { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Reader', value: 'Reader' },
        ],
      }),
    );
    expect((await readUser(site, id)).roles).toEqual([
      { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Reader', value: 'Reader' },
    ]);

    // SingleAppRoleAssignment: `roles[primary eq "True"].value`; no primary role yet, so one is made.
    await patch(site, id, patchBody(Replace('roles[primary eq "True"].value', 'Owner')));
    expect((await readUser(site, id)).roles).toEqual([
      { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Reader', value: 'Reader' },
      { primary: true, value: 'Owner' },
    ]);
    await patch(site, id, patchBody(Replace('roles[primary eq "True"].value', 'Editor')));
    expect((await readUser(site, id)).roles).toEqual([
      { primary: false, type: 'WindowsAzureActiveDirectoryRole', display: 'Reader', value: 'Reader' },
      { primary: true, value: 'Editor' },
    ]);
  });

  it('disable with the string "False", still found by id and filter; re-enable keeps everything', async () => {
    const site = await harness.newSite();
    const profile = entraProfile();
    const { id } = await provision(site, profile);
    await patch(site, id, patchBody(Replace('title', 'Engineer'), Add('nickName', 'Joe')));
    const before = await readUser(site, id);

    const disabled = await patch(site, id, entraDisablePatch('default'));
    expect(disabled.active).toBe(false);
    // Disable_User (§1.5): a GET and a filter on a disabled user still show it, with `active`.
    expect((await readUser(site, id)).active).toBe(false);
    const found = await lookupOne(site, entraUserNameLookupPath(profile.userName));
    expect(found).toMatchObject({ id, active: false });
    expect((await harness.roster.store.users.get(site.site.id, id))?.active).toBe(false);

    // The same disable again is a no-op: nothing written, the version holds.
    const again = await patch(site, id, entraDisablePatch('default'));
    expect(again.meta.version).toBe(disabled.meta.version);

    const enabled = await patch(site, id, entraEnablePatch());
    const { meta: _beforeMeta, ...restBefore } = before;
    const { meta: _afterMeta, ...restAfter } = await readUser(site, id);
    expect(enabled.active).toBe(true);
    expect(restAfter).toEqual(restBefore);

    // The flagged job sends a JSON boolean.
    expect((await patch(site, id, entraDisablePatch('aadOptscim062020'))).active).toBe(false);
    expect((await readUser(site, id)).active).toBe(false);

    const operations = (await events(site)).map((event) => event.operation);
    expect(operations.filter((operation) => operation === 'disable')).toHaveLength(2);
    expect(operations.filter((operation) => operation === 'enable')).toHaveLength(1);
  });

  it('manager (SCIM_Update_Manager): Add a bare id, Replace, the MS dot form, Replace with empty', async () => {
    const site = await harness.newSite();
    const { id } = await provision(site);
    const first = (await provision(site)).id as string;
    const second = (await provision(site)).id as string;
    const managerOf = async () => (await readUser(site, id))[ENTERPRISE_USER_SCHEMA]?.manager;

    // Entra's second pass: a bare id by URN path, stored and returned as {value}.
    const set = await patch(site, id, entraSetManagerPatch(first));
    expect(set.schemas).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]);
    expect(await managerOf()).toEqual({ value: first });
    // The same manager sent again on a later cycle writes nothing.
    expect((await patch(site, id, entraSetManagerPatch(first))).meta.version).toBe(set.meta.version);

    await patch(site, id, patchBody(Replace(MANAGER_PATH, second)));
    expect(await managerOf()).toEqual({ value: second });
    await patch(site, id, msReplaceManagerDotPatch(first));
    expect(await managerOf()).toEqual({ value: first });
    await patch(site, id, patchBody(Replace(MANAGER_PATH, { value: second })));
    expect(await managerOf()).toEqual({ value: second });

    // "Replace with empty", both ways; other enterprise attributes stay.
    await patch(site, id, patchBody(Replace(EMPLOYEE_NUMBER_PATH, '42')));
    await patch(site, id, entraClearManagerPatch(''));
    let user = await readUser(site, id);
    expect(user[ENTERPRISE_USER_SCHEMA]).toEqual({ employeeNumber: '42' });
    await patch(site, id, patchBody(Replace(EMPLOYEE_NUMBER_PATH, null)));
    for (const empty of [null, ''] as const) {
      await patch(site, id, entraSetManagerPatch(first));
      expect(await managerOf()).toEqual({ value: first });
      await patch(site, id, entraClearManagerPatch(empty));
      user = await readUser(site, id);
      expect(user).not.toHaveProperty(ENTERPRISE_USER_SCHEMA);
      expect(user.schemas).toEqual([USER_SCHEMA]);
    }
    // And the RFC's remove.
    await patch(site, id, entraSetManagerPatch(first));
    await patch(site, id, patchBody({ op: 'Remove', path: MANAGER_PATH }));
    expect(await managerOf()).toBeUndefined();

    // The customappsso-era sample: an unqualified `manager` (only the enterprise extension defines
    // it, so the name is unambiguous) with a one-element list for the single complex value.
    const legacy = await entraSend(site, 'PATCH', `/Users/${id}`, entraLegacyManagerPatch(first));
    expect(legacy.status, legacy.raw).toBe(200);
    expect(await managerOf()).toEqual({ value: first, $ref: `http://example.com/Users/${first}` });
  });

  it('SCIM_Null_Update: optional attributes PATCHed to "" and then to null read back empty', async () => {
    const site = await harness.newSite();
    const { id } = await provision(site);
    const optional: [string, string][] = [
      ['displayName', 'Display'],
      ['nickName', 'Nick'],
      ['title', 'Title'],
      ['userType', 'Employee'],
      ['preferredLanguage', 'en-US'],
      ['locale', 'en-US'],
      ['profileUrl', 'https://example.com/profile'],
      ['name.middleName', 'Middle'],
      [EMPLOYEE_NUMBER_PATH, '7'],
      [`${ENTERPRISE_USER_SCHEMA}:department`, 'Sales'],
      [`${ENTERPRISE_USER_SCHEMA}:costCenter`, 'CC-1'],
    ];
    for (const empty of ['', null]) {
      await patch(site, id, patchBody(...optional.map(([path, value]) => Replace(path, value))));
      const set = await readUser(site, id);
      expect(set).toMatchObject({ displayName: 'Display', name: { middleName: 'Middle' } });
      expect(set[ENTERPRISE_USER_SCHEMA]).toEqual({
        employeeNumber: '7',
        department: 'Sales',
        costCenter: 'CC-1',
      });

      const response = await patch(site, id, patchBody(...optional.map(([path]) => Replace(path, empty))));
      const user = await readUser(site, id);
      expect(user).toEqual(response);
      for (const key of [
        'displayName',
        'nickName',
        'title',
        'userType',
        'preferredLanguage',
        'locale',
        'profileUrl',
      ]) {
        expect(user, `${key} after ${JSON.stringify(empty)}`).not.toHaveProperty(key);
      }
      expect(user.name).toEqual({
        formatted: 'givenName familyName',
        familyName: 'familyName',
        givenName: 'givenName',
      });
      expect(user).not.toHaveProperty(ENTERPRISE_USER_SCHEMA);
      const stored = await harness.roster.store.users.get(site.site.id, id);
      expect(stored?.resource).not.toHaveProperty('displayName');
      expect(stored?.resource).not.toHaveProperty(ENTERPRISE_USER_SCHEMA);
    }
  });

  it('SCIM_User_Update: every eligible single-valued attribute PATCHed, then read back equal', async () => {
    const site = await harness.newSite();
    const { id } = await provision(site);
    const values: Record<string, string | boolean> = {
      displayName: 'Updated Display',
      nickName: 'Upd',
      title: 'Director',
      userType: 'Contractor',
      preferredLanguage: 'fr-FR',
      locale: 'fr-FR',
      timezone: 'Europe/Paris',
      profileUrl: 'https://example.com/u/1',
      externalId: 'ext-updated',
      'name.givenName': 'Given2',
      'name.familyName': 'Family2',
      'name.middleName': 'Middle2',
      'name.honorificPrefix': 'Dr.',
      'name.honorificSuffix': 'III',
      'name.formatted': 'Dr. Given2 Middle2 Family2 III',
      [`${ENTERPRISE_USER_SCHEMA}:employeeNumber`]: '1001',
      [`${ENTERPRISE_USER_SCHEMA}:costCenter`]: 'CC-9',
      [`${ENTERPRISE_USER_SCHEMA}:organization`]: 'Contoso',
      [`${ENTERPRISE_USER_SCHEMA}:division`]: 'R&D',
      [`${ENTERPRISE_USER_SCHEMA}:department`]: 'Research',
      active: false,
    };
    await patch(site, id, patchBody(...Object.entries(values).map(([path, value]) => Replace(path, value))));
    const user = await readUser(site, id);
    expect(user).toMatchObject({
      displayName: 'Updated Display',
      nickName: 'Upd',
      title: 'Director',
      userType: 'Contractor',
      preferredLanguage: 'fr-FR',
      locale: 'fr-FR',
      timezone: 'Europe/Paris',
      profileUrl: 'https://example.com/u/1',
      externalId: 'ext-updated',
      active: false,
      name: {
        givenName: 'Given2',
        familyName: 'Family2',
        middleName: 'Middle2',
        honorificPrefix: 'Dr.',
        honorificSuffix: 'III',
        formatted: 'Dr. Given2 Middle2 Family2 III',
      },
    });
    expect(user[ENTERPRISE_USER_SCHEMA]).toEqual({
      employeeNumber: '1001',
      costCenter: 'CC-9',
      organization: 'Contoso',
      division: 'R&D',
      department: 'Research',
    });
    const stored = await harness.roster.store.users.get(site.site.id, id);
    expect(stored).toMatchObject({
      timeZone: 'Europe/Paris',
      firstName: 'Given2',
      lastName: 'Family2',
      active: false,
    });
  });

  it('SCIM_User_Pagination: pages of 5 echo the requested startIndex and never overlap', async () => {
    const site = await harness.newSite();
    const ids = new Set<string>();
    for (let n = 0; n < 12; n++) ids.add((await provision(site)).id as string);
    const seen: string[] = [];
    for (const [page, size] of [
      [0, 5],
      [1, 5],
      [2, 2],
    ] as const) {
      const startIndex = page * 5 + 1;
      const response = await entraGet(site, `/Users?startIndex=${startIndex}&count=5`);
      expectListResponse(response, { totalResults: 12, startIndex, itemsPerPage: size });
      seen.push(...response.body.Resources.map((user: Json) => user.id as string));
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(new Set(seen)).toEqual(ids);
    const beyond = await entraGet(site, '/Users?startIndex=16&count=5');
    expectListResponse(beyond, { totalResults: 12, startIndex: 16, itemsPerPage: 0 });
  });

  it('hard delete: DELETE 204, then GET 404 and the matching filter finds nothing', async () => {
    const site = await harness.newSite();
    const profile = entraProfile();
    const { id } = await provision(site, profile);
    const deleted = await site.scim('DELETE', `/Users/${id}`);
    expect(deleted.status, deleted.raw).toBe(204);
    expect(deleted.raw).toBe('');

    expectScimError(await entraGet(site, `/Users/${id}`), 404);
    expectNoMatch(await entraGet(site, entraUserNameLookupPath(profile.userName)));
    expectNoMatch(await entraGet(site, entraExternalIdLookupPath(profile.externalId)));
    expectListResponse(await entraGet(site, '/Users?count=0'), {
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
    });
    expectScimError(await site.scim('DELETE', `/Users/${id}`), 404);
    expectScimError(await entraSend(site, 'PATCH', `/Users/${id}`, entraDisablePatch()), 404);

    // Roster keeps the record, disabled, with its history (DESIGN §5).
    const stored = await harness.roster.store.users.get(site.site.id, id);
    expect(stored).toMatchObject({ logon: profile.userName, active: false });
    expect(stored?.deletedAt).not.toBeNull();
    expect((await events(site)).map((event) => event.operation)).toContain('delete');
  });

  it('Restore_User: re-creating a deleted userName answers 201 with the same id', async () => {
    const site = await harness.newSite();
    const profile = entraProfile();
    const { id } = await provision(site, profile);
    expect((await site.scim('DELETE', `/Users/${id}`)).status).toBe(204);

    // Re-assignment: Entra matches (nothing), then creates.
    const again = { ...profile, givenName: 'Returning' };
    const restored = await provision(site, again);
    expect(restored.id).toBe(id);
    const user = await readUser(site, id);
    expect(user).toEqual(restored);
    expect(user).toMatchObject({
      userName: profile.userName,
      active: true,
      name: { givenName: 'Returning' },
    });
    expect((await lookupOne(site, entraUserNameLookupPath(profile.userName))).id).toBe(id);
    const log = await events(site);
    expect(log.filter((event) => event.resourceId === id).map((event) => event.operation)).toEqual([
      'create',
      'delete',
      'restore',
    ]);
  });

  // ------------------------------------------------------------------------------------------
  // The Microsoft "SCIM Tests" Postman collection (§0 rules 2, 10, 12, 13)
  // ------------------------------------------------------------------------------------------

  const msSend = (site: TestSite, method: 'POST' | 'PUT' | 'PATCH', path: string, body: unknown) =>
    site.scim(method, path, body, MS_SUITE_HEADERS);

  it('MS Postman collection, User tests: capitalised keys, filters, PATCH, PUT and DELETE', async () => {
    const site = await harness.newSite();
    const user1 = await msSend(site, 'POST', '/Users', msSuitePostUserBody('UserName123'));
    expect(user1.status, user1.raw).toBe(201);
    // `Primary` is matched case-insensitively and returned in the schema's case.
    expect(user1.body.emails).toEqual([
      { value: 'testing@bob.com', type: 'work', primary: true },
      { value: 'testinghome@bob.com', type: 'home', primary: false },
    ]);
    const user2 = await msSend(site, 'POST', '/Users', msSuitePostEnterpriseUserBody('UserName222'));
    expect(user2.status, user2.raw).toBe(201);
    const id1 = user1.body.id as string;
    const id2 = user2.body.id as string;
    expect((await readUser(site, id2))[ENTERPRISE_USER_SCHEMA]).toEqual({
      department: 'bob',
      manager: { value: 'SuzzyQ' },
    });
    expect((await readUser(site, id1)).id).toBe(id1);

    const attributes = await entraGet(site, '/Users?attributes=userName,emails');
    expectListResponse(attributes, { totalResults: 2, startIndex: 1, itemsPerPage: 2 });
    for (const resource of attributes.body.Resources) {
      expect(resource).toHaveProperty('userName');
      expect(resource).toHaveProperty('emails');
      expect(resource).not.toHaveProperty('displayName');
      expect(resource).not.toHaveProperty('name');
    }
    // "Get User Filters": a trailing slash before the query and `+` for spaces.
    const filtered = await entraGet(site, `/Users/?filter=${MS_SUITE_FILTERS.displayName}`);
    expectListResponse(filtered, { totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(filtered.body.Resources[0].id).toBe(id1);

    const renamed = await msSend(
      site,
      'PATCH',
      `/Users/${id1}`,
      patchBody({ op: 'replace', path: 'userName', value: 'ryan3' }),
    );
    expect(renamed.status, renamed.raw).toBe(200);
    expect((await readUser(site, id1)).userName).toBe('ryan3');

    // "User 2 replace test": PUT with `id` in the body and a new externalId.
    const put = await msSend(site, 'PUT', `/Users/${id2}`, {
      ...msSuitePostUserBody('UserNameReplace2'),
      id: id2,
      schemas: [ENTERPRISE_USER_SCHEMA, USER_SCHEMA],
      name: { formatted: 'NewName', familyName: 'Leenay', givenName: 'Ryan' },
      emails: [
        { Primary: true, type: 'work', value: 'testing@bobREPLACE.com' },
        { Primary: false, type: 'home', value: 'testinghome@bob.com' },
      ],
    });
    expect(put.status, put.raw).toBe(200);
    const replaced = await readUser(site, id2);
    expect(replaced).toMatchObject({ userName: 'UserNameReplace2', name: { formatted: 'NewName' } });
    // PUT replaces: the enterprise attributes the body no longer carries are gone.
    expect(replaced).not.toHaveProperty(ENTERPRISE_USER_SCHEMA);

    for (const id of [id1, id2]) expect((await site.scim('DELETE', `/Users/${id}`)).status).toBe(204);
  });

  it('MS Postman collection, users with garbage: strings for booleans, shared externalId, 204 PATCH', async () => {
    const site = await harness.newSite();
    // The collection asserts 204 on PATCH: the site opts into RFC 7644 §3.5.2's other answer.
    await harness.roster.services.sites.configure(site.site.slug, { patchNoContent: true });

    const omalley = await msSend(
      site,
      'POST',
      '/Users',
      msSuiteGarbageUserBody('OMalley', { familyName: 'OMalley' }),
    );
    expect(omalley.status, omalley.raw).toBe(201);
    expect(omalley.body).toMatchObject({ userName: 'OMalley', active: true });
    expectNoNulls(omalley.body);
    const id1 = omalley.body.id as string;

    // "Post emp1 with string True".
    const emp1 = await msSend(site, 'POST', '/Users', msSuiteGarbageUserBody('emp1', { active: 'True' }));
    expect(emp1.status, emp1.raw).toBe(201);
    expect(emp1.body.active).toBe(true);
    // The `primary: null` of the mobile number is no value, not a null in the output.
    expect(emp1.body.phoneNumbers[1]).toEqual({ type: 'mobile', value: '312-320-1707' });
    const all = await entraGet(site, '/Users');
    expectListResponse(all, { totalResults: 2, startIndex: 1, itemsPerPage: 2 });
    expect(all.raw).toContain('OMalley');

    const ids = [id1, emp1.body.id as string];
    for (const userName of ['emp2', 'emp3']) {
      const created = await msSend(site, 'POST', '/Users', msSuiteGarbageUserBody(userName));
      expect(created.status, created.raw).toBe(201);
      ids.push(created.body.id as string);
    }
    // externalId is not unique: four users share it.
    const shared = await entraGet(site, usersFilterPath(`externalId eq "${MS_SUITE_SHARED_EXTERNAL_ID}"`));
    expectListResponse(shared, { totalResults: 4, startIndex: 1, itemsPerPage: 4 });

    expectScimError(
      await msSend(site, 'POST', '/Users', msSuiteGarbageUserBody(undefined)),
      400,
      'invalidValue',
    );
    expectScimError(await msSend(site, 'POST', '/Users', MS_SUITE_JUNK_BODY), 400, 'invalidSyntax');
    for (let attempt = 0; attempt < 2; attempt++) {
      expectScimError(
        await msSend(site, 'POST', '/Users', msSuiteGarbageUserBody('emp3')),
        409,
        'uniqueness',
      );
    }

    // "Put a user no username" (`userame`): 400, nothing written.
    const versionBefore = (await readUser(site, id1)).meta.version;
    const noUserName = msSuiteGarbageUserBody(undefined, {
      familyName: 'OMalley',
      active: false,
      extra: { id: id1, userame: 'OMalley' },
    });
    expectScimError(await msSend(site, 'PUT', `/Users/${id1}`, noUserName), 400, 'invalidValue');
    expect((await readUser(site, id1)).meta.version).toBe(versionBefore);

    // "Put a user misspelled attribute" (`adreses`): accepted; the unknown key is ignored, and the
    // addresses the body no longer carries are gone.
    const { addresses, ...withoutAddresses } = msSuiteGarbageUserBody('OMalley', {
      familyName: 'OMalley',
      active: false,
      extra: { id: id1 },
    });
    const misspelled = await msSend(site, 'PUT', `/Users/${id1}`, {
      ...withoutAddresses,
      adreses: addresses,
    });
    expect(misspelled.status, misspelled.raw).toBe(200);
    expect(misspelled.raw).not.toContain('Addresses');
    expect(await readUser(site, id1)).not.toHaveProperty('addresses');

    const enterprise = await msSend(
      site,
      'POST',
      '/Users',
      msSuiteGarbageUserBody('enterprise', {
        extra: { Department: 'some department', schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA] },
      }),
    );
    expect(enterprise.status, enterprise.raw).toBe(201);
    ids.push(enterprise.body.id as string);

    // PATCH answers 204 with an ETag and no body; the change is stored.
    const rename = await msSend(
      site,
      'PATCH',
      `/Users/${id1}`,
      patchBody(Replace('userName', 'newusername')),
    );
    expect(rename.status, rename.raw).toBe(204);
    expect(rename.raw).toBe('');
    const deactivate = await msSend(site, 'PATCH', `/Users/${id1}`, patchBody(Replace('active', false)));
    expect(deactivate.status, deactivate.raw).toBe(204);
    const afterPatch = await readUser(site, id1);
    expect(afterPatch).toMatchObject({ userName: 'newusername', active: false });
    expect(deactivate.headers.etag).toBe(afterPatch.meta.version);

    const putBack = await msSend(
      site,
      'PUT',
      `/Users/${id1}`,
      msSuiteGarbageUserBody('OMalley', {
        familyName: 'OMalley',
        active: false,
        extra: {
          id: id1,
          addresses: [{ country: 'Germany', locality: 'East Mercedes', type: 'work', primary: false }],
          emails: [
            { type: 'work', primary: true, value: 'anna33@example.com' },
            { type: 'other', primary: false, value: 'anna33@gmail.com' },
          ],
        },
      }),
    );
    expect(putBack.status, putBack.raw).toBe(200);
    expect(putBack.body).toMatchObject({ userName: 'OMalley', active: false });
    expect(putBack.raw).toContain('Germany');

    const page = await entraGet(site, '/Users?startIndex=1&count=2');
    expectListResponse(page, { totalResults: 5, startIndex: 1, itemsPerPage: 2 });
    const projected = await entraGet(site, '/Users?attributes=userName,emails');
    expectListResponse(projected, { totalResults: 5, startIndex: 1, itemsPerPage: 5 });

    const count = async (filter: string) => {
      const response = await entraGet(site, usersFilterPath(filter));
      expect(response.status, response.raw).toBe(200);
      return response.body.totalResults as number;
    };
    expect(await count(MS_SUITE_FILTERS.familyNameAndEmails)).toBe(4);
    expect(await count(MS_SUITE_FILTERS.userNameStartsWith)).toBe(1);
    expect(await count(MS_SUITE_FILTERS.createdAfter)).toBe(5);
    expect(await count(MS_SUITE_FILTERS.createdAfterShort)).toBe(5);

    for (const id of ids) expect((await site.scim('DELETE', `/Users/${id}`)).status).toBe(204);
    const empty = await entraGet(site, '/Users?attributes=userName');
    expectListResponse(empty, { totalResults: 0, startIndex: 1, itemsPerPage: 0 });
  });
});

// --------------------------------------------------------------------------------------------
// Assertions
// --------------------------------------------------------------------------------------------

function expectListResponse(
  response: ScimResponse,
  expected: { totalResults: number; startIndex: number; itemsPerPage: number },
): void {
  expect(response.status, response.raw).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
  const body = response.body;
  expect(body.schemas).toEqual([LIST_RESPONSE_SCHEMA]);
  for (const key of ['totalResults', 'startIndex', 'itemsPerPage']) {
    expect(Number.isInteger(body[key]), `${key} must be a JSON integer: ${response.raw}`).toBe(true);
  }
  expect(body.totalResults).toBe(expected.totalResults);
  expect(body.startIndex).toBe(expected.startIndex);
  expect(body.itemsPerPage).toBe(expected.itemsPerPage);
  expect(body.Resources).toHaveLength(expected.itemsPerPage);
  expectNoNulls(body);
}

/** Entra's "not there" (§1.2): 200 and an empty ListResponse, never 404. */
function expectNoMatch(response: ScimResponse): void {
  expectListResponse(response, { totalResults: 0, startIndex: 1, itemsPerPage: 0 });
  expect(response.body.Resources).toEqual([]);
}

function expectScimError(response: ScimResponse, status: number, scimType?: string): void {
  expect(response.status, response.raw).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
  expect(response.body.schemas).toEqual([ERROR_SCHEMA]);
  expect(response.body.status).toBe(String(status));
  expect(typeof response.body.detail).toBe('string');
  if (scimType === undefined) expect(response.body).not.toHaveProperty('scimType');
  else expect(response.body.scimType).toBe(scimType);
}

/** A user body as Entra reads it: SCIM JSON, an `id`, the ETag header equal to meta.version, no nulls. */
function expectUserResponse(response: ScimResponse): void {
  expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
  expect(typeof response.body.id).toBe('string');
  expect(response.body.meta.resourceType).toBe('User');
  expect(response.headers.etag).toBe(response.body.meta.version);
  expectNoNulls(response.body);
}

/** Entra's validator rejects `null` values in responses (§1.3, §1.4). */
function expectNoNulls(value: unknown, where = '$'): void {
  expect(value, `${where} is null`).not.toBeNull();
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      expectNoNulls(item, `${where}[${i}]`);
    });
  } else if (typeof value === 'object')
    for (const [key, item] of Object.entries(value as Json)) expectNoNulls(item, `${where}.${key}`);
}
