import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RosterError } from '../errors.js';
import { ScimError } from '../scim/errors.js';
import { registerErrorHandling } from './errors.js';

/** Every error a handler can raise, as the SCIM API answers it (RFC 7644 §3.12). */
describe('HTTP error mapping', () => {
  let app: FastifyInstance;
  const logged: { level: string; message: string }[] = [];

  beforeAll(async () => {
    app = Fastify({ logger: false, bodyLimit: 1024 });
    app.addHook('onRequest', async (request) => {
      for (const level of ['error', 'warn', 'info'] as const) {
        request.log[level] = ((_object: unknown, message: string) => {
          // Fastify's own request lines are not what these tests are about.
          if (message !== 'request completed' && message !== 'incoming request')
            logged.push({ level, message });
        }) as never;
      }
    });
    registerErrorHandling(app);
    app.get('/filter', async () => {
      throw ScimError.invalidFilter("Unexpected 'and' at column 17");
    });
    app.get('/taken', async () => {
      throw new RosterError('logon-taken', "Logon 'ann' already exists in this site.");
    });
    app.get('/token', async () => {
      throw new RosterError('token-expired', 'The SCIM access token has expired.');
    });
    app.get('/down', async () => {
      throw new RosterError('database-unavailable', 'The database cannot be reached.', {
        retryAfterSeconds: 5,
      });
    });
    app.get('/bulk', async () => {
      throw ScimError.notImplemented('Not here.');
    });
    app.get('/bug', async () => {
      throw new Error('secret internals: SELECT * FROM users');
    });
    app.post('/echo', async (request) => request.body);
    await app.ready();
  });
  afterAll(async () => app.close());

  const call = async (method: 'GET' | 'POST', url: string, payload?: string, type = 'application/json') => {
    const response = await app.inject({
      method,
      url,
      ...(payload !== undefined ? { payload, headers: { 'content-type': type } } : {}),
    });
    return { status: response.statusCode, headers: response.headers, body: JSON.parse(response.body) };
  };
  const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

  it('logs by status: a refused request (4xx, 501) at info, never as an error with a stack', async () => {
    for (const [url, status] of [
      ['/filter', 400],
      ['/taken', 409],
      ['/token', 401],
      ['/bulk', 501],
    ] as const) {
      logged.length = 0;
      expect((await call('GET', url)).status).toBe(status);
      expect(logged, url).toEqual([{ level: 'info', message: 'request refused' }]);
    }
  });

  it('answers a SCIM error with its status and scimType', async () => {
    const response = await call('GET', '/filter');
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/scim+json; charset=utf-8');
    expect(response.body).toEqual({
      schemas: [ERROR],
      status: '400',
      scimType: 'invalidFilter',
      detail: "Unexpected 'and' at column 17",
    });
  });

  it('answers a domain error by its kind', async () => {
    expect((await call('GET', '/taken')).body).toEqual({
      schemas: [ERROR],
      status: '409',
      scimType: 'uniqueness',
      detail: "Logon 'ann' already exists in this site.",
    });
    const token = await call('GET', '/token');
    expect(token.status).toBe(401);
    expect(token.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(token.body.scimType).toBeUndefined();
  });

  it('answers an outage with 503 and Retry-After, logged as a warning without a stack', async () => {
    logged.length = 0;
    const response = await call('GET', '/down');
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.body.detail).toBe('The database cannot be reached.');
    expect(logged).toEqual([{ level: 'warn', message: 'request refused' }]);
  });

  it('answers an unexpected error with a 500 that leaks nothing, and logs it', async () => {
    logged.length = 0;
    const response = await call('GET', '/bug');
    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      schemas: [ERROR],
      status: '500',
      detail: 'The server could not complete the request.',
    });
    expect(logged).toEqual([{ level: 'error', message: 'request failed' }]);
  });

  it("translates Fastify's own errors", async () => {
    const tooLarge = await call('POST', '/echo', JSON.stringify({ x: 'y'.repeat(2000) }));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.schemas).toEqual([ERROR]);
    const malformed = await call('POST', '/echo', '{"x":');
    expect(malformed).toMatchObject({ status: 400, body: { scimType: 'invalidSyntax' } });
    const unknown = await call('GET', '/nowhere?x=1');
    expect(unknown).toMatchObject({ status: 404, body: { detail: 'No resource at GET /nowhere.' } });
  });
});
