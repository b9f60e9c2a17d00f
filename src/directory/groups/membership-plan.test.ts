import { describe, expect, it } from 'vitest';

import { RosterError } from '../../errors.js';
import type { BoundElementFilter } from '../../scim/filter/bind.js';
import { matchesElement } from '../../scim/filter/evaluate.js';
import { PATCH_OP_SCHEMA, parsePatchRequest, type PatchOperation } from '../../scim/patch/request.js';
import type { ScimValue } from '../../scim/resource.js';
import { groupResourceSchema } from '../../scim/schema/resource-types.js';
import { type MemberStep, memberReferences, planMembership } from './membership-plan.js';

const membersIndex = groupResourceSchema.core.sub(groupResourceSchema.core.get('members')!)!;

/** Operations as `parsePatchRequest` reads them from a PatchOp body, as the SCIM edge does. */
const operationsOf = (...operations: Record<string, unknown>[]): PatchOperation[] =>
  parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: operations });

const planOf = (...operations: Record<string, unknown>[]) =>
  planMembership(operationsOf(...operations), membersIndex);

const add = (...ids: string[]): MemberStep => ({ kind: 'add', members: ids.map((id) => ({ id })) });
const replace = (...ids: string[]): MemberStep => ({ kind: 'replace', members: ids.map((id) => ({ id })) });
const remove = (...ids: string[]): MemberStep => ({ kind: 'remove', ids });

function thrown(fn: () => unknown): RosterError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RosterError) return error;
    throw error;
  }
  throw new Error('expected a RosterError, but nothing was thrown');
}

// Ids from okta.md §3 (Okta's own examples) and other-clients.md (the Entra ID suite's).
const OKTA_A = '23a35c27-23d3-4c03-b4c5-6443c09e7173';
const OKTA_B = '89bb1940-b905-4575-9e7f-6f887cfb368e';
const ENTRA = 'f648f8d5ea4e4cd38e9c';

describe('planMembership: the shapes identity providers send to members (RFC 7644 §3.5.2)', () => {
  it.each<[client: string, operation: Record<string, unknown>, steps: MemberStep[]]>([
    [
      'Okta OIN: add to members, with display',
      { op: 'add', path: 'members', value: [{ value: OKTA_A, display: 'test.user@okta.local' }] },
      [add(OKTA_A)],
    ],
    [
      'Entra ID: Add with a null $ref',
      { op: 'Add', path: 'members', value: [{ $ref: null, value: ENTRA }] },
      [add(ENTRA)],
    ],
    [
      'Okta "Push Now": replace members with the full list',
      {
        op: 'replace',
        path: 'members',
        value: [
          { value: OKTA_A, display: 'test.user@okta.local' },
          { value: OKTA_B, display: 'test.user@okta.local' },
        ],
      },
      [replace(OKTA_A, OKTA_B)],
    ],
    [
      'replace members with an empty list empties the group',
      { op: 'replace', path: 'members', value: [] },
      [replace()],
    ],
    [
      'Entra ID: Remove by a value list',
      { op: 'Remove', path: 'members', value: [{ $ref: null, value: ENTRA }] },
      [remove(ENTRA)],
    ],
    [
      'JumpCloud: remove several by a value list',
      { op: 'remove', path: 'members', value: [{ value: 'u1' }, { value: 'u2' }] },
      [remove('u1', 'u2')],
    ],
    // An empty list names no member: it is not "remove all".
    [
      'remove with an empty value list removes nothing',
      { op: 'remove', path: 'members', value: [] },
      [remove()],
    ],
    [
      'RFC 7644 §3.5.2.2: remove with no value removes every member',
      { op: 'remove', path: 'members' },
      [replace()],
    ],
    [
      'Keycloak plugin: remove with value null removes every member',
      { op: 'remove', path: 'members', value: null },
      [replace()],
    ],
    [
      'Okta OIN: remove through members[value eq]',
      { op: 'remove', path: `members[value eq "${OKTA_B}"]` },
      [remove(OKTA_B)],
    ],
    [
      'a list of value eq joined by or removes those ids',
      { op: 'remove', path: 'members[value eq "a" or value eq "b"]' },
      [remove('a', 'b')],
    ],
    [
      'names and operators in any letter case, grouped',
      { op: 'remove', path: 'members[VALUE EQ "a" or (Value eq "b" or value eq "c")]' },
      [remove('a', 'b', 'c')],
    ],
    ['a number compared with value is an id', { op: 'remove', path: 'members[value eq 42]' }, [remove('42')]],
    [
      'replace through value eq: removal of those ids, then the add',
      { op: 'replace', path: 'members[value eq "a"]', value: [{ value: 'b' }] },
      [remove('a'), add('b')],
    ],
    [
      'add through a value filter adds the value and removes nothing',
      { op: 'add', path: 'members[value eq "a"]', value: { value: 'a' } },
      [add('a')],
    ],
    [
      'Members in another letter case is still members',
      { op: 'add', path: 'Members', value: ['u1'] },
      [add('u1')],
    ],
  ])('%s', (_client, operation, steps) => {
    const plan = planOf(operation);
    expect(plan.steps).toEqual(steps);
    expect(plan.attributeOperations).toEqual([]);
  });

  it("Okta's remove and add in one request keep their order", () => {
    const plan = planOf(
      { op: 'remove', path: `members[value eq "${OKTA_B}"]` },
      { op: 'add', path: 'members', value: [{ value: OKTA_A, display: 'test.user@okta.local' }] },
    );
    expect(plan.steps).toEqual([remove(OKTA_B), add(OKTA_A)]);
  });
});

