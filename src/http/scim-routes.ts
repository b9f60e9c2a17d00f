import type { FastifyInstance, FastifyRequest } from 'fastify';
import { searchAllTypes } from '../directory/root-search.js';
import { ScimError } from '../scim/errors.js';
import { listResponse } from '../scim/list-response.js';
import { searchFromBody } from '../scim/search.js';
import type { AppOptions } from './app.js';
import { authenticate } from './auth/bearer.js';
import { registerResourceRoutes } from './resource-routes.js';
import { authenticated, baseUrl, contextOf, idOf, refuseFilter, send } from './scim-support.js';

/**
 * The SCIM 2.0 API (RFC 7644). Every route authenticates through the hook; each resource type of
 * the registry gets the same routes (`resource-routes.ts`); discovery and the root search are here.
 */
export function registerScimRoutes(app: FastifyInstance, options: AppOptions): void {
  const { services, config } = options;
  const { discovery } = services;

  app.addHook('preHandler', async (request) => {
    request.roster = await authenticate(request, services.tokens);
  });

  const endpoints = discovery.endpoints();
  for (const { type, endpoint } of endpoints) registerResourceRoutes(app, options, type, endpoint);

  app.post('/.search', async (request, reply) => {
    const list = await searchAllTypes(
      services.resources,
      contextOf(request),
      endpoints.map(({ type }) => type),
      searchFromBody(request.body),
      { scimBase: baseUrl(request, config.publicUrl) },
    );
    return send(reply, 200, listResponse(list.totalResults, list.resources, list.page));
  });

  app.get('/ServiceProviderConfig', async (request, reply) =>
    send(
      reply,
      200,
      discovery.serviceProviderConfig(authenticated(request).site, baseUrl(request, config.publicUrl)),
    ),
  );

  app.get('/ResourceTypes', async (request, reply) => {
    refuseFilter(request);
    const types = discovery.resourceTypes(authenticated(request).site, baseUrl(request, config.publicUrl));
    return send(reply, 200, listResponse(types.length, types, { startIndex: 1 }));
  });

  app.get('/ResourceTypes/:id', async (request, reply) =>
    send(
      reply,
      200,
      discovery.resourceType(authenticated(request).site, idOf(request), baseUrl(request, config.publicUrl)),
    ),
  );

  app.get('/Schemas', async (request, reply) => {
    refuseFilter(request);
    const schemas = discovery.schemas(authenticated(request).site, baseUrl(request, config.publicUrl));
    return send(reply, 200, listResponse(schemas.length, schemas, { startIndex: 1 }));
  });

  app.get('/Schemas/:id', async (request, reply) =>
    send(
      reply,
      200,
      discovery.schema(authenticated(request).site, idOf(request), baseUrl(request, config.publicUrl)),
    ),
  );

  // Methods a SCIM path does not take get 405 (RFC 7644 §3.12), not 404.
  const notAllowed = async (request: FastifyRequest): Promise<never> => {
    throw ScimError.methodNotAllowed(`${request.method} is not supported on ${request.url.split('?')[0]}.`);
  };
  for (const url of [
    '/ServiceProviderConfig',
    '/ResourceTypes',
    '/ResourceTypes/:id',
    '/Schemas',
    '/Schemas/:id',
  ]) {
    app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url, handler: notAllowed });
  }
  // RFC 7644 §3.7: a BulkRequest carries many resources, so its body has a limit of its own
  // (advertised as bulk.maxPayloadSize).
  app.post('/Bulk', { bodyLimit: config.bulkBodyLimit }, async (request, reply) => {
    const response = await services.bulk.run(
      contextOf(request),
      request.body,
      baseUrl(request, config.publicUrl),
      (error) => {
        request.log.error({ err: error }, 'bulk operation failed');
      },
    );
    return send(reply, 200, response);
  });
  app.route({ method: ['GET', 'PUT', 'PATCH', 'DELETE'], url: '/Bulk', handler: notAllowed });
  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/Me',
    handler: async () => {
      throw ScimError.notImplemented(
        '/Me is not supported: a SCIM access token belongs to a site, not to a user.',
      );
    },
  });
}
