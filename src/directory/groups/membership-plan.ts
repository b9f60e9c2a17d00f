import { RosterError } from '../../errors.js';
import type { MemberReference } from '../../model/resource.js';
import { ScimError } from '../../scim/errors.js';
import type { Filter } from '../../scim/filter/ast.js';
import { bindElementFilter, type BoundElementFilter } from '../../scim/filter/bind.js';
import type { PatchOperation } from '../../scim/patch/request.js';
import { GROUP_SCHEMA_ID } from '../../scim/schema/group.js';
import type { AttributeIndex } from '../../scim/schema/registry.js';
import { describeJsonType, isObject, type ScimValue } from '../../scim/resource.js';

/** One membership step of a PATCH or PUT, applied set-based by the store, in order. */
export type MemberStep =
  | { readonly kind: 'add'; readonly members: readonly MemberReference[] }
  | { readonly kind: 'remove'; readonly ids: readonly string[] }
  /** A value filter that is not a list of `value eq`: evaluated over the current members. */
  | { readonly kind: 'removeMatching'; readonly filter: BoundElementFilter }
  | { readonly kind: 'replace'; readonly members: readonly MemberReference[] };

export interface MembershipPlan {
  readonly steps: readonly MemberStep[];
  /** The operations on the group's other attributes, for the PATCH engine. */
  readonly attributeOperations: readonly PatchOperation[];
}

/**
 * Turns a group PATCH (RFC 7644 §3.5.2) into membership steps and the operations left for the
 * group's own attributes. `members` is never patched as a list in memory: each shape clients send
 * becomes a set-based step — add; remove by value list (Entra ID, JumpCloud), by value filter
 * (Okta, the RFC), or all (no value); replace; Okta's path-less `{"op":"replace","value":{"members":…}}`.
 * A pure function: the group's size never enters into it.
 */
export function planMembership(
  operations: readonly PatchOperation[],
  members: AttributeIndex,
): MembershipPlan {
  const steps: MemberStep[] = [];
  const attributeOperations: PatchOperation[] = [];
  for (const operation of operations) {
    const split = namingOperation(operation, () => splitMembers(operation, members));
    steps.push(...split.steps);
    if (split.rest) attributeOperations.push(split.rest);
  }
  return { steps, attributeOperations };
}

/** Runs `work`, naming the operation in a refusal that does not yet, as the PATCH engine does. */
function namingOperation<T>(operation: PatchOperation, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof RosterError && !error.detail.startsWith('Operation ')) {
      throw error.withDetail(`Operation ${operation.index}: ${error.detail}`);
    }
    throw error;
  }
}

/** The steps of a POST or PUT body's `members`: the list replaces the group's members. */
export function planReplacement(members: ScimValue | undefined): MemberStep[] {
  return [{ kind: 'replace', members: memberReferences(members) }];
}

/**
 * RFC 7644 §3.10: an attribute may be named with its schema URN; `urn:…:core:2.0:Group:members`
 * is `members`, and left to the PATCH engine it would be stored in the group's JSON, the member
 * table untouched.
 */
const GROUP_SCHEMA_LOWER = GROUP_SCHEMA_ID.toLowerCase();
const MEMBERS_KEYS = new Set(['members', `${GROUP_SCHEMA_LOWER}:members`]);