describe('planMembership: a value filter that is not a list of value eq', () => {
  const USER = { value: 'u1', type: 'User', display: 'Xavier' };
  const GROUP = { value: 'g1', type: 'Group', display: 'Admins' };

  /** The bound filter of the single `removeMatching` step the operation plans. */
  function boundFilter(operation: Record<string, unknown>, at = 0): BoundElementFilter {
    const step = planOf(operation).steps[at];
    if (step?.kind !== 'removeMatching')
      throw new Error(`expected removeMatching, got ${JSON.stringify(step)}`);
    return step.filter;
  }

  // What each filter selects among a user and a group member, as the store's members are evaluated:
  // `type` and `display` are not caseExact (RFC 7643 §8.7.1), so their comparisons fold case.
  it.each<[filter: string, matches: ScimValue[]]>([
    ['type eq "Group"', [GROUP]],
    ['type eq "group"', [GROUP]],
    ['display co "x"', [USER]],
    ['display sw "ADM"', [GROUP]],
    ['value ne "u1"', [GROUP]],
    ['value eq "u1" and type eq "User"', [USER]],
    ['value eq "u1" or type eq "Group"', [USER, GROUP]],
    ['not (type eq "User")', [GROUP]],
    ['display pr', [USER, GROUP]],
  ])('remove members[%s] is a removeMatching step bound to the members', (filter, matches) => {
    const bound = boundFilter({ op: 'remove', path: `members[${filter}]` });
    expect([USER, GROUP].filter((member) => matchesElement(bound, member))).toEqual(matches);
  });

  it('replace through such a filter removes what it matches, then adds', () => {
    const plan = planOf({ op: 'replace', path: 'members[type eq "Group"]', value: [{ value: 'g2' }] });
    expect(plan.steps.map((step) => step.kind)).toEqual(['removeMatching', 'add']);
    expect(plan.steps[1]).toEqual(add('g2'));
    const bound = boundFilter({ op: 'replace', path: 'members[type eq "Group"]', value: [{ value: 'g2' }] });
    expect([USER, GROUP].filter((member) => matchesElement(bound, member))).toEqual([GROUP]);
  });

  // The planner never sees the group: a bad filter is refused whatever the group holds.
  it.each([
    'members[nickname eq "x"]',
    'members[value eq "a" or manager eq "b"]',
    'members[urn:ietf:params:scim:schemas:core:2.0:Group:value eq "a"]',
    'members[display.first eq "a"]',
  ])('%s is invalidPath, prefixed with its operation', (path) => {
    const error = thrown(() =>
      planOf({ op: 'replace', path: 'displayName', value: 'G' }, { op: 'remove', path }),
    );
    expect(error.code).toBe('invalid-path');
    expect(error.scimType).toBe('invalidPath');
    expect(error.status).toBe(400);
    expect(error.detail).toMatch(/^Operation 1: /);
  });

  // The server builds members.$ref from an id and the request's URL: nothing stored compares with it.
  it('a filter on $ref is invalidFilter', () => {
    const error = thrown(() => planOf({ op: 'remove', path: 'members[$ref eq "https://x/Users/a"]' }));
    expect(error.scimType).toBe('invalidFilter');
    expect(error.detail).toMatch(/^Operation 0: /);
  });
});

