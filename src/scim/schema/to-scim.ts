/**
 * Renders schema and resource-type definitions as the discovery resources of RFC 7643 §6 and §7
 * (`/ResourceTypes/{id}` and `/Schemas/{id}`), in the key order of the RFC's representations
 * (§8.6, §8.7). Optional keys are omitted when absent; `null` is never emitted.
 */

import type { AttributeDefinition, ResourceTypeDefinition, SchemaDefinition } from './types.js';

export const SCHEMA_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
export const RESOURCE_TYPE_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';

function attributeToScim(attr: AttributeDefinition): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: attr.name,
    type: attr.type,
    multiValued: attr.multiValued,
    description: attr.description,
    required: attr.required,
    caseExact: attr.caseExact,
  };
  if (attr.canonicalValues !== undefined) {
    out.canonicalValues = [...attr.canonicalValues];
  }
  if (attr.referenceTypes !== undefined) {
    out.referenceTypes = [...attr.referenceTypes];
  }
  if (attr.subAttributes !== undefined) {
    out.subAttributes = attr.subAttributes.map(attributeToScim);
  }
  out.mutability = attr.mutability;
  out.returned = attr.returned;
  out.uniqueness = attr.uniqueness;
  return out;
}

/** The `/Schemas/{id}` resource for `schema` (RFC 7643 §7, §8.7). */
export function schemaToScim(schema: SchemaDefinition, location: string): object {
  return {
    schemas: [SCHEMA_SCHEMA_ID],
    id: schema.id,
    name: schema.name,
    description: schema.description,
    attributes: schema.attributes.map(attributeToScim),
    meta: { resourceType: 'Schema', location },
  };
}

/**
 * The `/ResourceTypes/{id}` resource for `rt` (RFC 7643 §6, §8.6). `schemaExtensions` is OPTIONAL
 * and left out when the resource type has none, as in §8.6's Group example.
 */
export function resourceTypeToScim(rt: ResourceTypeDefinition, location: string): object {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA_ID],
    id: rt.id,
    name: rt.name,
    endpoint: rt.endpoint,
    description: rt.description,
    schema: rt.schema,
    ...(rt.schemaExtensions.length > 0
      ? {
          schemaExtensions: rt.schemaExtensions.map((ext) => ({
            schema: ext.schema,
            required: ext.required,
          })),
        }
      : {}),
    meta: { resourceType: 'ResourceType', location },
  };
}
