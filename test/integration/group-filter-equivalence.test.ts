/**
 * The oracle test of the SCIM query engine for Groups (DESIGN §4.6), as filter-equivalence.test.ts
 * is for Users. One site per dialect gets random users and random groups whose members are users
 * and other groups; then memberships change the ways identity providers change them (added,
 * removed by value filter, members deleted, groups renamed and deleted). Random filters are then
 * answered twice: by the SQL the store compiles (GET /Groups, POST /Groups/.search), and by the
 * in-memory evaluator over every group as GET /Groups/{id} returns it. `members` lives in its own
 * table, not in the group's JSON, so this is what checks that the membership table and the
 * representation the API returns tell the same story.
 *
 * The seed is fixed so every run asks the same questions; ROSTER_PROPERTY_SEED asks others and
 * ROSTER_PROPERTY_RUNS asks more (filter-equivalence.test.ts reads the same variables).
 */

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RosterError } from '../../src/errors.js';
import type { AttributePath, CompareOperator, Filter } from '../../src/scim/filter/ast.js';
import { bindFilter } from '../../src/scim/filter/bind.js';
import { matchesResource } from '../../src/scim/filter/evaluate.js';
import { formatFilter } from '../../src/scim/filter/format.js';
import { parseFilter } from '../../src/scim/filter/parse.js';
import type { ScimObject } from '../../src/scim/resource.js';
import { groupResourceSchema } from '../../src/scim/schema/resource-types.js';
import {
  anyFilterArb,
  ask,
  compare,
  disagreement,
  expectFilterRefusedOrAnswered,
  filterText,
  type Generated,
  idsOf,
  type Kind,
  type Multi,
  multiTerm,
  nested,
  type Query,
  string,
  term,
  toAst,
  type Vocabulary,
  vocabularyOf,
  wholeNumber,
  withCase,
  word,
} from '../helpers/filter-oracle.js';
import {
  DIALECTS,
  type ScimResponse,
  startTestRoster,
  type TestRoster,
  type TestSite,
} from '../helpers/roster.js';

const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const RUNS = wholeNumber(process.env.ROSTER_PROPERTY_RUNS, 400);
const SEED = wholeNumber(process.env.ROSTER_PROPERTY_SEED, 20_260_131);
const USERS = 30;
const GROUPS = 45;

const SHARED_EXTERNAL_IDS = ['grp-1', 'GRP-1', 'Grp_%', 'ß-9'];

// ---------------------------------------------------------------------------------------------
// The site: users, then groups whose members are users and earlier groups
// ---------------------------------------------------------------------------------------------

interface GroupSpec {
  readonly stem: string;
  readonly externalId?: string;
  /** Positions of the users and of the earlier groups it has as members (taken modulo their count). */
  readonly users: readonly number[];
  readonly groups: readonly number[];
}

const groupSpecArb: fc.Arbitrary<GroupSpec> = fc.record(
  {
    stem: word,
    externalId: fc.oneof(fc.constantFrom(...SHARED_EXTERNAL_IDS), word),
    users: fc.array(fc.nat(), { maxLength: 6 }),
    groups: fc.array(fc.nat(), { maxLength: 2 }),
  },
  { requiredKeys: ['stem', 'users', 'groups'] },
);

/** What happens to a user after the groups exist; by position, so every run has each. */
function userAfterwards(index: number): 'delete' | 'rename' | 'none' {
  if (index % 7 === 3) return 'delete';
  if (index % 5 === 1) return 'rename';
  return 'none';
}

/** What happens to a group after everything exists. */
function groupAfterwards(index: number): 'delete' | 'add' | 'remove-groups' | 'remove-one' | 'edit' | 'none' {
  if (index % 11 === 6) return 'delete';
  if (index % 4 === 1) return 'add';
  if (index % 9 === 2) return 'remove-groups';
  if (index % 8 === 5) return 'remove-one';
  if (index % 6 === 0) return 'edit';
  return 'none';
}

interface World extends Vocabulary {
  readonly site: TestSite;
  /** Every group, as GET /Groups/{id} returns it. */
  readonly resources: readonly ScimObject[];
}