describe("planMembership: Okta's path-less replace", () => {
  it('a rename with the id is left whole for the PATCH engine', () => {
    const operations = operationsOf({
      op: 'replace',
      value: { id: 'abf4dd94-a4c0-4f67-89c9-76b03340cb9b', displayName: 'Test SCIMv2' },
    });
    const plan = planMembership(operations, membersIndex);
    expect(plan.steps).toEqual([]);
    expect(plan.attributeOperations).toHaveLength(1);
    expect(plan.attributeOperations[0]).toBe(operations[0]);
  });

  it('members in the value become a replace step; the rest stays an attribute operation', () => {
    const operations = operationsOf(
      { op: 'replace', path: 'externalId', value: 'x' },
      {
        op: 'replace',
        value: {
          id: 'g',
          displayName: 'Test SCIMv2',
          members: [{ value: OKTA_A, display: 'test.user@okta.local' }],
        },
      },
    );
    const plan = planMembership(operations, membersIndex);
    expect(plan.steps).toEqual([replace(OKTA_A)]);
    expect(plan.attributeOperations).toEqual([
      operations[0],
      { op: 'replace', value: { id: 'g', displayName: 'Test SCIMv2' }, index: 1 },
    ]);
  });

  it('a value of members only leaves no attribute operation', () => {
    const plan = planOf({ op: 'replace', value: { members: [{ value: OKTA_A }] } });
    expect(plan.steps).toEqual([replace(OKTA_A)]);
    expect(plan.attributeOperations).toEqual([]);
  });

  it('a path-less add of members adds them, whatever the key’s letter case', () => {
    const plan = planOf({ op: 'add', value: { Members: [{ value: OKTA_A }] } });
    expect(plan.steps).toEqual([add(OKTA_A)]);
  });

  // RFC 7644 §3.5.2.3: replacing with null unassigns the attribute.
  it('members: null in a path-less replace empties the group', () => {
    expect(planOf({ op: 'replace', value: { displayName: 'G', members: null } }).steps).toEqual([replace()]);
  });
});

describe("planMembership: members' sub-attributes cannot be changed", () => {
  it.each<[op: string, path: string]>([
    ['replace', 'members.display'],
    ['add', 'members.value'],
    ['remove', 'members.type'],
    ['replace', 'members[value eq "x"].display'],
    ['remove', 'members[value eq "x"].display'],
    ['add', 'Members[type eq "User"].value'],
  ])('%s %s is mutability', (op, path) => {
    const error = thrown(() =>
      planOf({ op: 'replace', path: 'displayName', value: 'G' }, { op, path, value: 'y' }),
    );
    expect(error.code).toBe('mutability');
    expect(error.scimType).toBe('mutability');
    expect(error.detail).toMatch(/^Operation 1: /);
  });
});

describe('planMembership: operations on other attributes', () => {
  it('pass through untouched and in order, between membership steps', () => {
    const operations = operationsOf(
      { op: 'Replace', path: 'displayName', value: 'Renamed' },
      { op: 'add', path: 'members', value: [{ value: 'u1' }] },
      { op: 'replace', path: 'externalId', value: 'ext-1' },
      { op: 'remove', path: 'members[value eq "u2"]' },
      // Not a Group attribute: the PATCH engine decides what that means, not the planner.
      { op: 'add', path: 'membersCount', value: 3 },
      { op: 'remove', path: 'externalId' },
    );
    const plan = planMembership(operations, membersIndex);
    expect(plan.steps).toEqual([add('u1'), remove('u2')]);
    expect(plan.attributeOperations).toHaveLength(4);
    for (const [i, index] of [0, 2, 4, 5].entries())
      expect(plan.attributeOperations[i]).toBe(operations[index]);
  });
});

