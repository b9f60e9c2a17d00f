import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseTagCondition } from '../scim/etag.js';
import { ScimError } from '../scim/errors.js';
import { listResponse } from '../scim/list-response.js';
import { searchFromBody, searchFromQuery, type SearchParameters } from '../scim/search.js';
import type { AppOptions } from './app.js';
import {
  authenticated,
  baseUrl,
  contextOf,
  headerOf,
  idOf,
  ifMatchOf,
  type Query,
  send,
  sendVersioned,
  viewOf,
} from './scim-support.js';

/**
 * The route table of one resource type (RFC 7644 §3): `/Users`, `/Groups`, … — the same routes for
 * every entry of the registry. Each handler adapts the request into one call of the resource
 * service and writes its answer back.
 */
export function registerResourceRoutes(
  app: FastifyInstance,
  options: AppOptions,
  type: string,
  endpoint: string,
): void {
  const { services, config } = options;
  const resources = services.resources;

  // RFC 7644 §3.4.2 (GET) and §3.4.3 (POST /.search): the same query, from the URL or a body.
  const search = async (request: FastifyRequest, reply: FastifyReply, parameters: SearchParameters) => {
    const list = await resources.search(contextOf(request), type, parameters, {
      scimBase: baseUrl(request, config.publicUrl),
    });
    return send(reply, 200, listResponse(list.totalResults, list.resources, list.page));
  };

  app.get(endpoint, async (request, reply) =>
    search(request, reply, searchFromQuery(request.query as Query)),
  );
  app.post(`${endpoint}/.search`, async (request, reply) =>
    search(request, reply, searchFromBody(request.body)),
  );

  app.post(endpoint, async (request, reply) => {
    const view = viewOf(request, config.publicUrl);
    const created = await resources.create(contextOf(request), type, request.body, view);
    reply.header('location', `${view.scimBase}${endpoint}/${created.id}`);
    return sendVersioned(reply, 201, created.version, created.resource);
  });

  app.get(`${endpoint}/:id`, async (request, reply) => {
    const ifNoneMatch = parseTagCondition(headerOf(request, 'if-none-match'));
    const found = await resources.get(
      contextOf(request),
      type,
      idOf(request),
      viewOf(request, config.publicUrl),
      ifNoneMatch,
    );
    // RFC 7644 §3.14: a GET whose If-None-Match names the current version is answered 304, no body.
    return sendVersioned(reply, found.resource ? 200 : 304, found.version, found.resource);
  });

  app.put(`${endpoint}/:id`, async (request, reply) => {
    const replaced = await resources.replace(
      contextOf(request),
      type,
      idOf(request),
      request.body,
      ifMatchOf(request),
      viewOf(request, config.publicUrl),
    );
    return sendVersioned(reply, 200, replaced.version, replaced.resource);
  });

  app.patch(`${endpoint}/:id`, async (request, reply) => {
    // RFC 7644 §3.5.2 allows both: 204 with no body (the ETag still tells the version), or 200 and
    // the resource; the site chooses.
    const noContent = authenticated(request).site.settings.patchNoContent === true;
    const patched = await resources.patch(
      contextOf(request),
      type,
      idOf(request),
      request.body,
      ifMatchOf(request),
      noContent ? undefined : viewOf(request, config.publicUrl),
    );
    return sendVersioned(reply, noContent ? 204 : 200, patched.version, patched.resource);
  });

  app.delete(`${endpoint}/:id`, async (request, reply) => {
    await resources.delete(contextOf(request), type, idOf(request), ifMatchOf(request));
    return reply.code(204).send();
  });

  // Methods a SCIM path does not take get 405 (RFC 7644 §3.12), not 404.
  const notAllowed = async (request: FastifyRequest): Promise<never> => {
    throw ScimError.methodNotAllowed(`${request.method} is not supported on ${request.url.split('?')[0]}.`);
  };
  app.route({ method: ['PUT', 'PATCH', 'DELETE'], url: endpoint, handler: notAllowed });
  app.route({ method: ['POST'], url: `${endpoint}/:id`, handler: notAllowed });
}
