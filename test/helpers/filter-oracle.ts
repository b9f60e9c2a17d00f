/**
 * What the oracle tests of the SCIM query engine (DESIGN §4.6) share across resource types: a
 * vocabulary that makes filters hit, terms and value filters over the strings a seeded site holds,
 * random filters of any attribute, operator and literal, and asking a list endpoint (GET or POST
 * `.search`) with a report that says which resources SQL and the in-memory evaluator disagree on.
 */

import fc from 'fast-check';
import { expect } from 'vitest';

import type { AttributePath, CompareOperator, Filter, FilterValue } from '../../src/scim/filter/ast.js';
import { formatAttributePath, formatFilter } from '../../src/scim/filter/format.js';
import type { ScimObject, ScimValue } from '../../src/scim/resource.js';
import type { ScimResponse, TestSite } from './roster.js';

export const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

export function wholeNumber(text: string | undefined, fallback: number): number {
  const value = Number(text);
  return text !== undefined && text.trim() !== '' && Number.isSafeInteger(value) && value >= 0
    ? value
    : fallback;
}

// ---------------------------------------------------------------------------------------------
// The vocabulary: few enough fragments that filters hit often, with the characters that LIKE
// escaping (`%`, `_`, `\`) and case folding (é/É, Ö/ö, ß, which upper-cases to SS) get wrong.
// ---------------------------------------------------------------------------------------------

const ALPHABET = Array.from('aAbBeEoOzZ017%_\\@.- éÉÖöß');
// prettier-ignore
const FRAGMENTS = [
  'an', 'AN', 'An', 'bo', 'Bo', 'zed', 'Zé', 'é', 'É', 'Ö', 'ö', 'ß', 'SS', 'ss', '0', '1', '7',
  '%', '_', '\\', '.', '-', ' ', '@', 'e_b', '5%', 'a\\b', 'O.b',
];

const fragmentWord = fc
  .array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join(''));
const alphabetWord = fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 1, maxLength: 6 });
export const word = fc.oneof({ weight: 3, arbitrary: fragmentWord }, { weight: 1, arbitrary: alphabetWord });

/** A letter-case variant of `text`, chosen by `mode`: as written (most often), upper, lower or mixed. */
export function withCase(text: string, mode: number): string {
  const choice = Math.abs(mode) % 5;
  if (choice <= 1) return text;
  if (choice === 2) return text.toUpperCase();
  if (choice === 3) return text.toLowerCase();
  return Array.from(text)
    .map((ch, i) => ((mode >> (i % 24)) & 1 ? ch.toUpperCase() : ch.toLowerCase()))
    .join('');
}

// ---------------------------------------------------------------------------------------------
// Terms over what a seeded site holds
// ---------------------------------------------------------------------------------------------

/** The strings a seeded site holds, by path (`displayName`, `emails|value`), to cut literals from. */
export interface Vocabulary {
  readonly pools: ReadonlyMap<string, readonly string[]>;
  readonly everything: readonly string[];
}

/**
 * The strings `objects` hold, by path (`title`, `name|givenName`, `members|value`), and all of them
 * but schema URNs: the literals filters are cut from.
 */
export function vocabularyOf(objects: readonly ScimObject[]): Vocabulary {
  const pools = new Map<string, Set<string>>();
  const collect = (value: ScimValue | undefined, path: readonly string[]): void => {
    if (Array.isArray(value)) for (const item of value) collect(item, path);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, inner] of Object.entries(value)) collect(inner, [...path, key]);
    } else if (typeof value === 'string') {
      const key = path.join('|');
      let pool = pools.get(key);
      if (!pool) pools.set(key, (pool = new Set()));
      pool.add(value);
    }
  };
  for (const object of objects) collect(object, []);
  const frozen = new Map([...pools].map(([key, set]) => [key, [...set].sort()] as const));
  const everything = [...new Set([...frozen.values()].flat())].filter((value) => !value.startsWith('urn:'));
  return { pools: frozen, everything };
}

export type Kind = 'string' | 'boolean' | 'dateTime' | 'complex';

export interface Multi {
  readonly attribute: string;
  /** Whether `attr op value` (without a sub-attribute) means `attr.value op value`. */
  readonly hasValue: boolean;
  readonly subs: readonly { readonly name: string; readonly kind: 'string' | 'boolean' }[];
}
export const string = (name: string) => ({ name, kind: 'string' as const });

