/**
 * The SCIM protocol's refusals (RFC 7644 §3.12) as Roster's one error type, and its error body.
 * The factories name the `scimType` each refusal carries; the catalogue in `src/errors.ts` pairs
 * it with its status, so a SCIM error is valid by construction.
 */

import { RosterError, type ScimType } from '../errors.js';

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export interface ScimErrorBody {
  schemas: [typeof ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail: string;
}

/** RFC 7644 §3.12: `status` as a string, `scimType` where the RFC defines one, and a detail. */
export function scimErrorBody(error: RosterError): ScimErrorBody {
  return {
    schemas: [ERROR_SCHEMA],
    status: String(error.status),
    ...(error.scimType ? { scimType: error.scimType } : {}),
    detail: error.detail,
  };
}

/** The refusals of the SCIM core, one factory per `scimType` (and a few without one). */
export const ScimError = {
  invalidValue: (detail: string): RosterError => new RosterError('invalid-value', detail),
  invalidSyntax: (detail: string): RosterError => new RosterError('invalid-syntax', detail),
  invalidFilter: (detail: string): RosterError => new RosterError('invalid-filter', detail),
  invalidPath: (detail: string): RosterError => new RosterError('invalid-path', detail),
  noTarget: (detail: string): RosterError => new RosterError('no-target', detail),
  mutability: (detail: string): RosterError => new RosterError('mutability', detail),
  invalidCursor: (detail: string): RosterError => new RosterError('invalid-cursor', detail),
  expiredCursor: (detail: string): RosterError => new RosterError('expired-cursor', detail),
  invalidCount: (detail: string): RosterError => new RosterError('invalid-count', detail),
  /** A client error without a `scimType` (a bad query parameter, say). */
  plainBadRequest: (detail: string): RosterError => new RosterError('bad-request', detail),
  methodNotAllowed: (detail: string): RosterError => new RosterError('method-not-allowed', detail),
  notImplemented: (detail: string): RosterError => new RosterError('not-implemented', detail),
  payloadTooLarge: (detail: string): RosterError => new RosterError('body-too-large', detail),
  unsupportedMediaType: (detail: string): RosterError => new RosterError('unsupported-media-type', detail),
  routeNotFound: (detail: string): RosterError => new RosterError('route-not-found', detail),
  filterNotSupported: (detail: string): RosterError => new RosterError('filter-not-supported', detail),
  internal: (): RosterError => new RosterError('internal', 'The server could not complete the request.'),
} as const;
