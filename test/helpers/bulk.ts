import { expect } from 'vitest';
import type { Json } from '../fixtures/okta.js';
import type { ScimResponse } from './roster.js';

export const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

/** A BulkRequest (RFC 7644 §3.7) of these operations. */
export function bulkRequest(operations: Json[], extra: Json = {}): Json {
  return { schemas: [BULK_REQUEST], ...extra, Operations: operations };
}

/** The operations of a BulkResponse, after checking that it is one, answered 200. */
export function operationsOf(response: ScimResponse): Json[] {
  expect(response.status, response.raw).toBe(200);
  expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
  expect(response.body.schemas).toEqual([BULK_RESPONSE]);
  return response.body.Operations as Json[];
}
