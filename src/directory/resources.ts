import type { ListPosition, Page, PageStart } from '../model/listing.js';
import type { StoredResource } from '../model/resource.js';
import { type TagCondition, tagMatches } from '../scim/etag.js';
import { bindFilter } from '../scim/filter/bind.js';
import { bindSort } from '../scim/filter/bind-sort.js';
import { parseFilter } from '../scim/filter/parse.js';
import type { PageInfo } from '../scim/list-response.js';
import { parseProjection, type Projection } from '../scim/project.js';
import type { ScimObject } from '../scim/resource.js';
import { type PageLimits, pagingOf, type SearchParameters } from '../scim/search.js';
import type { Store } from '../store/store.js';
import type { RequestContext } from './context.js';
import type { ListRequest, Pager } from './paging.js';
import type { ResourceRegistry, SiteResourceType } from './registry/registry.js';
import type { AnyResourceKind } from './registry/registry.js';
import { renderResource, versionTag } from './render.js';
import type { WritePipeline } from './write-pipeline.js';

/** How a response shows resources: where they live, and RFC 7644 §3.9's attribute lists. */
export interface ResourceView {
  /** The absolute URL of `/scim/v2`, for `meta.location` and `$ref`. */
  readonly scimBase: string;
  readonly attributes?: string | undefined;
  readonly excludedAttributes?: string | undefined;
}

export interface RenderedResource {
  readonly id: string;
  readonly version: string;
  /** Absent when the caller did not ask for it (a PATCH answered 204, a GET answered 304). */
  readonly resource?: ScimObject;
}

export interface ResourceList {
  readonly totalResults: number;
  readonly resources: ScimObject[];
  readonly page: PageInfo;
}

/** A list query as it reaches the store: bound to the site's schema, ready to page. */
export interface PreparedSearch {
  readonly type: SiteResourceType;
  readonly request: ListRequest;
  readonly projection: Projection;
  readonly query: { filter?: ReturnType<typeof bindFilter>; sort?: ReturnType<typeof bindSort> };
}

/**
 * The SCIM resources of a site, for every resource type of the registry: reads, lists and the
 * write pipeline, and their SCIM representation. The HTTP edge calls this and nothing beneath it.
 */
export class ResourceService {
  constructor(
    private readonly store: Store,
    private readonly registry: ResourceRegistry,
    private readonly pipeline: WritePipeline,
    private readonly pager: Pager,
    private readonly limits: PageLimits,
  ) {}

  /** GET by id; with `ifNoneMatch` naming the current version, no representation (RFC 7644 §3.14: 304). */
  async get(
    context: RequestContext,
    typeName: string,
    id: string,
    view: ResourceView,
    ifNoneMatch?: TagCondition,
  ): Promise<RenderedResource> {
    const type = this.type(context, typeName);
    const record = await type.entry.kind.read(this.store, context.site.id, id);
    if (!record) throw type.entry.kind.notFound(id);
    const version = versionTag(record);
    if (ifNoneMatch && tagMatches(ifNoneMatch, version)) return { id, version };
    return this.rendered(context, type, record, view);
  }

  /** A list (RFC 7644 §3.4.2) from GET parameters or a SearchRequest body (§3.4.3). */
  async search(
    context: RequestContext,
    typeName: string,
    parameters: SearchParameters,
    view: ResourceView,
  ): Promise<ResourceList> {
    const search = this.prepareSearch(context, typeName, parameters);
    const result = await this.pager.page(
      { siteId: context.site.id, tokenId: context.actor.tokenId, resourceType: search.type.definition.id },
      search.request,
      (start) => this.fetchPage(context, search, search.request.count, start),
    );
    return {
      totalResults: result.totalResults,
      resources: await this.renderAll(context, search.type, result.items, search.projection, view.scimBase),
      page:
        result.startIndex !== undefined
          ? { startIndex: result.startIndex }
          : { nextCursor: result.nextCursor, previousCursor: result.previousCursor },
    };
  }

  /** Parses and binds a list query against the site's schema of the resource type. */
  prepareSearch(context: RequestContext, typeName: string, parameters: SearchParameters): PreparedSearch {
    const type = this.type(context, typeName);
    const projection = parseProjection(type.schema, parameters.attributes, parameters.excludedAttributes);
    const { paging, count } = pagingOf(parameters, this.limits);
    const text = parameters.filter;
    const filter = text === undefined || text.trim() === '' ? undefined : parseFilter(text);
    const request: ListRequest = {
      ...(filter ? { filter } : {}),
      ...(parameters.sortBy ? { sortBy: parameters.sortBy } : {}),
      ...(parameters.sortOrder ? { sortOrder: parameters.sortOrder } : {}),
      count,
      paging,
    };
    return {
      type,
      request,
      projection,
      query: {
        ...(filter ? { filter: bindFilter(filter, type.schema) } : {}),
        ...(parameters.sortBy
          ? { sort: bindSort(type.schema, parameters.sortBy, parameters.sortOrder) }
          : {}),
      },
    };
  }