export const STRING_OPS: readonly CompareOperator[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
export const ORDER_OPS: readonly CompareOperator[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];

export const compare = (path: AttributePath, op: CompareOperator, value: FilterValue): Filter => ({
  kind: 'compare',
  path,
  op,
  value,
});

/** The part of a stored value a literal for `op` is cut from, so that sw/ew/co hit. */
function cut(value: string, op: CompareOperator, a: number, b: number): string {
  const chars = Array.from(value);
  const n = chars.length;
  if (n === 0) return value;
  switch (op) {
    case 'co': {
      const start = a % n;
      return chars.slice(start, start + 1 + (b % (n - start))).join('');
    }
    case 'sw':
      return chars.slice(0, 1 + (a % n)).join('');
    case 'ew':
      return chars.slice(n - 1 - (a % n)).join('');
    case 'eq':
    case 'ne':
      return b % 5 === 0 ? chars.slice(0, 1 + (a % n)).join('') : value;
    default:
      return b % 2 === 0 ? chars.slice(0, 1 + (a % n)).join('') : value;
  }
}

/** The literals filters compare with: mostly stored values in another case, sometimes anything. */
function stringLiteral(
  world: Vocabulary,
  pool: readonly string[],
  op: CompareOperator,
): fc.Arbitrary<string> {
  const fromPool =
    pool.length === 0
      ? word
      : fc
          .tuple(fc.constantFrom(...pool), fc.nat(), fc.nat(), fc.integer())
          .map(([value, a, b, mode]) => withCase(cut(value, op, a, b), mode));
  return fc.oneof(
    { weight: 8, arbitrary: fromPool },
    { weight: 1, arbitrary: fc.constantFrom(...world.everything) },
    { weight: 1, arbitrary: word },
  );
}

/** An instant as a client may write it: exact, a millisecond off, another offset, whole seconds. */
function dateLiteral(pool: readonly string[]): fc.Arbitrary<string> {
  const render = (ms: number, form: number): string => {
    const iso = (t: number): string => new Date(t).toISOString();
    switch (form) {
      case 0:
        return iso(ms + 2 * 3_600_000).replace('Z', '+02:00');
      case 1:
        return iso(ms - 7 * 3_600_000).replace('Z', '-07:00');
      case 2:
        return iso(ms).replace(/\.\d{3}Z$/, 'Z');
      default:
        return iso(ms);
    }
  };
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.constantFrom(...pool), fc.integer({ min: -2, max: 2 }), fc.integer({ min: 0, max: 5 }))
        .map(([value, shift, form]) => render(Date.parse(value) + shift, form)),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '2011-05-13T04:42:34Z',
        '1970-01-01T00:00:00Z',
        '2999-12-31T23:59:59.999Z',
        new Date().toISOString().slice(0, 10),
      ),
    },
  );
}

const BOOLEAN_LITERAL = fc.constantFrom<FilterValue>(true, false, 'True', 'false', 'TRUE');

/** One comparison, presence test or null test of a value of `kind` at `path`. */
export function term(
  world: Vocabulary,
  path: fc.Arbitrary<AttributePath>,
  kind: Kind,
  pool: readonly string[],
): fc.Arbitrary<Filter> {
  const present = path.map((p): Filter => ({ kind: 'present', path: p }));
  if (kind === 'complex') return present;
  const nullTest = fc
    .tuple(path, fc.constantFrom<CompareOperator>('eq', 'ne'))
    .map(([p, op]) => compare(p, op, null));
  const comparison =
    kind === 'boolean'
      ? fc
          .tuple(path, fc.constantFrom<CompareOperator>('eq', 'ne'), BOOLEAN_LITERAL)
          .map(([p, op, v]) => compare(p, op, v))
      : kind === 'dateTime'
        ? fc
            .tuple(path, fc.constantFrom(...ORDER_OPS), dateLiteral(pool))
            .map(([p, op, v]) => compare(p, op, v))
        : fc
            .constantFrom(...STRING_OPS)
            .chain((op) => fc.tuple(path, stringLiteral(world, pool, op)).map(([p, v]) => compare(p, op, v)));
  return fc.oneof(
    { weight: 10, arbitrary: comparison },
    { weight: 2, arbitrary: present },
    { weight: 1, arbitrary: nullTest },
  );
}

