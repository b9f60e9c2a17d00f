/**
 * `POST /Bulk` beyond the RFC's examples: its limits as `/ServiceProviderConfig` advertises them
 * (RFC 7644 §3.7.4), malformed requests, forward and unknown bulkId references, a 1,000-operation
 * request, and the provisioning log holding every operation. Both dialects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_SCHEMA, type Json, PATCH_OP_SCHEMA, USER_SCHEMA } from '../fixtures/okta.js';
import {
  DIALECTS,
  type ScimResponse,
  startTestRoster,
  type TestRoster,
  type TestSite,
} from '../helpers/roster.js';
import { BULK_REQUEST, bulkRequest, operationsOf } from '../helpers/bulk.js';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

function expectError(response: ScimResponse, status: number, scimType?: string): void {
  expect(response.status, response.raw).toBe(status);
  expect(response.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: String(status) });
  if (scimType !== undefined) expect(response.body.scimType).toBe(scimType);
}

const postUser = (n: number | string) => ({
  method: 'POST',
  path: '/Users',
  bulkId: `u${n}`,
  data: {
    schemas: [USER_SCHEMA],
    userName: `bulk.user${n}@example.com`,
    name: { givenName: 'G', familyName: `F${n}` },
  },
});

describe.each(DIALECTS)('POST /Bulk (%s)', (dialect) => {
  let harness: TestRoster;
  beforeAll(async () => {
    harness = await startTestRoster(dialect);
  });
  afterAll(async () => harness.close());

  const bulk = (site: TestSite, body: unknown, requestId?: string) =>
    site.scim('POST', '/Bulk', body, requestId ? { 'x-request-id': requestId } : {});
  const logOf = async (site: TestSite, requestId: string) =>
    (await harness.roster.store.events.list(site.site.id, { limit: 5000 })).filter(
      (event) => event.requestId === requestId,
    );
  const count = async (site: TestSite, path: string): Promise<number> =>
    (await site.scim('GET', `${path}?count=0`)).body.totalResults as number;

  it('is advertised in /ServiceProviderConfig with the limits it enforces', async () => {
    const site = await harness.newSite();
    const config = await site.scim('GET', '/ServiceProviderConfig');
    expect(config.body.bulk).toEqual({
      supported: true,
      maxOperations: 1000,
      maxPayloadSize: 4 * 1024 * 1024,
    });
    expect(harness.config.bulkBodyLimit).toBe(4 * 1024 * 1024);
    expect(harness.config.bodyLimit).toBe(1024 * 1024);
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE'] as const) {
      expectError(await site.scim(method, '/Bulk', method === 'GET' ? undefined : {}), 405);
    }
  });

  it('creates a group posted before its members, members resolved (RFC 7644 §3.7.2)', async () => {
    const site = await harness.newSite();
    const operations = operationsOf(
      await bulk(
        site,
        bulkRequest([
          {
            method: 'POST',
            path: '/Groups',
            bulkId: 'g1',
            data: {
              schemas: [GROUP_SCHEMA],
              displayName: 'Early Group',
              members: [{ value: 'bulkId:u1' }, { value: 'bulkId:u2' }],
            },
          },
          postUser(1),
          postUser(2),
          {
            method: 'PATCH',
            path: '/Users/bulkId:u1',
            data: {
              schemas: [PATCH_OP_SCHEMA],
              Operations: [{ op: 'replace', path: 'title', value: 'Lead' }],
            },
          },
        ]),
      ),
    );
    // Answered in the request's order, whatever order they ran in.
    expect(operations.map((entry) => [entry.method, entry.bulkId, entry.status])).toEqual([
      ['POST', 'g1', '201'],
      ['POST', 'u1', '201'],
      ['POST', 'u2', '201'],
      ['PATCH', undefined, '200'],
    ]);
    const [u1, u2] = [operations[1]!, operations[2]!].map((entry) =>
      (entry.location as string).split('/').pop()!,
    );
    expect(operations[3]!.location).toBe(operations[1]!.location);
    const group = (await site.scim('GET', (operations[0]!.location as string).replace(/^.*\/scim\/v2/, '')))
      .body;
    expect(group.members.map((member: Json) => member.value).sort()).toEqual([u1, u2].sort());
    expect((await site.scim('GET', `/Users/${u1}`)).body.title).toBe('Lead');
  });

  it('answers a PATCH 204 on a site that answers PATCH with 204, with the new version', async () => {
    const site = await harness.newSite();
    await harness.roster.services.sites.configure(site.site.slug, { patchNoContent: true });
    const user = await site.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'quiet' });
    const [patch] = operationsOf(
      await bulk(
        site,
        bulkRequest([
          {
            method: 'PATCH',
            path: `/Users/${user.body.id}`,
            version: user.body.meta.version,
            data: { schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'replace', path: 'title', value: 'T' }] },
          },
        ]),
      ),
    );
    const read = await site.scim('GET', `/Users/${user.body.id}`);
    expect(patch).toEqual({
      location: user.body.meta.location,
      method: 'PATCH',
      version: read.body.meta.version,
      status: '204',
    });
    expect(read.body.title).toBe('T');
  });

  it('answers an unknown bulkId, or one whose POST failed, with 409 invalidValue; the rest runs', async () => {
    const site = await harness.newSite();
    const group = await site.scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Existing' });
    const operations = operationsOf(
      await bulk(
        site,
        bulkRequest([
          {
            method: 'PATCH',
            path: `/Groups/${group.body.id}`,
            data: {
              schemas: [PATCH_OP_SCHEMA],
              Operations: [{ op: 'add', path: 'members', value: [{ value: 'bulkId:ghost' }] }],
            },
          },
          { method: 'DELETE', path: '/Users/bulkId:ghost' },
          { method: 'POST', path: '/Users', bulkId: 'bad', data: { schemas: [USER_SCHEMA], userName: '' } },
          { method: 'PUT', path: '/Users/bulkId:bad', data: { schemas: [USER_SCHEMA], userName: 'x' } },
          postUser(1),
        ]),
      ),
    );
    expect(operations.map((entry) => entry.status)).toEqual(['409', '409', '400', '409', '201']);
    for (const index of [0, 1, 3]) {
      expect(operations[index]!.response).toMatchObject({ status: '409', scimType: 'invalidValue' });
    }
    expect(operations[0]!.response.detail).toContain("'bulkId:ghost' names no POST of this request");
    expect(operations[0]!.location).toContain(`/Groups/${group.body.id}`);
    expect(operations[1]).not.toHaveProperty('location');
    expect(operations[3]!.response.detail).toContain('its POST (operation 3) failed with status 400');
    expect((await site.scim('GET', `/Groups/${group.body.id}`)).body.members ?? []).toEqual([]);
  });

  it('runs a 1,000-operation request, every operation answered and logged', async () => {
    const site = await harness.newSite();
    const operations = Array.from({ length: 1000 }, (_, i) => postUser(i));
    const started = performance.now();
    const answered = operationsOf(await bulk(site, bulkRequest(operations), 'bulk-1000'));
    const seconds = (performance.now() - started) / 1000;
    expect(answered).toHaveLength(1000);
    expect(answered.every((entry, i) => entry.status === '201' && entry.bulkId === `u${i}`)).toBe(true);
    expect(new Set(answered.map((entry) => entry.location)).size).toBe(1000);
    expect(await count(site, '/Users')).toBe(1000);
    const log = await logOf(site, 'bulk-1000');
    expect(log).toHaveLength(1000);
    expect(log.every((event) => event.operation === 'create' && event.outcome === 'success')).toBe(true);
    expect(seconds).toBeLessThan(60);
  });

  it('takes its limits from the configuration, and says so', async () => {
    const small = await startTestRoster(dialect, { bulkMaxOperations: 3, bulkBodyLimit: 64 * 1024 });
    try {
      const site = await small.newSite();
      const config = await site.scim('GET', '/ServiceProviderConfig');
      expect(config.body.bulk).toEqual({ supported: true, maxOperations: 3, maxPayloadSize: 64 * 1024 });
      expect(
        operationsOf(await site.scim('POST', '/Bulk', bulkRequest([1, 2, 3].map(postUser)))),
      ).toHaveLength(3);
      const refused = await site.scim('POST', '/Bulk', bulkRequest([4, 5, 6, 7].map(postUser)));
      expectError(refused, 413);
      expect(refused.body.detail).toContain('at most 3');
      expect(await count(site, '/Users')).toBe(3);
    } finally {
      await small.close();
    }
  });

  it('refuses more operations than maxOperations with 413 naming the limit, writing nothing', async () => {
    const site = await harness.newSite();
    const response = await bulk(
      site,
      bulkRequest(Array.from({ length: 1001 }, (_, i) => postUser(i))),
      'too-many',
    );
    expectError(response, 413);
    expect(response.body.detail).toContain('1001 operations');
    expect(response.body.detail).toContain('at most 1000 (maxOperations');
    expect(await count(site, '/Users')).toBe(0);
  });

  it('takes a body over ROSTER_BODY_LIMIT up to its own limit, and names that limit past it', async () => {
    const site = await harness.newSite();
    const padding = 'x'.repeat(300 * 1024);
    const large = bulkRequest(
      Array.from({ length: 5 }, (_, i) => ({
        ...postUser(i),
        data: { ...postUser(i).data, nickName: padding },
      })),
    );
    expect(JSON.stringify(large).length).toBeGreaterThan(harness.config.bodyLimit);
    expect(operationsOf(await bulk(site, large)).map((entry) => entry.status)).toEqual([
      '201',
      '201',
      '201',
      '201',
      '201',
    ]);
    const tooLarge = bulkRequest([
      {
        ...postUser('big'),
        data: { ...postUser('big').data, nickName: 'x'.repeat(harness.config.bulkBodyLimit) },
      },
    ]);
    const refused = await bulk(site, tooLarge);
    expectError(refused, 413);
    expect(refused.body.detail).toContain(String(harness.config.bulkBodyLimit));
    // A single POST keeps the smaller limit.
    expectError(
      await site.scim('POST', '/Users', {
        ...postUser('one').data,
        nickName: 'x'.repeat(harness.config.bodyLimit),
      }),
      413,
    );
  });

  it('refuses a malformed BulkRequest as a whole with 400, writing nothing', async () => {
    const site = await harness.newSite();
    for (const [body, detail] of [
      [{ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [postUser(1)] }, /schemas/],
      [{ Operations: [postUser(1)] }, /schemas/],
      [{ schemas: [BULK_REQUEST] }, /Operations/],
      [{ schemas: [BULK_REQUEST], Operations: [] }, /Operations/],
      [[postUser(1)], /JSON object/],
      [bulkRequest([postUser(1)], { failOnErrors: 0 }), /failOnErrors/],
      [bulkRequest([postUser(1), postUser(1)]), /bulkId 'u1'/],
    ] as const) {
      const response = await bulk(site, body);
      expectError(response, 400);
      expect(response.body.detail).toMatch(detail);
    }
    expect(await count(site, '/Users')).toBe(0);
  });

  it('answers a malformed operation in its place with 400 and runs the others', async () => {
    const site = await harness.newSite();
    const operations = operationsOf(
      await bulk(
        site,
        bulkRequest([
          { path: '/Users', data: {} },
          { method: 'GET', path: '/Users' },
          { method: 'POST', bulkId: 'nopath', data: {} },
          { method: 'POST', path: '/Widgets', data: {} },
          { method: 'DELETE', path: '/Users' },
          postUser(1),
        ]),
      ),
    );
    expect(operations.map((entry) => [entry.method, entry.status, entry.response?.scimType])).toEqual([
      [undefined, '400', 'invalidSyntax'],
      ['GET', '400', 'invalidValue'],
      ['POST', '400', 'invalidSyntax'],
      ['POST', '400', 'invalidValue'],
      ['DELETE', '400', 'invalidValue'],
      ['POST', '201', undefined],
    ]);
    expect(operations[2]!.bulkId).toBe('nopath');
    expect(await count(site, '/Users')).toBe(1);
  });

  it('logs every operation, refused or not, under the request id, as the single requests would be', async () => {
    const site = await harness.newSite();
    const existing = await site.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'existing' });
    const operations = operationsOf(
      await bulk(
        site,
        bulkRequest([
          postUser(1),
          {
            method: 'POST',
            path: '/Users',
            bulkId: 'dup',
            data: { schemas: [USER_SCHEMA], userName: 'existing' },
          },
          {
            method: 'PATCH',
            path: `/Users/${existing.body.id}`,
            data: { schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'replace', path: 'title', value: 'T' }] },
          },
          { method: 'DELETE', path: '/Users/bulkId:ghost' },
          {
            method: 'POST',
            path: '/Groups',
            bulkId: 'g',
            data: { displayName: 'G', members: [{ value: 'bulkId:u1' }] },
          },
          { method: 'DELETE', path: '/Widgets/1' },
          { method: 'DELETE', path: `/Users/${existing.body.id}` },
        ]),
        'bulk-log',
      ),
    );
    expect(operations.map((entry) => entry.status)).toEqual([
      '201',
      '409',
      '200',
      '409',
      '201',
      '400',
      '204',
    ]);
    const log = await logOf(site, 'bulk-log');
    expect(
      log
        .map(
          (event) => `${event.operation} ${event.resourceType ?? '-'} ${event.outcome} ${event.httpStatus}`,
        )
        .sort(),
    ).toEqual(
      [
        'create User success 201',
        'create User failure 409',
        'update User success 200',
        'delete User failure 409',
        'create group Group success 201',
        'bulk - failure 400',
        'delete User success 204',
      ].sort(),
    );
    expect(log.every((event) => event.tokenId === site.tokenId && event.actor === 'scim')).toBe(true);
  });
});
