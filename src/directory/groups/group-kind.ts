import { RosterError } from '../../errors.js';
import type { FieldChange } from '../../model/event.js';
import type { GroupMember, GroupRecord } from '../../model/resource.js';
import { ScimError } from '../../scim/errors.js';
import { applyPatch } from '../../scim/patch/apply.js';
import { isObject, normalizeResource, type ScimObject, type ScimValue } from '../../scim/resource.js';
import type { AttributeIndex, ResourceSchema } from '../../scim/schema/registry.js';
import { newId } from '../ids.js';
import { shortened } from '../shortened.js';
import { describeIgnored, namesInBody } from '../provisioning-log.js';
import type { Draft, ResourceKind } from '../registry/resource-kind.js';
import { applyMembership, guardPromasters, memberChanges, plural } from './apply-membership.js';
import { type MemberStep, planMembership, planReplacement } from './membership-plan.js';

export interface GroupDraft extends Draft {
  /** The attributes to store: everything but `members`, which live in their own table. */
  readonly attributes: ScimObject;
  readonly steps: readonly MemberStep[];
}

/** Members a page of groups carries at most; a page of big groups holds fewer groups (RFC 7644 §3.4.2.4). */
export const MAX_MEMBERS_PER_PAGE = 10_000;

/**
 * Groups (RFC 7643 §4.2) and their memberships. Names are unique per site regardless of letter
 * case. Membership changes are set-based and cost what they name, not the group's size; member ids
 * that name nothing in the site are skipped (identity providers race their own user and group
 * pushes) and the provisioning log says so. A group mapped to a privilege grants it to its members;
 * no identity provider can take the last active Promaster's privilege away.
 */
