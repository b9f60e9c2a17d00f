import type { FastifyInstance, FastifyRequest } from 'fastify';
import { groupToScim } from '../directory/group-view.js';
import { userToScim } from '../directory/user-view.js';
import { serviceProviderConfig } from '../scim/discovery.js';
import { RosterError } from '../errors.js';
import { ScimError } from '../scim/errors.js';
import { enterpriseUserSchema } from '../scim/schema/enterprise-user.js';
import { groupSchema } from '../scim/schema/group.js';
import { listResponse } from '../scim/list-response.js';
import type { ScimObject } from '../scim/resource.js';
import {
  groupResourceSchema,
  groupResourceType,
  userResourceSchema,
  userResourceType,
} from '../scim/schema/resource-types.js';
import { resourceTypeToScim, schemaToScim } from '../scim/schema/to-scim.js';
import type { ResourceTypeDefinition, SchemaDefinition } from '../scim/schema/types.js';
import { userSchema } from '../scim/schema/user.js';
import { searchFromBody } from '../scim/search.js';
import type { AppOptions } from './app.js';
import { authenticate } from './auth/bearer.js';
import { registerGroupRoutes } from './group-routes.js';
import {
  authenticated,
  baseUrl,
  contextOf,
  idOf,
  listRequestOf,
  refuseFilter,
  send,
} from './scim-support.js';
import { registerUserRoutes } from './user-routes.js';

const SCHEMAS: readonly SchemaDefinition[] = [userSchema, enterpriseUserSchema, groupSchema];
const RESOURCE_TYPES: readonly ResourceTypeDefinition[] = [userResourceType, groupResourceType];
const DOCUMENTATION_URI = 'https://github.com/roster/roster#readme';

/**
 * The SCIM 2.0 API (RFC 7644). Every route authenticates through the hook; the resource routes
 * live in user-routes.ts and group-routes.ts, discovery and the root search here.
 */
export function registerScimRoutes(app: FastifyInstance, options: AppOptions): void {
  const { services, config } = options;

  app.addHook('preHandler', async (request) => {
    request.roster = await authenticate(request, services.tokens, services.store);
  });

  registerUserRoutes(app, options);
  registerGroupRoutes(app, options);

  /**
   * RFC 7644 §3.4.3: a search at the root spans every resource type. Index paging runs over Users
   * then Groups; a filter that names an attribute only one type has simply matches nothing of the
   * other. Cursors belong to one resource type's order, so they are for /Users or /Groups.
   */
  app.post('/.search', async (request, reply) => {
    const parameters = searchFromBody(request.body);
    if (parameters.cursor !== undefined) {
      throw ScimError.invalidValue(
        'Cursor paging is available on /Users/.search and /Groups/.search, not at the root.',
      );
    }
    const context = contextOf(request);
    const base = baseUrl(request, config.publicUrl);
    const users = tryList(() => listRequestOf(userResourceSchema, parameters, config));
    const groups = tryList(() => listRequestOf(groupResourceSchema, parameters, config));
    if (!users.ok && !groups.ok) throw users.error;
    const startIndex = users.ok
      ? users.value.request.paging.kind === 'index'
        ? users.value.request.paging.startIndex
        : 1
      : 1;
    const count = users.ok ? users.value.request.count : groups.ok ? groups.value.request.count : 0;

    // A type whose schema cannot answer the query (an attribute it lacks) contributes nothing;
    // when neither can, the first refusal is the answer.
    const refusals: RosterError[] = [];
    const tolerate = (error: unknown): undefined => {
      if (error instanceof RosterError && error.kind === 'invalid') {
        refusals.push(error);
        return undefined;
      }
      throw error;
    };
    const userTotal = users.ok
      ? ((await services.users.list(context, { ...users.value.request, count: 0 }).catch(tolerate))
          ?.totalResults ?? 0)
      : 0;
    const resources: ScimObject[] = [];
    let groupTotal = 0;
    if (users.ok && refusals.length === 0 && startIndex <= userTotal && count > 0) {
      const page = await services.users.list(context, users.value.request);
      // A user's read-only `groups` is shown here as on /Users (RFC 7643 §4.1.2).
      const memberships = users.value.projection.wants('groups')
        ? await services.store.groupsOfMembers(
            context.site.id,
            page.users.map((user) => user.id),
          )
        : undefined;
      resources.push(
        ...page.users.map((user) =>
          users.value.projection.apply(userToScim(user, `${base}/Users`, memberships?.get(user.id))),
        ),
      );
    }
    if (groups.ok) {
      const remaining = count - resources.length;
      const groupStart = Math.max(1, startIndex - userTotal);
      const page = await services.groups
        .list(
          context,
          {
            ...groups.value.request,
            count: Math.max(0, remaining),
            paging: { kind: 'index', startIndex: groupStart },
          },
          groups.value.projection.wants('members'),
        )
        .catch(tolerate);
      if (page) {
        groupTotal = page.totalResults;
        resources.push(
          ...page.items.map((item) =>
            groups.value.projection.apply(groupToScim(item.group, item.members, base)),
          ),
        );
      }
    }
    const answered = (users.ok ? 1 : 0) + (groups.ok ? 1 : 0) - refusals.length;
    if (answered <= 0) throw refusals[0] ?? (users.ok ? undefined : users.error);
    return send(reply, 200, listResponse(userTotal + groupTotal, resources, { startIndex }));
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
    const resources = RESOURCE_TYPES.map(
      (type) => resourceTypeToScim(type, `${base}/ResourceTypes/${type.id}`) as ScimObject,
    );
    return send(reply, 200, listResponse(resources.length, resources, { startIndex: 1 }));
  });

  app.get('/ResourceTypes/:id', async (request, reply) => {
    const id = idOf(request);
    const type = RESOURCE_TYPES.find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
    if (!type) throw new RosterError('resource-type-not-found', `Resource type '${id}' not found.`);
    return send(
      reply,
      200,
      resourceTypeToScim(
        type,
        `${baseUrl(request, config.publicUrl)}/ResourceTypes/${type.id}`,
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
    if (!schema) throw new RosterError('schema-not-found', `Schema '${id}' not found.`);
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
  for (const url of ['/Users', '/Groups'])
    app.route({ method: ['PUT', 'PATCH', 'DELETE'], url, handler: notAllowed });
  for (const url of ['/Users/:id', '/Groups/:id']) app.route({ method: ['POST'], url, handler: notAllowed });
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

type Attempt<T> = { ok: true; value: T } | { ok: false; error: unknown };

function tryList<T>(work: () => T): Attempt<T> {
  try {
    return { ok: true, value: work() };
  } catch (error) {
    return { ok: false, error };
  }
}