export const relative = (name: string): fc.Arbitrary<AttributePath> =>
  fc.integer().map((mode) => ({ attribute: withCase(name, mode) }));
export const listPath = (multi: Multi, sub?: string): fc.Arbitrary<AttributePath> =>
  fc.tuple(fc.integer(), fc.integer()).map(([a, s]) => ({
    attribute: withCase(multi.attribute, a),
    ...(sub !== undefined ? { subAttribute: withCase(sub, s) } : {}),
  }));

/** The filter inside `emails[…]`: and/or/not over terms on the element's sub-attributes. */
export function elementFilter(world: Vocabulary, multi: Multi): fc.Arbitrary<Filter> {
  const leaf = fc.oneof(
    ...multi.subs.map((sub) =>
      term(world, relative(sub.name), sub.kind, world.pools.get(`${multi.attribute}|${sub.name}`) ?? []),
    ),
  );
  const { node } = fc.letrec<{ node: Filter }>((tie) => ({
    node: fc.oneof(
      { maxDepth: 2, depthIdentifier: `element-${multi.attribute}` },
      { weight: 3, arbitrary: leaf },
      fc.tuple(tie('node'), tie('node')).map(([left, right]): Filter => ({ kind: 'and', left, right })),
      fc.tuple(tie('node'), tie('node')).map(([left, right]): Filter => ({ kind: 'or', left, right })),
      tie('node').map((filter): Filter => ({ kind: 'not', filter })),
    ),
  }));
  return node;
}

/**
 * A generated filter. `entra` is Microsoft's `emails[type eq "work"].value eq "x"`, which the
 * parser reads as the value filter `emails[type eq "work" and value eq "x"]`; formatFilter prints
 * the RFC form, so this shape is printed here.
 */
export type Generated =
  | { readonly kind: 'leaf'; readonly filter: Filter }
  | { readonly kind: 'entra'; readonly path: AttributePath; readonly inner: Filter; readonly right: Filter }
  | { readonly kind: 'and' | 'or'; readonly left: Generated; readonly right: Generated }
  | { readonly kind: 'not'; readonly filter: Generated };

export function toAst(node: Generated): Filter {
  switch (node.kind) {
    case 'leaf':
      return node.filter;
    case 'entra':
      return {
        kind: 'valuePath',
        path: node.path,
        filter: { kind: 'and', left: node.inner, right: node.right },
      };
    case 'not':
      return { kind: 'not', filter: toAst(node.filter) };
    case 'and':
    case 'or':
      return { kind: node.kind, left: toAst(node.left), right: toAst(node.right) };
  }
}

function hasEntra(node: Generated): boolean {
  switch (node.kind) {
    case 'leaf':
      return false;
    case 'entra':
      return true;
    case 'not':
      return hasEntra(node.filter);
    case 'and':
    case 'or':
      return hasEntra(node.left) || hasEntra(node.right);
  }
}

/** formatFilter's text, with the Entra shape where it was generated (same precedence rules). */
export function filterText(node: Generated): string {
  if (!hasEntra(node)) return formatFilter(toAst(node));
  const operand = (inner: Generated, kinds: readonly Generated['kind'][]): string =>
    kinds.includes(inner.kind) ? `(${filterText(inner)})` : filterText(inner);
  switch (node.kind) {
    case 'leaf':
      return formatFilter(node.filter);
    case 'entra':
      return `${formatAttributePath(node.path)}[${formatFilter(node.inner)}].${formatFilter(node.right)}`;
    case 'not':
      return `not (${filterText(node.filter)})`;
    case 'and':
      return `${operand(node.left, ['or'])} and ${operand(node.right, ['or', 'and'])}`;
    case 'or':
      return `${filterText(node.left)} or ${operand(node.right, ['or'])}`;
  }
}

