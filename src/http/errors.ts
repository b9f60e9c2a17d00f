import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
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
  app.setErrorHandler(async (error: FastifyError | RosterError, request, reply) => {
    const rosterError = toRosterError(error, request.routeOptions.bodyLimit);
    // By status: a bug is an error with its stack; an outage a warning; a refused request (4xx,
    // an endpoint Roster does not implement) is the client's business, noted at info.
    if (rosterError.kind === 'internal') request.log.error({ err: error }, 'request failed');
    else if (rosterError.kind === 'unavailable')
      request.log.warn({ code: rosterError.code, detail: rosterError.detail }, 'request refused');
    else request.log.info({ code: rosterError.code, status: rosterError.status }, 'request refused');
    // A body over the limit is still arriving: read it to the end (discarding it, up to a bound)
    // before answering, so the client can finish writing and read the 413 instead of a reset.
    if (rosterError.code === 'body-too-large') await discardBody(request.raw);
    return sendError(reply, rosterError);
  });
  app.setNotFoundHandler((request, reply) => {
    void sendError(
      reply,
      ScimError.routeNotFound(`No resource at ${request.method} ${request.url.split('?')[0]}.`),
    );
  });
}

/** Past this, a client still writing is cut off: no one sends this much by mistake. */
const MAX_DISCARDED_BYTES = 256 * 1024 * 1024;

/** Reads and drops what is left of a request body; resolves when it has ended, or was cut off. */
function discardBody(raw: IncomingMessage): Promise<void> {
  if (raw.readableEnded || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let discarded = 0;
    const onData = (chunk: Buffer): void => {
      discarded += chunk.length;
      if (discarded > MAX_DISCARDED_BYTES) {
        raw.removeListener('data', onData);
        resolve();
      }
    };
    raw.on('data', onData);
    raw.once('end', () => {
      resolve();
    });
    raw.once('close', () => {
      resolve();
    });
    raw.resume();
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

/** Fastify's refusals of a URL before any route runs (a malformed escape, an over-long id). */
export function frameworkError(error: FastifyError, url: string): RosterError {
  const path = url.split('?')[0] ?? '';
  const shown = path.length > 100 ? `${path.slice(0, 100)}…` : path;
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return new RosterError('url-too-long', `A part of the path ${shown} is longer than Roster reads.`);
  }
  return new RosterError('bad-url', `The request URL ${shown} cannot be read: check its % escapes.`);
}

/**
 * What Node refuses while reading a request (headers too large, a request line that is not HTTP,
 * a time-out), answered as a SCIM error body on the bare socket: no route, no reply object yet.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const refusal =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new RosterError('headers-too-large', 'The request headers are larger than Roster reads (16 KiB).')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new RosterError('request-timeout', 'The request did not arrive whole in time.')
        : new RosterError(
            'bad-url',
            'The request is not an HTTP request Roster can read: check its URL and headers.',
          );
  const body = JSON.stringify(scimErrorBody(refusal));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? ''}\r\nContent-Type: ${SCIM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
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
