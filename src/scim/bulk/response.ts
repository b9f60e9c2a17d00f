import type { RosterError } from '../../errors.js';
import { scimErrorBody } from '../errors.js';
import type { ScimObject } from '../resource.js';

export const BULK_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

/** What one operation of a BulkRequest came to. */
export interface BulkOutcome {
  /** Its position in the request. */
  readonly index: number;
  readonly method?: string;
  readonly bulkId?: string;
  readonly location?: string;
  /** The resource's version after the operation, as its ETag. */
  readonly version?: string;
  /** The status a single request would have been answered with. */
  readonly status: number;
  readonly error?: RosterError;
}

/**
 * The BulkResponse (RFC 7644 §3.7.3): one entry per operation that ran, in the request's order,
 * `status` as a string as in the RFC's examples, and a failure's SCIM error body as `response`.
 */
export function bulkResponse(outcomes: readonly BulkOutcome[]): ScimObject {
  return {
    schemas: [BULK_RESPONSE_SCHEMA],
    Operations: [...outcomes].sort((a, b) => a.index - b.index).map(entry),
  };
}

function entry(outcome: BulkOutcome): ScimObject {
  return {
    ...(outcome.location !== undefined ? { location: outcome.location } : {}),
    ...(outcome.method !== undefined ? { method: outcome.method } : {}),
    ...(outcome.bulkId !== undefined ? { bulkId: outcome.bulkId } : {}),
    ...(outcome.version !== undefined ? { version: outcome.version } : {}),
    status: String(outcome.status),
    ...(outcome.error ? { response: { ...scimErrorBody(outcome.error) } } : {}),
  };
}

/** A resource's URL, as `meta.location` gives it. */
export function locationOf(scimBase: string, endpoint: string, id: string): string {
  return `${scimBase}${endpoint}/${encodeURIComponent(id)}`;
}
