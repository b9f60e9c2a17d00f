/**
 * The BulkRequest message (RFC 7644 §3.7): what its operations are, before any of them runs.
 * What is wrong with the request as a whole (its `schemas`, `Operations`, `failOnErrors`, more
 * operations than `maxOperations`, a bulkId given to two POSTs) refuses it whole; what is wrong
 * with one operation (its `method`, `path`, `data`, `version`) is that operation's answer in the
 * BulkResponse (§3.7.3), and the others still run.
 */

import { RosterError } from '../../errors.js';
import { parseTagCondition, type TagCondition } from '../etag.js';
import { ScimError } from '../errors.js';
import { isObject } from '../resource.js';
import { referenceOf, referencesIn } from './references.js';

export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

export type BulkMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const METHODS: readonly BulkMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

/** A resource type's endpoint, as the registry lists them. */
export interface BulkEndpoint {
  readonly type: string;
  readonly endpoint: string;
}

export interface BulkLimits {
  readonly maxOperations: number;
}

/** An operation that can run once its references are resolved. */
export interface BulkOperation {
  /** 0-based position in the request, named in errors. */
  readonly index: number;
  readonly method: BulkMethod;
  readonly bulkId?: string;
  /** `version` as an If-Match condition (RFC 7644 §3.7, §3.14). */
  readonly ifMatch?: TagCondition;
  readonly type: string;
  readonly endpoint: string;
  /** The resource's id for PUT, PATCH and DELETE: an id, or `bulkId:<bulkId>`. */
  readonly id?: string;
  /** The body a single request would carry; absent for DELETE. */
  readonly data?: unknown;
  /** The bulkIds it refers to, in its path and its data, each once. */
  readonly references: readonly string[];
}

/** An operation the request got wrong: it does not run, and its answer says why. */
export interface MalformedOperation {
  readonly index: number;
  /** The method as given, when it is one, so the answer can echo it. */
  readonly method?: string;
  readonly bulkId?: string;
  readonly type?: string;
  readonly error: RosterError;
}

export type BulkEntry = BulkOperation | MalformedOperation;

export interface BulkRequest {
  /** Stop after this many failed operations (RFC 7644 §3.7.3); absent: run them all. */
  readonly failOnErrors?: number;
  readonly operations: readonly BulkEntry[];
}

export function isMalformed(entry: BulkEntry): entry is MalformedOperation {
  return 'error' in entry;
}

/** Reads a BulkRequest body against the resource types' endpoints and the server's limits. */
export function parseBulkRequest(
  body: unknown,
  endpoints: readonly BulkEndpoint[],
  limits: BulkLimits,
): BulkRequest {
  if (!isObject(body)) throw ScimError.invalidSyntax('The request body must be a BulkRequest JSON object.');
  const schemas = field(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.includes(BULK_REQUEST_SCHEMA)) {
    throw ScimError.invalidSyntax(`A BulkRequest's 'schemas' must be ["${BULK_REQUEST_SCHEMA}"].`);
  }
  const operations = field(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) {
    throw ScimError.invalidSyntax("A BulkRequest needs a non-empty 'Operations' list.");
  }
  // RFC 7644 §3.7.4: the limit is named, so a client can split its request.
  if (operations.length > limits.maxOperations) {
    throw new RosterError(
      'too-many-operations',
      `The BulkRequest has ${operations.length} operations; this server accepts at most ` +
        `${limits.maxOperations} (maxOperations in /ServiceProviderConfig).`,
    );
  }
  const failOnErrors = field(body, 'failOnErrors');
  if (
    failOnErrors !== undefined &&
    failOnErrors !== null &&
    !(typeof failOnErrors === 'number' && Number.isInteger(failOnErrors) && failOnErrors >= 1)
  ) {
    throw ScimError.invalidValue(
      `'failOnErrors' must be a whole number of at least 1 (errors accepted before the rest is skipped), got ${JSON.stringify(failOnErrors)}.`,
    );
  }
  const parsed = operations.map((raw: unknown, index) => parseOperation(raw, index, endpoints));
  refuseSharedBulkIds(parsed);
  return {
    ...(typeof failOnErrors === 'number' ? { failOnErrors } : {}),
    operations: parsed,
  };
}

