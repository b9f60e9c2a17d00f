import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { groupToScim } from '../directory/group-view.js';
import { type GroupWithMembers, groupVersion } from '../directory/groups.js';
import { listResponse } from '../scim/list-response.js';
import type { Projection } from '../scim/project.js';
import { groupResourceSchema } from '../scim/schema/resource-types.js';
import { searchFromBody, searchFromQuery, type SearchParameters } from '../scim/search.js';
import type { GroupRecord } from '../store/store.js';
import type { AppOptions } from './app.js';
import {
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

/**
 * `/Groups` (RFC 7644 §3, RFC 7643 §4.2). Members are read only when the response shows them:
 * Entra ID always sends `excludedAttributes=members`, and a large group then costs one row.
 */
export function registerGroupRoutes(app: FastifyInstance, options: AppOptions): void {
  const { services, config } = options;

  const sendGroup = async (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    group: GroupRecord,
  ): Promise<FastifyReply> => {
    const projection = projectionOf(groupResourceSchema, request.query as Query);
    const members = projection.wants('members')
      ? await services.store.listMembers(group.siteId, group.id)
      : undefined;
    const body = projection.apply(groupToScim(group, members, baseUrl(request, config.publicUrl)));
    return sendVersioned(reply, status, groupVersion(group), body);
  };

  const render = (request: FastifyRequest, items: GroupWithMembers[], projection: Projection) => {
    const base = baseUrl(request, config.publicUrl);
    return items.map((item) => projection.apply(groupToScim(item.group, item.members, base)));
  };

  const search = async (
    request: FastifyRequest,
    reply: FastifyReply,
    parameters: SearchParameters,
  ): Promise<FastifyReply> => {
    const { request: listRequest, projection } = listRequestOf(groupResourceSchema, parameters, config);
    const result = await services.groups.list(contextOf(request), listRequest, projection.wants('members'));
    const page = pageInfoOf(result);
    return send(
      reply,
      200,
      listResponse(result.totalResults, render(request, result.items, projection), page),
    );
  };

  app.get('/Groups', async (request, reply) =>
    search(request, reply, searchFromQuery(request.query as Query)),
  );
  app.post('/Groups/.search', async (request, reply) => search(request, reply, searchFromBody(request.body)));

  app.post('/Groups', async (request, reply) => {
    const group = await services.groups.create(contextOf(request), request.body);
    reply.header('location', `${baseUrl(request, config.publicUrl)}/Groups/${group.id}`);
    return sendGroup(request, reply, 201, group);
  });

  app.get('/Groups/:id', async (request, reply) => {
    const { group } = await services.groups.get(contextOf(request), idOf(request), false);
    const unchanged = notModified(request, reply, groupVersion(group));
    if (unchanged) return unchanged;
    return sendGroup(request, reply, 200, group);
  });

  app.put('/Groups/:id', async (request, reply) => {
    const group = await services.groups.replace(
      contextOf(request),
      idOf(request),
      request.body,
      ifMatchOf(request),
    );
    return sendGroup(request, reply, 200, group);
  });

  app.patch('/Groups/:id', async (request, reply) => {
    const group = await services.groups.patch(
      contextOf(request),
      idOf(request),
      request.body,
      ifMatchOf(request),
    );
    return answerPatch(request, reply, groupVersion(group), () => sendGroup(request, reply, 200, group));
  });

  app.delete('/Groups/:id', async (request, reply) => {
    await services.groups.delete(contextOf(request), idOf(request), ifMatchOf(request));
    return reply.code(204).send();
  });
}
