/**
 * Okta conformance: replays, request by request, what Okta's SCIM client and Okta's own test
 * suites send (`../shared/idp/okta.md` §3, §6.2, §6.4, §7), asserting status codes, bodies and
 * what was stored. Each flow runs on a site of its own.
 */
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/directory/context.js';
import type { ProvisioningEvent } from '../../src/model/event.js';
import {
  ENTERPRISE_USER_SCHEMA,
  ERROR_SCHEMA,
  type Json,
  LIST_RESPONSE_SCHEMA,
  OKTA_CONNECTION_TEST_PATH,
  OKTA_UNKNOWN_USER_IDS,
  oktaCreateUserBody,
  oktaHeaders,
  oktaImportPagePath,
  type OktaProfile,
  type OktaProfileChanges,
  oktaProfile,
  oktaProfilePushBody,
  oktaSetActivePatch,
  oktaUserLookupPath,
  pathSetActivePatch,
  runscopeFilterPath,
  runscopeGetHeaders,
  runscopePostHeaders,
  SCIM_JSON_UTF8,
  specCreateUserBody,
  specVariables,
  USER_SCHEMA,
} from '../fixtures/okta.js';
import {
  DIALECTS,
  type ScimResponse,
  startTestRoster,
  type TestRoster,
  type TestSite,
} from '../helpers/roster.js';

