import { RosterError } from '../errors.js';
import type { SiteExtension, SiteRecord } from '../model/site.js';
import type { Store } from '../store/store.js';
import { type Actor, operatorActor } from './context.js';
import { provisioningEvent } from './provisioning-log.js';
import type { ResourceRegistry } from './registry/registry.js';
import { declareExtension, type ExtensionInput } from './registry/site-extensions.js';
import { siteNotFound } from './sites.js';

function schemaEvent(site: SiteRecord, by: Actor['kind'], operation: string, extension: SiteExtension) {
  return provisioningEvent(operatorActor(site.id, by), {
    operation,
    resourceType: 'Schema',
    resourceName: extension.urn,
    outcome: 'success',
    httpStatus: 200,
    detail: `${extension.resourceType} attributes: ${extension.attributes.map((attribute) => attribute.name).join(', ')}.`,
  });
}

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

  /** Declares an extension; with `by`, the site's log records who did. */
  add(slug: string, input: ExtensionInput, by?: Actor['kind']): Promise<SiteExtension> {
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
      if (by) await tx.events.append(schemaEvent(site, by, 'schema add', extension));
      return extension;
    });
  }

  /**
   * Removes the declaration. Values already stored stay in the resources (declaring the schema
   * again brings them back) but are no longer shown, filtered or accepted.
   */
  remove(slug: string, urn: string, by?: Actor['kind']): Promise<SiteExtension> {
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
      if (by) await tx.events.append(schemaEvent(site, by, 'schema remove', found));
      return found;
    });
  }
}
