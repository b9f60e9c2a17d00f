/**
 * `POST /Bulk` against RFC 7644 §3.7's own examples: a user and a group created together with a
 * bulkId reference (§3.7.2), the enterprise `manager` by bulkId, POST/PUT/PATCH/DELETE with
 * versions (§3.7.3), every operation failing (§3.7.3), `failOnErrors` (§3.7.3) and circular
 * references (§3.7.1). Each answer is checked against what was stored. Both dialects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ENTERPRISE_USER_SCHEMA,
  ERROR_SCHEMA,
  type Json,
  PATCH_OP_SCHEMA,
  USER_SCHEMA,
} from '../fixtures/okta.js';
import { bulkRequest, operationsOf } from '../helpers/bulk.js';
import { DIALECTS, startTestRoster, type TestRoster, type TestSite } from '../helpers/roster.js';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

describe.each(DIALECTS)('POST /Bulk, the RFC 7644 §3.7 examples (%s)', (dialect) => {
  let harness: TestRoster;
  beforeAll(async () => {
    harness = await startTestRoster(dialect);
  });
  afterAll(async () => harness.close());

  async function read(site: TestSite, path: string): Promise<Json> {
    const response = await site.scim('GET', path);
    expect(response.status, response.raw).toBe(200);
    return response.body;
  }

  async function newUser(site: TestSite, userName: string, extra: Json = {}): Promise<Json> {
    const created = await site.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName, ...extra });
    expect(created.status, created.raw).toBe(201);
    return created.body;
  }

  it('§3.7.2: creates a user and a group that has the user as a member', async () => {
    const site = await harness.newSite();
    const response = await site.scim(
      'POST',
      '/Bulk',
      bulkRequest([
        {
          method: 'POST',
          path: '/Users',
          bulkId: 'qwerty',
          data: { schemas: [USER_SCHEMA], userName: 'Alice' },
        },
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'ytrewq',
          data: {
            schemas: [GROUP_SCHEMA],
            displayName: 'Tour Guides',
            members: [{ type: 'User', value: 'bulkId:qwerty' }],
          },
        },
      ]),
    );
    const [user, group] = operationsOf(response);
    const alice = await read(site, `/Users/${(user!.location as string).split('/').pop()}`);
    const guides = await read(site, `/Groups/${(group!.location as string).split('/').pop()}`);
    expect(user).toEqual({
      location: alice.meta.location,
      method: 'POST',
      bulkId: 'qwerty',
      version: alice.meta.version,
      status: '201',
    });
    expect(group).toEqual({
      location: guides.meta.location,
      method: 'POST',
      bulkId: 'ytrewq',
      version: guides.meta.version,
      status: '201',
    });
    expect(alice.userName).toBe('Alice');
    expect(guides.displayName).toBe('Tour Guides');
    expect(guides.members.map((member: Json) => member.value)).toEqual([alice.id]);
    expect((await harness.roster.store.members.ofGroup(site.site.id, guides.id)).map((m) => m.id)).toEqual([
      alice.id,
    ]);
  });

  it('§3.7.2: resolves a bulkId inside an extension (the enterprise manager)', async () => {
    const site = await harness.newSite();
    const [alice, bob] = operationsOf(
      await site.scim(
        'POST',
        '/Bulk',
        bulkRequest([
          {
            method: 'POST',
            path: '/Users',
            bulkId: 'qwerty',
            data: { schemas: [USER_SCHEMA], userName: 'Alice' },
          },
          {
            method: 'POST',
            path: '/Users',
            bulkId: 'ytrewq',
            data: {
              schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
              userName: 'Bob',
              [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '11250', manager: { value: 'bulkId:qwerty' } },
            },
          },
        ]),
      ),
    );
    const aliceId = (alice!.location as string).split('/').pop();
    const stored = await read(site, `/Users/${(bob!.location as string).split('/').pop()}`);
    expect(stored[ENTERPRISE_USER_SCHEMA]).toMatchObject({
      employeeNumber: '11250',
      manager: { value: aliceId },
    });
  });

  it('§3.7.3: adds, replaces, patches and removes users, each with its version', async () => {
    const site = await harness.newSite();
    const bob = await newUser(site, 'bob.before');
    const dave = await newUser(site, 'dave.before', { nickName: 'Davy' });
    const eve = await newUser(site, 'eve');
    const response = await site.scim(
      'POST',
      '/Bulk',
      bulkRequest(
        [
          {
            method: 'POST',
            path: '/Users',
            bulkId: 'qwerty',
            data: { schemas: [USER_SCHEMA], userName: 'Alice' },
          },
          {
            method: 'PUT',
            path: `/Users/${bob.id}`,
            version: bob.meta.version,
            data: { schemas: [USER_SCHEMA], id: bob.id, userName: 'Bob' },
          },
          {
            method: 'PATCH',
            path: `/Users/${dave.id}`,
            version: dave.meta.version,
            data: {
              schemas: [PATCH_OP_SCHEMA],
              Operations: [
                { op: 'remove', path: 'nickName' },
                { op: 'replace', path: 'userName', value: 'Dave' },
              ],
            },
          },
          { method: 'DELETE', path: `/Users/${eve.id}`, version: eve.meta.version },
        ],
        { failOnErrors: 1 },
      ),
    );
    const [post, put, patch, remove] = operationsOf(response);
    const alice = await read(site, `/Users/${(post!.location as string).split('/').pop()}`);
    const bobAfter = await read(site, `/Users/${bob.id}`);
    const daveAfter = await read(site, `/Users/${dave.id}`);
    expect(post).toEqual({
      location: alice.meta.location,
      method: 'POST',
      bulkId: 'qwerty',
      version: alice.meta.version,
      status: '201',
    });
    expect(put).toEqual({
      location: bob.meta.location,
      method: 'PUT',
      version: bobAfter.meta.version,
      status: '200',
    });
    expect(patch).toEqual({
      location: dave.meta.location,
      method: 'PATCH',
      version: daveAfter.meta.version,
      status: '200',
    });
    expect(remove).toEqual({ location: eve.meta.location, method: 'DELETE', status: '204' });
    expect(bobAfter.userName).toBe('Bob');
    expect(daveAfter.userName).toBe('Dave');
    expect(daveAfter).not.toHaveProperty('nickName');
    expect((await site.scim('GET', `/Users/${eve.id}`)).status).toBe(404);
  });

  it('§3.7.3: answers every failed operation in its place, with its SCIM error', async () => {
    const site = await harness.newSite();
    const bob = await newUser(site, 'bob');
    const dave = await newUser(site, 'dave');
    const stale = 'W/"stale"';
    const [post, put, patch, remove] = operationsOf(
      await site.scim(
        'POST',
        '/Bulk',
        bulkRequest([
          {
            method: 'POST',
            path: '/Users',
            bulkId: 'qwerty',
            data: { schemas: [USER_SCHEMA], nickName: 'no name' },
          },
          { method: 'PUT', path: `/Users/${bob.id}`, version: stale, data: { userName: 'Bob' } },
          {
            method: 'PATCH',
            path: `/Users/${dave.id}`,
            version: stale,
            data: {
              schemas: [PATCH_OP_SCHEMA],
              Operations: [{ op: 'replace', path: 'userName', value: 'Dave' }],
            },
          },
          { method: 'DELETE', path: '/Users/e9025315-6bea-44e1-899c-1e07454e468b' },
        ]),
      ),
    );
    expect(post).toEqual({
      method: 'POST',
      bulkId: 'qwerty',
      status: '400',
      response: {
        schemas: [ERROR_SCHEMA],
        status: '400',
        scimType: 'invalidValue',
        detail: expect.any(String),
      },
    });
    for (const [entry, method, status] of [
      [put, 'PUT', '412'],
      [patch, 'PATCH', '412'],
      [remove, 'DELETE', '404'],
    ] as const) {
      expect(entry).toMatchObject({ method, status, response: { schemas: [ERROR_SCHEMA], status } });
      expect(entry!.location).toMatch(/\/scim\/v2\/Users\/[^/]+$/);
      expect(entry).not.toHaveProperty('version');
    }
    expect((await read(site, `/Users/${bob.id}`)).userName).toBe('bob');
    expect((await read(site, `/Users/${dave.id}`)).userName).toBe('dave');
  });

  it('§3.7.3: with failOnErrors 1, stops at the first error and reports nothing after it', async () => {
    const site = await harness.newSite();
    await newUser(site, 'taken');
    const post = (userName: string) => ({
      method: 'POST',
      path: '/Users',
      bulkId: userName,
      data: { schemas: [USER_SCHEMA], userName },
    });
    const names = ['u1', 'u2', 'u3', 'u4', 'taken', 'u6', 'u7', 'u8', 'u9', 'u10'];
    const operations = operationsOf(
      await site.scim('POST', '/Bulk', bulkRequest(names.map(post), { failOnErrors: 1 }), {
        'x-request-id': 'bulk-half-way',
      }),
    );
    expect(operations.map((entry) => entry.status)).toEqual(['201', '201', '201', '201', '409']);
    expect(operations[4]).toMatchObject({ bulkId: 'taken', response: { scimType: 'uniqueness' } });
    expect(operations[4]).not.toHaveProperty('location');
    const listed = await read(site, '/Users?count=100');
    expect(listed.Resources.map((user: Json) => user.userName).sort()).toEqual([
      'taken',
      'u1',
      'u2',
      'u3',
      'u4',
    ]);
    const logged = (await harness.roster.store.events.list(site.site.id, { limit: 100 })).filter(
      (event) => event.requestId === 'bulk-half-way',
    );
    expect(logged.map((event) => `${event.outcome} ${event.httpStatus}`).sort()).toEqual([
      'failure 409',
      'success 201',
      'success 201',
      'success 201',
      'success 201',
    ]);

    // Without failOnErrors every operation runs, whatever fails.
    const all = operationsOf(
      await site.scim('POST', '/Bulk', bulkRequest(['x1', 'taken', 'x3', 'u1'].map(post))),
    );
    expect(all.map((entry) => entry.status)).toEqual(['201', '409', '201', '409']);
    // failOnErrors 2 accepts one error and stops at the second.
    const two = operationsOf(
      await site.scim(
        'POST',
        '/Bulk',
        bulkRequest(['y1', 'taken', 'y3', 'u1', 'y5'].map(post), { failOnErrors: 2 }),
      ),
    );
    expect(two.map((entry) => entry.status)).toEqual(['201', '409', '201', '409']);
    expect(
      (await site.scim('GET', `/Users?filter=${encodeURIComponent('userName eq "y5"')}`)).body.totalResults,
    ).toBe(0);
  });

  it('§3.7.1: refuses groups that are members of each other with 409, without looping', async () => {
    const site = await harness.newSite();
    const operations = operationsOf(
      await site.scim(
        'POST',
        '/Bulk',
        bulkRequest([
          {
            method: 'POST',
            path: '/Groups',
            bulkId: 'qwerty',
            data: {
              schemas: [GROUP_SCHEMA],
              displayName: 'Group A',
              members: [{ type: 'Group', value: 'bulkId:ytrewq' }],
            },
          },
          {
            method: 'POST',
            path: '/Groups',
            bulkId: 'ytrewq',
            data: {
              schemas: [GROUP_SCHEMA],
              displayName: 'Group B',
              members: [{ type: 'Group', value: 'bulkId:qwerty' }],
            },
          },
          {
            method: 'POST',
            path: '/Groups',
            bulkId: 'after',
            data: { schemas: [GROUP_SCHEMA], displayName: 'Group C', members: [{ value: 'bulkId:qwerty' }] },
          },
          {
            method: 'POST',
            path: '/Groups',
            bulkId: 'fine',
            data: { schemas: [GROUP_SCHEMA], displayName: 'Group D' },
          },
        ]),
      ),
    );
    expect(operations.map((entry) => [entry.bulkId, entry.status])).toEqual([
      ['qwerty', '409'],
      ['ytrewq', '409'],
      ['after', '409'],
      ['fine', '201'],
    ]);
    for (const entry of operations.slice(0, 2)) {
      expect(entry.response).toMatchObject({ status: '409', scimType: 'invalidValue' });
      expect(entry.response.detail).toContain("'qwerty' → 'ytrewq' → 'qwerty'");
      expect(entry).not.toHaveProperty('location');
    }
    expect(operations[2]!.response.detail).toContain("'bulkId:qwerty' has no resource");
    const groups = await read(site, '/Groups');
    expect(groups.Resources.map((group: Json) => group.displayName)).toEqual(['Group D']);
  });
});
