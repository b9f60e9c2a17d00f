import type { StoredResource } from '../model/resource.js';
import type { ScimObject } from '../scim/resource.js';
import type { SiteResourceType } from './registry/registry.js';

/** meta.version and the ETag: a weak entity tag (RFC 7644 §3.14) that changes on every write. */
export function versionTag(record: Pick<StoredResource, 'version'>): string {
  return `W/"${record.version}"`;
}

/**
 * The SCIM representation of a stored resource (RFC 7643 §3), the same for every resource type:
 * `schemas` (the core schema and each extension the resource carries), `id`, the core attributes
 * as stored, the attributes the server derives (`active`, `groups`, `members`), the extensions, and
 * `meta`. An extension the site no longer declares is kept in storage but not shown.
 */
export function renderResource(
  type: SiteResourceType,
  record: StoredResource,
  derived: ScimObject,
  scimBase: string,
): ScimObject {
  const core: ScimObject = {};
  const extensions: ScimObject = {};
  const schemas = [type.schema.coreSchema.id];
  for (const [key, value] of Object.entries(record.resource)) {
    if (!key.includes(':')) {
      core[key] = value;
      continue;
    }
    const extension = type.schema.extension(key);
    if (!extension) continue;
    extensions[extension.schema.id] = value;
    schemas.push(extension.schema.id);
  }
  return {
    schemas,
    id: record.id,
    ...core,
    ...derived,
    ...extensions,
    meta: {
      resourceType: type.definition.name,
      created: new Date(record.createdAt).toISOString(),
      lastModified: new Date(record.updatedAt).toISOString(),
      location: `${scimBase}${type.definition.endpoint}/${record.id}`,
      version: versionTag(record),
    },
  };
}