  /** One page of a prepared search, cut short where the kind says a response would carry too much. */
  async fetchPage(
    context: RequestContext,
    search: PreparedSearch,
    count: number,
    start: PageStart,
  ): Promise<Page<StoredResource>> {
    const kind: AnyResourceKind = search.type.entry.kind;
    const page: Page<StoredResource> = await kind.list(this.store, context.site.id, {
      ...search.query,
      start,
      count,
    });
    if (!kind.fitPage || page.items.length <= 1) return page;
    // Reading backwards, the items nearest the cursor are the last ones: keep those.
    const backwards = 'before' in start;
    const order = backwards ? [...page.items].reverse() : page.items;
    const fits: number = await kind.fitPage(this.store, context.site.id, order, search.projection.wants);
    if (fits >= page.items.length) return page;
    const keep = <T>(list: T[]): T[] => (backwards ? list.slice(list.length - fits) : list.slice(0, fits));
    return {
      totalResults: page.totalResults,
      items: keep(page.items),
      positions: keep<ListPosition>(page.positions),
      more: true,
    };
  }

  /** POST; without a view, only the id and version (a Bulk operation's answer, RFC 7644 §3.7.3). */
  async create(
    context: RequestContext,
    typeName: string,
    body: unknown,
    view: ResourceView | undefined,
  ): Promise<RenderedResource> {
    const type = this.type(context, typeName);
    const { record } = await this.pipeline.create(context, type.entry.kind, type.schema, body);
    if (!view) return { id: record.id, version: versionTag(record) };
    return this.rendered(context, type, record, view);
  }

  /** PUT; without a view, only the new version. */
  async replace(
    context: RequestContext,
    typeName: string,
    id: string,
    body: unknown,
    ifMatch: TagCondition | undefined,
    view: ResourceView | undefined,
  ): Promise<RenderedResource> {
    const type = this.type(context, typeName);
    const record = await this.pipeline.replace(context, type.entry.kind, type.schema, id, body, ifMatch);
    if (!view) return { id, version: versionTag(record) };
    return this.rendered(context, type, record, view);
  }

  /** PATCH; without a view, only the new version (a PATCH answered 204). */
  async patch(
    context: RequestContext,
    typeName: string,
    id: string,
    body: unknown,
    ifMatch: TagCondition | undefined,
    view: ResourceView | undefined,
  ): Promise<RenderedResource> {
    const type = this.type(context, typeName);
    const kind: AnyResourceKind = type.entry.kind;
    const record: StoredResource = await this.pipeline.patch(context, kind, type.schema, id, body, ifMatch);
    if (!view) return { id, version: versionTag(record) };
    return this.rendered(context, type, record, view);
  }

  delete(
    context: RequestContext,
    typeName: string,
    id: string,
    ifMatch: TagCondition | undefined,
  ): Promise<void> {
    const type = this.type(context, typeName);
    return this.pipeline.delete(context, type.entry.kind, id, ifMatch);
  }

  /** The site's view of a resource type (with its extension schemas). */
  type(context: RequestContext, typeName: string): SiteResourceType {
    return this.registry.forSite(context.site).get(typeName);
  }

  /** SCIM representations of records of one type, their derived attributes read once for all. */
  async renderAll(
    context: RequestContext,
    type: SiteResourceType,
    records: readonly StoredResource[],
    projection: Projection,
    scimBase: string,
  ): Promise<ScimObject[]> {
    const kind: AnyResourceKind = type.entry.kind;
    const derived = await kind.derive(this.store, context.site.id, records, projection.wants, scimBase);
    return records.map((record, i) => projection.apply(renderResource(type, record, derived[i]!, scimBase)));
  }

  private async rendered(
    context: RequestContext,
    type: SiteResourceType,
    record: StoredResource,
    view: ResourceView,
  ): Promise<RenderedResource> {
    const projection = parseProjection(type.schema, view.attributes, view.excludedAttributes);
    const [resource] = await this.renderAll(context, type, [record], projection, view.scimBase);
    return { id: record.id, version: versionTag(record), resource: resource! };
  }
}
