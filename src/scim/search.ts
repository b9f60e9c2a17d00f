import { ScimError } from './errors.js';
import { isObject } from './resource.js';

/** The query of a list: from GET parameters or a POST `/.search` body, as text (RFC 7644 §3.4.2, §3.4.3). */
export interface SearchParameters {
  readonly filter?: string;
  readonly sortBy?: string;
  readonly sortOrder?: string;
  readonly startIndex?: string;
  readonly count?: string;
  /** RFC 9865: present (even empty) selects cursor paging. */
  readonly cursor?: string;
  readonly attributes?: string;
  readonly excludedAttributes?: string;
}

const NAMES = [
  'filter',
  'sortBy',
  'sortOrder',
  'startIndex',
  'count',
  'cursor',
  'attributes',
  'excludedAttributes',
] as const;

/** Query parameters, matched case-insensitively (clients write `startindex`); a repeated one is refused. */
export function searchFromQuery(query: Record<string, string | string[] | undefined>): SearchParameters {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    const name = NAMES.find((candidate) => candidate.toLowerCase() === key.toLowerCase());
    if (!name || value === undefined) continue;
    if (Array.isArray(value)) throw ScimError.invalidValue(`Give '${name}' once, not ${value.length} times.`);
    result[name] = value;
  }
  return result;
}

export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** A SearchRequest body (RFC 7644 §3.4.3): the same parameters as JSON, lists for the attribute lists. */
export function searchFromBody(body: unknown): SearchParameters {
  if (!isObject(body)) {
    throw ScimError.invalidSyntax(
      `A search needs a SearchRequest body: a JSON object with "schemas": ["${SEARCH_REQUEST_SCHEMA}"].`,
    );
  }
  const schemas = Object.entries(body).find(([key]) => key.toLowerCase() === 'schemas')?.[1];
  if (!Array.isArray(schemas) || !schemas.includes(SEARCH_REQUEST_SCHEMA)) {
    throw ScimError.invalidSyntax(
      `A search request's "schemas" must be ["${SEARCH_REQUEST_SCHEMA}"] (RFC 7644 §3.4.3).`,
    );
  }
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    const name = NAMES.find((candidate) => candidate.toLowerCase() === key.toLowerCase());
    if (!name || value === undefined || value === null) continue;
    if (name === 'attributes' || name === 'excludedAttributes') {
      const list = Array.isArray(value) ? value : [value];
      if (!list.every((item) => typeof item === 'string'))
        throw ScimError.invalidValue(`'${name}' must be a list of attribute names.`);
      result[name] = list.join(',');
    } else if (name === 'startIndex' || name === 'count') {
      if (typeof value !== 'number' && typeof value !== 'string')
        throw ScimError.invalidValue(`'${name}' must be a number.`);
      result[name] = String(value);
    } else {
      if (typeof value !== 'string') throw ScimError.invalidValue(`'${name}' must be a string.`);
      result[name] = value;
    }
  }
  return result;
}

export type Paging =
  | { readonly kind: 'index'; readonly startIndex: number }
  | { readonly kind: 'cursor'; readonly cursor: string };

export interface PageLimits {
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
}

/**
 * Index paging (RFC 7644 §3.4.2.4): `startIndex` below 1 means 1, `count` below 0 means 0 and a
 * count above the maximum is reduced to it. Cursor paging (RFC 9865) is stricter: a count outside
 * 0…maxPageSize is `invalidCount`, and it cannot be mixed with `startIndex`.
 */
export function pagingOf(
  parameters: SearchParameters,
  limits: PageLimits,
): { paging: Paging; count: number } {
  const count =
    parameters.count === undefined || parameters.count.trim() === ''
      ? limits.defaultPageSize
      : wholeNumber(parameters.count, 'count');
  if (parameters.cursor !== undefined) {
    if (parameters.startIndex !== undefined) {
      throw ScimError.invalidValue("Use either 'cursor' or 'startIndex' paging, not both.");
    }
    if (count < 0 || count > limits.maxPageSize) {
      throw ScimError.invalidCount(`'count' must be from 0 to ${limits.maxPageSize} with cursor paging.`);
    }
    return { paging: { kind: 'cursor', cursor: parameters.cursor }, count };
  }
  const startIndex =
    parameters.startIndex === undefined || parameters.startIndex.trim() === ''
      ? 1
      : wholeNumber(parameters.startIndex, 'startIndex');
  return {
    paging: { kind: 'index', startIndex: Math.max(1, startIndex) },
    count: Math.min(Math.max(0, count), limits.maxPageSize),
  };
}

function wholeNumber(text: string, name: string): number {
  const value = Number(text);
  if (!/^\s*[-+]?\d+\s*$/.test(text) || !Number.isSafeInteger(value)) {
    throw ScimError.invalidValue(`'${name}' must be a whole number, got '${text}'.`);
  }
  return value;
}
