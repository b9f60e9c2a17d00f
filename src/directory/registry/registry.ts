import type { StoredResource } from '../../model/resource.js';
import type { SiteExtension, SiteRecord } from '../../model/site.js';
import { ResourceSchema } from '../../scim/schema/registry.js';
import type { ResourceTypeDefinition, SchemaDefinition } from '../../scim/schema/types.js';
import type { Draft, ResourceKind } from './resource-kind.js';
import { extensionSchema } from './site-extensions.js';

/** A kind of any record type, as the registry holds it (its hooks are checked where it is defined). */
export type AnyResourceKind = ResourceKind<StoredResource, Draft, unknown>;

/**
 * One resource type as data (RFC 7643 §6): its definition, its core schema, the extensions every
 * site has (the enterprise User), and the product's rules as hooks. Discovery, routes, listing,
 * filtering, rendering and the write pipeline are all driven by these entries.
 */
export interface ResourceTypeEntry {
  /** Id, name, endpoint, description and core schema URN; extensions are added per site. */
  readonly definition: Omit<ResourceTypeDefinition, 'schemaExtensions'>;
  readonly core: SchemaDefinition;
  readonly extensions: readonly SchemaDefinition[];
  readonly kind: AnyResourceKind;
}

/** A resource type as one site sees it: with the site's own extension schemas. */
export interface SiteResourceType {
  readonly entry: ResourceTypeEntry;
  readonly definition: ResourceTypeDefinition;
  /** Built once per site and set of extensions: every request resolves names by map lookups. */
  readonly schema: ResourceSchema;
}

/** The resource types of one site, for discovery and every SCIM request. */
export class SiteResources {
  readonly types: readonly SiteResourceType[];
  /** Every schema of the site, each once: cores and extensions (`/Schemas`). */
  readonly schemas: readonly SchemaDefinition[];

  constructor(entries: readonly ResourceTypeEntry[], siteExtensions: readonly SiteExtension[]) {
    this.types = entries.map((entry) => {
      const own = siteExtensions
        .filter((extension) => extension.resourceType === entry.definition.id)
        .map(extensionSchema);
      const extensions = [...entry.extensions, ...own];
      const definition: ResourceTypeDefinition = {
        ...entry.definition,
        schemaExtensions: extensions.map((extension) => ({ schema: extension.id, required: false })),
      };
      return { entry, definition, schema: new ResourceSchema(definition, entry.core, extensions) };
    });
    const seen = new Set<string>();
    this.schemas = this.types
      .flatMap((type) => [type.schema.coreSchema, ...type.schema.extensions])
      .filter((schema) => !seen.has(schema.id) && seen.add(schema.id));
  }

  /** The resource type with this id or name, case-insensitively (`/ResourceTypes/user`). */
  find(id: string): SiteResourceType | undefined {
    const lower = id.toLowerCase();
    return this.types.find((type) => type.definition.id.toLowerCase() === lower);
  }

  /** The resource type Roster registered under this name: a programming error if it is missing. */
  get(name: string): SiteResourceType {
    const found = this.find(name);
    if (!found) throw new Error(`no resource type '${name}'`);
    return found;
  }

  schema(id: string): SchemaDefinition | undefined {
    const lower = id.toLowerCase();
    return this.schemas.find((schema) => schema.id.toLowerCase() === lower);
  }
}

/** How many sites' schema sets are kept built; a site beyond it is built again when it next asks. */
const SITES_KEPT = 1000;

/**
 * The registry of resource types. Sites without extensions share one set of built schemas; a site
 * with extensions gets its own, built when its declarations change and kept by their content, so
 * a declaration changed on any node is in force on the next request (the site record carries it).
 */
export class ResourceRegistry {
  private readonly shared: SiteResources;
  private readonly bySite = new Map<string, { readonly key: string; readonly resources: SiteResources }>();

  constructor(readonly entries: readonly ResourceTypeEntry[]) {
    this.shared = new SiteResources(entries, []);
  }

  forSite(site: Pick<SiteRecord, 'id' | 'extensions'>): SiteResources {
    if (site.extensions.length === 0) return this.shared;
    const key = JSON.stringify(site.extensions);
    const kept = this.bySite.get(site.id);
    if (kept?.key === key) return kept.resources;
    const resources = new SiteResources(this.entries, site.extensions);
    if (this.bySite.size >= SITES_KEPT && !kept) {
      const oldest = this.bySite.keys().next().value;
      if (oldest !== undefined) this.bySite.delete(oldest);
    }
    this.bySite.set(site.id, { key, resources });
    return resources;
  }
}
