/**
 * The oracle test of the SCIM query engine (DESIGN §4.6). One site per dialect is seeded with random
 * users through the SCIM API; then random filters (and sorts) are answered twice: by the SQL the
 * store compiles, through GET /Users or POST /Users/.search, and by the in-memory evaluator
 * (`matchesResource`) over the same users as SCIM returns them. Both read the same bound tree
 * (bind.ts), so any difference is a bug in one of them, and the failure report says which users
 * differ. Random and odd filter text must never make the endpoint answer 500.
 *
 * ROSTER_PROPERTY_RUNS sets the number of random filters per dialect (default 2,000);
 * ROSTER_PROPERTY_SEED replays a run (the seed is printed with every failure).
 */

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { AttributePath, CompareOperator, Filter, FilterValue } from '../../src/scim/filter/ast.js';
import { bindFilter } from '../../src/scim/filter/bind.js';
import { type BoundSort, bindSort } from '../../src/scim/filter/bind-sort.js';
import { compareCodePoints, matchesResource } from '../../src/scim/filter/evaluate.js';
import { formatAttributePath, formatFilter } from '../../src/scim/filter/format.js';
import { parseFilter } from '../../src/scim/filter/parse.js';
import { RosterError } from '../../src/errors.js';
import type { ScimObject, ScimValue } from '../../src/scim/resource.js';
import { userResourceSchema } from '../../src/scim/schema/resource-types.js';
import {
  DIALECTS,
  startTestRoster,
  type ScimResponse,
  type TestRoster,
  type TestSite,
} from '../helpers/roster.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const RUNS = wholeNumber(process.env.ROSTER_PROPERTY_RUNS, 2000);
const SEED = wholeNumber(process.env.ROSTER_PROPERTY_SEED, Math.floor(Math.random() * 2 ** 31));
const USERS = 150;

function wholeNumber(text: string | undefined, fallback: number): number {
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
const TIME_ZONES = [
  'Europe/London',
  'America/New_York',
  'America/Los_Angeles',
  'America/Argentina/Buenos_Aires',
  'Asia/Tokyo',
  'UTC',
  'Europe/Zurich',
];
const SHARED_EXTERNAL_IDS = ['ext-1', 'EXT-1', 'Ext_%', 'ß-9'];

const fragmentWord = fc
  .array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join(''));
const alphabetWord = fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 1, maxLength: 6 });
const word = fc.oneof({ weight: 3, arbitrary: fragmentWord }, { weight: 1, arbitrary: alphabetWord });

/** A letter-case variant of `text`, chosen by `mode`: as written (most often), upper, lower or mixed. */
function withCase(text: string, mode: number): string {
  const choice = Math.abs(mode) % 5;
  if (choice <= 1) return text;
  if (choice === 2) return text.toUpperCase();
  if (choice === 3) return text.toLowerCase();
  return Array.from(text)
    .map((ch, i) => ((mode >> (i % 24)) & 1 ? ch.toUpperCase() : ch.toLowerCase()))
    .join('');
}

// ---------------------------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------------------------

interface UserSpec {
  readonly stem: string;
  readonly givenName?: string;
  readonly familyName?: string;
  readonly middleName?: string;
  readonly displayName?: string;
  readonly title?: string;
  readonly nickName?: string;
  readonly userType?: string;
  readonly locale?: string;
  readonly timezone?: string;
  readonly active: boolean;
  readonly externalId?: string;
  readonly emails: readonly { value: string; type: string; display?: string; primary?: false }[];
  readonly primaryEmail: number;
  readonly phones: readonly { value: string; type: string }[];
  readonly primaryPhone: number;
  readonly addresses: readonly { type: string; locality?: string; postalCode?: string }[];
  readonly enterprise?: {
    readonly department?: string;
    readonly employeeNumber?: string;
    readonly costCenter?: string;
    readonly manager?: string;
    readonly managerIsUser: boolean;
  };
}

const emailArb = fc.record(
  {
    value: fc
      .tuple(word, fc.constantFrom('example.com', 'Example.COM', 'ß.de', 'x_y.org', 'é%.net'))
      .map(([local, domain]) => `${local}@${domain}`),
    type: fc.constantFrom('work', 'home', 'other', 'Work'),
    display: word,
    primary: fc.constant(false as const),
  },
  { requiredKeys: ['value', 'type'] },
);