async function seedWorld(site: TestSite): Promise<World> {
  const ok = async (status: number, request: Promise<ScimResponse>): Promise<ScimResponse> => {
    const response = await request;
    expect(response.status, response.raw).toBe(status);
    return response;
  };
  const patch = (path: string, ...operations: object[]): Promise<ScimResponse> =>
    ok(200, site.scim('PATCH', path, { schemas: [PATCH_OP], Operations: operations }));

  const userNames = fc.sample(word, { numRuns: USERS, seed: SEED });
  const userIds: string[] = [];
  for (const [index, name] of userNames.entries()) {
    const created = await ok(
      201,
      site.scim('POST', '/Users', { schemas: [USER], userName: `${name}.${index}` }),
    );
    userIds.push(created.body.id as string);
  }

  const specs = fc.sample(groupSpecArb, { numRuns: GROUPS, seed: SEED + 1 });
  const groupIds: string[] = [];
  const goneBodies: ScimObject[] = [];
  for (const [index, spec] of specs.entries()) {
    const members = [
      ...spec.users.map((n) => ({ value: userIds[n % USERS]! })),
      ...(groupIds.length > 0 ? spec.groups.map((n) => ({ value: groupIds[n % groupIds.length]! })) : []),
    ];
    const body: ScimObject = {
      schemas: [GROUP],
      displayName: `${spec.stem} ${index}`,
      ...(spec.externalId !== undefined ? { externalId: spec.externalId } : {}),
      members,
    };
    const created = await ok(201, site.scim('POST', '/Groups', body));
    groupIds.push(created.body.id as string);
  }

  for (const [index, id] of userIds.entries()) {
    switch (userAfterwards(index)) {
      case 'delete':
        // The user leaves every group it was in (the membership rows go with it).
        await ok(204, site.scim('DELETE', `/Users/${id}`));
        goneBodies.push({ members: [{ value: id, display: `${userNames[index]}.${index}` }] });
        break;
      case 'rename':
        // Groups keep the display name the member had when it joined: both sides must see that.
        await patch(`/Users/${id}`, { op: 'replace', path: 'userName', value: `Renamé ${index}` });
        break;
      case 'none':
        break;
    }
  }

  for (const [index, id] of groupIds.entries()) {
    const path = `/Groups/${id}`;
    switch (groupAfterwards(index)) {
      case 'delete': {
        const gone = await ok(200, site.scim('GET', path));
        goneBodies.push(gone.body as ScimObject);
        // Groups that had it as a member lose it too.
        await ok(204, site.scim('DELETE', path));
        break;
      }
      case 'add':
        await patch(path, {
          op: 'add',
          path: 'members',
          value: [
            { value: userIds[(index * 7) % USERS]! },
            { value: userIds[(index * 3 + 1) % USERS]! },
            ...(index > 0 ? [{ value: groupIds[(index * 5) % index]! }] : []),
          ],
        });
        break;
      case 'remove-groups':
        await patch(path, { op: 'remove', path: 'members[type eq "Group"]' });
        break;
      case 'remove-one':
        await patch(path, {
          op: 'remove',
          path: `members[value eq "${userIds[(specs[index]!.users[0] ?? 0) % USERS]!}"]`,
        });
        break;
      case 'edit':
        await patch(
          path,
          { op: 'replace', path: 'displayName', value: `Édité ${specs[index]!.stem} ${index}` },
          { op: 'remove', path: 'externalId' },
        );
        break;
      case 'none':
        break;
    }
  }

  // The list says which groups are visible; each is then read the way a client reads one group.
  const listed = await ok(200, site.scim('GET', '/Groups?count=1000&excludedAttributes=members'));
  const deleted = groupIds.filter((_id, index) => groupAfterwards(index) === 'delete');
  expect(listed.body.totalResults).toBe(GROUPS - deleted.length);
  const resources: ScimObject[] = [];
  for (const { id } of listed.body.Resources as ScimObject[]) {
    const read = await ok(200, site.scim('GET', `/Groups/${id as string}`));
    resources.push(read.body as ScimObject);
  }
  const visible = resources.map((resource) => resource.id);
  for (const id of deleted) expect(visible).not.toContain(id);
  // The world must have what the filters look for: members of both types, and empty groups.
  const members = resources.flatMap((resource) => (resource.members ?? []) as ScimObject[]);
  expect(members.some((member) => member.type === 'User')).toBe(true);
  expect(members.some((member) => member.type === 'Group')).toBe(true);
  expect(resources.some((resource) => ((resource.members ?? []) as ScimObject[]).length === 0)).toBe(true);
  return { site, resources, ...vocabularyOf([...resources, ...goneBodies]) };
}

// ---------------------------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------------------------

/** A singular attribute: core ones may be written with the Group schema's URN, common ones never. */
const SINGULAR: readonly { attribute: string; sub?: string; kind: Kind; core: boolean }[] = [
  { attribute: 'displayName', kind: 'string', core: true },
  { attribute: 'id', kind: 'string', core: false },
  { attribute: 'externalId', kind: 'string', core: false },
  { attribute: 'meta', sub: 'created', kind: 'dateTime', core: false },
  { attribute: 'meta', sub: 'lastModified', kind: 'dateTime', core: false },
];

const MEMBERS: Multi = {
  attribute: 'members',
  hasValue: true,
  subs: [string('value'), string('type'), string('display')],
};

function singularTerm(world: World, singular: (typeof SINGULAR)[number]): fc.Arbitrary<Filter> {
  const path = fc
    .tuple(fc.integer(), fc.integer(), fc.integer(), fc.nat(3))
    .map(([a, s, u, qualify]): AttributePath => ({
      ...(singular.core && qualify === 0 ? { schema: withCase(GROUP, u) } : {}),
      attribute: withCase(singular.attribute, a),
      ...(singular.sub !== undefined ? { subAttribute: withCase(singular.sub, s) } : {}),
    }));
  const key = [singular.attribute, singular.sub].filter((part) => part !== undefined).join('|');
  return term(world, path, singular.kind, world.pools.get(key) ?? []);
}

