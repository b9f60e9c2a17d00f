import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../directory/provisioning-log.js';
import type { UserContext } from '../directory/users.js';
import { userToScim, userVersion } from '../directory/user-view.js';
import { serviceProviderConfig } from '../scim/discovery.js';
import { parseTagCondition, type TagCondition, tagMatches } from '../scim/etag.js';
import { ScimError } from '../scim/errors.js';
import { parseFilter } from '../scim/filter/parse.js';
import { listResponse } from '../scim/list-response.js';
import { pagingOf, searchFromBody, searchFromQuery, type SearchParameters } from '../scim/search.js';
import { parseProjection, type Projection } from '../scim/project.js';
import type { ScimObject } from '../scim/resource.js';
import { enterpriseUserSchema } from '../scim/schema/enterprise-user.js';
import { userResourceSchema, userResourceType } from '../scim/schema/resource-types.js';
import { resourceTypeToScim, schemaToScim } from '../scim/schema/to-scim.js';
import type { SchemaDefinition } from '../scim/schema/types.js';
import { userSchema } from '../scim/schema/user.js';
import type { UserRecord } from '../store/store.js';
import type { AppOptions } from './app.js';
import { type Authenticated, authenticate } from './auth/bearer.js';
import { SCIM_CONTENT_TYPE } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    roster?: Authenticated;
  }
}

type Query = Record<string, string | string[] | undefined>;

const SCHEMAS: readonly SchemaDefinition[] = [userSchema, enterpriseUserSchema];
const DOCUMENTATION_URI = 'https://github.com/roster/roster#readme';

/**
 * The SCIM 2.0 API (RFC 7644) as a table of routes. Each handler authenticates through the hook,
 * turns the request into a call of the directory services and renders the SCIM response.
 */
export function registerScimRoutes(app: FastifyInstance, options: AppOptions): void {
  const { services, config } = options;

  app.addHook('preHandler', async (request) => {
    request.roster = await authenticate(request, services.tokens, services.store);
  });

  // RFC 7644 §3.4.2 (GET) and §3.4.3 (POST /.search): the same query, from the URL or a body.
  const searchUsers = async (
    request: FastifyRequest,
    reply: FastifyReply,
    parameters: SearchParameters,
  ): Promise<FastifyReply> => {
    const context = userContext(request);
    const projection = parseProjection(
      userResourceSchema,
      parameters.attributes,
      parameters.excludedAttributes,
    );
    const { paging, count } = pagingOf(parameters, config);
    const filterText = parameters.filter;
    const filter = filterText === undefined || filterText.trim() === '' ? undefined : parseFilter(filterText);
    const result = await services.users.list(context, {
      ...(filter ? { filter } : {}),
      ...(parameters.sortBy ? { sortBy: parameters.sortBy } : {}),
      ...(parameters.sortOrder ? { sortOrder: parameters.sortOrder } : {}),
      count,
      paging,
    });
    const base = usersUrl(request, config.publicUrl);
    const resources = result.users.map((user) => projection.apply(userToScim(user, base)));
    const page =
      result.startIndex !== undefined
        ? { startIndex: result.startIndex }
        : { nextCursor: result.nextCursor, previousCursor: result.previousCursor };
    return send(reply, 200, listResponse(result.totalResults, resources, page));
  };

  app.get('/Users', async (request, reply) =>
    searchUsers(request, reply, searchFromQuery(request.query as Query)),
  );
  app.post('/Users/.search', async (request, reply) =>
    searchUsers(request, reply, searchFromBody(request.body)),
  );
  // The root search spans every resource type; Users is the only one so far.
  app.post('/.search', async (request, reply) => searchUsers(request, reply, searchFromBody(request.body)));

  app.post('/Users', async (request, reply) => {
    const context = userContext(request);
    const projection = projectionOf(request.query as Query);
    const { user } = await services.users.create(context, request.body);
    const resource = userToScim(user, usersUrl(request, config.publicUrl));
    reply.header('location', (resource.meta as ScimObject).location);
    return sendUser(reply, 201, user, projection.apply(resource));
  });

  app.get('/Users/:id', async (request, reply) => {
    const user = await services.users.get(userContext(request), idOf(request));
    const ifNoneMatch = parseTagCondition(headerOf(request, 'if-none-match'));
    if (ifNoneMatch && tagMatches(ifNoneMatch, userVersion(user))) {
      return reply.code(304).header('etag', userVersion(user)).send();
    }
    return sendUser(
      reply,
      200,
      user,
      projectionOf(request.query as Query).apply(userToScim(user, usersUrl(request, config.publicUrl))),
    );
  });

  app.put('/Users/:id', async (request, reply) => {
    const { user } = await services.users.replace(
      userContext(request),
      idOf(request),
      request.body,
      ifMatchOf(request),
    );
    return sendUser(
      reply,
      200,
      user,
      projectionOf(request.query as Query).apply(userToScim(user, usersUrl(request, config.publicUrl))),
    );
  });

  app.patch('/Users/:id', async (request, reply) => {
    const { user } = await services.users.patch(
      userContext(request),
      idOf(request),
      request.body,
      ifMatchOf(request),
    );
    if (authenticated(request).site.settings.patchNoContent === true) {
      // The site chose RFC 7644 §3.5.2's other answer: 204, no body (the ETag still tells the version).
      return reply.code(204).header('etag', userVersion(user)).send();
    }
    return sendUser(
      reply,
      200,
      user,
      projectionOf(request.query as Query).apply(userToScim(user, usersUrl(request, config.publicUrl))),
    );
  });

  app.delete('/Users/:id', async (request, reply) => {
    await services.users.delete(userContext(request), idOf(request), ifMatchOf(request));
    return reply.code(204).send();
  });

  app.get('/ServiceProviderConfig', async (request, reply) => {
    const { site } = authenticated(request);
    return send(
      reply,
      200,
      serviceProviderConfig({
        documentationUri: DOCUMENTATION_URI,
        maxResults: config.maxPageSize,
        defaultPageSize: config.defaultPageSize,
        cursorTimeoutSeconds: Math.round(config.cursorTimeoutMs / 1000),
        maxPayloadSize: config.bodyLimit,
        changePassword: site.settings.passwordSync,
        location: `${baseUrl(request, config.publicUrl)}/ServiceProviderConfig`,
      }),
    );
  });

  app.get('/ResourceTypes', async (request, reply) => {
    refuseFilter(request);
    const base = baseUrl(request, config.publicUrl);
    const resources = [
      resourceTypeToScim(userResourceType, `${base}/ResourceTypes/${userResourceType.id}`) as ScimObject,
    ];
    return send(reply, 200, listResponse(resources.length, resources, { startIndex: 1 }));
  });

  app.get('/ResourceTypes/:id', async (request, reply) => {
    const id = idOf(request);
    if (id.toLowerCase() !== userResourceType.id.toLowerCase())
      throw ScimError.notFound(`Resource type '${id}' not found.`);
    return send(
      reply,
      200,
      resourceTypeToScim(
        userResourceType,
        `${baseUrl(request, config.publicUrl)}/ResourceTypes/${userResourceType.id}`,
      ) as ScimObject,
    );
  });

  app.get('/Schemas', async (request, reply) => {
    refuseFilter(request);
    const base = baseUrl(request, config.publicUrl);
    const resources = SCHEMAS.map(
      (schema) => schemaToScim(schema, `${base}/Schemas/${schema.id}`) as ScimObject,
    );
    return send(reply, 200, listResponse(resources.length, resources, { startIndex: 1 }));
  });

  app.get('/Schemas/:id', async (request, reply) => {
    const id = idOf(request);
    const schema = SCHEMAS.find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
    if (!schema) throw ScimError.notFound(`Schema '${id}' not found.`);
    return send(
      reply,
      200,
      schemaToScim(schema, `${baseUrl(request, config.publicUrl)}/Schemas/${schema.id}`) as ScimObject,
    );
  });

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
  app.route({ method: ['PUT', 'PATCH', 'DELETE'], url: '/Users', handler: notAllowed });
  app.route({ method: ['POST'], url: '/Users/:id', handler: notAllowed });
  app.route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: '/Bulk',
    handler: async () => {
      throw ScimError.notImplemented('Bulk operations are not supported (see /ServiceProviderConfig).');
    },
  });
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

