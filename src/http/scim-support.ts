import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RequestContext } from '../directory/context.js';
import type { ResourceView } from '../directory/resources.js';
import type { Authenticated } from '../directory/tokens.js';
import { RosterError } from '../errors.js';
import { parseTagCondition, type TagCondition } from '../scim/etag.js';
import { ScimError } from '../scim/errors.js';
import type { ScimObject } from '../scim/resource.js';
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

export function contextOf(request: FastifyRequest): RequestContext {
  const { site, token } = authenticated(request);
  return { site, actor: { siteId: site.id, kind: 'scim', tokenId: token.id, requestId: request.id } };
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

/** The absolute URL of `/scim/v2`: the configured public URL, else the request's own. */
export function baseUrl(request: FastifyRequest, publicUrl: string | undefined): string {
  return `${publicUrl ?? `${request.protocol}://${request.host}`}/scim/v2`;
}

/** How the response shows a resource: its base URL and the request's attribute lists (RFC 7644 §3.9). */
export function viewOf(request: FastifyRequest, publicUrl: string | undefined): ResourceView {
  const query = request.query as Query;
  return {
    scimBase: baseUrl(request, publicUrl),
    attributes: single(query, 'attributes'),
    excludedAttributes: single(query, 'excludedAttributes'),
  };
}

/** RFC 7644 §4: a filter on the discovery endpoints is refused. */
export function refuseFilter(request: FastifyRequest): void {
  if (single(request.query as Query, 'filter') !== undefined) {
    throw ScimError.filterNotSupported('Filtering is not supported on discovery endpoints.');
  }
}

export function send(reply: FastifyReply, status: number, body: ScimObject): FastifyReply {
  return reply.code(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** A resource response with its version as the ETag header (RFC 7644 §3.14); no body for 204 and 304. */
export function sendVersioned(
  reply: FastifyReply,
  status: number,
  version: string,
  body: ScimObject | undefined,
): FastifyReply {
  reply.header('etag', version);
  return body === undefined ? reply.code(status).send() : send(reply, status, body);
}