function filterArb(world: World): fc.Arbitrary<Generated> {
  const leaf = (arbitrary: fc.Arbitrary<Filter>): fc.Arbitrary<Generated> =>
    arbitrary.map((filter): Generated => ({ kind: 'leaf', filter }));
  const schemas = fc
    .tuple(fc.constantFrom<CompareOperator>('eq', 'eq', 'ne'), fc.constantFrom(GROUP, USER), fc.integer())
    .map(([op, urn, mode]) => compare({ attribute: 'schemas' }, op, withCase(urn, mode)));
  const resourceType = fc
    .tuple(
      fc.constantFrom<CompareOperator>('eq', 'ne', 'sw'),
      fc.constantFrom('Group', 'group', 'User', 'Gr'),
    )
    .map(([op, value]) => compare({ attribute: 'meta', subAttribute: 'resourceType' }, op, value));
  return nested(
    fc.oneof(
      { weight: 8, arbitrary: leaf(fc.oneof(...SINGULAR.map((singular) => singularTerm(world, singular)))) },
      { weight: 10, arbitrary: multiTerm(world, MEMBERS) },
      { weight: 1, arbitrary: leaf(fc.oneof(schemas, resourceType)) },
    ),
  );
}

// prettier-ignore
const ANY_PATHS: readonly string[] = [
  'displayName', 'members', 'members.value', 'members.display', 'members.type', 'members.$ref',
  'members.nosuch', 'id', 'externalId', 'meta', 'meta.created', 'meta.lastModified', 'meta.location',
  'meta.version', 'meta.resourceType', 'schemas', 'userName', 'emails.value', 'nosuch',
  `${GROUP}:displayName`, `${GROUP}:members.value`, `${GROUP}:userName`, `${USER}:userName`,
];
const ANY_LISTS = ['members', 'displayName', 'emails', 'nosuch'];

/** The oracle: the groups whose SCIM representation the in-memory evaluator accepts. */
function oracle(world: World, text: string): string[] {
  const bound = bindFilter(parseFilter(text), groupResourceSchema);
  return world.resources.filter((resource) => matchesResource(bound, resource)).map((g) => g.id as string);
}

const sameIds = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

// ---------------------------------------------------------------------------------------------

describe.each(DIALECTS)('SCIM query engine for Groups: SQL answers as the oracle does (%s)', (dialect) => {
  let harness: TestRoster;
  let world: World;

  beforeAll(async () => {
    harness = await startTestRoster(dialect);
    world = await seedWorld(await harness.newSite());
  }, 120_000);
  afterAll(async () => harness.close());

  const run = () => ({ endpoint: '/Groups', dialect, seed: SEED, resources: world.resources });

  it(`selects the groups the oracle accepts, for ${RUNS} random filters`, async () => {
    let matched = 0;
    await fc.assert(
      fc.asyncProperty(filterArb(world), fc.boolean(), async (generated, viaSearch) => {
        const text = filterText(generated);
        expect(parseFilter(text), text).toEqual(toAst(generated));
        const query: Query = { filter: text, viaSearch };
        const expected = oracle(world, text);
        const response = await ask(world.site, '/Groups', query);
        expect(response.status, `${text}\n${response.raw}`).toBe(200);
        const actual = idsOf(response);
        if (response.body.totalResults !== expected.length || !sameIds(actual, expected)) {
          throw new Error(disagreement(run(), query, expected, actual, response));
        }
        if (expected.length > 0 && expected.length < world.resources.length) matched++;
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // The vocabulary is there to make filters select some groups, but not all of them.
    expect(matched).toBeGreaterThan(RUNS / 4);
  }, 300_000);

  it('answers well-formed filters of any attribute, operator and literal with 200 or 400 invalidFilter', async () => {
    await fc.assert(
      fc.asyncProperty(anyFilterArb(ANY_PATHS, ANY_LISTS), fc.boolean(), async (filter, viaSearch) => {
        const text = formatFilter(filter);
        let expected: string[] | undefined;
        try {
          expected = oracle(world, text);
        } catch (error) {
          // The binder may refuse the filter, but only as a client error.
          if (!(error instanceof RosterError) || error.scimType !== 'invalidFilter') throw error;
        }
        const query: Query = { filter: text, viaSearch };
        const response = await ask(world.site, '/Groups', query);
        expectFilterRefusedOrAnswered(response, text);
        expect(response.status === 200, `${text}\n${response.raw}`).toBe(expected !== undefined);
        if (expected !== undefined && !sameIds(idsOf(response), expected)) {
          throw new Error(disagreement(run(), query, expected, idsOf(response), response));
        }
      }),
      { numRuns: Math.max(100, Math.ceil(RUNS / 2)), seed: SEED },
    );
  }, 300_000);
});