function splitMembers(
  operation: PatchOperation,
  membersIndex: AttributeIndex,
): { steps: MemberStep[]; rest?: PatchOperation } {
  const path = operation.path;
  if (path) {
    const isMembers =
      (path.path.schema === undefined || path.path.schema.toLowerCase() === GROUP_SCHEMA_LOWER) &&
      path.path.attribute.toLowerCase() === 'members';
    if (!isMembers) return { steps: [], rest: operation };
    if (path.path.subAttribute !== undefined || path.subAttribute !== undefined) {
      throw ScimError.mutability(
        `Operation ${operation.index}: members' sub-attributes cannot be changed; add or remove the member.`,
      );
    }
    if (path.filter) {
      const removal = removalOf(path.filter, operation, membersIndex);
      if (operation.op === 'remove') return { steps: [removal] };
      const members = memberReferences(operation.value as ScimValue);
      if (operation.op === 'add') return { steps: [{ kind: 'add', members }] };
      return { steps: [removal, { kind: 'add', members }] };
    }
    switch (operation.op) {
      case 'add':
        return { steps: [{ kind: 'add', members: memberReferences(operation.value as ScimValue) }] };
      case 'replace':
        return { steps: [{ kind: 'replace', members: memberReferences(operation.value as ScimValue) }] };
      case 'remove': {
        // Entra ID and JumpCloud remove by listing values; no value removes every member (RFC 7644).
        const value = operation.value;
        if (value === undefined || value === null) return { steps: [{ kind: 'replace', members: [] }] };
        return {
          steps: [{ kind: 'remove', ids: memberReferences(value as ScimValue).map((member) => member.id) }],
        };
      }
    }
  }
  // Okta's path-less `{"op":"replace","value":{"id":…,"displayName":…}}`, sometimes with members.
  const value = operation.value as Record<string, unknown>;
  const membersKey = Object.keys(value).find((key) => MEMBERS_KEYS.has(key.toLowerCase()));
  if (membersKey === undefined) return { steps: [], rest: operation };
  const { [membersKey]: members, ...others } = value;
  const references = memberReferences(members as ScimValue);
  const steps: MemberStep[] = [
    operation.op === 'add' ? { kind: 'add', members: references } : { kind: 'replace', members: references },
  ];
  return Object.keys(others).length > 0 ? { steps, rest: { ...operation, value: others } } : { steps };
}

/**
 * `value eq "a" or value eq "b"` (the shape clients use) removes those ids; any other filter is
 * bound here, against the members' sub-attributes, so a bad one is refused whatever the group holds.
 */
function removalOf(filter: Filter, operation: PatchOperation, members: AttributeIndex): MemberStep {
  const ids = equalityIds(filter);
  if (ids) return { kind: 'remove', ids };
  const bound = bindElementFilter(filter, members, 'members', (detail) =>
    ScimError.invalidPath(`Operation ${operation.index}: ${detail}`),
  );
  return { kind: 'removeMatching', filter: bound };
}

function equalityIds(filter: Filter): string[] | undefined {
  if (filter.kind === 'or') {
    const left = equalityIds(filter.left);
    const right = equalityIds(filter.right);
    return left && right ? [...left, ...right] : undefined;
  }
  if (
    filter.kind === 'compare' &&
    filter.op === 'eq' &&
    filter.path.schema === undefined &&
    filter.path.subAttribute === undefined &&
    filter.path.attribute.toLowerCase() === 'value' &&
    (typeof filter.value === 'string' || typeof filter.value === 'number')
  ) {
    return [String(filter.value)];
  }
  return undefined;
}

/** Member references from `[{value}]`, a single object, or bare ids. */
const MEMBER_TEXT_ATTRIBUTES = new Set(['$ref', 'display', 'type']);

export function memberReferences(value: ScimValue | undefined): MemberReference[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') {
    throw ScimError.invalidValue(
      'Attribute \'members\' must be a list of members, got a string: write [{"value": "<id>"}].',
    );
  }
  const items = Array.isArray(value) ? value : [value];
  const references: MemberReference[] = [];
  for (const item of items) {
    if (typeof item === 'string') {
      references.push({ id: item });
      continue;
    }
    if (!isObject(item))
      throw ScimError.invalidValue('Attribute \'members\': each member must be an object with a "value".');
    const key = Object.keys(item).find((candidate) => candidate.toLowerCase() === 'value');
    const id = key === undefined ? undefined : item[key];
    if (typeof id !== 'string') {
      throw ScimError.invalidValue(
        typeof id === 'number'
          ? "Attribute 'members': a member's \"value\" is a string, the id of a user or group, not a number."
          : 'Attribute \'members\': each member needs a "value", the id of a user or group.',
      );
    }
    // `display` and `$ref` are the server's to fill in, but a value of the wrong type is still refused.
    for (const [name, text] of Object.entries(item)) {
      if (MEMBER_TEXT_ATTRIBUTES.has(name.toLowerCase()) && text !== null && typeof text !== 'string') {
        throw ScimError.invalidValue(
          `Attribute 'members.${name}' must be a string, got ${describeJsonType(text)}.`,
        );
      }
    }
    references.push({ id });
  }
  return references;
}