function authenticated(request: FastifyRequest): Authenticated {
  if (!request.roster) throw ScimError.unauthorized('Not authenticated.');
  return request.roster;
}

function userContext(request: FastifyRequest): UserContext {
  const { site, token } = authenticated(request);
  const actor: Actor = { siteId: site.id, kind: 'scim', tokenId: token.id, requestId: request.id };
  return { site, actor };
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function ifMatchOf(request: FastifyRequest): TagCondition | undefined {
  return parseTagCondition(headerOf(request, 'if-match'));
}

function idOf(request: FastifyRequest): string {
  return (request.params as { id: string }).id;
}

function single(query: Query, name: string): string | undefined {
  // Query parameter names are matched case-insensitively: clients write startindex and StartIndex.
  const key = Object.keys(query).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : query[key];
  if (Array.isArray(value)) throw ScimError.invalidValue(`Give '${name}' once, not ${value.length} times.`);
  return value;
}

function projectionOf(query: Query): Projection {
  return parseProjection(
    userResourceSchema,
    single(query, 'attributes'),
    single(query, 'excludedAttributes'),
  );
}

/** RFC 7644 §4: a filter on the discovery endpoints is refused. */
function refuseFilter(request: FastifyRequest): void {
  if (single(request.query as Query, 'filter') !== undefined) {
    throw ScimError.forbidden('Filtering is not supported on discovery endpoints.');
  }
}

function baseUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  return `${publicUrl ?? `${request.protocol}://${request.host}`}/scim/v2`;
}

function usersUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  return `${baseUrl(request, publicUrl)}/Users`;
}

function send(reply: FastifyReply, status: number, body: ScimObject): FastifyReply {
  return reply.code(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

function sendUser(reply: FastifyReply, status: number, user: UserRecord, body: ScimObject): FastifyReply {
  reply.header('etag', userVersion(user));
  return send(reply, status, body);
}