/** Every way of filtering on a multi-valued attribute: `attr.sub`, `attr` alone, `attr[…]`, Entra's `attr[…].sub`. */
export function multiTerm(world: Vocabulary, multi: Multi): fc.Arbitrary<Generated> {
  const leaf = (arbitrary: fc.Arbitrary<Filter>): fc.Arbitrary<Generated> =>
    arbitrary.map((filter): Generated => ({ kind: 'leaf', filter }));
  const dotted = fc.oneof(
    ...multi.subs.map((sub) =>
      term(
        world,
        listPath(multi, sub.name),
        sub.kind,
        world.pools.get(`${multi.attribute}|${sub.name}`) ?? [],
      ),
    ),
  );
  const shortcut = multi.hasValue
    ? term(world, listPath(multi), 'string', world.pools.get(`${multi.attribute}|value`) ?? [])
    : listPath(multi).map((path): Filter => ({ kind: 'present', path }));
  const valuePath = fc
    .tuple(listPath(multi), elementFilter(world, multi))
    .map(([path, filter]): Filter => ({ kind: 'valuePath', path, filter }));
  const entra = fc
    .tuple(
      listPath(multi),
      elementFilter(world, multi),
      fc.oneof(
        ...multi.subs.map((sub) =>
          term(world, relative(sub.name), sub.kind, world.pools.get(`${multi.attribute}|${sub.name}`) ?? []),
        ),
      ),
    )
    .map(([path, inner, right]): Generated => ({ kind: 'entra', path, inner, right }));
  return fc.oneof(
    { weight: 3, arbitrary: leaf(dotted) },
    { weight: 2, arbitrary: leaf(shortcut) },
    { weight: 3, arbitrary: leaf(valuePath) },
    { weight: 1, arbitrary: entra },
  );
}

/** Filters of `leaves` joined by and, or and not, up to four levels deep. */
export function nested(leaves: fc.Arbitrary<Generated>): fc.Arbitrary<Generated> {
  const { node } = fc.letrec<{ node: Generated }>((tie) => ({
    node: fc.oneof(
      { maxDepth: 4, depthIdentifier: 'filter' },
      { weight: 4, arbitrary: leaves },
      fc.tuple(tie('node'), tie('node')).map(([left, right]): Generated => ({ kind: 'and', left, right })),
      fc.tuple(tie('node'), tie('node')).map(([left, right]): Generated => ({ kind: 'or', left, right })),
      tie('node').map((filter): Generated => ({ kind: 'not', filter })),
    ),
  }));
  return node;
}

// ---------------------------------------------------------------------------------------------
// Filters that may be wrong: random attributes, operators and literals of any JSON type
// ---------------------------------------------------------------------------------------------

export function toPath(text: string): AttributePath {
  const colon = text.lastIndexOf(':');
  const [attribute, subAttribute] = text.slice(colon + 1).split('.') as [string, string?];
  return {
    ...(colon >= 0 ? { schema: text.slice(0, colon) } : {}),
    attribute,
    ...(subAttribute !== undefined ? { subAttribute } : {}),
  };
}

const ANY_LITERAL: fc.Arbitrary<FilterValue> = fc.oneof(
  word,
  // prettier-ignore
  fc.constantFrom<FilterValue>(
    null, true, false, 0, -0, 1, -1, 0.5, 1e21, 1e308, -1e-7, '', 'True', '2026-01-31T12:00:00Z',
    '2026-02-30T25:61:00Z', 'yesterday', '\u0000', 'a\u0000b', '\ud800', '😀', '"',
    "'; DROP TABLE users; --", '%', '_', '\\',
  ),
  fc.string({ unit: 'binary', maxLength: 8 }),
);

const ANY_OPS: readonly (CompareOperator | 'pr')[] = [...STRING_OPS, 'pr'];

/** Filters over `paths`, with value filters on `lists`, that the binder may well refuse. */
export function anyFilterArb(paths: readonly string[], lists: readonly string[]): fc.Arbitrary<Filter> {
  return fc.letrec<{ node: Filter; leaf: Filter }>((tie) => ({
    leaf: fc
      .tuple(fc.constantFrom(...paths), fc.constantFrom(...ANY_OPS), ANY_LITERAL)
      .map(([path, op, value]): Filter =>
        op === 'pr' ? { kind: 'present', path: toPath(path) } : compare(toPath(path), op, value),
      ),
    node: fc.oneof(
      { maxDepth: 3, depthIdentifier: 'any-filter' },
      { weight: 3, arbitrary: tie('leaf') },
      fc.tuple(tie('node'), tie('node')).map(([left, right]): Filter => ({ kind: 'and', left, right })),
      fc.tuple(tie('node'), tie('node')).map(([left, right]): Filter => ({ kind: 'or', left, right })),
      tie('node').map((filter): Filter => ({ kind: 'not', filter })),
      fc
        .tuple(fc.constantFrom(...lists), tie('leaf'))
        .map(([path, filter]): Filter => ({ kind: 'valuePath', path: toPath(path), filter })),
    ),
  })).node;
}