const userSpecArb: fc.Arbitrary<UserSpec> = fc.record(
  {
    stem: word,
    givenName: word,
    familyName: word,
    middleName: word,
    displayName: word,
    title: fc.oneof(fc.constantFrom('Boss', 'boss', 'Engineer', 'ENGINEER', 'Zé%', 'a_b'), word),
    nickName: word,
    userType: fc.constantFrom('Employee', 'employee', 'Contractor', 'Intern', 'Temp'),
    locale: fc.constantFrom('en-US', 'en_US', 'fr-FR', 'de-CH', 'EN-us'),
    timezone: fc.constantFrom(...TIME_ZONES),
    active: fc.oneof(
      { weight: 5, arbitrary: fc.constant(true) },
      { weight: 1, arbitrary: fc.constant(false) },
    ),
    externalId: fc.oneof(fc.constantFrom(...SHARED_EXTERNAL_IDS), word),
    emails: fc.array(emailArb, { maxLength: 3 }),
    primaryEmail: fc.integer({ min: -1, max: 2 }),
    phones: fc.array(
      fc.record({
        value: fc.oneof(fc.constantFrom('+1 555 0100', '+44 20 7946', '555-%', '0_1'), word),
        type: fc.constantFrom('work', 'mobile', 'home', 'Mobile'),
      }),
      { maxLength: 2 },
    ),
    primaryPhone: fc.integer({ min: -1, max: 1 }),
    addresses: fc.array(
      fc.record(
        {
          type: fc.constantFrom('work', 'home', 'other'),
          locality: fc.oneof(fc.constantFrom('Zürich', 'ZÜRICH', 'Köln', 'New York', 'a_b'), word),
          postalCode: fc.constantFrom('12345', 'AB1 2CD', 'é_9', '0%'),
        },
        { requiredKeys: ['type'] },
      ),
      { maxLength: 2 },
    ),
    enterprise: fc.record(
      {
        department: fc.oneof(fc.constantFrom('R&D', 'r&d', 'Sales', 'SALES'), word),
        employeeNumber: fc.constantFrom('001', '1', '10', '0%', '7_'),
        costCenter: word,
        manager: word,
        managerIsUser: fc.boolean(),
      },
      { requiredKeys: ['managerIsUser'] },
    ),
  },
  { requiredKeys: ['stem', 'active', 'emails', 'primaryEmail', 'phones', 'primaryPhone', 'addresses'] },
);

/** The body of POST /Users for one spec; `ids` are the users created before it (for manager). */
function userBody(spec: UserSpec, index: number, ids: readonly string[]): ScimObject {
  const body: ScimObject = { schemas: [CORE], userName: `${spec.stem}.${index}`, active: spec.active };
  const name: ScimObject = {};
  if (spec.givenName !== undefined) name.givenName = spec.givenName;
  if (spec.familyName !== undefined) name.familyName = spec.familyName;
  if (spec.middleName !== undefined) name.middleName = spec.middleName;
  if (Object.keys(name).length > 0) body.name = name;
  for (const key of ['displayName', 'title', 'nickName', 'userType', 'locale', 'timezone'] as const) {
    const value = spec[key];
    if (value !== undefined) body[key] = value;
  }
  if (spec.externalId !== undefined) body.externalId = spec.externalId;
  if (spec.emails.length > 0) {
    body.emails = spec.emails.map((email, i) => ({
      ...email,
      ...(i === spec.primaryEmail ? { primary: true } : {}),
    }));
  }
  if (spec.phones.length > 0) {
    body.phoneNumbers = spec.phones.map((phone, i) => ({
      ...phone,
      ...(i === spec.primaryPhone ? { primary: true } : {}),
    }));
  }
  if (spec.addresses.length > 0) body.addresses = spec.addresses.map((address) => ({ ...address }));
  if (spec.enterprise) {
    const { managerIsUser, manager, ...rest } = spec.enterprise;
    const managerId = managerIsUser && ids.length > 0 ? ids[(index * 7) % ids.length] : manager;
    const extension: ScimObject = {
      ...rest,
      ...(managerId !== undefined ? { manager: { value: managerId } } : {}),
    };
    body.schemas = [CORE, ENTERPRISE];
    body[ENTERPRISE] = extension;
  }
  return body;
}

/** What happens to a user after everyone is created; by position, so every run has each. */
function afterwards(index: number): 'delete' | 'disable' | 'edit' | 'toggle' | 'none' {
  if (index % 13 === 5) return 'delete';
  if (index % 6 === 2) return 'disable';
  if (index % 9 === 4) return 'edit';
  if (index % 17 === 8) return 'toggle';
  return 'none';
}

