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

import type { AttributePath, CompareOperator, Filter } from '../../src/scim/filter/ast.js';
import { bindFilter } from '../../src/scim/filter/bind.js';
import { type BoundSort, bindSort } from '../../src/scim/filter/bind-sort.js';
import { compareCodePoints, matchesResource } from '../../src/scim/filter/evaluate.js';
import { formatFilter } from '../../src/scim/filter/format.js';
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
import {
  ask as askList,
  compare,
  anyFilterArb,
  disagreement as describeDisagreement,
  expectFilterRefusedOrAnswered,
  filterText,
  type Generated,
  idsOf,
  type Kind,
  type Multi,
  multiTerm,
  nested,
  type Query,
  SEARCH_REQUEST,
  string,
  term,
  toAst,
  wholeNumber,
  vocabularyOf,
  withCase,
  word,
} from '../helpers/filter-oracle.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const RUNS = wholeNumber(process.env.ROSTER_PROPERTY_RUNS, 2000);
const SEED = wholeNumber(process.env.ROSTER_PROPERTY_SEED, Math.floor(Math.random() * 2 ** 31));
const USERS = 150;

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

  // Values of users that are gone are good literals too: they must match nothing.
  const gone = specs.flatMap((spec, index) =>
    afterwards(index) === 'delete' ? [userBody(spec, index, [])] : [],
  );
  return { site, resources, deletedIds, ...vocabularyOf([...resources, ...gone]) };
}

// ---------------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------------

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

function leafFilters(world: World): fc.Arbitrary<Generated> {
  const leaf = (arbitrary: fc.Arbitrary<Filter>): fc.Arbitrary<Generated> =>
    arbitrary.map((filter): Generated => ({ kind: 'leaf', filter }));
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
    { weight: 8, arbitrary: fc.oneof(...MULTI.map((multi) => multiTerm(world, multi))) },
    { weight: 1, arbitrary: fc.oneof(...ABSENT_MULTI.map((multi) => multiTerm(world, multi))) },
    { weight: 1, arbitrary: leaf(fc.oneof(schemas, resourceType)) },
  );
}

function filterArb(world: World): fc.Arbitrary<Generated> {
  return nested(leafFilters(world));
}

// ---------------------------------------------------------------------------------------------
// Asking both sides
// ---------------------------------------------------------------------------------------------

function ask(site: TestSite, query: Query): Promise<ScimResponse> {
  return askList(site, '/Users', query);
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
  const run = { endpoint: '/Users', dialect, seed: SEED, resources: world.resources };
  return describeDisagreement(run, query, expected, actual, response);
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
const ANY_LISTS = ['emails', 'addresses', 'name', 'userName', 'phoneNumbers', 'nosuch'];

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
      fc.asyncProperty(anyFilterArb(ANY_PATHS, ANY_LISTS), fc.boolean(), async (filter, viaSearch) => {
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