function parseOperation(raw: unknown, index: number, endpoints: readonly BulkEndpoint[]): BulkEntry {
  const at = `Operation ${index + 1}`;
  if (!isObject(raw)) {
    return { index, error: ScimError.invalidSyntax(`${at}: must be a JSON object.`) };
  }
  const methodValue = field(raw, 'method');
  const bulkIdValue = field(raw, 'bulkId');
  const echo = {
    ...(typeof methodValue === 'string' ? { method: methodValue.toUpperCase() } : {}),
    ...(typeof bulkIdValue === 'string' && bulkIdValue !== '' ? { bulkId: bulkIdValue } : {}),
  };
  const refuse = (error: RosterError, type?: string): MalformedOperation => ({
    index,
    ...echo,
    ...(type !== undefined ? { type } : {}),
    error,
  });

  const method = echo.method as BulkMethod | undefined;
  if (method === undefined || !METHODS.includes(method)) {
    return refuse(
      methodValue === undefined
        ? ScimError.invalidSyntax(`${at}: needs a 'method' (POST, PUT, PATCH or DELETE).`)
        : ScimError.invalidValue(
            `${at}: 'method' must be POST, PUT, PATCH or DELETE (RFC 7644 §3.7), got ${JSON.stringify(methodValue)}.`,
          ),
    );
  }
  if (bulkIdValue !== undefined && bulkIdValue !== null && echo.bulkId === undefined) {
    return refuse(ScimError.invalidValue(`${at}: 'bulkId' must be a non-empty string.`));
  }
  const pathValue = field(raw, 'path');
  if (typeof pathValue !== 'string' || pathValue.trim() === '') {
    return refuse(ScimError.invalidSyntax(`${at}: needs a 'path' such as "/Users" (POST) or "/Users/{id}".`));
  }
  const target = parsePath(pathValue, method, endpoints);
  if (target instanceof RosterError) return refuse(target.withDetail(`${at}: ${target.detail}`));

  let ifMatch: TagCondition | undefined;
  const version = field(raw, 'version');
  if (version !== undefined && version !== null && method !== 'POST') {
    if (typeof version !== 'string') {
      return refuse(
        ScimError.invalidValue(`${at}: 'version' must be an entity tag such as W/"3".`),
        target.type,
      );
    }
    try {
      ifMatch = parseTagCondition(version);
    } catch (error) {
      if (error instanceof RosterError)
        return refuse(error.withDetail(`${at}: ${error.detail}`), target.type);
      throw error;
    }
  }

  const data = field(raw, 'data');
  if (method !== 'DELETE' && !isObject(data)) {
    return refuse(
      ScimError.invalidSyntax(`${at}: a ${method} needs 'data', the body a single ${method} would carry.`),
      target.type,
    );
  }
  const pathReference = referenceOf(target.id);
  const dataReferences = method === 'DELETE' ? [] : referencesIn(data);
  return {
    index,
    method,
    ...(echo.bulkId !== undefined ? { bulkId: echo.bulkId } : {}),
    ...(ifMatch ? { ifMatch } : {}),
    ...target,
    ...(method !== 'DELETE' ? { data } : {}),
    references: [...new Set([...(pathReference !== undefined ? [pathReference] : []), ...dataReferences])],
  };
}

/**
 * An operation's `path` (RFC 7644 §3.7): a resource type's endpoint for POST, one resource of it
 * for the others. Nothing else: no query, no sub-path, no absolute URL.
 */
function parsePath(
  path: string,
  method: BulkMethod,
  endpoints: readonly BulkEndpoint[],
): { type: string; endpoint: string; id?: string } | RosterError {
  const trimmed = path.trim().replace(/\/$/, '');
  const known = endpoints.map((entry) => entry.endpoint).join(', ');
  const match = /^(\/[^/?#]+)(?:\/([^/?#]+))?$/.exec(trimmed);
  const found = match ? endpoints.find((entry) => entry.endpoint === match[1]) : undefined;
  if (!match || !found) {
    return ScimError.invalidValue(
      `'path' ${JSON.stringify(path)} names no resource type endpoint (${known}) or resource of one.`,
    );
  }
  const rawId = match[2];
  if (method === 'POST') {
    if (rawId === undefined) return { type: found.type, endpoint: found.endpoint };
    return ScimError.invalidValue(`a POST's 'path' is the endpoint ("${found.endpoint}"), not a resource.`);
  }
  if (rawId === undefined) {
    return ScimError.invalidValue(`a ${method}'s 'path' names one resource ("${found.endpoint}/{id}").`);
  }
  let id: string;
  try {
    id = decodeURIComponent(rawId);
  } catch {
    return ScimError.invalidValue(`'path' ${JSON.stringify(path)} is not a valid URL path.`);
  }
  return { type: found.type, endpoint: found.endpoint, id };
}

/** A bulkId names one POST in a request (RFC 7644 §3.7): given twice, every reference to it is ambiguous. */
function refuseSharedBulkIds(operations: readonly BulkEntry[]): void {
  const seen = new Map<string, number>();
  for (const operation of operations) {
    if (operation.method !== 'POST' || operation.bulkId === undefined) continue;
    const first = seen.get(operation.bulkId);
    if (first !== undefined) {
      throw ScimError.invalidValue(
        `Operations ${first + 1} and ${operation.index + 1} both give bulkId '${operation.bulkId}': ` +
          'a bulkId must be unique within a BulkRequest.',
      );
    }
    seen.set(operation.bulkId, operation.index);
  }
}

/** SCIM attribute names are case-insensitive (RFC 7643 §2.1): `Operations`, `operations`. */
function field(object: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(object, name)) return object[name];
  const lower = name.toLowerCase();
  const key = Object.keys(object).find((candidate) => candidate.toLowerCase() === lower);
  return key === undefined ? undefined : object[key];
}
