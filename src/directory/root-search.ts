import { RosterError } from '../errors.js';
import { ScimError } from '../scim/errors.js';
import type { ScimObject } from '../scim/resource.js';
import type { SearchParameters } from '../scim/search.js';
import type { RequestContext } from './context.js';
import type { PreparedSearch, ResourceList, ResourceService, ResourceView } from './resources.js';

/**
 * RFC 7644 §3.4.3: a search at the root spans every resource type, in the registry's order (Users,
 * then Groups); index paging runs over them as one list. A type whose schema cannot answer the
 * query (an attribute it lacks) contributes nothing; when none can, the first refusal is the
 * answer. Cursors belong to one resource type's order, so they are for `/Users` or `/Groups`.
 */
export async function searchAllTypes(
  resources: ResourceService,
  context: RequestContext,
  typeNames: readonly string[],
  parameters: SearchParameters,
  view: ResourceView,
): Promise<ResourceList> {
  if (parameters.cursor !== undefined) {
    throw ScimError.invalidValue(
      'Cursor paging is available on /Users/.search and /Groups/.search, not at the root.',
    );
  }
  const refusals: RosterError[] = [];
  const tolerate = (error: unknown): undefined => {
    if (error instanceof RosterError && error.kind === 'invalid') {
      refusals.push(error);
      return undefined;
    }
    throw error;
  };
  const searches: PreparedSearch[] = [];
  for (const name of typeNames) {
    try {
      searches.push(resources.prepareSearch(context, name, parameters));
    } catch (error) {
      tolerate(error);
    }
  }
  const first = searches[0];
  if (!first) throw refusals[0]!;
  const paging = first.request.paging;
  const startIndex = paging.kind === 'index' ? paging.startIndex : 1;
  const count = first.request.count;

  const found: ScimObject[] = [];
  let before = 0;
  let answered = 0;
  for (const search of searches) {
    const remaining = Math.max(0, count - found.length);
    const page = await resources
      .fetchPage(context, search, remaining, { index: Math.max(1, startIndex - before) })
      .catch(tolerate);
    if (!page) continue;
    answered++;
    before += page.totalResults;
    found.push(
      ...(await resources.renderAll(context, search.type, page.items, search.projection, view.scimBase)),
    );
  }
  if (answered === 0) throw refusals[0]!;
  return { totalResults: before, resources: found, page: { startIndex } };
}