export function expectFilterRefusedOrAnswered(response: ScimResponse, what: string): void {
  expect(response.status, `${what}\n${response.raw}`).not.toBe(500);
  if (response.status === 400) {
    expect(response.body?.scimType, `${what}\n${response.raw}`).toBe('invalidFilter');
  } else {
    expect(response.status, `${what}\n${response.raw}`).toBe(200);
  }
}

// ---------------------------------------------------------------------------------------------
// Asking both sides
// ---------------------------------------------------------------------------------------------

export interface Query {
  readonly filter?: string;
  readonly sortBy?: string;
  readonly sortOrder?: string;
  readonly viaSearch: boolean;
}

/** Lists `endpoint` (`/Users`, `/Groups`), all on one page, as GET or as POST `.search` (RFC 7644 §3.4.3). */
export function ask(site: TestSite, endpoint: string, query: Query): Promise<ScimResponse> {
  if (query.viaSearch) {
    return site.scim('POST', `${endpoint}/.search`, {
      schemas: [SEARCH_REQUEST],
      ...(query.filter !== undefined ? { filter: query.filter } : {}),
      ...(query.sortBy !== undefined ? { sortBy: query.sortBy } : {}),
      ...(query.sortOrder !== undefined ? { sortOrder: query.sortOrder } : {}),
      count: 1000,
    });
  }
  const parameters = new URLSearchParams();
  if (query.filter !== undefined) parameters.set('filter', query.filter);
  if (query.sortBy !== undefined) parameters.set('sortBy', query.sortBy);
  if (query.sortOrder !== undefined) parameters.set('sortOrder', query.sortOrder);
  parameters.set('count', '1000');
  return site.scim('GET', `${endpoint}?${parameters.toString().replace(/\+/g, '%20')}`);
}

export function idsOf(response: ScimResponse): string[] {
  return (response.body.Resources as ScimObject[]).map((resource) => resource.id as string);
}

/** Where a disagreement happened, for its report. */
export interface Run {
  readonly endpoint: string;
  readonly dialect: string;
  readonly seed: number;
  /** Every resource as the oracle sees it. */
  readonly resources: readonly ScimObject[];
}

/** The report of a disagreement: the query, both answers, and the resources they differ on. */
export function disagreement(
  run: Run,
  query: Query,
  expected: readonly string[],
  actual: readonly string[],
  response: ScimResponse,
): string {
  const wanted = new Set(expected);
  const got = new Set(actual);
  const onlyOracle = expected.filter((id) => !got.has(id));
  const onlySql = actual.filter((id) => !wanted.has(id));
  const differing = run.resources.filter(
    (resource) => onlyOracle.includes(resource.id as string) || onlySql.includes(resource.id as string),
  );
  return [
    `SQL (${run.dialect}) and the oracle disagree (seed ${run.seed}; replay with ROSTER_PROPERTY_SEED=${run.seed})`,
    `filter: ${query.filter ?? '(none)'}   sortBy: ${query.sortBy ?? '-'} sortOrder: ${query.sortOrder ?? '-'}  via ${query.viaSearch ? `POST ${run.endpoint}/.search` : `GET ${run.endpoint}`}`,
    `totalResults: ${response.body.totalResults}`,
    `oracle (${expected.length}): ${expected.join(' ')}`,
    `SQL    (${actual.length}): ${actual.join(' ')}`,
    `only the oracle: ${onlyOracle.join(' ') || '-'}`,
    `only SQL:        ${onlySql.join(' ') || '-'}`,
    ...differing.map((resource) => JSON.stringify(resource)),
  ].join('\n');
}
