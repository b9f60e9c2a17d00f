import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { RosterError } from '../errors.js';
import { ScimError, scimErrorBody } from '../scim/errors.js';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/**
 * Every error leaves as a SCIM error body (RFC 7644 §3.12), whatever raised it. Fastify's own
 * errors (body too large, malformed JSON, unsupported media type) are translated; a database that
 * is down or busy is a 503 with `Retry-After`, logged as one line; anything else is logged with its
 * stack and answered with a 500 that leaks nothing.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | RosterError, request, reply) => {
    const rosterError = toRosterError(error, request.routeOptions.bodyLimit);
    if (rosterError.kind === 'internal') request.log.error({ err: error }, 'request failed');
    else if (rosterError.kind === 'unavailable')
      request.log.warn({ code: rosterError.code, detail: rosterError.detail }, 'request refused');
    void sendError(reply, rosterError);
  });
  app.setNotFoundHandler((request, reply) => {
    void sendError(
      reply,
      ScimError.routeNotFound(`No resource at ${request.method} ${request.url.split('?')[0]}.`),
    );
  });
}

export function sendError(reply: FastifyReply, error: RosterError): FastifyReply {
  if (error.kind === 'unauthorized')
    reply.header('www-authenticate', 'Bearer realm="Roster SCIM", error="invalid_token"');
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply
    .code(error.status)
    .type(SCIM_CONTENT_TYPE)
    .send(JSON.stringify(scimErrorBody(error)));
}

/**
 * Any error as a `RosterError`: ours as they are, Fastify's by their code, the rest as internal.
 * A body over the limit names the limit (RFC 7644 §3.7.4), so a client knows how to split it.
 */
export function toRosterError(error: FastifyError | RosterError, bodyLimit?: number): RosterError {
  if (error instanceof RosterError) return error;
  const tooLarge = () =>
    ScimError.payloadTooLarge(
      bodyLimit === undefined
        ? 'The request body is larger than this server accepts.'
        : `The request body is larger than the ${bodyLimit} bytes this endpoint accepts.`,
    );
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return tooLarge();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return ScimError.unsupportedMediaType(
        'Send the request body as application/scim+json or application/json.',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return ScimError.invalidSyntax('The request body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return ScimError.invalidSyntax('The Content-Length header does not match the body.');
  }
  if (error.statusCode === 413) return tooLarge();
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return ScimError.plainBadRequest(error.message);
  }
  return ScimError.internal();
}
