/**
 * Every bad input refused (issue 9 §1): what the SCIM API cannot honour is a clear SCIM error
 * (RFC 7644 §3.12) and writes nothing, on both dialects. Each case here was accepted, coerced,
 * silently ignored or answered with a 500 or a non-SCIM body before.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_SCHEMA, type Json, PATCH_OP_SCHEMA, USER_SCHEMA } from '../fixtures/okta.js';
import { DIALECTS, scimRequest, startTestRoster, type TestRoster, type TestSite } from '../helpers/roster.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

function expectRefused(
  response: { status: number; body: Json; raw: string },
  status: number,
  scimType?: string,
) {
  expect(response.status, response.raw).toBe(status);
  expect(response.body.schemas, response.raw).toEqual([ERROR_SCHEMA]);
  if (scimType) expect(response.body.scimType, response.raw).toBe(scimType);
}

describe.each(DIALECTS)('bad input (%s)', (dialect) => {
  let harness: TestRoster;
  let site: TestSite;

  beforeAll(async () => {
    harness = await startTestRoster(dialect, { bodyLimit: 64 * 1024 });
    site = await harness.newSite();
  });
  afterAll(async () => harness.close());

  const users = async (target: TestSite = site) =>
    (
      await harness.roster.store.users.page(
        target.site.id,
        { start: { index: 1 }, count: 1000 },
        { includeDeleted: true },
      )
    ).items;
  const patch = (id: string, ...Operations: Json[]) =>
    site.scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP_SCHEMA], Operations });
  const newUser = async (userName: string, extra: Json = {}) => {
    const created = await site.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName, ...extra });
    expect(created.status, created.raw).toBe(201);
    return created.body as Json;
  };

  it('refuses a value of the wrong JSON type, naming the attribute and the type, and writes nothing', async () => {
    const before = (await users()).length;
    const numberName = await site.scim('POST', '/Users', { schemas: [USER_SCHEMA], userName: 123 });
    expectRefused(numberName, 400, 'invalidValue');
    expect(numberName.body.detail).toMatch(/'userName' must be a string, got a number/);
    const emailString = await site.scim('POST', '/Users', {
      userName: 'x@example.com',
      emails: 'x@example.com',
    });
    expectRefused(emailString, 400, 'invalidValue');
    expect(emailString.body.detail).toMatch(/'emails' must be a list of objects, got a string/);
    const listName = await site.scim('POST', '/Users', { userName: ['a@example.com'] });
    expectRefused(listName, 400, 'invalidValue');
    expect(listName.body.detail).toMatch(/'userName' takes a single string, not a list/);
    const objectTitle = await site.scim('POST', '/Users', { userName: 't@example.com', title: { a: 1 } });
    expect(objectTitle.body.detail).toMatch(/'title' must be a string, got an object/);
    const numberActive = await site.scim('POST', '/Users', { userName: 'n@example.com', active: 1 });
    expect(numberActive.body.detail).toMatch(/'active' must be a boolean/);
    expect((await users()).length).toBe(before);

    // Entra ID's "True"/"False" stay accepted: the one leniency real clients need.
    const entra = await newUser('entra.bool@example.com', { active: 'False' });
    expect(entra.active).toBe(false);

    const user = await newUser('typed@example.com');
    const renamed = await patch(user.id, { op: 'replace', path: 'userName', value: 42 });
    expectRefused(renamed, 400, 'invalidValue');
    expect(renamed.body.detail).toMatch(/userName/);
    expect((await site.scim('GET', `/Users/${user.id}`)).body.userName).toBe('typed@example.com');
  });

  it('answers 415 to a body that is not JSON by its Content-Type, and creates nothing', async () => {
    const before = (await users()).length;
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const response = await site.scim('POST', '/Users', JSON.stringify({ userName: `ct@example.com` }), {
        'content-type': type,
      });
      expectRefused(response, 415);
      expect(response.body.detail).toContain(type);
    }
    expect((await users()).length).toBe(before);
    // JSON under either name, with parameters, is read.
    const json = await site.scim(
      'POST',
      '/Users',
      { userName: 'json@example.com' },
      {
        'content-type': 'application/json; charset=utf-8',
      },
    );
    expect(json.status, json.raw).toBe(201);
  });

  it('refuses a search whose body is not a SearchRequest', async () => {
    for (const path of ['/Users/.search', '/Groups/.search', '/.search']) {
      expectRefused(
        await site.scim('POST', path, { schemas: ['urn:example:Other'], count: 1 }),
        400,
        'invalidSyntax',
      );
      expectRefused(await site.scim('POST', path, { count: 1 }), 400, 'invalidSyntax');
      const good = await site.scim('POST', path, { schemas: [SEARCH_REQUEST], count: 1 });
      expect(good.status, good.raw).toBe(200);
    }
  });

  it('refuses to remove what a user cannot be without, and removes nothing', async () => {
    const user = await newUser('removals@example.com');
    for (const operation of [
      { op: 'remove', path: 'active' },
      { op: 'replace', path: 'active', value: null },
      { op: 'replace', path: 'active', value: '' },
      { op: 'remove', path: 'password' },
    ]) {
      const response = await patch(user.id, operation);
      expectRefused(response, 400, 'invalidValue');
      expect(response.body.detail, JSON.stringify(operation)).toMatch(/cannot be removed/);
    }
    const read = await site.scim('GET', `/Users/${user.id}`);
    expect(read.body).toMatchObject({ active: true, meta: { version: 'W/"1"' } });
  });

  it('ignores a nested schemas in an extension value the same way in POST and PATCH', async () => {
    const created = await site.scim('POST', '/Users', {
      userName: 'nested@example.com',
      [ENTERPRISE]: { schemas: [ENTERPRISE], department: 'Sales' },
    });
    expect(created.status, created.raw).toBe(201);
    expect(created.body[ENTERPRISE]).toEqual({ department: 'Sales' });
    const patched = await patch(created.body.id, {
      op: 'replace',
      value: { [ENTERPRISE]: { schemas: [ENTERPRISE], department: 'Support' } },
    });
    expect(patched.status, patched.raw).toBe(200);
    expect(patched.body[ENTERPRISE]).toEqual({ department: 'Support' });
  });

  it('refuses NUL and lone surrogates in bodies and URLs, with 400 on every dialect', async () => {
    const before = (await users()).length;
    expectRefused(await site.scim('GET', '/Users/%00'), 400, 'invalidValue');
    expectRefused(await site.scim('POST', '/Users', '{"userName":"n1","x\\u0000y":1}'), 400, 'invalidValue');
    const surrogate = await site.scim('POST', '/Users', '{"userName":"n2","nickName":"a\\ud800b"}');
    expectRefused(surrogate, 400, 'invalidValue');
    expect(surrogate.body.detail).toMatch(/nickName/);
    // A URL cannot carry a lone surrogate as UTF-8; a SearchRequest's JSON can.
    expectRefused(
      await site.scim(
        'POST',
        '/Users/.search',
        `{"schemas":["${SEARCH_REQUEST}"],"filter":"nickName eq \\"a\\ud800b\\""}`,
      ),
      400,
      'invalidFilter',
    );
    expectRefused(await site.scim('GET', '/Users?attributes=%00'), 400, 'invalidValue');
    expect((await users()).length).toBe(before);
    // The site still filters and sorts: nothing unreadable was stored.
    const listed = await site.scim(
      'GET',
      `/Users?filter=${encodeURIComponent('nickName pr')}&sortBy=nickName`,
    );
    expect(listed.status, listed.raw).toBe(200);
  });

  it('gives every indexed attribute a maximum length, the same on both dialects', async () => {
    const long = (n: number) => 'x'.repeat(n);
    const cases: [Json, RegExp][] = [
      [{ userName: long(257) }, /'userName' is longer than 256/],
      [{ userName: 'ext@example.com', externalId: long(513) }, /'externalId' is longer than 512/],
      [
        { userName: 'mail@example.com', emails: [{ value: `${long(510)}@x.io` }] },
        /'emails.value' is longer than 512/,
      ],
    ];
    for (const [body, detail] of cases) {
      const response = await site.scim('POST', '/Users', body);
      expectRefused(response, 400, 'invalidValue');
      expect(response.body.detail).toMatch(detail);
    }
    const group = await site.scim('POST', '/Groups', { displayName: long(3000) });
    expectRefused(group, 400, 'invalidValue');
    expect(group.body.detail).toMatch(/'displayName' is longer than 512/);
    // At the limit it is stored, filtered and sorted on both databases.
    const atLimit = await newUser('limit@example.com', { externalId: long(512) });
    const found = await site.scim(
      'GET',
      `/Users?filter=${encodeURIComponent(`externalId eq "${long(512)}"`)}`,
    );
    expect(found.body.Resources.map((user: Json) => user.id)).toEqual([atLimit.id]);
  });

  it('bounds a filter’s size: a thousand or-terms is a clear 400, on both dialects', async () => {
    const terms = Array.from({ length: 1000 }, (_, i) => `userName eq "u${i}"`).join(' or ');
    const response = await site.scim('GET', `/Users?filter=${encodeURIComponent(terms)}`);
    expectRefused(response, 400, 'invalidFilter');
    expect(response.body.detail).toMatch(/at most 100/);
  });

  it('accepts Bearer (any case) and a bare token, and nothing else', async () => {
    for (const scheme of ['Basic', 'Digest', 'Token', 'Bearerx']) {
      const response = await scimRequest(harness.roster, site.token, 'GET', '/Users', undefined, {
        authorization: `${scheme} ${site.token}`,
      });
      expectRefused(response, 401);
      expect(response.body.detail).toContain(`'${scheme}' scheme`);
    }
    for (const header of [`bearer ${site.token}`, `BEARER ${site.token}`, site.token]) {
      const response = await scimRequest(harness.roster, site.token, 'GET', '/Users?count=1', undefined, {
        authorization: header,
      });
      expect(response.status, header).toBe(200);
    }
  });

  it('reads a password named with the core schema URN (RFC 7644 §3.10), flat or nested', async () => {
    const synced = await harness.newSite();
    await harness.roster.services.sites.configure(synced.site.slug, { passwordSync: true });
    const flat = await synced.scim('POST', '/Users', {
      userName: 'flat@example.com',
      [`${USER_SCHEMA}:password`]: 'Correct-Horse-9',
    });
    const nested = await synced.scim('POST', '/Users', {
      userName: 'nested@example.com',
      [USER_SCHEMA]: { password: 'Correct-Horse-9', title: 'Boss' },
    });
    for (const created of [flat, nested]) {
      expect(created.status, created.raw).toBe(201);
      const stored = await harness.roster.store.users.get(synced.site.id, created.body.id);
      expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    }
    expect(nested.body.title).toBe('Boss');
    const weak = await synced.scim('POST', '/Users', {
      userName: 'weak@example.com',
      [`${USER_SCHEMA}:password`]: 'short',
    });
    expectRefused(weak, 400, 'invalidValue');
  });

  describe('over a real socket', () => {
    let base: URL;
    beforeAll(async () => {
      base = new URL(await harness.roster.app.listen({ port: 0, host: '127.0.0.1' }));
    });

    /** Sends bytes as they are and reads the whole answer. */
    const raw = (request: Buffer): Promise<{ head: string; body: Json | undefined }> =>
      new Promise((resolve) => {
        const socket = net.connect(Number(base.port), '127.0.0.1');
        const chunks: Buffer[] = [];
        socket.on('data', (chunk: Buffer) => chunks.push(chunk));
        socket.on('close', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const [head = '', body = ''] = text.split('\r\n\r\n');
          resolve({ head, body: body ? (JSON.parse(body) as Json) : undefined });
        });
        socket.write(request);
      });
    const requestOf = (line: string, headers = ''): Buffer =>
      Buffer.concat([
        Buffer.from(line, 'latin1'),
        Buffer.from(
          `\r\nHost: x\r\nAuthorization: Bearer ${site.token}\r\nConnection: close\r\n${headers}\r\n`,
        ),
      ]);

    it('answers every refusal before a route with a SCIM error body', async () => {
      const cases: [Buffer, number][] = [
        [requestOf('GET /scim/v2/Users/\xff HTTP/1.1'), 400],
        [requestOf('GET /scim/v2/Users/%zz HTTP/1.1'), 400],
        [requestOf(`GET /scim/v2/Users/${'a'.repeat(3000)} HTTP/1.1`), 414],
        [requestOf('GET /scim/v2/Users HTTP/1.1', `X-Big: ${'a'.repeat(20_000)}\r\n`), 431],
        [Buffer.from('GARBAGE\r\n\r\n'), 400],
      ];
      for (const [request, status] of cases) {
        const answer = await raw(request);
        expect(answer.head, request.toString('latin1').slice(0, 60)).toMatch(
          new RegExp(`^HTTP/1.1 ${status} `),
        );
        expect(answer.head).toMatch(/content-type: application\/scim\+json/i);
        expect(answer.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: String(status) });
      }
      // A long id that fits is a plain "not found".
      const longId = await raw(requestOf(`GET /scim/v2/Users/${'a'.repeat(300)} HTTP/1.1`));
      expect(longId.head).toMatch(/^HTTP\/1.1 404 /);
    });

    it('lets a client that writes a body over the limit finish and read the 413, with no error', async () => {
      const body = Buffer.alloc(5 * 1024 * 1024, 'a');
      for (const chunked of [false, true]) {
        // Everything the client sees until the request is closed: the answer, and any error
        // (EPIPE, ECONNRESET) writing a body the server stopped reading.
        const seen = await new Promise<{ status?: number; text: string; errors: string[] }>((resolve) => {
          const result: { status?: number; text: string; errors: string[] } = { text: '', errors: [] };
          const request = http.request(
            new URL('/scim/v2/Users', base),
            {
              method: 'POST',
              headers: {
                authorization: `Bearer ${site.token}`,
                'content-type': 'application/scim+json',
                ...(chunked ? {} : { 'content-length': body.length }),
              },
            },
            (response) => {
              result.status = response.statusCode;
              response.on('data', (chunk: Buffer) => (result.text += chunk.toString()));
            },
          );
          request.on('error', (error: NodeJS.ErrnoException) =>
            result.errors.push(error.code ?? error.message),
          );
          request.on('close', () => {
            // An error on a closed socket may follow its close on the next turn.
            setTimeout(() => {
              resolve(result);
            }, 100);
          });
          request.end(body);
        });
        expect(seen.errors, `chunked: ${chunked}`).toEqual([]);
        expect(seen.status).toBe(413);
        expect(JSON.parse(seen.text)).toMatchObject({ schemas: [ERROR_SCHEMA], status: '413' });
      }
    });
  });
});
