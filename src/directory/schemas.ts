import { RosterError } from '../errors.js';
import type { SiteExtension, SiteRecord } from '../model/site.js';
import type { Store } from '../store/store.js';
import type { ResourceRegistry } from './registry/registry.js';
import { declareExtension, type ExtensionInput } from './registry/site-extensions.js';
import { siteNotFound } from './sites.js';

/**
 * A site's own extension schemas. Declaring one is all it takes: from the next request on, the
 * site's `/Schemas` and `/ResourceTypes` show it and its attributes are validated, stored,
 * returned, filtered and patched like the core ones, while other sites do not see it.
 */
export class SchemaService {
  constructor(
    private readonly store: Store,
    private readonly registry: ResourceRegistry,
  ) {}

  list(site: SiteRecord): readonly SiteExtension[] {
    return site.extensions;
  }

  add(slug: string, input: ExtensionInput): Promise<SiteExtension> {
    return this.store.transaction(async (tx) => {
      const site = await tx.sites.lock(slug);
      if (!site) throw siteNotFound(slug);
      const reserved = this.registry.entries.flatMap((entry) => [
        entry.core.id,
        ...entry.extensions.map((extension) => extension.id),
      ]);
      const extension = declareExtension(
        input,
        this.registry.entries.map((entry) => entry.definition.id),
        reserved,
        site.extensions,
      );
      await tx.sites.updateExtensions(site.id, [...site.extensions, extension]);
      return extension;
    });
  }

  /**
   * Removes the declaration. Values already stored stay in the resources (declaring the schema
   * again brings them back) but are no longer shown, filtered or accepted.
   */
  remove(slug: string, urn: string): Promise<SiteExtension> {
    return this.store.transaction(async (tx) => {
      const site = await tx.sites.lock(slug);
      if (!site) throw siteNotFound(slug);
      const found = site.extensions.find(
        (extension) => extension.urn.toLowerCase() === urn.trim().toLowerCase(),
      );
      if (!found)
        throw new RosterError('schema-not-found', `Site '${slug}' has no extension schema '${urn}'.`);
      await tx.sites.updateExtensions(
        site.id,
        site.extensions.filter((extension) => extension !== found),
      );
      return found;
    });
  }
}
