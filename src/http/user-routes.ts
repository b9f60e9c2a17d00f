import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { userToScim, userVersion } from '../directory/user-view.js';
import { listResponse } from '../scim/list-response.js';
import type { Projection } from '../scim/project.js';
import type { ScimObject } from '../scim/resource.js';
import { userResourceSchema } from '../scim/schema/resource-types.js';
import { searchFromBody, searchFromQuery, type SearchParameters } from '../scim/search.js';
import type { UserRecord } from '../store/store.js';
import type { AppOptions } from './app.js';
import {
  authenticated,
  baseUrl,
  answerPatch,
  contextOf,
  idOf,
  ifMatchOf,
  listRequestOf,
  notModified,
  pageInfoOf,
  projectionOf,
  type Query,
  send,
  sendVersioned,
} from './scim-support.js';

/** `/Users` (RFC 7644 §3): the route table of the User resource. */
export function registerUserRoutes(app: FastifyInstance, options: AppOptions): void {
  const { services, config } = options;

  /** SCIM representations of users, with their groups read in one query when the response shows them. */
  const render = async (
    request: FastifyRequest,
    users: UserRecord[],
    projection: Projection,
  ): Promise<ScimObject[]> => {
    const base = baseUrl(request, config.publicUrl);
    const groups = projection.wants('groups')
      ? await services.store.groupsOfMembers(
          authenticated(request).site.id,
          users.map((user) => user.id),
        )
      : undefined;
    return users.map((user) => projection.apply(userToScim(user, `${base}/Users`, groups?.get(user.id))));
  };

  const sendUser = async (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    user: UserRecord,
  ): Promise<FastifyReply> => {
    const [resource] = await render(
      request,
      [user],
      projectionOf(userResourceSchema, request.query as Query),
    );
    return sendVersioned(reply, status, userVersion(user), resource!);
  };

  // RFC 7644 §3.4.2 (GET) and §3.4.3 (POST /.search): the same query, from the URL or a body.
  const search = async (
    request: FastifyRequest,
    reply: FastifyReply,
    parameters: SearchParameters,
  ): Promise<FastifyReply> => {
    const { request: listRequest, projection } = listRequestOf(userResourceSchema, parameters, config);
    const result = await services.users.list(contextOf(request), listRequest);
    const resources = await render(request, result.users, projection);
    const page = pageInfoOf(result);
    return send(reply, 200, listResponse(result.totalResults, resources, page));
  };

  app.get('/Users', async (request, reply) =>
    search(request, reply, searchFromQuery(request.query as Query)),
  );
  app.post('/Users/.search', async (request, reply) => search(request, reply, searchFromBody(request.body)));

  app.post('/Users', async (request, reply) => {
    const { user } = await services.users.create(contextOf(request), request.body);
    reply.header('location', `${baseUrl(request, config.publicUrl)}/Users/${user.id}`);
    return sendUser(request, reply, 201, user);
  });

  app.get('/Users/:id', async (request, reply) => {
    const user = await services.users.get(contextOf(request), idOf(request));
    const unchanged = notModified(request, reply, userVersion(user));
    if (unchanged) return unchanged;
    return sendUser(request, reply, 200, user);
  });

  app.put('/Users/:id', async (request, reply) => {
    const { user } = await services.users.replace(
      contextOf(request),
      idOf(request),
      request.body,
      ifMatchOf(request),
    );
    return sendUser(request, reply, 200, user);
  });

  app.patch('/Users/:id', async (request, reply) => {
    const { user } = await services.users.patch(
      contextOf(request),
      idOf(request),
      request.body,
      ifMatchOf(request),
    );
    return answerPatch(request, reply, userVersion(user), () => sendUser(request, reply, 200, user));
  });

  app.delete('/Users/:id', async (request, reply) => {
    await services.users.delete(contextOf(request), idOf(request), ifMatchOf(request));
    return reply.code(204).send();
  });
}
