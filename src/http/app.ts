import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { ScimError } from '../scim/errors.js';
import { findUnstorableText } from '../scim/text.js';
import type { Services } from '../directory/services.js';
import {
  answerClientError,
  frameworkError,
  registerErrorHandling,
  SCIM_CONTENT_TYPE,
  sendError,
} from './errors.js';
import { registerScimRoutes } from './scim-routes.js';

export interface AppOptions {
  readonly services: Services;
  readonly config: Pick<Config, 'bodyLimit' | 'bulkBodyLimit' | 'publicUrl' | 'trustProxy'>;
  readonly logger: Logger;
}

const MAX_PATH_SEGMENT = 2048;

/** `application/json` and `application/scim+json`, with or without parameters (charset). */
const JSON_TYPE = /^\s*application\/(?:scim\+)?json\s*(?:;|$)/i;

/** A request id from the caller is kept if it is sane, so logs can be joined across systems. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The HTTP edge: the only place that knows Fastify. It adapts requests into calls of the SCIM
 * protocol core and the directory services and writes their results back.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's own types and the ones Fastify was built against differ only in optional members.
    loggerInstance: options.logger as unknown as FastifyBaseLogger,
    // One access-log line per request is written in onResponse; Fastify's own two lines cost more.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.config.bodyLimit,
    trustProxy: options.config.trustProxy,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Ids are ours and short; a longer path segment reaches the routes (and is "not found")
    // up to this length, past it the answer is a SCIM 414.
    routerOptions: {
      ignoreTrailingSlash: true,
      ignoreDuplicateSlashes: true,
      maxParamLength: MAX_PATH_SEGMENT,
    },
    // What Fastify or Node refuses before a route runs is answered as SCIM errors too.
    frameworkErrors: (error, request, reply) => {
      void sendError(reply, frameworkError(error, request.url));
    },
    clientErrorHandler: answerClientError,
  });

  // SCIM bodies are JSON (RFC 7644 §3.1 and §8.1): Okta sends application/scim+json, its own
  // tests application/json, some clients no Content-Type at all; anything else names another
  // format and is refused with 415 rather than guessed at.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const type = request.headers['content-type'];
    if (type !== undefined && !JSON_TYPE.test(type)) {
      done(
        ScimError.unsupportedMediaType(
          `The request body is '${type.split(';')[0]!.trim()}': send it as application/scim+json or application/json.`,
        ),
        undefined,
      );
      return;
    }
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      done(
        ScimError.invalidSyntax(`The request body is not valid JSON: ${(error as Error).message}.`),
        undefined,
      );
      return;
    }
    const unstorable = findUnstorableText(parsed);
    if (unstorable !== undefined) {
      done(
        ScimError.invalidValue(
          `The request body has a NUL character or invalid Unicode (a lone surrogate) at ${unstorable}.`,
        ),
        undefined,
      );
      return;
    }
    done(null, parsed);
  });

  // The same for what the URL carries (an id, an attribute list); a filter's own parser says it
  // as an invalid filter.
  app.addHook('preValidation', async (request) => {
    for (const values of [request.params, request.query]) {
      const unstorable = findUnstorableText(values);
      if (unstorable !== undefined) {
        throw ScimError.invalidValue(
          `The request URL has a NUL character or invalid Unicode (a lone surrogate) in ${unstorable}.`,
        );
      }
    }
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request',
    );
    done();
  });

  registerErrorHandling(app);
  await app.register(
    (scope, _opts, done) => {
      registerScimRoutes(scope, options);
      done();
    },
    { prefix: '/scim/v2' },
  );

  // One round trip to the database, nothing more: probes come often and unauthenticated.
  app.get('/healthz', async (_request, reply) => {
    await options.services.health();
    return reply.type('application/json').send({ status: 'ok' });
  });
  app.get('/', async (_request, reply) =>
    reply.type(SCIM_CONTENT_TYPE).send({ name: 'Roster', scim: '/scim/v2', health: '/healthz' }),
  );
  return app;
}