export const groupKind: ResourceKind<GroupRecord, GroupDraft> = {
  name: 'Group',
  counted: 'Group',
  operations: { create: 'create group', update: 'update group', delete: 'delete group' },
  names: (group) => ({ resourceName: group.displayName, externalId: group.externalId }),
  namesInBody: (body) => namesInBody(body, { resourceName: 'displayName' }),
  notFound: (id) => new RosterError('group-not-found', `Group '${shortened(id)}' not found.`),
  uniqueRule: (constraint, group) =>
    constraint === 'groups_site_name'
      ? new RosterError(
          'group-name-taken',
          `A group named '${group.displayName}' already exists in this site.`,
        )
      : undefined,

  read: (store, siteId, id) => store.groups.get(siteId, id),
  list: (store, siteId, query) => store.groups.page(siteId, query),
  lock: (tx, siteId, id) => tx.groups.lock(siteId, id),
  insert: (tx, group) => tx.groups.insert(group),
  update: (tx, group) => tx.groups.update(group),

  fromBody(schema, body) {
    // Members are references to other resources, read as the membership planner reads them (bare
    // ids too); the rest of the body is the group's own attributes.
    const { members, rest } = withoutMembers(body);
    const input = normalizeResource(schema, rest);
    // PUT replaces the whole member list: no `members` leaves the group empty (RFC 7644 §3.5.1).
    return draft(schema, input.attributes, planReplacement(members), input.ignored);
  },
  fromPatch(schema, current, operations) {
    const plan = planMembership(operations, membersIndex(schema));
    const patched = applyPatch(schema, current.resource, plan.attributeOperations);
    const input = normalizeResource(schema, patched.document);
    return draft(schema, input.attributes, plan.steps, [...input.ignored, ...patched.ignored]);
  },
  patchNeedsPreparation: () => false,
  prepare: () => Promise.resolve(undefined),

  build(context, existing, { attributes }, _prepared, now) {
    const displayName = attributes.displayName as string;
    const externalId = typeof attributes.externalId === 'string' ? attributes.externalId : null;
    if (existing) return { ...existing, displayName, externalId, resource: attributes };
    return {
      siteId: context.site.id,
      id: newId(),
      displayName,
      externalId,
      resource: attributes,
      privilege: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
  },
  changes: (before, after) =>
    before
      ? diffAttributes(before.resource, after.resource)
      : [{ field: 'displayName', after: after.displayName }],
  operation: (_before, _after, changes) =>
    changes.some((change) => change.field === 'members added' || change.field === 'members removed')
      ? 'group change'
      : 'update group',
  notes: (_context, { ignored }) => {
    const note = describeIgnored(ignored);
    return note ? [note] : [];
  },
  relate: (tx, group, { steps }) => applyMembership(tx, group, steps),

  async remove(tx, _context, group, now) {
    const siteId = group.siteId;
    const promastersBefore = group.privilege ? await tx.users.countActivePromasters(siteId) : 0;
    const removed = await tx.members.removeAllBut(siteId, group.id, []);
    // Groups that had this one as a member change too (their versions with them).
    await tx.groups.touchAll(siteId, await tx.members.removeEverywhere(siteId, group.id), now);
    await tx.groups.delete(siteId, group.id);
    if (group.privilege && removed.length > 0) {
      await tx.users.recomputePrivileges(siteId, { ids: removed });
      await guardPromasters(tx, siteId, promastersBefore);
    }
    return {
      changes: memberChanges({ added: [], removed }),
      detail: removed.length > 0 ? `Removed ${plural(removed.length, 'member')}.` : null,
    };
  },

  async derive(store, siteId, groups, wants, scimBase) {
    // Members are read only when the response shows them: Entra ID always sends
    // `excludedAttributes=members`, and a large group then costs one row.
    const members = wants('members')
      ? await store.members.ofGroups(
          siteId,
          groups.map((group) => group.id),
        )
      : undefined;
    return groups.map((group): ScimObject => {
      const list = members?.get(group.id);
      return list ? { members: list.map((member) => memberToScim(member, scimBase)) } : {};
    });
  },
  async fitPage(store, siteId, groups, wants) {
    if (!wants('members') || groups.length <= 1) return groups.length;
    const counts = await store.members.counts(
      siteId,
      groups.map((group) => group.id),
    );
    let carried = 0;
    for (const [i, group] of groups.entries()) {
      carried += counts.get(group.id) ?? 0;
      if (carried > MAX_MEMBERS_PER_PAGE) return Math.max(1, i);
    }
    return groups.length;
  },
};

/** A body's `members` (any letter case) apart from the rest of it. */
function withoutMembers(body: unknown): { members: ScimValue | undefined; rest: unknown } {
  if (!isObject(body)) return { members: undefined, rest: body };
  const rest: Record<string, unknown> = {};
  let members: ScimValue | undefined;
  for (const [key, value] of Object.entries(body)) {
    if (key.toLowerCase() === 'members') members = value as ScimValue;
    else rest[key] = value;
  }
  return { members, rest };
}

function draft(
  schema: ResourceSchema,
  attributes: ScimObject,
  steps: readonly MemberStep[],
  ignored: readonly string[],
): GroupDraft {
  const displayName = attributes.displayName;
  // RFC 7643 §4.2: displayName is REQUIRED; a blank one names nothing.
  if (typeof displayName !== 'string' || displayName.trim() === '') {
    throw ScimError.invalidValue("Attribute 'displayName' is required.");
  }
  return { attributes, steps, ignored };
}

/** The sub-attributes of a group's `members` (RFC 7643 §4.2). */
function membersIndex(schema: ResourceSchema): AttributeIndex {
  return schema.core.sub(schema.core.get('members')!)!;
}

function memberToScim(member: GroupMember, scimBase: string): ScimValue {
  return {
    value: member.id,
    $ref: `${scimBase}/${member.type === 'Group' ? 'Groups' : 'Users'}/${member.id}`,
    ...(member.display !== null ? { display: member.display } : {}),
    type: member.type,
  };
}

function diffAttributes(before: ScimObject, after: ScimObject): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[key];
    const b = after[key];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    changes.push({
      field: key,
      ...(a !== undefined ? { before: a } : {}),
      ...(b !== undefined ? { after: b } : {}),
    });
  }
  return changes;
}
