import type { ScimObject } from './resource.js';

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/**
 * A ListResponse (RFC 7644 §3.4.2): integers as JSON numbers, `itemsPerPage` the number actually
 * returned, `startIndex` echoing the request, and `Resources` always present (Okta and Entra ID
 * read it even when empty).
 */
export function listResponse(totalResults: number, startIndex: number, resources: ScimObject[]): ScimObject {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