describe('planMembership: members named with the Group schema URN (RFC 7644 §3.10)', () => {
  const URN = 'urn:ietf:params:scim:schemas:core:2.0:Group';

  it.each<[operation: Record<string, unknown>, steps: MemberStep[]]>([
    [{ op: 'add', path: `${URN}:members`, value: [{ value: 'u1' }] }, [add('u1')]],
    [{ op: 'replace', path: `${URN.toUpperCase()}:Members`, value: [{ value: 'u1' }] }, [replace('u1')]],
    [{ op: 'remove', path: `${URN}:members` }, [replace()]],
    [{ op: 'remove', path: `${URN}:members[value eq "u1"]` }, [remove('u1')]],
    [{ op: 'replace', value: { [`${URN}:members`]: [{ value: 'u1' }] } }, [replace('u1')]],
  ])('%j is a membership step, not an attribute operation', (operation, steps) => {
    const plan = planOf(operation);
    expect(plan.steps).toEqual(steps);
    expect(plan.attributeOperations).toEqual([]);
  });

  it("a qualified member's sub-attribute is mutability", () => {
    expect(thrown(() => planOf({ op: 'replace', path: `${URN}:members.display`, value: 'x' })).code).toBe(
      'mutability',
    );
  });

  it("another schema's members is not the group's", () => {
    const operations = operationsOf({ op: 'add', path: 'urn:example:params:Acme:members', value: ['u1'] });
    const plan = planMembership(operations, membersIndex);
    expect(plan.steps).toEqual([]);
    expect(plan.attributeOperations).toEqual(operations);
  });
});

describe('memberReferences', () => {
  it.each<[shape: string, value: ScimValue | undefined, ids: string[]]>([
    ['a list of {value}', [{ value: 'a' }, { value: 'b' }], ['a', 'b']],
    ['a single object', { value: 'a', display: 'Alice' }, ['a']],
    ['bare ids', ['a', 'b'], ['a', 'b']],
    ['Value, VALUE and vAlUe', [{ Value: 'a' }, { VALUE: 'b' }, { vAlUe: 'c' }], ['a', 'b', 'c']],
    // `display` and `$ref` are the server's to fill in: they never change which member is meant.
    [
      'with $ref, display and type',
      [{ value: 'a', $ref: 'https://x/Users/b', display: 'B', type: 'Group' }],
      ['a'],
    ],
    ['nothing', undefined, []],
    ['null', null, []],
    ['an empty list', [], []],
  ])('%s', (_shape, value, ids) => {
    expect(memberReferences(value)).toEqual(ids.map((id) => ({ id })));
  });

  it.each<[shape: string, value: ScimValue]>([
    ['a member without a value', [{ display: 'Alice' }]],
    ['a null value', [{ value: null }]],
    ['a boolean value', [{ value: true }]],
    ['a number value', [{ value: 8 }]],
    ['a number element', [7]],
    ['a bare id outside a list', 'a'],
    ['an object value', [{ value: { id: 'a' } }]],
    ['a null element', [null]],
    ['a boolean element', [true]],
    ['a nested list', [['a']]],
    ['one good member and one without a value', [{ value: 'a' }, { display: 'B' }]],
  ])('%s is invalidValue', (_shape, value) => {
    const error = thrown(() => memberReferences(value));
    expect(error.code).toBe('invalid-value');
    expect(error.scimType).toBe('invalidValue');
  });

  it.each<Record<string, unknown>>([
    { op: 'add', path: 'members', value: [{ display: 'Alice' }] },
    { op: 'remove', path: 'members', value: [{ $ref: null }] },
    { op: 'replace', path: 'members[value eq "a"]', value: [{ value: null }] },
    { op: 'replace', value: { displayName: 'G', members: [true] } },
  ])('a PATCH member without a value (%j) is invalidValue, naming its operation', (operation) => {
    const error = thrown(() => planOf({ op: 'replace', path: 'displayName', value: 'G' }, operation));
    expect(error.scimType).toBe('invalidValue');
    expect(error.detail).toMatch(/^Operation 1: /);
  });
});
