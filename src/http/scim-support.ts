import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ListRequest, ListResult } from '../directory/paging.js';
import type { Actor } from '../directory/provisioning-log.js';
import type { UserContext } from '../directory/users.js';
import { parseTagCondition, type TagCondition, tagMatches } from '../scim/etag.js';
import { RosterError } from '../errors.js';
import { ScimError } from '../scim/errors.js';
import { parseFilter } from '../scim/filter/parse.js';
import type { PageInfo } from '../scim/list-response.js';
import { parseProjection, type Projection } from '../scim/project.js';
import type { ScimObject } from '../scim/resource.js';
import type { ResourceSchema } from '../scim/schema/registry.js';
import { type PageLimits, pagingOf, type SearchParameters } from '../scim/search.js';
import type { Authenticated } from './auth/bearer.js';
import { SCIM_CONTENT_TYPE } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    roster?: Authenticated;
  }
}

/** The small adapters every SCIM route shares: who is asking, which id, how to answer. */

export type Query = Record<string, string | string[] | undefined>;

export function authenticated(request: FastifyRequest): Authenticated {
  if (!request.roster) throw new RosterError('token-missing', 'Not authenticated.');
  return request.roster;
}

export function contextOf(request: FastifyRequest): UserContext {
  const { site, token } = authenticated(request);
  const actor: Actor = { siteId: site.id, kind: 'scim', tokenId: token.id, requestId: request.id };
  return { site, actor };
}

export function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

export function ifMatchOf(request: FastifyRequest): TagCondition | undefined {
  return parseTagCondition(headerOf(request, 'if-match'));
}

export function idOf(request: FastifyRequest): string {
  return (request.params as { id: string }).id;
}

/** A query parameter, its name matched case-insensitively; a repeated one is refused. */
export function single(query: Query, name: string): string | undefined {
  const key = Object.keys(query).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : query[key];
  if (Array.isArray(value)) throw ScimError.invalidValue(`Give '${name}' once, not ${value.length} times.`);
  return value;
}

export function projectionOf(schema: ResourceSchema, query: Query): Projection {
  return parseProjection(schema, single(query, 'attributes'), single(query, 'excludedAttributes'));
}

/** A list query (RFC 7644 §3.4.2) from search parameters: filter, sort, page and projection. */
export function listRequestOf(
  schema: ResourceSchema,
  parameters: SearchParameters,
  limits: PageLimits,
): { request: ListRequest; projection: Projection } {
  const projection = parseProjection(schema, parameters.attributes, parameters.excludedAttributes);
  const { paging, count } = pagingOf(parameters, limits);
  const filterText = parameters.filter;
  const filter = filterText === undefined || filterText.trim() === '' ? undefined : parseFilter(filterText);
  return {
    projection,
    request: {
      ...(filter ? { filter } : {}),
      ...(parameters.sortBy ? { sortBy: parameters.sortBy } : {}),
      ...(parameters.sortOrder ? { sortOrder: parameters.sortOrder } : {}),
      count,
      paging,
    },
  };
}

/** RFC 7644 §4: a filter on the discovery endpoints is refused. */
export function refuseFilter(request: FastifyRequest): void {
  if (single(request.query as Query, 'filter') !== undefined) {
    throw ScimError.filterNotSupported('Filtering is not supported on discovery endpoints.');
  }
}

/** The absolute URL of `/scim/v2`: the configured public URL, else the request's own. */
export function baseUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  return `${publicUrl ?? `${request.protocol}://${request.host}`}/scim/v2`;
}

export function send(reply: FastifyReply, status: number, body: ScimObject): FastifyReply {
  return reply.code(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** A resource response with its version as the ETag header (RFC 7644 §3.14). */
export function sendVersioned(
  reply: FastifyReply,
  status: number,
  version: string,
  body: ScimObject,
): FastifyReply {
  reply.header('etag', version);
  return send(reply, status, body);
}

/** Where a list page is: the index it started at, or RFC 9865's cursors. */
export function pageInfoOf(result: Omit<ListResult<unknown>, 'items'>): PageInfo {
  return result.startIndex !== undefined
    ? { startIndex: result.startIndex }
    : { nextCursor: result.nextCursor, previousCursor: result.previousCursor };
}

/** RFC 7644 §3.14: a GET whose If-None-Match names the current version is answered 304, no body. */
export function notModified(
  request: FastifyRequest,
  reply: FastifyReply,
  version: string,
): FastifyReply | undefined {
  const condition = parseTagCondition(headerOf(request, 'if-none-match'));
  if (!condition || !tagMatches(condition, version)) return undefined;
  return reply.code(304).header('etag', version).send();
}

/**
 * A successful PATCH answered as the site chose (RFC 7644 §3.5.2 allows both): 204 with no body
 * (the ETag still tells the version), or `full` — 200 with the resource.
 */
export function answerPatch(
  request: FastifyRequest,
  reply: FastifyReply,
  version: string,
  full: () => Promise<FastifyReply>,
): FastifyReply | Promise<FastifyReply> {
  if (authenticated(request).site.settings.patchNoContent === true) {
    return reply.code(204).header('etag', version).send();
  }
  return full();
}
