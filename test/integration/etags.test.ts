/**
 * Entity tags (RFC 7644 §3.14): `meta.version` and the `ETag` header on every user response, a new
 * version on every write that changes something and none on a no-op, `If-Match` on PUT, PATCH and
 * DELETE (412 when stale, checked on the row the write locks), `If-None-Match` on GET (304), and
 * the per-site choice of 204 for PATCH (RFC 7644 §3.5.2). Both dialects.
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

const WEAK_TAG = /^W\/"[^"]+"$/;

function patchBody(...operations: Json[]): Json {
  return { schemas: [PATCH_OP_SCHEMA], Operations: operations };
}

function userBody(userName: string, extra: Json = {}): Json {
  return {
    schemas: [USER_SCHEMA],
    userName,
    name: { givenName: 'Eta', familyName: 'Tag' },
    emails: [{ value: userName, type: 'work', primary: true }],
    ...extra,
  };
}

describe.each(DIALECTS)('ETags (%s)', (dialect) => {
  let harness: TestRoster;
  beforeAll(async () => {
    harness = await startTestRoster(dialect);
  });
  afterAll(async () => harness.close());

  async function create(site: TestSite, userName: string, extra: Json = {}): Promise<Json> {
    const created = await site.scim('POST', '/Users', userBody(userName, extra));
    expect(created.status, created.raw).toBe(201);
    expectTagged(created);
    return created.body;
  }

  async function readUser(site: TestSite, id: string): Promise<Json> {
    const response = await site.scim('GET', `/Users/${id}`);
    expect(response.status, response.raw).toBe(200);
    expectTagged(response);
    return response.body;
  }

  async function failures(site: TestSite) {
    const events = await harness.roster.store.events.list(site.site.id, { limit: 100 });
    return events.filter((event) => event.outcome === 'failure');
  }

  it('every user response carries meta.version and an ETag header equal to it', async () => {
    const site = await harness.newSite();
    const created = await create(site, 'tagged@example.com');
    const id = created.id as string;
    expect(created.meta.version).toMatch(WEAK_TAG);
    await readUser(site, id);

    const put = await site.scim('PUT', `/Users/${id}`, userBody('tagged@example.com', { title: 'A' }));
    expect(put.status, put.raw).toBe(200);
    expectTagged(put);
    const patched = await site.scim(
      'PATCH',
      `/Users/${id}`,
      patchBody({ op: 'replace', path: 'title', value: 'B' }),
    );
    expect(patched.status, patched.raw).toBe(200);
    expectTagged(patched);
    // A projection that leaves meta out still sends the ETag header.
    const projected = await site.scim('GET', `/Users/${id}?attributes=userName`);
    expect(projected.status, projected.raw).toBe(200);
    expect(projected.headers.etag).toBe(patched.body.meta.version);

    const list = await site.scim('GET', '/Users');
    expect(list.status, list.raw).toBe(200);
    expect(list.body.Resources[0].meta.version).toBe(patched.body.meta.version);
  });

  it('the version changes on every write that changes something, and not on a no-op', async () => {
    const site = await harness.newSite();
    const created = await create(site, 'versions@example.com', { title: 'One' });
    const id = created.id as string;
    const versions = [created.meta.version as string];
    const current = async () => (await readUser(site, id)).meta.version as string;

    const writes: [string, () => Promise<ScimResponse>][] = [
      [
        'PATCH title',
        () => site.scim('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'title', value: 'Two' })),
      ],
      ['PUT', () => site.scim('PUT', `/Users/${id}`, userBody('versions@example.com', { title: 'Three' }))],
      [
        'PATCH active',
        () => site.scim('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'active', value: false })),
      ],
      [
        'PATCH rename',
        () =>
          site.scim(
            'PATCH',
            `/Users/${id}`,
            patchBody({ op: 'replace', path: 'userName', value: 'v2@example.com' }),
          ),
      ],
    ];
    for (const [label, write] of writes) {
      const response = await write();
      expect(response.status, `${label}: ${response.raw}`).toBe(200);
      const version = await current();
      expect(response.headers.etag, label).toBe(version);
      expect(versions, label).not.toContain(version);
      versions.push(version);
    }

    // No-ops: the same PUT again, a PATCH adding a value that is already there, a replace with
    // the current value. Nothing is written: version and lastModified hold.
    const before = await readUser(site, id);
    const noops: [string, () => Promise<ScimResponse>][] = [
      [
        'same PUT',
        () =>
          site.scim('PUT', `/Users/${id}`, {
            ...userBody('versions@example.com', { title: 'Three', active: false }),
            userName: 'v2@example.com',
          }),
      ],
      ['PUT echoing the GET', () => site.scim('PUT', `/Users/${id}`, before)],
      [
        'PATCH add existing email',
        () =>
          site.scim(
            'PATCH',
            `/Users/${id}`,
            patchBody({
              op: 'add',
              path: 'emails',
              value: [{ value: 'versions@example.com', type: 'work', primary: true }],
            }),
          ),
      ],
      [
        'PATCH same title',
        () => site.scim('PATCH', `/Users/${id}`, patchBody({ op: 'Replace', path: 'title', value: 'Three' })),
      ],
    ];
    for (const [label, write] of noops) {
      const response = await write();
      expect(response.status, `${label}: ${response.raw}`).toBe(200);
      expect(response.headers.etag, label).toBe(before.meta.version);
    }
    const after = await readUser(site, id);
    expect(after.meta).toEqual(before.meta);
    const stored = await harness.roster.store.users.get(site.site.id, id);
    expect(`W/"${stored?.version}"`).toBe(before.meta.version);

    // DELETE is a write too, and so is the create that brings the user back.
    expect((await site.scim('DELETE', `/Users/${id}`)).status).toBe(204);
    const restored = await site.scim('POST', '/Users', userBody('v2@example.com'));
    expect(restored.status, restored.raw).toBe(201);
    expect(restored.body.id).toBe(id);
    expect(versions).not.toContain(restored.body.meta.version);
    expect(restored.body.meta.version).not.toBe(before.meta.version);
  });

  it('If-Match with the current version, "*" or a list holding it: the write goes through', async () => {
    const site = await harness.newSite();
    const { id } = await create(site, 'match@example.com');
    const write = (ifMatch: string, title: string) =>
      site.scim('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'title', value: title }), {
        'if-match': ifMatch,
      });

    let version = (await readUser(site, id)).meta.version as string;
    const current = await write(version, 'current');
    expect(current.status, current.raw).toBe(200);
    expect((await readUser(site, id)).title).toBe('current');

    const any = await write('*', 'any');
    expect(any.status, any.raw).toBe(200);
    expect((await readUser(site, id)).title).toBe('any');

    version = (await readUser(site, id)).meta.version as string;
    const list = await write(`W/"not-this", ${version}, W/"nor-this"`, 'listed');
    expect(list.status, list.raw).toBe(200);
    expect((await readUser(site, id)).title).toBe('listed');

    // The opaque value compares, with or without the weak prefix (RFC 7644's own examples).
    version = (await readUser(site, id)).meta.version as string;
    const strong = await write(version.replace(/^W\//, ''), 'strong');
    expect(strong.status, strong.raw).toBe(200);

    version = (await readUser(site, id)).meta.version as string;
    const put = await site.scim('PUT', `/Users/${id}`, userBody('match@example.com', { title: 'put' }), {
      'if-match': version,
    });
    expect(put.status, put.raw).toBe(200);
    expect((await readUser(site, id)).title).toBe('put');

    version = (await readUser(site, id)).meta.version as string;
    const deleted = await site.scim('DELETE', `/Users/${id}`, undefined, { 'if-match': version });
    expect(deleted.status, deleted.raw).toBe(204);
    expect((await site.scim('GET', `/Users/${id}`)).status).toBe(404);
    expect(await failures(site)).toEqual([]);
  });

  it('If-Match with a stale version: 412 as a SCIM error, nothing written, a failure logged', async () => {
    const site = await harness.newSite();
    const { id, meta } = await create(site, 'stale@example.com', { title: 'Original' });
    const stale = meta.version as string;
    expect(
      (await site.scim('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'title', value: 'Newer' })))
        .status,
    ).toBe(200);
    const before = await readUser(site, id);

    const attempts: [string, () => Promise<ScimResponse>][] = [
      [
        'PATCH',
        () =>
          site.scim('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'title', value: 'Lost' }), {
            'if-match': stale,
          }),
      ],
      [
        'PUT',
        () =>
          site.scim('PUT', `/Users/${id}`, userBody('stale@example.com', { title: 'Lost' }), {
            'if-match': stale,
          }),
      ],
      ['DELETE', () => site.scim('DELETE', `/Users/${id}`, undefined, { 'if-match': stale })],
      [
        'list without the current one',
        () =>
          site.scim('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'title', value: 'Lost' }), {
            'if-match': `${stale}, W/"0"`,
          }),
      ],
    ];
    for (const [label, attempt] of attempts) {
      const response = await attempt();
      expectScimError(response, 412);
      expect(response.body.detail, label).toContain(before.meta.version);
    }
    const after = await readUser(site, id);
    expect(after).toEqual(before);
    expect(after.title).toBe('Newer');

    const logged = await failures(site);
    expect(logged).toHaveLength(attempts.length);
    for (const event of logged) {
      expect(event).toMatchObject({
        resourceId: id,
        logon: 'stale@example.com',
        httpStatus: 412,
        outcome: 'failure',
      });
    }
    expect(logged.map((event) => event.operation).sort()).toEqual(['delete', 'update', 'update', 'update']);

    // If-Match on an id that does not exist is 404, not 412.
    expectScimError(
      await site.scim(
        'PATCH',
        '/Users/01a00000-0000-7000-8000-000000000000',
        patchBody({ op: 'replace', path: 'title', value: 'x' }),
        {
          'if-match': stale,
        },
      ),
      404,
    );
    // A header that is no entity tag at all is a 400.
    expectScimError(
      await site.scim('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'title', value: 'x' }), {
        'if-match': 'garbage',
      }),
      400,
      'invalidValue',
    );
    expect((await readUser(site, id)).meta.version).toBe(before.meta.version);
  });

  it('If-None-Match on GET: 304 with the ETag and no body when current, 200 when stale', async () => {
    const site = await harness.newSite();
    const { id, meta } = await create(site, 'cached@example.com');
    const first = meta.version as string;

    for (const header of [first, '*', `W/"other", ${first}`]) {
      const notModified = await site.scim('GET', `/Users/${id}`, undefined, { 'if-none-match': header });
      expect(notModified.status, header).toBe(304);
      expect(notModified.headers.etag).toBe(first);
      expect(notModified.raw).toBe('');
    }
    await site.scim('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'title', value: 'Changed' }));
    const fresh = await site.scim('GET', `/Users/${id}`, undefined, { 'if-none-match': first });
    expect(fresh.status, fresh.raw).toBe(200);
    expectTagged(fresh);
    expect(fresh.body.title).toBe('Changed');
    expect(fresh.body.meta.version).not.toBe(first);
  });

  it('/ServiceProviderConfig advertises etag.supported', async () => {
    const site = await harness.newSite();
    const config = await site.scim('GET', '/ServiceProviderConfig');
    expect(config.status, config.raw).toBe(200);
    expect(config.body.etag).toEqual({ supported: true });
  });

  it('two concurrent PATCHes with the same If-Match: exactly one 200 and one 412', async () => {
    const site = await harness.newSite();
    for (let round = 0; round < 5; round++) {
      const { id, meta } = await create(site, `race${round}@example.com`);
      const version = meta.version as string;
      const [a, b] = await Promise.all(
        ['left', 'right'].map((title) =>
          site.scim('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'title', value: title }), {
            'if-match': version,
          }),
        ),
      );
      const statuses = [a!.status, b!.status].sort();
      expect(statuses, `${a!.raw} ${b!.raw}`).toEqual([200, 412]);
      const winner = a!.status === 200 ? a! : b!;
      const loser = a!.status === 200 ? b! : a!;
      expectScimError(loser, 412);
      const stored = await readUser(site, id);
      expect(stored.title).toBe(winner.body.title);
      expect(stored.meta.version).toBe(winner.headers.etag);
      const record = await harness.roster.store.users.get(site.site.id, id);
      expect(record?.version).toBe(2);
    }
  });

  it('PATCH answers 200 with the resource, honouring attributes and excludedAttributes', async () => {
    const site = await harness.newSite();
    const { id } = await create(site, 'shape@example.com');
    const only = await site.scim(
      'PATCH',
      `/Users/${id}?attributes=userName,title`,
      patchBody({ op: 'replace', path: 'title', value: 'Projected' }),
    );
    expect(only.status, only.raw).toBe(200);
    expect(only.body).toMatchObject({ id, userName: 'shape@example.com', title: 'Projected' });
    expect(only.body).not.toHaveProperty('name');
    expect(only.body).not.toHaveProperty('emails');

    const without = await site.scim(
      'PATCH',
      `/Users/${id}?excludedAttributes=emails,name`,
      patchBody({ op: 'replace', path: 'title', value: 'Excluded' }),
    );
    expect(without.status, without.raw).toBe(200);
    expect(without.body).toMatchObject({ id, userName: 'shape@example.com', title: 'Excluded' });
    expect(without.body).not.toHaveProperty('name');
    expect(without.body).not.toHaveProperty('emails');
    expect(without.headers.etag).toMatch(WEAK_TAG);

    // The projection shapes the answer only: the stored user keeps everything.
    const stored = await readUser(site, id);
    expect(stored).toMatchObject({
      title: 'Excluded',
      name: { givenName: 'Eta' },
      emails: [{ value: 'shape@example.com' }],
    });
    expect(stored.meta.version).toBe(without.headers.etag);
  });

  it('a site that chose 204 for PATCH gets no body, an ETag, and the change stored', async () => {
    const site = await harness.newSite();
    const other = await harness.newSite();
    await harness.roster.services.sites.configure(site.site.slug, { patchNoContent: true });
    const { id } = await create(site, 'quiet@example.com');

    const response = await site.scim(
      'PATCH',
      `/Users/${id}`,
      patchBody({ op: 'replace', path: 'title', value: 'Stored' }),
    );
    expect(response.status, response.raw).toBe(204);
    expect(response.raw).toBe('');
    const stored = await readUser(site, id);
    expect(stored.title).toBe('Stored');
    expect(response.headers.etag).toBe(stored.meta.version);

    // With If-Match too, and a stale one is still a 412 with a body.
    const matched = await site.scim(
      'PATCH',
      `/Users/${id}`,
      patchBody({ op: 'replace', path: 'title', value: 'Again' }),
      {
        'if-match': stored.meta.version,
      },
    );
    expect(matched.status, matched.raw).toBe(204);
    expectScimError(
      await site.scim('PATCH', `/Users/${id}`, patchBody({ op: 'replace', path: 'title', value: 'Lost' }), {
        'if-match': stored.meta.version,
      }),
      412,
    );
    expect((await readUser(site, id)).title).toBe('Again');

    // The option is per site: another site keeps the default 200 with the resource.
    const { id: otherId } = await create(other, 'loud@example.com');
    const loud = await other.scim(
      'PATCH',
      `/Users/${otherId}`,
      patchBody({ op: 'replace', path: 'title', value: 'X' }),
    );
    expect(loud.status, loud.raw).toBe(200);
    expect(loud.body.title).toBe('X');

    // Turning it off again restores 200.
    await harness.roster.services.sites.configure(site.site.slug, { patchNoContent: false });
    const back = await site.scim(
      'PATCH',
      `/Users/${id}`,
      patchBody({ op: 'replace', path: 'title', value: 'Loud' }),
    );
    expect(back.status, back.raw).toBe(200);
    expect(back.body.title).toBe('Loud');
  });
});

function expectTagged(response: ScimResponse): void {
  expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
  expect(response.body.meta.version).toMatch(WEAK_TAG);
  expect(response.headers.etag).toBe(response.body.meta.version);
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