describe.each(DIALECTS)('Okta conformance (%s)', (dialect) => {
  let harness: TestRoster;
  beforeAll(async () => {
    harness = await startTestRoster(dialect);
  });
  afterAll(async () => harness.close());

  // ------------------------------------------------------------------------------------------
  // What Okta's client sends (okta.md §7 common headers)
  // ------------------------------------------------------------------------------------------

  const oktaGet = (site: TestSite, path: string, headers: Record<string, string> = {}) =>
    site.scim('GET', path, undefined, { ...oktaHeaders({ body: false }), ...headers });

  const oktaSend = (
    site: TestSite,
    method: 'POST' | 'PUT' | 'PATCH',
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ) => site.scim(method, path, body, { ...oktaHeaders({ body: true }), ...headers });

  /** Okta's assignment of a new user (§3.2): lookup → nothing found → POST. */
  async function assignNewUser(site: TestSite, profile: OktaProfile): Promise<Json> {
    expectNoMatch(await oktaGet(site, oktaUserLookupPath(profile.userName)));
    const created = await oktaSend(site, 'POST', '/Users', oktaCreateUserBody(profile));
    expect(created.status, created.raw).toBe(201);
    return created.body;
  }

  /** Okta's AIW profile push (§3.4): GET, merge Okta's values into it, PUT it back. */
  async function pushProfile(site: TestSite, id: string, changes: OktaProfileChanges): Promise<ScimResponse> {
    const current = await oktaGet(site, `/Users/${id}`);
    expect(current.status, current.raw).toBe(200);
    return oktaSend(site, 'PUT', `/Users/${id}`, oktaProfilePushBody(current.body, changes));
  }

  async function lookupOne(site: TestSite, userName: string, spaces: 'percent' | 'plus' = 'percent') {
    const found = await oktaGet(site, oktaUserLookupPath(userName, spaces));
    expectListResponse(found, { totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    return found.body.Resources[0] as Json;
  }

  async function userCount(site: TestSite): Promise<number> {
    const page = await oktaGet(site, '/Users?count=0');
    expectListResponse(page, { startIndex: 1, itemsPerPage: 0 });
    return page.body.totalResults as number;
  }

  async function readUser(site: TestSite, id: string): Promise<Json> {
    const got = await oktaGet(site, `/Users/${id}`);
    expect(got.status, got.raw).toBe(200);
    return got.body;
  }

  /** A request that bypasses the harness's default `Authorization` header. */
  async function injectRaw(options: InjectOptions): Promise<ScimResponse> {
    const response = await harness.roster.app.inject(options);
    return {
      status: response.statusCode,
      headers: response.headers,
      body: response.body === '' ? undefined : JSON.parse(response.body),
      raw: response.body,
    };
  }

  /** A user that exists in the site before Okta is connected (made in the console, not by SCIM). */
  async function existingConsoleUser(site: TestSite, profile: OktaProfile): Promise<string> {
    const actor: Actor = { siteId: site.site.id, kind: 'console', tokenId: null, requestId: null };
    const created = await harness.roster.services.resources.create(
      { site: site.site, actor },
      'User',
      {
        schemas: [USER_SCHEMA],
        userName: profile.userName,
        name: { givenName: profile.givenName, familyName: profile.familyName },
        emails: [{ primary: true, value: profile.email, type: 'work' }],
        timezone: profile.timezone,
      },
      { scimBase: '' },
    );
    return created.id;
  }

  // ------------------------------------------------------------------------------------------
  // Flows (okta.md §7)
  // ------------------------------------------------------------------------------------------

  it('flow 1: Test API Credentials accepts the token in every form Okta sends and refuses others', async () => {
    const site = await harness.newSite();
    const empty = await oktaGet(site, OKTA_CONNECTION_TEST_PATH);
    expectListResponse(empty, { totalResults: 0, startIndex: 1, itemsPerPage: 0 });

    for (const n of [1, 2, 3]) await assignNewUser(site, oktaProfile(`conn.user${n}@okta.local`, n));
    const page = await oktaGet(site, OKTA_CONNECTION_TEST_PATH);
    expectListResponse(page, { totalResults: 3, startIndex: 1, itemsPerPage: 2 });
    for (const user of page.body.Resources) expectCompleteUser(user);

    const wrong: Record<string, string>[] = [
      { authorization: 'non-token' },
      { authorization: `Bearer rst_${'A'.repeat(43)}` },
      { authorization: `Bearer ${site.token}x` },
      { authorization: 'Bearer ' },
      { authorization: `Basic ${Buffer.from(`okta:${site.token}`).toString('base64')}` },
    ];
    for (const headers of wrong) expectUnauthorized(await oktaGet(site, OKTA_CONNECTION_TEST_PATH, headers));
    expectUnauthorized(
      await injectRaw({
        method: 'GET',
        url: `/scim/v2${OKTA_CONNECTION_TEST_PATH}`,
        headers: oktaHeaders({ body: false }),
      }),
    );

    // AIW header auth sends `Bearer <token>`; some set-ups send the bare token or a lower-case scheme.
    for (const authorization of [site.token, `bearer ${site.token}`, `BEARER ${site.token}`]) {
      const accepted = await oktaGet(site, OKTA_CONNECTION_TEST_PATH, { authorization });
      expectListResponse(accepted, { totalResults: 3, startIndex: 1, itemsPerPage: 2 });
    }

    // C9340/C9341: a revoked token fails on its next request; a replacement token works at once.
    await harness.roster.services.tokens.revoke(site.site, site.tokenId);
    expectUnauthorized(await oktaGet(site, OKTA_CONNECTION_TEST_PATH));
    const replacement = await harness.roster.services.tokens.issue(site.site, { createdBy: 'test' });
    const again = await oktaGet(site, OKTA_CONNECTION_TEST_PATH, {
      authorization: `Bearer ${replacement.token}`,
    });
    expectListResponse(again, { totalResults: 3, startIndex: 1, itemsPerPage: 2 });
  });

  it('flow 2: assigning a new user looks it up, creates it and returns it complete', async () => {
    const site = await harness.newSite();
    const profile = oktaProfile('Test.User@Okta.Local', 1, { timezone: 'America/New_York' });

    for (const spaces of ['percent', 'plus'] as const) {
      expectNoMatch(await oktaGet(site, oktaUserLookupPath(profile.userName, spaces)));
    }
    const created = await oktaSend(site, 'POST', '/Users', oktaCreateUserBody(profile));
    expect(created.status, created.raw).toBe(201);
    expect(created.headers['content-type']).toMatch(/^application\/scim\+json/);
    const user = created.body;
    expectOktaUser(user, profile);
    expect(created.headers.location).toBe(user.meta.location);
    expect(user.meta.location).toMatch(new RegExp(`/scim/v2/Users/${user.id}$`));
    expect(user).toMatchObject({
      displayName: `${profile.givenName} ${profile.familyName}`,
      locale: profile.locale,
      timezone: 'America/New_York',
      externalId: profile.externalId,
      emails: [{ primary: true, value: profile.email, type: 'work' }],
    });
    expectNoPassword(created, profile.password);

    const got = await oktaGet(site, `/Users/${user.id}`);
    expect(got.status, got.raw).toBe(200);
    expect(got.body).toEqual(user);
    expectNoPassword(got, profile.password);

    for (const spaces of ['percent', 'plus'] as const) {
      const found = await lookupOne(site, profile.userName, spaces);
      expect(found).toEqual(user);
    }
  });

  it('flow 3: an existing user (any letter case, even disabled) is linked and updated, never duplicated', async () => {
    const site = await harness.newSite();
    const existingId = await existingConsoleUser(site, oktaProfile('Jonah.Link@Example.com', 1));
    const disabledId = await existingConsoleUser(site, oktaProfile('Dana.Off@Example.com', 2));
    const off = await oktaSend(site, 'PATCH', `/Users/${disabledId}`, pathSetActivePatch(false));
    expect(off.status, off.raw).toBe(200);
    expect(await userCount(site)).toBe(2);

    // Okta's app username may differ in letter case from the Logon; the lookup still finds it.
    for (const [userName, spaces] of [
      ['jonah.link@example.com', 'percent'],
      ['JONAH.LINK@EXAMPLE.COM', 'plus'],
    ] as const) {
      expect((await lookupOne(site, userName, spaces)).id).toBe(existingId);
    }
    const foundDisabled = await lookupOne(site, 'dana.off@example.com');
    expect(foundDisabled).toMatchObject({ id: disabledId, active: false });

    // AIW push onto the linked user: our GET body back with Okta's values, `meta`, `id`, a
    // password, `groups`, the enterprise extension and attributes we never defined.
    const push = await pushProfile(site, existingId, {
      givenName: 'Jonah',
      familyName: 'Linked',
      email: 'jonah.linked@example.com',
      timezone: 'Australia/Sydney',
      externalId: '00u1dhhb1fkIGP7RL1d8',
      password: 'TkdFNVdIVkxhM2c9',
      enterprise: { department: 'Sales', employeeNumber: '4711' },
      extra: {
        favoriteColor: 'teal',
        'urn:okta:nintex_promapp:1.0:user:custom': { costCode: 'X1' },
      },
    });
    expect(push.status, push.raw).toBe(200);
    expect(push.body).toMatchObject({
      id: existingId,
      userName: 'Jonah.Link@Example.com',
      name: { givenName: 'Jonah', familyName: 'Linked' },
      emails: [{ primary: true, value: 'jonah.linked@example.com', type: 'work' }],
      timezone: 'Australia/Sydney',
      externalId: '00u1dhhb1fkIGP7RL1d8',
      active: true,
      [ENTERPRISE_USER_SCHEMA]: { department: 'Sales', employeeNumber: '4711' },
    });
    expect(push.body.schemas).toEqual([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]);
    expect(push.body).not.toHaveProperty('favoriteColor');
    expect(push.body).not.toHaveProperty(['urn:okta:nintex_promapp:1.0:user:custom']);
    expectNoPassword(push, 'TkdFNVdIVkxhM2c9');
    expect(await readUser(site, existingId)).toEqual(push.body);

    // Linking a disabled user: the pushed body carries active:true and re-enables the same record.
    const relinked = await pushProfile(site, disabledId, { givenName: 'Dana' });
    expect(relinked.status, relinked.raw).toBe(200);
    expect(relinked.body).toMatchObject({ id: disabledId, active: true, name: { givenName: 'Dana' } });

    expect(await userCount(site)).toBe(2);
  });

  it('flow 4: creating an existing userName again, in any letter case, is a 409 uniqueness error', async () => {
    const site = await harness.newSite();
    const profile = oktaProfile('Dup.User@Okta.Local', 1);
    const user = await assignNewUser(site, profile);

    for (const userName of [
      profile.userName,
      profile.userName.toUpperCase(),
      profile.userName.toLowerCase(),
    ]) {
      const again = await oktaSend(
        site,
        'POST',
        '/Users',
        oktaCreateUserBody({ ...profile, userName, externalId: '00uOTHER0000000000' }),
      );
      expectScimError(again, 409, 'uniqueness');
      expect(again.body.detail).toContain(userName);
    }
    expect(await userCount(site)).toBe(1);
    expect(await readUser(site, user.id)).toEqual(user);
  });

  it('flow 5: profile pushes are stored, empty values do not fail, bad time zones are named, active is authoritative', async () => {
    const site = await harness.newSite();
    const profile = oktaProfile('Push.User@Okta.Local', 1);
    const user = await assignNewUser(site, profile);

    const changed = await pushProfile(site, user.id, {
      givenName: 'Another',
      middleName: 'Excited',
      timezone: 'America/Los_Angeles',
      email: 'another.user@okta.local',
    });
    expect(changed.status, changed.raw).toBe(200);
    const expected = {
      id: user.id,
      userName: profile.userName,
      name: { givenName: 'Another', middleName: 'Excited', familyName: profile.familyName },
      timezone: 'America/Los_Angeles',
      emails: [{ primary: true, value: 'another.user@okta.local', type: 'work' }],
      active: true,
    };
    expect(changed.body).toMatchObject(expected);
    expect(changed.body.meta.version).not.toBe(user.meta.version);
    expect(await readUser(site, user.id)).toEqual(changed.body);

    // C9337 "push empty values → no errors": "" is an unassigned value (RFC 7643 §2.5), so it clears.
    const empties = await pushProfile(site, user.id, {
      middleName: '',
      timezone: '',
      displayName: '',
      title: '',
      locale: '',
    });
    expect(empties.status, empties.raw).toBe(200);
    const afterEmpties = await readUser(site, user.id);
    expect(afterEmpties).toMatchObject({
      userName: profile.userName,
      name: { givenName: 'Another', familyName: profile.familyName },
      emails: [{ primary: true, value: 'another.user@okta.local', type: 'work' }],
      active: true,
    });
    for (const cleared of ['timezone', 'displayName', 'title', 'locale']) {
      expect(afterEmpties).not.toHaveProperty(cleared);
    }
    expect(afterEmpties.name).not.toHaveProperty('middleName');

    const mars = await pushProfile(site, user.id, { timezone: 'Mars/Base' });
    expectScimError(mars, 400, 'invalidValue');
    expect(mars.body.detail).toContain('Mars/Base');
    expect(await readUser(site, user.id)).toEqual(afterEmpties);

    // AIW apps deactivate with a PUT: `active` in a PUT is the new status.
    const disabled = await pushProfile(site, user.id, { active: false });
    expect(disabled.status, disabled.raw).toBe(200);
    expect(disabled.body).toMatchObject({ id: user.id, active: false });
    expect((await readUser(site, user.id)).active).toBe(false);
  });

  it('flow 6: deactivation disables and keeps the user visible to GET and to the lookup', async () => {
    const site = await harness.newSite();
    const variants: [string, (id: string) => Promise<ScimResponse>][] = [
      ['OIN path-less PATCH', (id) => oktaSend(site, 'PATCH', `/Users/${id}`, oktaSetActivePatch(false))],
      ['PATCH with path', (id) => oktaSend(site, 'PATCH', `/Users/${id}`, pathSetActivePatch(false))],
      ['AIW GET + PUT', (id) => pushProfile(site, id, { active: false })],
    ];
    for (const [index, [label, deactivate]] of variants.entries()) {
      const profile = oktaProfile(`Deactivate.${index}@Okta.Local`, index);
      const user = await assignNewUser(site, profile);
      const response = await deactivate(user.id);
      expect(response.status, `${label}: ${response.raw}`).toBe(200);
      const { meta: _meta, ...unchanged } = user;
      expect(response.body, label).toMatchObject({ ...unchanged, active: false });

      expect(await readUser(site, user.id), label).toEqual(response.body);
      expect(await lookupOne(site, profile.userName), label).toEqual(response.body);
    }
    expect(await userCount(site)).toBe(variants.length);
  });

  it('flow 7: reactivation finds the inactive user and enables the same record', async () => {
    const site = await harness.newSite();
    const variants: [string, (id: string, active: boolean) => Promise<ScimResponse>][] = [
      ['OIN PATCH', (id, active) => oktaSend(site, 'PATCH', `/Users/${id}`, oktaSetActivePatch(active))],
      ['AIW GET + PUT', (id, active) => pushProfile(site, id, { active })],
    ];
    for (const [index, [label, setActive]] of variants.entries()) {
      const profile = oktaProfile(`Reactivate.${index}@Okta.Local`, index);
      const user = await assignNewUser(site, profile);
      expect((await setActive(user.id, false)).status, label).toBe(200);

      // Re-assignment: Okta looks the user up again and must find the disabled one, not POST.
      const found = await lookupOne(site, profile.userName.toLowerCase());
      expect(found, label).toMatchObject({ id: user.id, active: false });
      const enabled = await setActive(found.id, true);
      expect(enabled.status, `${label}: ${enabled.raw}`).toBe(200);
      // C9293: the same id and attributes as before deactivation.
      const { meta: _meta, ...attributes } = user;
      expect(enabled.body, label).toMatchObject({ ...attributes, active: true });
      expect(await readUser(site, user.id), label).toEqual(enabled.body);
    }
    expect(await userCount(site)).toBe(variants.length);
  });

  it('flow 8: import pages through every user exactly once with consistent counts', async () => {
    const site = await harness.newSite();
    const total = 250;
    const seeded = new Map<string, boolean>();
    for (let n = 0; n < total; n++) {
      const active = n % 7 !== 3;
      const profile = oktaProfile(`import.${String(n).padStart(3, '0')}@okta.local`, n, { active });
      const created = await oktaSend(site, 'POST', '/Users', oktaCreateUserBody(profile));
      expect(created.status, created.raw).toBe(201);
      seeded.set(created.body.id, active);
    }

    const walked: Json[] = [];
    for (const [startIndex, length] of [
      [1, 100],
      [101, 100],
      [201, 50],
    ] as const) {
      const page = await oktaGet(site, oktaImportPagePath(startIndex));
      expectListResponse(page, { totalResults: total, startIndex, itemsPerPage: length });
      for (const user of page.body.Resources) expectCompleteUser(user);
      walked.push(...page.body.Resources);
    }
    const ids = walked.map((user) => user.id as string);
    expect(new Set(ids).size).toBe(total);
    expect(new Set(ids)).toEqual(new Set(seeded.keys()));
    for (const user of walked) expect(user.active).toBe(seeded.get(user.id));

    // The order does not depend on the page size: one big page lists the same sequence.
    const whole = await oktaGet(site, '/Users?startIndex=1&count=250');
    expectListResponse(whole, { totalResults: total, startIndex: 1, itemsPerPage: total });
    expect(whole.body.Resources.map((user: Json) => user.id)).toEqual(ids);

    const past = await oktaGet(site, oktaImportPagePath(301));
    expectListResponse(past, { totalResults: total, startIndex: 301, itemsPerPage: 0 });
    const countOnly = await oktaGet(site, '/Users?startIndex=1&count=0');
    expectListResponse(countOnly, { totalResults: total, startIndex: 1, itemsPerPage: 0 });
  });

  it('flow 9: errors are SCIM error bodies with the status Okta expects', async () => {
    const site = await harness.newSite();
    const user = await assignNewUser(site, oktaProfile('Errors.User@Okta.Local', 1));
    const unknownIds = [...OKTA_UNKNOWN_USER_IDS, '0190a6b2-7c1e-7d3a-9b4f-2f6e8c1d0a55'];

    for (const id of unknownIds) {
      expectScimError(await oktaGet(site, `/Users/${id}`), 404);
      const put = await oktaSend(site, 'PUT', `/Users/${id}`, oktaProfilePushBody({ ...user, id }));
      expectScimError(put, 404);
      expectScimError(await oktaSend(site, 'PATCH', `/Users/${id}`, oktaSetActivePatch(false)), 404);
      expectScimError(
        await site.scim('DELETE', `/Users/${id}`, undefined, oktaHeaders({ body: false })),
        404,
      );
    }
    expect(await userCount(site)).toBe(1);

    for (const filter of ['foo eq "x"', 'userName eq', 'userName xx "a"', 'userName eq "a" and']) {
      const bad = await oktaGet(site, `/Users?filter=${encodeURIComponent(filter)}&startIndex=1&count=100`);
      expectScimError(bad, 400, 'invalidFilter');
    }

    const plainJson = await oktaSend(
      site,
      'POST',
      '/Users',
      oktaCreateUserBody(oktaProfile('Plain.Json@Okta.Local', 2)),
      { 'content-type': 'application/json' },
    );
    expect(plainJson.status, plainJson.raw).toBe(201);
    expect(plainJson.body.userName).toBe('Plain.Json@Okta.Local');

    const malformed = await oktaSend(site, 'POST', '/Users', '{"schemas":["urn:ietf:params:scim:sch');
    expectScimError(malformed, 400, 'invalidSyntax');

    const tooLarge = await oktaSend(site, 'POST', '/Users', {
      ...oktaCreateUserBody(oktaProfile('Too.Large@Okta.Local', 3)),
      title: 'x'.repeat(harness.config.bodyLimit),
    });
    expectScimError(tooLarge, 413);

    for (const path of ['/Userz', `/Users/${user.id}/extra`]) {
      expectScimError(await oktaGet(site, path), 404);
    }
    expect(await userCount(site)).toBe(2);

    // Okta's old DELETE sample carries a Content-Type and no body.
    const withContentType = { ...oktaHeaders({ body: false }), 'content-type': SCIM_JSON_UTF8 };
    expectScimError(await site.scim('DELETE', `/Users/${unknownIds[0]}`, undefined, withContentType), 404);
    const deleted = await site.scim('DELETE', `/Users/${plainJson.body.id}`, undefined, withContentType);
    expect(deleted.status, deleted.raw).toBe(204);
    expect(deleted.raw).toBe('');
    expectScimError(await oktaGet(site, `/Users/${plainJson.body.id}`), 404);
    expect(await userCount(site)).toBe(1);
  });

  it("Okta's SPEC test (§6.2) passes, replayed request by request", async () => {
    const site = await harness.newSite();
    const auth = `Bearer ${site.token}`;
    // Precondition: at least one normal, active user exists.
    const seeded = await assignNewUser(site, oktaProfile('Existing.User@Example.com', 1));
    const vars = specVariables();
    expect(vars.randomUsername).toMatch(/^Runscope\d{3}[A-Z][a-z]{8}\d{3}@atko\.com$/);

    // 1. Test Users endpoint
    const first = await site.scim('GET', '/Users?count=1&startIndex=1', undefined, runscopeGetHeaders(auth));
    expectListResponse(first, { totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expectCompleteUser(first.body.Resources[0]);
    const ISVUserid = first.body.Resources[0].id as string;
    expect(ISVUserid).toBe(seeded.id);

    // 2. Get Users/{{id}}
    const second = await site.scim('GET', `/Users/${ISVUserid}`, undefined, runscopeGetHeaders(auth));
    expect(second.status, second.raw).toBe(200);
    expectCompleteUser(second.body);
    expect(second.body.id).toBe(ISVUserid);

    // 3. Test invalid User by username (a filter with no paging parameters)
    const third = await site.scim(
      'GET',
      runscopeFilterPath(vars.InvalidUserEmail),
      undefined,
      runscopeGetHeaders(auth),
    );
    expectNoMatch(third);

    // 4. Test invalid User by ID
    const fourth = await site.scim(
      'GET',
      `/Users/${vars.UserIdThatDoesNotExist}`,
      undefined,
      runscopeGetHeaders(auth),
    );
    expectScimError(fourth, 404);

    // 5. Make sure random user doesn't exist
    const fifth = await site.scim(
      'GET',
      runscopeFilterPath(vars.randomEmail),
      undefined,
      runscopeGetHeaders(auth),
    );
    expectNoMatch(fifth);

    // 6. Create Okta user with realistic values (Content-Type: application/json)
    const sixth = await site.scim(
      'POST',
      '/Users',
      specCreateUserBody(vars, vars.randomEmail),
      runscopePostHeaders(auth),
    );
    expect(sixth.status, sixth.raw).toBe(201);
    expect(sixth.body.active).toBe(true);
    expect(sixth.body.id).toEqual(expect.any(String));
    expect(sixth.body.id).not.toBe('');
    expect(sixth.body.name).toMatchObject({
      familyName: vars.randomFamilyName,
      givenName: vars.randomGivenName,
    });
    expect(sixth.body.schemas).toContain(USER_SCHEMA);
    expect(sixth.body.userName).toBe(vars.randomUsername);
    const idUserOne = sixth.body.id as string;
    const randomUserEmail = sixth.body.emails[0].value as string;
    expect(randomUserEmail).toBe(vars.randomEmail);

    // 7. Verify that user was created
    const seventh = await site.scim('GET', `/Users/${idUserOne}`, undefined, runscopeGetHeaders(auth));
    expect(seventh.status, seventh.raw).toBe(200);
    expect(seventh.body).toMatchObject({
      userName: vars.randomUsername,
      name: { familyName: vars.randomFamilyName, givenName: vars.randomGivenName },
    });

    // 8. Expect failure when recreating user with same values
    const eighth = await site.scim(
      'POST',
      '/Users',
      specCreateUserBody(vars, vars.randomUsername),
      runscopePostHeaders(auth),
    );
    expectScimError(eighth, 409, 'uniqueness');

    // 9. Username Case Sensitivity Check
    const ninth = await site.scim(
      'GET',
      runscopeFilterPath(vars.randomUsernameCaps),
      undefined,
      runscopeGetHeaders(auth),
    );
    expectListResponse(ninth, { totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(ninth.body.Resources[0]).toMatchObject({ id: idUserOne, userName: vars.randomUsername });

    // 10. (Optional) Verify Groups endpoint: Groups are not implemented yet; they come with
    // their own issue, which should add this step (200, and a ListResponse even when empty).

    // 11. Check status 401
    const eleventh = await site.scim('GET', runscopeFilterPath(vars.randomUsernameCaps), undefined, {
      ...runscopeGetHeaders(auth),
      authorization: 'non-token',
    });
    expectUnauthorized(eleventh);

    // 12. Check status 404
    const twelfth = await site.scim('GET', '/Users/00919288221112222', undefined, runscopeGetHeaders(auth));
    expectScimError(twelfth, 404);

    expect(await userCount(site)).toBe(2);
  });

  it.each(['PATCH (OIN and SCIM 2.0 Test apps)', 'PUT (AIW apps)'] as const)(
    "Okta's CRUD test (§6.4) passes with deactivation by %s",
    async (flavour) => {
      const site = await harness.newSite();
      // CRUD verification calls carry only Authorization and Accept.
      const verify = (path: string) =>
        site.scim('GET', path, undefined, {
          authorization: `Bearer ${site.token}`,
          accept: 'application/scim+json',
        });
      const setActive = (id: string, active: boolean) =>
        flavour.startsWith('PATCH')
          ? oktaSend(site, 'PATCH', `/Users/${id}`, oktaSetActivePatch(active))
          : pushProfile(site, id, { active });
      const firstname = 'Runscope417';
      const lastname = 'Qwertyuio827';
      const email = `${firstname}${lastname}@atko.com`;
      const profile: OktaProfile = {
        userName: email,
        givenName: firstname,
        familyName: lastname,
        email,
        externalId: '00uCRUD0000000001',
        password: 'Kv7J2LEa',
      };

      // 2–3. Add the Okta user and assign it to the app → Okta looks up and creates.
      await assignNewUser(site, profile);

      // 4. Verify if user is created in SCIM App
      const created = await verify(runscopeFilterPath(email));
      expectListResponse(created, { totalResults: 1, startIndex: 1, itemsPerPage: 1 });
      expect(created.body.Resources[0]).toMatchObject({
        userName: email,
        emails: [{ value: email }],
        name: { familyName: lastname, givenName: firstname },
      });
      const scimId = created.body.Resources[0].id as string;

      // 5. Update user firstname → Okta pushes the profile.
      const pushed = await pushProfile(site, scimId, { givenName: `${firstname}update` });
      expect(pushed.status, pushed.raw).toBe(200);

      // 6. Verify firstname update in SCIM App
      const updated = await verify(`/Users/${scimId}`);
      expect(updated.status, updated.raw).toBe(200);
      expect(updated.body.name.givenName).toBe(`${firstname}update`);

      // 7. Deactivate user in Okta
      expect((await setActive(scimId, false)).status).toBe(200);

      // 8. Verify if user is deactivated in SCIM App
      const deactivated = await verify(`/Users/${scimId}`);
      expect(deactivated.status, deactivated.raw).toBe(200);
      expect(deactivated.body.active).toBe(false);

      // 9–10. Reactivate in Okta and re-assign: the lookup finds the inactive user; same id.
      const found = await lookupOne(site, email);
      expect(found).toMatchObject({ id: scimId, active: false });
      expect((await setActive(scimId, true)).status).toBe(200);

      // 11. Verify if user is reactivated in SCIM App
      const reactivated = await verify(`/Users/${scimId}`);
      expect(reactivated.status, reactivated.raw).toBe(200);
      expect(reactivated.body).toMatchObject({
        id: scimId,
        active: true,
        name: { givenName: `${firstname}update`, familyName: lastname },
      });

      // 12. Remove the assignment → Okta deactivates.
      expect((await setActive(scimId, false)).status).toBe(200);

      // 13. Verify if user is deactivated in SCIM App
      const unassigned = await verify(`/Users/${scimId}`);
      expect(unassigned.status, unassigned.raw).toBe(200);
      expect(unassigned.body.active).toBe(false);

      expect(await userCount(site)).toBe(1);
    },
  );

  it('the provisioning log records every write of a flow, refused ones too, and never a password', async () => {
    const site = await harness.newSite();
    const profile = oktaProfile('Logged.User@Okta.Local', 1, { password: 'Pl4ceholder-7731' });
    const pushedPassword = 'TkdFNVdIVkxhM2c9';
    const req = (n: number) => ({ 'x-request-id': `okta-log-${n}` });

    const created = await oktaSend(site, 'POST', '/Users', oktaCreateUserBody(profile), req(1));
    expect(created.status, created.raw).toBe(201);
    expect(created.headers['x-request-id']).toBe('okta-log-1');
    const id = created.body.id as string;
    const duplicate = await oktaSend(site, 'POST', '/Users', oktaCreateUserBody(profile), req(2));
    expectScimError(duplicate, 409, 'uniqueness');
    const current = await readUser(site, id);
    const update = await oktaSend(
      site,
      'PUT',
      `/Users/${id}`,
      oktaProfilePushBody(current, { givenName: 'Changed', password: pushedPassword }),
      req(3),
    );
    expect(update.status, update.raw).toBe(200);
    const badZone = await oktaSend(
      site,
      'PUT',
      `/Users/${id}`,
      oktaProfilePushBody(update.body, { timezone: 'Mars/Base' }),
      req(4),
    );
    expectScimError(badZone, 400, 'invalidValue');
    const disabled = await oktaSend(site, 'PATCH', `/Users/${id}`, oktaSetActivePatch(false), req(5));
    expect(disabled.status, disabled.raw).toBe(200);
    const enabled = await oktaSend(site, 'PATCH', `/Users/${id}`, oktaSetActivePatch(true), req(6));
    expect(enabled.status, enabled.raw).toBe(200);
    // Reads are not writes: nothing is logged for them.
    await readUser(site, id);
    await lookupOne(site, profile.userName);

    const events = (await harness.roster.store.events.list(site.site.id, { limit: 100 })).reverse();
    expect(
      events.map((event) => [event.operation, event.outcome, event.httpStatus, event.requestId]),
    ).toEqual([
      ['create', 'success', 201, 'okta-log-1'],
      ['create', 'failure', 409, 'okta-log-2'],
      ['update', 'success', 200, 'okta-log-3'],
      ['update', 'failure', 400, 'okta-log-4'],
      ['disable', 'success', 200, 'okta-log-5'],
      ['enable', 'success', 200, 'okta-log-6'],
    ]);
    for (const event of events) {
      expect(event).toMatchObject({ siteId: site.site.id, tokenId: site.tokenId, actor: 'scim' });
      expect(event.resourceType).toBe('User');
    }
    const [create, conflict, put, refused, disable, enable] = events as [
      ProvisioningEvent,
      ProvisioningEvent,
      ProvisioningEvent,
      ProvisioningEvent,
      ProvisioningEvent,
      ProvisioningEvent,
    ];

    expect(create).toMatchObject({ resourceId: id, logon: profile.userName });
    expect(create.changes).toEqual(
      expect.arrayContaining([
        { field: 'userName', after: profile.userName },
        { field: 'name.givenName', after: profile.givenName },
        { field: 'timezone', after: profile.timezone },
        { field: 'active', after: true },
      ]),
    );
    expect(create.changes!.map((change) => change.field)).not.toContain('password');
    expect(create.detail).toMatch(/password.*ignored|ignored.*password/i);
    expect(conflict.detail).toContain(profile.userName);
    expect(put).toMatchObject({
      resourceId: id,
      changes: [{ field: 'name.givenName', before: profile.givenName, after: 'Changed' }],
    });
    expect(refused).toMatchObject({ resourceId: id, logon: profile.userName });
    expect(refused.detail).toContain('Mars/Base');
    expect(disable.changes).toEqual([{ field: 'active', before: true, after: false }]);
    expect(enable.changes).toEqual([{ field: 'active', before: false, after: true }]);

    const logText = JSON.stringify(events);
    expect(logText).not.toContain(profile.password);
    expect(logText).not.toContain(pushedPassword);
    // Password sync is off by default: the placeholder Okta sends is not kept, even hashed.
    const stored = await harness.roster.store.users.get(site.site.id, id);
    expect(stored?.passwordHash).toBeNull();
  });
});

// --------------------------------------------------------------------------------------------
// Assertions (stricter than Runscope's: okta.md §6.2 notes)
// --------------------------------------------------------------------------------------------

function expectListResponse(
  response: ScimResponse,
  expected: { totalResults?: number; startIndex: number; itemsPerPage: number },
): void {
  expect(response.status, response.raw).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
  const body = response.body;
  expect(body.schemas).toEqual([LIST_RESPONSE_SCHEMA]);
  for (const key of ['totalResults', 'startIndex', 'itemsPerPage']) {
    expect(Number.isInteger(body[key]), `${key} must be a JSON integer: ${response.raw}`).toBe(true);
  }
  if (expected.totalResults !== undefined) expect(body.totalResults).toBe(expected.totalResults);
  expect(body.startIndex).toBe(expected.startIndex);
  expect(body.itemsPerPage).toBe(expected.itemsPerPage);
  expect(Array.isArray(body.Resources)).toBe(true);
  expect(body.Resources).toHaveLength(expected.itemsPerPage);
}

/** The lookup answer Okta's SPEC test requires for "not there": 200, zero, an empty list. */
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
  expect(response.body.detail.trim()).not.toBe('');
  if (scimType === undefined) expect(response.body).not.toHaveProperty('scimType');
  else expect(response.body.scimType).toBe(scimType);
}

function expectUnauthorized(response: ScimResponse): void {
  expectScimError(response, 401);
  expect(String(response.headers['www-authenticate'])).toMatch(/^Bearer\b/);
}

/** What Okta's SPEC test reads from a user (§6.2 #1, #2): all present and non-empty. */
function expectCompleteUser(user: Json): void {
  expect(user.schemas).toContain(USER_SCHEMA);
  for (const value of [
    user.id,
    user.userName,
    user.name?.givenName,
    user.name?.familyName,
    user.emails?.[0]?.value,
  ]) {
    expect(typeof value).toBe('string');
    expect(value).not.toBe('');
  }
  expect(typeof user.active).toBe('boolean');
  expect(user.meta.resourceType).toBe('User');
}

/** A created user as Okta needs it back (§3.2, §4): exact-case userName and server metadata. */
function expectOktaUser(user: Json, profile: OktaProfile): void {
  expectCompleteUser(user);
  expect(user).toMatchObject({
    userName: profile.userName,
    name: { givenName: profile.givenName, familyName: profile.familyName },
    emails: [{ value: profile.email }],
    active: profile.active ?? true,
  });
  expect(user.schemas).toEqual([USER_SCHEMA]);
  expect(user.meta).toEqual({
    resourceType: 'User',
    created: expect.any(String),
    lastModified: expect.any(String),
    location: expect.any(String),
    version: expect.any(String),
  });
  for (const stamp of [user.meta.created, user.meta.lastModified]) {
    expect(new Date(stamp).toISOString()).toBe(stamp);
  }
  expect(user.meta.version).not.toBe('');
}

/** A password is never echoed, under any key or as any value. */
function expectNoPassword(response: ScimResponse, password: string | undefined): void {
  expect(JSON.stringify(response.body)).not.toMatch(/"password"/i);
  if (password !== undefined) expect(response.raw).not.toContain(password);
}
