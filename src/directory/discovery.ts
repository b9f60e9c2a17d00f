import { RosterError } from '../errors.js';
import type { SiteRecord } from '../model/site.js';
import { serviceProviderConfig, type ServiceProviderFeatures } from '../scim/discovery.js';
import type { ScimObject } from '../scim/resource.js';
import { resourceTypeToScim, schemaToScim } from '../scim/schema/to-scim.js';
import type { ResourceRegistry } from './registry/registry.js';

/**
 * The discovery resources of RFC 7643 §5–7 for one site: its resource types with their extension
 * schemas, and every schema it has (the site's own extensions included).
 */
export class DiscoveryService {
  constructor(
    private readonly registry: ResourceRegistry,
    private readonly features: Omit<ServiceProviderFeatures, 'changePassword' | 'location'>,
  ) {}

  serviceProviderConfig(site: SiteRecord, scimBase: string): ScimObject {
    return serviceProviderConfig({
      ...this.features,
      changePassword: site.settings.passwordSync,
      location: `${scimBase}/ServiceProviderConfig`,
    });
  }

  resourceTypes(site: SiteRecord, scimBase: string): ScimObject[] {
    return this.registry
      .forSite(site)
      .types.map(
        (type) =>
          resourceTypeToScim(
            type.definition,
            `${scimBase}/ResourceTypes/${type.definition.id}`,
          ) as ScimObject,
      );
  }

  resourceType(site: SiteRecord, id: string, scimBase: string): ScimObject {
    const type = this.registry.forSite(site).find(id);
    if (!type) throw new RosterError('resource-type-not-found', `Resource type '${id}' not found.`);
    return resourceTypeToScim(
      type.definition,
      `${scimBase}/ResourceTypes/${type.definition.id}`,
    ) as ScimObject;
  }

  schemas(site: SiteRecord, scimBase: string): ScimObject[] {
    return this.registry
      .forSite(site)
      .schemas.map((schema) => schemaToScim(schema, `${scimBase}/Schemas/${schema.id}`) as ScimObject);
  }

  schema(site: SiteRecord, id: string, scimBase: string): ScimObject {
    const schema = this.registry.forSite(site).schema(id);
    if (!schema) throw new RosterError('schema-not-found', `Schema '${id}' not found.`);
    return schemaToScim(schema, `${scimBase}/Schemas/${schema.id}`) as ScimObject;
  }

  /** The resource types and their endpoints, in the order a root search lists them (routes are made from these). */
  endpoints(): { readonly type: string; readonly endpoint: string }[] {
    return this.registry.entries.map((entry) => ({
      type: entry.definition.id,
      endpoint: entry.definition.endpoint,
    }));
  }
}
