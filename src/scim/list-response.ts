import type { ScimObject } from './resource.js';

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export type PageInfo =
  | { readonly startIndex: number }
  | { readonly nextCursor?: string | undefined; readonly previousCursor?: string | undefined };

/**
 * A ListResponse (RFC 7644 §3.4.2): integers as JSON numbers, `itemsPerPage` the number actually
 * returned, `Resources` always present (Okta and Entra ID read it even when empty), and either the
 * `startIndex` the request asked for or RFC 9865's `nextCursor` (absent only on the last page)
 * and `previousCursor` (never on the first).
 */
export function listResponse(totalResults: number, resources: ScimObject[], page: PageInfo): ScimObject {
  const response: ScimObject = { schemas: [LIST_RESPONSE_SCHEMA], totalResults };
  if ('startIndex' in page) response.startIndex = page.startIndex;
  response.itemsPerPage = resources.length;
  if (!('startIndex' in page)) {
    if (page.nextCursor !== undefined) response.nextCursor = page.nextCursor;
    if (page.previousCursor !== undefined) response.previousCursor = page.previousCursor;
  }
  response.Resources = resources;
  return response;
}