interface World {
  readonly site: TestSite;
  /** Every SCIM-visible user, as GET /Users returns them. */
  readonly resources: readonly ScimObject[];
  readonly deletedIds: readonly string[];
  /** Stored strings by path (`title`, `name|givenName`, `emails|value`, `<urn>|manager|value`). */
  readonly pools: ReadonlyMap<string, readonly string[]>;
  readonly everything: readonly string[];
}

async function seedWorld(site: TestSite): Promise<World> {
  const specs = fc.sample(userSpecArb, { numRuns: USERS, seed: SEED });
  const ids: string[] = [];
  for (const [index, spec] of specs.entries()) {
    const created = await site.scim('POST', '/Users', userBody(spec, index, ids));
    expect(created.status, created.raw).toBe(201);
    ids.push(created.body.id as string);
  }
  const deletedIds: string[] = [];
  for (const [index, id] of ids.entries()) {
    const spec = specs[index]!;
    const patch = async (...operations: object[]): Promise<void> => {
      const response = await site.scim('PATCH', `/Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: operations,
      });
      expect(response.status, response.raw).toBe(200);
    };
    switch (afterwards(index)) {
      case 'delete': {
        const response = await site.scim('DELETE', `/Users/${id}`);
        expect(response.status, response.raw).toBe(204);
        deletedIds.push(id);
        break;
      }
      case 'disable':
        await patch({ op: 'replace', value: { active: false } });
        break;
      case 'toggle':
        await patch({ op: 'replace', value: { active: false } });
        await patch({ op: 'replace', path: 'active', value: 'True' });
        break;
      case 'edit':
        // Only the emails' display changes, then other attributes: the emails side table must follow.
        if (spec.emails.length > 0)
          await patch({
            op: 'replace',
            path: 'emails',
            value: spec.emails.map((email, i) => ({
              ...email,
              display: `Édité ${index}.${i}`,
              ...(i === spec.primaryEmail ? { primary: true } : {}),
            })),
          });
        await patch(
          { op: 'replace', path: 'title', value: `Zé ${index}` },
          { op: 'remove', path: 'nickName' },
        );
        break;
      case 'none':
        break;
    }
  }

  const listed = await site.scim('GET', '/Users?count=1000');
  expect(listed.status, listed.raw).toBe(200);
  const resources = listed.body.Resources as ScimObject[];
  expect(listed.body.totalResults).toBe(USERS - deletedIds.length);
  const visible = resources.map((resource) => resource.id);
  for (const id of deletedIds) expect(visible).not.toContain(id);

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
  for (const resource of resources) collect(resource, []);
  // Values of users that are gone are good literals too: they must match nothing.
  for (const [index, spec] of specs.entries())
    if (afterwards(index) === 'delete') collect(userBody(spec, index, []), []);
  const frozen = new Map([...pools].map(([key, set]) => [key, [...set].sort()] as const));
  const everything = [...new Set([...frozen.values()].flat())].filter((value) => !value.startsWith('urn:'));
  return { site, resources, deletedIds, pools: frozen, everything };
}

// ---------------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------------

type Kind = 'string' | 'boolean' | 'dateTime' | 'complex';

/** A singular attribute: core (may be URN-qualified), common (never), or enterprise (always). */
interface Singular {
  readonly scope: 'core' | 'common' | 'enterprise';
  readonly attribute: string;
  readonly sub?: string;
  readonly kind: Kind;
}

const core = (attribute: string, sub?: string, kind: Kind = 'string'): Singular => ({
  scope: 'core',
  attribute,
  ...(sub !== undefined ? { sub } : {}),
  kind,
});
const common = (attribute: string, sub?: string, kind: Kind = 'string'): Singular => ({
  scope: 'common',
  attribute,
  ...(sub !== undefined ? { sub } : {}),
  kind,
});
const ent = (attribute: string, sub?: string, kind: Kind = 'string'): Singular => ({
  scope: 'enterprise',
  attribute,
  ...(sub !== undefined ? { sub } : {}),
  kind,
});

/** Attributes the users have, then some that nobody has. */
const SINGULAR: readonly Singular[] = [
  core('userName'),
  core('name', 'givenName'),
  core('name', 'familyName'),
  core('name', 'middleName'),
  core('displayName'),
  core('nickName'),
  core('title'),
  core('userType'),
  core('locale'),
  core('timezone'),
  core('active', undefined, 'boolean'),
  common('id'),
  common('externalId'),
  common('meta', 'created', 'dateTime'),
  common('meta', 'lastModified', 'dateTime'),
  ent('department'),
  ent('employeeNumber'),
  ent('costCenter'),
  ent('manager', 'value'),
  core('name', undefined, 'complex'),
  ent('manager', undefined, 'complex'),
];
const ABSENT_SINGULAR: readonly Singular[] = [
  core('name', 'formatted'),
  core('name', 'honorificSuffix'),
  core('preferredLanguage'),
  core('profileUrl'),
  ent('organization'),
  ent('division'),
  ent('manager', '$ref'),
  ent('manager', 'displayName'),
];

interface Multi {
  readonly attribute: string;
  /** Whether `attr op value` (without a sub-attribute) means `attr.value op value`. */
  readonly hasValue: boolean;
  readonly subs: readonly { readonly name: string; readonly kind: 'string' | 'boolean' }[];
}
const string = (name: string) => ({ name, kind: 'string' as const });
const PRIMARY = { name: 'primary', kind: 'boolean' as const };
const MULTI: readonly Multi[] = [
  {
    attribute: 'emails',
    hasValue: true,
    subs: [string('value'), string('type'), string('display'), PRIMARY],
  },
  {
    attribute: 'phoneNumbers',
    hasValue: true,
    subs: [string('value'), string('type'), string('display'), PRIMARY],
  },
  {
    attribute: 'addresses',
    hasValue: false,
    subs: [
      string('type'),
      string('locality'),
      string('postalCode'),
      string('country'),
      string('region'),
      PRIMARY,
    ],
  },
];
const ABSENT_MULTI: readonly Multi[] = [
  { attribute: 'ims', hasValue: true, subs: [string('value'), string('type'), PRIMARY] },
  { attribute: 'roles', hasValue: true, subs: [string('value'), string('display'), PRIMARY] },
  { attribute: 'entitlements', hasValue: true, subs: [string('value'), string('type')] },
  { attribute: 'photos', hasValue: true, subs: [string('value'), string('type')] },
  { attribute: 'groups', hasValue: true, subs: [string('value'), string('display'), string('type')] },
  { attribute: 'x509Certificates', hasValue: false, subs: [string('type'), string('display'), PRIMARY] },
];

const STRING_OPS: readonly CompareOperator[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
const ORDER_OPS: readonly CompareOperator[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];

const compare = (path: AttributePath, op: CompareOperator, value: FilterValue): Filter => ({
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
function stringLiteral(world: World, pool: readonly string[], op: CompareOperator): fc.Arbitrary<string> {
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
function term(
  world: World,
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

function singularPath(attribute: Singular): fc.Arbitrary<AttributePath> {
  return fc.tuple(fc.integer(), fc.integer(), fc.integer(), fc.nat(3)).map(([a, s, u, qualify]) => {
    const schema =
      attribute.scope === 'enterprise'
        ? withCase(ENTERPRISE, u)
        : attribute.scope === 'core' && qualify === 0
          ? withCase(CORE, u)
          : undefined;
    return {
      ...(schema !== undefined ? { schema } : {}),
      attribute: withCase(attribute.attribute, a),
      ...(attribute.sub !== undefined ? { subAttribute: withCase(attribute.sub, s) } : {}),
    };
  });
}

function poolKey(attribute: Singular): string {
  return [...(attribute.scope === 'enterprise' ? [ENTERPRISE] : []), attribute.attribute, attribute.sub]
    .filter((key) => key !== undefined)
    .join('|');
}

function singularTerm(world: World, attribute: Singular): fc.Arbitrary<Filter> {
  return term(world, singularPath(attribute), attribute.kind, world.pools.get(poolKey(attribute)) ?? []);
}

const relative = (name: string): fc.Arbitrary<AttributePath> =>
  fc.integer().map((mode) => ({ attribute: withCase(name, mode) }));
const listPath = (multi: Multi, sub?: string): fc.Arbitrary<AttributePath> =>
  fc.tuple(fc.integer(), fc.integer()).map(([a, s]) => ({
    attribute: withCase(multi.attribute, a),
    ...(sub !== undefined ? { subAttribute: withCase(sub, s) } : {}),
  }));

/** The filter inside `emails[…]`: and/or/not over terms on the element's sub-attributes. */
function elementFilter(world: World, multi: Multi): fc.Arbitrary<Filter> {
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
type Generated =
  | { readonly kind: 'leaf'; readonly filter: Filter }
  | { readonly kind: 'entra'; readonly path: AttributePath; readonly inner: Filter; readonly right: Filter }
  | { readonly kind: 'and' | 'or'; readonly left: Generated; readonly right: Generated }
  | { readonly kind: 'not'; readonly filter: Generated };

function toAst(node: Generated): Filter {
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
function filterText(node: Generated): string {
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

function leafFilters(world: World): fc.Arbitrary<Generated> {
  const leaf = (arbitrary: fc.Arbitrary<Filter>): fc.Arbitrary<Generated> =>
    arbitrary.map((filter): Generated => ({ kind: 'leaf', filter }));
  const multiTerm = (multi: Multi): fc.Arbitrary<Generated> => {
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
            term(
              world,
              relative(sub.name),
              sub.kind,
              world.pools.get(`${multi.attribute}|${sub.name}`) ?? [],
            ),
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
  };
  const schemas = fc
    .tuple(
      fc.constantFrom<CompareOperator>('eq', 'eq', 'ne'),
      fc.constantFrom(ENTERPRISE, CORE, 'urn:example:params:scim:schemas:extension:acme:2.0:User'),
      fc.integer(),
    )
    .map(([op, urn, mode]) => compare({ attribute: 'schemas' }, op, withCase(urn, mode)));
  const resourceType = fc
    .tuple(fc.constantFrom<CompareOperator>('eq', 'ne', 'sw'), fc.constantFrom('User', 'user', 'Group', 'Us'))
    .map(([op, value]) => compare({ attribute: 'meta', subAttribute: 'resourceType' }, op, value));
  return fc.oneof(
    { weight: 12, arbitrary: leaf(fc.oneof(...SINGULAR.map((attribute) => singularTerm(world, attribute)))) },
    {
      weight: 2,
      arbitrary: leaf(fc.oneof(...ABSENT_SINGULAR.map((attribute) => singularTerm(world, attribute)))),
    },
    { weight: 8, arbitrary: fc.oneof(...MULTI.map(multiTerm)) },
    { weight: 1, arbitrary: fc.oneof(...ABSENT_MULTI.map(multiTerm)) },
    { weight: 1, arbitrary: leaf(fc.oneof(schemas, resourceType)) },
  );
}

function filterArb(world: World): fc.Arbitrary<Generated> {
  const leaves = leafFilters(world);
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
// Asking both sides
// ---------------------------------------------------------------------------------------------

interface Query {
  readonly filter?: string;
  readonly sortBy?: string;
  readonly sortOrder?: string;
  readonly viaSearch: boolean;
}

function ask(site: TestSite, query: Query): Promise<ScimResponse> {
  if (query.viaSearch) {
    return site.scim('POST', '/Users/.search', {
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
  return site.scim('GET', `/Users?${parameters.toString().replace(/\+/g, '%20')}`);
}

function idsOf(response: ScimResponse): string[] {
  return (response.body.Resources as ScimObject[]).map((resource) => resource.id as string);
}

/** The oracle: the users whose SCIM representation the in-memory evaluator accepts. */
function oracle(world: World, text: string | undefined): ScimObject[] {
  if (text === undefined) return [...world.resources];
  const bound = bindFilter(parseFilter(text), userResourceSchema);
  return world.resources.filter((resource) => matchesResource(bound, resource));
}

function disagreement(
  world: World,
  dialect: string,
  query: Query,
  expected: readonly string[],
  actual: readonly string[],
  response: ScimResponse,
): string {
  const wanted = new Set(expected);
  const got = new Set(actual);
  const onlyOracle = expected.filter((id) => !got.has(id));
  const onlySql = actual.filter((id) => !wanted.has(id));
  const differing = world.resources.filter(
    (resource) => onlyOracle.includes(resource.id as string) || onlySql.includes(resource.id as string),
  );
  return [
    `SQL (${dialect}) and the oracle disagree (seed ${SEED}; replay with ROSTER_PROPERTY_SEED=${SEED})`,
    `filter: ${query.filter ?? '(none)'}   sortBy: ${query.sortBy ?? '-'} sortOrder: ${query.sortOrder ?? '-'}  via ${query.viaSearch ? 'POST /Users/.search' : 'GET /Users'}`,
    `totalResults: ${response.body.totalResults}`,
    `oracle (${expected.length}): ${expected.join(' ')}`,
    `SQL    (${actual.length}): ${actual.join(' ')}`,
    `only the oracle: ${onlyOracle.join(' ') || '-'}`,
    `only SQL:        ${onlySql.join(' ') || '-'}`,
    ...differing.map((resource) => JSON.stringify(resource)),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Sorting
// ---------------------------------------------------------------------------------------------

// prettier-ignore
const SORT_BY: readonly string[] = [
  'userName', 'name.givenName', 'name.familyName', 'name.middleName', 'name.formatted', 'displayName',
  'nickName', 'title', 'userType', 'locale', 'timezone', 'preferredLanguage', 'active', 'externalId', 'id',
  'emails', 'emails.value', 'meta.created', 'meta.lastModified', `${CORE}:userName`,
  `${CORE}:name.familyName`, `${ENTERPRISE}:department`, `${ENTERPRISE}:employeeNumber`,
  `${ENTERPRISE}:costCenter`, `${ENTERPRISE}:manager.value`, `${ENTERPRISE}:organization`,
];

const sortByArb = fc.tuple(fc.constantFrom(...SORT_BY), fc.integer(), fc.integer()).map(([sortBy, u, a]) => {
  const colon = sortBy.lastIndexOf(':');
  return colon < 0
    ? withCase(sortBy, a)
    : `${withCase(sortBy.slice(0, colon), u)}:${withCase(sortBy.slice(colon + 1), a)}`;
});

function valueAt(resource: ScimObject, path: readonly string[]): ScimValue | undefined {
  let current: ScimValue | undefined = resource;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = current[key];
  }
  return current;
}

/**
 * The value `emails` sorts by (RFC 7644 §3.4.2.3): the primary email, else the first. (The Email
 * field of DESIGN §5 would prefer a work email to the first; the sort follows the RFC.)
 */
function sortEmail(resource: ScimObject): string | undefined {
  const emails = (Array.isArray(resource.emails) ? resource.emails : []) as ScimObject[];
  const chosen = emails.find((email) => email.primary === true) ?? emails[0];
  return typeof chosen?.value === 'string' ? chosen.value : undefined;
}

function sortKey(resource: ScimObject, sort: BoundSort): string | number | null {
  const path = sort.attribute.path;
  const value = path.length === 1 && path[0] === 'emails' ? sortEmail(resource) : valueAt(resource, path);
  if (value === undefined || value === null) return null;
  if (typeof value === 'object') throw new Error(`sortBy ${path.join('.')} is not a scalar`);
  switch (sort.kind) {
    case 'instant':
      return Date.parse(String(value));
    case 'boolean':
      return value === true ? 1 : 0;
    case 'number':
      return Number(value);
    case 'folded':
      return String(value).toLowerCase();
    case 'string':
      return String(value);
  }
}

/** (value is null, value, id) ascending, or that order exactly reversed. */
function oracleOrder(resources: readonly ScimObject[], sort: BoundSort): string[] {
  const keyed = resources.map((resource) => ({ id: resource.id as string, key: sortKey(resource, sort) }));
  keyed.sort((a, b) => {
    if (a.key === null || b.key === null) {
      if (a.key !== b.key) return a.key === null ? 1 : -1;
    } else if (a.key !== b.key) {
      return typeof a.key === 'string' && typeof b.key === 'string'
        ? compareCodePoints(a.key, b.key)
        : Number(a.key) - Number(b.key);
    }
    return compareCodePoints(a.id, b.id);
  });
  if (sort.descending) keyed.reverse();
  return keyed.map((entry) => entry.id);
}

// ---------------------------------------------------------------------------------------------
// Filters that may be wrong: random attributes, operators and literals of any JSON type
// ---------------------------------------------------------------------------------------------

// prettier-ignore
const ANY_PATHS: readonly string[] = [
  'userName', 'name', 'name.givenName', 'name.nosuch', 'displayName', 'active', 'password', 'emails',
  'emails.value', 'emails.primary', 'emails.display', 'emails.nosuch', 'phoneNumbers.primary', 'addresses',
  'addresses.locality', 'x509Certificates', 'x509Certificates.value', 'groups.$ref', 'photos.value',
  'profileUrl', 'id', 'externalId', 'meta', 'meta.created', 'meta.lastModified', 'meta.location',
  'meta.version', 'meta.resourceType', 'schemas', 'members', 'nosuch', `${CORE}:userName`, `${CORE}:id`,
  `${CORE}:password`, `${ENTERPRISE}:manager`, `${ENTERPRISE}:manager.value`,
  `${ENTERPRISE}:employeeNumber`, `${ENTERPRISE}:userName`,
  'urn:example:params:scim:schemas:extension:acme:2.0:User:badge',
];

function toPath(text: string): AttributePath {
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

const anyFilterArb: fc.Arbitrary<Filter> = fc.letrec<{ node: Filter; leaf: Filter }>((tie) => ({
  leaf: fc
    .tuple(fc.constantFrom(...ANY_PATHS), fc.constantFrom(...ANY_OPS), ANY_LITERAL)
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
      .tuple(
        fc.constantFrom('emails', 'addresses', 'name', 'userName', 'phoneNumbers', 'nosuch'),
        tie('leaf'),
      )
      .map(([path, filter]): Filter => ({ kind: 'valuePath', path: toPath(path), filter })),
  ),
})).node;

/** Text that is mostly not a filter at all, including what URLs and JSON find hostile. */
// prettier-ignore
const TOKENS = [
  'userName', 'emails', 'emails[', '[', ']', '(', ')', '"', '"x"', '\\"', 'and', 'or', 'not', 'eq',
  'Eq', 'pr', 'co', 'gt', 'null', 'true', '1e999', '-0', '.value', `${ENTERPRISE}:manager.value`,
  ':', '.', '%', '%00', '%zz', '%%', '&', '#', '+', '?', '=', '/', '\u0000', '\n', '\t', ' ', 'é',
  '😀', '\\u0000', '"\\u0000"', '"\\ud800"', '"\\uZZZZ"', 'meta.created', '"2026-01-01T00:00:00Z"',
  'schemas', 'password', '$ref', 'urn:', 'a.b.c', '((((((((', '))))',
];
const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 14 }).map((tokens) => tokens.join(' ')),
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 14 }).map((tokens) => tokens.join('')),
);

function expectFilterRefusedOrAnswered(response: ScimResponse, what: string): void {
  expect(response.status, `${what}\n${response.raw}`).not.toBe(500);
  if (response.status === 400) {
    expect(response.body?.scimType, `${what}\n${response.raw}`).toBe('invalidFilter');
  } else {
    expect(response.status, `${what}\n${response.raw}`).toBe(200);
  }
}

// ---------------------------------------------------------------------------------------------

describe.each(DIALECTS)('SCIM query engine: SQL answers as the oracle does (%s)', (dialect) => {
  let harness: TestRoster;
  let world: World;

  beforeAll(async () => {
    harness = await startTestRoster(dialect);
    world = await seedWorld(await harness.newSite());
  }, 180_000);
  afterAll(async () => harness.close());

  it(`selects the users the oracle accepts, for ${RUNS} random filters`, async () => {
    let matched = 0;
    await fc.assert(
      fc.asyncProperty(filterArb(world), fc.boolean(), async (generated, viaSearch) => {
        const ast = toAst(generated);
        const text = filterText(generated);
        expect(parseFilter(text), text).toEqual(ast);
        const query: Query = { filter: text, viaSearch };
        const expected = oracle(world, text).map((resource) => resource.id as string);
        const response = await ask(world.site, query);
        expect(response.status, `${text}\n${response.raw}`).toBe(200);
        const actual = idsOf(response);
        const same =
          response.body.totalResults === expected.length &&
          actual.length === expected.length &&
          [...actual].sort().join() === [...expected].sort().join();
        if (!same) throw new Error(disagreement(world, dialect, query, expected, actual, response));
        if (expected.length > 0 && expected.length < world.resources.length) matched++;
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // The vocabulary is there to make filters select something, but not everyone.
    expect(matched).toBeGreaterThan(RUNS / 4);
  }, 600_000);

  it('sorts as the oracle does, ascending and exactly reversed, with and without a filter', async () => {
    await fc.assert(
      fc.asyncProperty(
        sortByArb,
        fc.constantFrom(undefined, 'ascending', 'descending', 'Descending', 'ASCENDING'),
        fc.option(filterArb(world), { nil: undefined, freq: 2 }),
        fc.boolean(),
        async (sortBy, sortOrder, generated, viaSearch) => {
          const text = generated ? filterText(generated) : undefined;
          const query: Query = {
            ...(text !== undefined ? { filter: text } : {}),
            sortBy,
            ...(sortOrder !== undefined ? { sortOrder } : {}),
            viaSearch,
          };
          const expected = oracleOrder(oracle(world, text), bindSort(userResourceSchema, sortBy, sortOrder));
          const response = await ask(world.site, query);
          expect(response.status, response.raw).toBe(200);
          const actual = idsOf(response);
          if (actual.join() !== expected.join() || response.body.totalResults !== expected.length) {
            throw new Error(disagreement(world, dialect, query, expected, actual, response));
          }
        },
      ),
      { numRuns: Math.max(50, Math.ceil(RUNS / 4)), seed: SEED },
    );
  }, 600_000);

  it('answers well-formed filters of any attribute, operator and literal with 200 or 400 invalidFilter', async () => {
    await fc.assert(
      fc.asyncProperty(anyFilterArb, fc.boolean(), async (filter, viaSearch) => {
        const text = formatFilter(filter);
        let expected: string[] | undefined;
        try {
          expected = oracle(world, text).map((resource) => resource.id as string);
        } catch (error) {
          // The binder may refuse the filter, but only as a client error.
          if (!(error instanceof RosterError) || error.scimType !== 'invalidFilter') throw error;
        }
        const query: Query = { filter: text, viaSearch };
        const response = await ask(world.site, query);
        expectFilterRefusedOrAnswered(response, text);
        expect(response.status === 200, `${text}\n${response.raw}`).toBe(expected !== undefined);
        if (expected !== undefined) {
          const actual = idsOf(response);
          if ([...actual].sort().join() !== [...expected].sort().join()) {
            throw new Error(disagreement(world, dialect, query, expected, actual, response));
          }
        }
      }),
      { numRuns: Math.max(100, Math.ceil(RUNS / 2)), seed: SEED },
    );
  }, 600_000);

  it('refuses U+0000 in values, which PostgreSQL could then neither filter nor sort on', async () => {
    const site = await harness.newSite();
    for (const body of [
      { userName: 'nul\u0000name' },
      { userName: 'nul-title', title: 'x\u0000' },
      { userName: 'nul-department', [ENTERPRISE]: { department: '\u0000' } },
      { userName: 'nul-email', emails: [{ value: 'a@b.c', display: 'a\u0000' }] },
    ]) {
      const created = await site.scim('POST', '/Users', { schemas: [CORE, ENTERPRISE], ...body });
      expect(created.status, created.raw).toBe(400);
      expect(created.body.scimType).toBe('invalidValue');
    }
    const user = await site.scim('POST', '/Users', { schemas: [CORE], userName: 'plain', title: 'x' });
    expect(user.status, user.raw).toBe(201);
    const patched = await site.scim('PATCH', `/Users/${user.body.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'title', value: 'y\u0000' }],
    });
    expect(patched.status, patched.raw).toBe(400);
    const listed = await site.scim('GET', `/Users?filter=${encodeURIComponent('title eq "x"')}&sortBy=title`);
    expect(listed.status, listed.raw).toBe(200);
    expect(idsOf(listed)).toEqual([user.body.id]);
    const nul = await site.scim('GET', `/Users?filter=${encodeURIComponent('title eq "x\u0000"')}`);
    expect(nul.status, nul.raw).toBe(400);
    expect(nul.body.scimType).toBe('invalidFilter');
  });

  it.runIf(dialect === 'postgres')(
    'never answers 500 to random text as the filter',
    async () => {
      await fc.assert(
        fc.asyncProperty(hostileText, async (text) => {
          const label = JSON.stringify(text);
          expectFilterRefusedOrAnswered(
            await world.site.scim('GET', `/Users?filter=${encodeURIComponent(text)}&count=5`),
            label,
          );
          expectFilterRefusedOrAnswered(
            await world.site.scim('POST', '/Users/.search', {
              schemas: [SEARCH_REQUEST],
              filter: text,
              count: 5,
            }),
            label,
          );
          // The same text unencoded: whatever the URL becomes, the answer is a response, not a crash.
          let raw: ScimResponse | undefined;
          try {
            raw = await world.site.scim('GET', `/Users?count=5&filter=${text}`);
          } catch {
            raw = undefined; // a URL the test client itself cannot send
          }
          if (raw) {
            expect([200, 400], `${label}\n${raw.raw}`).toContain(raw.status);
            if (raw.status === 400)
              expect(raw.body?.schemas, `${label}\n${raw.raw}`).toContain(
                'urn:ietf:params:scim:api:messages:2.0:Error',
              );
          }
        }),
        { numRuns: Math.max(200, RUNS), seed: SEED },
      );
    },
    600_000,
  );
});
