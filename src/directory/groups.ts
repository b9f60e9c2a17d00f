import { RosterError } from '../errors.js';
import { ScimError } from '../scim/errors.js';
import { bindElementFilter, bindFilter } from '../scim/filter/bind.js';
import { bindSort } from '../scim/filter/bind-sort.js';
import type { TagCondition } from '../scim/etag.js';
import { tagMatches } from '../scim/etag.js';
import type { Filter } from '../scim/filter/ast.js';
import { matchesElement } from '../scim/filter/evaluate.js';
import { applyPatch } from '../scim/patch/apply.js';
import { type PatchOperation, parsePatchRequest } from '../scim/patch/request.js';
import { isObject, normalizeResource, type ScimObject, type ScimValue } from '../scim/resource.js';
import type { ResourceSchema } from '../scim/schema/registry.js';
import type {
  FieldChange,
  GroupMember,
  GroupRecord,
  MemberReference,
  Store,
  StoreOperations,
} from '../store/store.js';
import { newId } from './ids.js';
import { type ListRequest, type ListResult, Pager } from './paging.js';
import { provisioningEvent, recordingRefusals } from './provisioning-log.js';
import type { UserContext } from './users.js';

const RESOURCE_TYPE = 'Group';
/** Provisioning events list at most this many member ids of one change; the counts are always exact. */
const LISTED_MEMBERS = 50;

export function groupVersion(group: GroupRecord): string {
  return `W/"${group.version}"`;
}

export interface GroupWithMembers {
  readonly group: GroupRecord;
  /** Undefined when the caller did not ask for members (`excludedAttributes=members`). */
  readonly members: GroupMember[] | undefined;
}

/** One membership step of a PATCH or PUT, applied set-based in the store. */
type MemberStep =
  | { readonly kind: 'add'; readonly members: MemberReference[] }
  | { readonly kind: 'remove'; readonly ids: string[] }
  | { readonly kind: 'removeMatching'; readonly filter: Filter }
  | { readonly kind: 'removeAll' }
  | { readonly kind: 'replace'; readonly members: MemberReference[] };

interface MembershipSummary {
  readonly added: string[];
  readonly removed: string[];
  readonly skipped: string[];
}

/**
 * Groups (RFC 7643 §4.2) and their memberships. Names are unique per site regardless of letter
 * case. Membership changes are set-based and cost what they name, not the group's size; member ids
 * that name nothing in the site are skipped (identity providers race their own user and group
 * pushes) and the provisioning log says so. A group mapped to a privilege grants it to its members;
 * no identity provider can take the last active Promaster's privilege away.
 */
export class GroupService {
  private readonly pager: Pager;

  constructor(
    private readonly store: Store,
    private readonly schema: ResourceSchema,
    cursorTimeoutMs: number,
  ) {
    this.pager = new Pager(store, cursorTimeoutMs);
  }

  async get(context: UserContext, id: string, withMembers: boolean): Promise<GroupWithMembers> {
    const group = await this.store.getGroup(context.site.id, id);
    if (!group) throw notFound(id);
    return { group, members: withMembers ? await this.store.listMembers(context.site.id, id) : undefined };
  }

  async list(
    context: UserContext,
    request: ListRequest,
    withMembers: boolean,
  ): Promise<ListResult<GroupWithMembers>> {
    const filter = request.filter ? bindFilter(request.filter, this.schema) : undefined;
    const sort = request.sortBy ? bindSort(this.schema, request.sortBy, request.sortOrder) : undefined;
    return this.pager.page(
      { siteId: context.site.id, tokenId: context.actor.tokenId, resourceType: RESOURCE_TYPE },
      request,
      async (start) => {
        const page = await this.store.listGroups(context.site.id, {
          ...(filter ? { filter } : {}),
          ...(sort ? { sort } : {}),
          count: request.count,
          start,
        });
        // One query for the whole page's members, not one per group.
        const members = withMembers
          ? await this.store.membersOfGroups(
              context.site.id,
              page.groups.map((group) => group.id),
            )
          : undefined;
        const items: GroupWithMembers[] = page.groups.map((group) => ({
          group,
          members: members?.get(group.id),
        }));
        return { totalResults: page.totalResults, items, positions: page.positions, more: page.more };
      },
    );
  }

  create(context: UserContext, body: unknown): Promise<GroupRecord> {
    return this.logged(context, 'create group', undefined, async () => {
      const { attributes, members, ignored } = this.readBody(body);
      const displayName = attributes.displayName as string;
      return this.store.transaction(async (tx) => {
        const now = Date.now();
        const group: GroupRecord = {
          siteId: context.site.id,
          id: newId(),
          displayName,
          externalId: typeof attributes.externalId === 'string' ? attributes.externalId : null,
          resource: attributes,
          privilege: null,
          version: 1,
          createdAt: now,
          updatedAt: now,
        };
        await this.writeGroup(tx, group, 'insert');
        const summary = await this.applySteps(tx, group, members ? [{ kind: 'replace', members }] : []);
        await tx.appendEvent(
          provisioningEvent(context.actor, {
            operation: 'create group',
            resourceType: RESOURCE_TYPE,
            resourceId: group.id,
            logon: group.displayName,
            outcome: 'success',
            httpStatus: 201,
            changes: [{ field: 'displayName', after: group.displayName }, ...memberChanges(summary)],
            detail: describe(summary, ignored),
          }),
        );
        await tx.adjustGroupCount(context.site.id, 1);
        return group;
      });
    });
  }

  /** PUT (RFC 7644 §3.5.1): the body replaces the attributes and the whole member list. */
  replace(context: UserContext, id: string, body: unknown, ifMatch?: TagCondition): Promise<GroupRecord> {
    return this.logged(context, 'update group', id, async () => {
      const { attributes, members, ignored } = this.readBody(body);
      return this.update(context, id, ifMatch, () => ({
        attributes,
        steps: [{ kind: 'replace', members: members ?? [] }],
        ignored,
      }));
    });
  }

  /**
   * PATCH (RFC 7644 §3.5.2). Operations on `members` become set-based membership steps (all three
   * shapes of removal clients send: a value filter, a value list, and no value for all); the others
   * apply to the group's attributes through the PATCH engine. Everything happens in one transaction.
   */
  patch(context: UserContext, id: string, body: unknown, ifMatch?: TagCondition): Promise<GroupRecord> {
    return this.logged(context, 'update group', id, async () => {
      const operations = parsePatchRequest(body);
      return this.update(context, id, ifMatch, (group) => {
        const steps: MemberStep[] = [];
        const attributeOperations: PatchOperation[] = [];
        for (const operation of operations) {
          const split = splitMembers(operation);
          steps.push(...split.steps);
          if (split.rest) attributeOperations.push(split.rest);
        }
        const patched = applyPatch(this.schema, group.resource, attributeOperations);
        const input = normalizeResource(this.schema, patched.document);
        return { attributes: input.attributes, steps, ignored: [...input.ignored, ...patched.ignored] };
      });
    });
  }

  /** DELETE: the group and its memberships go; its members' privileges follow. */
  delete(context: UserContext, id: string, ifMatch?: TagCondition): Promise<void> {
    return this.logged(context, 'delete group', id, () =>
      this.store.transaction(async (tx) => {
        const group = await tx.getGroup(context.site.id, id, { forUpdate: true });
        if (!group) throw notFound(id);
        checkPrecondition(group, ifMatch);
        const promastersBefore = group.privilege ? await tx.countActivePromastersInSite(context.site.id) : 0;
        const removed = await tx.removeAllMembers(context.site.id, id);
        await tx.deleteGroup(context.site.id, id);
        if (group.privilege && removed.length > 0) {
          await tx.recomputePrivileges(context.site.id, { ids: removed });
          await guardPromasters(tx, context.site.id, promastersBefore);
        }
        await tx.appendEvent(
          provisioningEvent(context.actor, {
            operation: 'delete group',
            resourceType: RESOURCE_TYPE,
            resourceId: id,
            logon: group.displayName,
            outcome: 'success',
            httpStatus: 204,
            changes: memberChanges({ added: [], removed, skipped: [] }),
            detail:
              removed.length > 0
                ? `Removed ${removed.length} member${removed.length === 1 ? '' : 's'}.`
                : null,
          }),
        );
        await tx.adjustGroupCount(context.site.id, -1);
      }),
    );
  }

  private async update(
    context: UserContext,
    id: string,
    ifMatch: TagCondition | undefined,
    build: (group: GroupRecord) => {
      attributes: ScimObject;
      steps: MemberStep[];
      ignored: readonly string[];
    },
  ): Promise<GroupRecord> {
    return this.store.transaction(async (tx) => {
      const existing = await tx.getGroup(context.site.id, id, { forUpdate: true });
      if (!existing) throw notFound(id);
      checkPrecondition(existing, ifMatch);
      const { attributes, steps, ignored } = build(existing);
      const displayName = attributes.displayName;
      if (typeof displayName !== 'string' || displayName.trim() === '') {
        throw ScimError.invalidValue("Attribute 'displayName' is required.");
      }
      const promastersBefore =
        existing.privilege === 'Promaster' && steps.length > 0
          ? await tx.countActivePromastersInSite(context.site.id)
          : 0;
      const summary = await this.applySteps(tx, existing, steps);
      if (existing.privilege === 'Promaster' && summary.removed.length > 0) {
        await guardPromasters(tx, context.site.id, promastersBefore);
      }
      const attributeChanges = diffAttributes(existing.resource, attributes);
      const changed = attributeChanges.length > 0 || summary.added.length > 0 || summary.removed.length > 0;
      const updated: GroupRecord = changed
        ? {
            ...existing,
            displayName,
            externalId: typeof attributes.externalId === 'string' ? attributes.externalId : null,
            resource: attributes,
            version: existing.version + 1,
            updatedAt: Date.now(),
          }
        : existing;
      if (changed) await this.writeGroup(tx, updated, 'update');
      await tx.appendEvent(
        provisioningEvent(context.actor, {
          operation: summary.added.length > 0 || summary.removed.length > 0 ? 'group change' : 'update group',
          resourceType: RESOURCE_TYPE,
          resourceId: id,
          logon: updated.displayName,
          outcome: 'success',
          httpStatus: 200,
          changes: [...attributeChanges, ...memberChanges(summary)],
          detail: describe(summary, ignored) ?? (changed ? null : 'No changes.'),
        }),
      );
      return updated;
    });
  }

  /** Runs membership steps in order; the members whose privilege may change are recomputed once. */
  private async applySteps(
    tx: StoreOperations,
    group: GroupRecord,
    steps: readonly MemberStep[],
  ): Promise<MembershipSummary> {
    const siteId = group.siteId;
    const added = new Set<string>();
    const removed = new Set<string>();
    const skipped = new Set<string>();
    const noteRemoved = (ids: readonly string[]): void => {
      for (const memberId of ids) {
        if (added.has(memberId)) added.delete(memberId);
        else removed.add(memberId);
      }
    };
    const noteAdded = (ids: readonly string[]): void => {
      for (const memberId of ids) {
        if (removed.has(memberId)) removed.delete(memberId);
        else added.add(memberId);
      }
    };
    for (const step of steps) {
      switch (step.kind) {
        case 'add': {
          const change = await tx.addMembers(siteId, group.id, step.members);
          noteAdded(change.added.map((member) => member.id));
          change.skipped.forEach((memberId) => skipped.add(memberId));
          break;
        }
        case 'remove':
          noteRemoved(await tx.removeMembers(siteId, group.id, step.ids));
          break;
        case 'removeAll':
          noteRemoved(await tx.removeAllMembers(siteId, group.id));
          break;
        case 'removeMatching': {
          const ids = equalityIds(step.filter) ?? (await this.idsMatching(tx, group, step.filter));
          noteRemoved(await tx.removeMembers(siteId, group.id, ids));
          break;
        }
        case 'replace': {
          // Members not in the new list go; the new ones are added: both set-based.
          const keep = new Set(step.members.map((member) => member.id));
          const current = await tx.listMembers(siteId, group.id);
          noteRemoved(
            await tx.removeMembers(
              siteId,
              group.id,
              current.filter((member) => !keep.has(member.id)).map((member) => member.id),
            ),
          );
          const change = await tx.addMembers(siteId, group.id, step.members);
          noteAdded(change.added.map((member) => member.id));
          change.skipped.forEach((memberId) => skipped.add(memberId));
          break;
        }
      }
    }
    const touched = [...added, ...removed];
    if (group.privilege && touched.length > 0) await tx.recomputePrivileges(siteId, { ids: touched });
    return { added: [...added], removed: [...removed], skipped: [...skipped] };
  }

  /** A value filter that is not a plain `value eq` is evaluated over the members in memory. */
  private async idsMatching(tx: StoreOperations, group: GroupRecord, filter: Filter): Promise<string[]> {
    const membersAttribute = this.schema.core.get('members')!;
    const index = this.schema.core.sub(membersAttribute)!;
    const bound = bindElementFilter(filter, index, 'members');
    const members = await tx.listMembers(group.siteId, group.id);
    return members
      .filter((member) =>
        matchesElement(bound, {
          value: member.id,
          type: member.type,
          ...(member.display ? { display: member.display } : {}),
        }),
      )
      .map((member) => member.id);
  }

  private async writeGroup(
    tx: StoreOperations,
    group: GroupRecord,
    mode: 'insert' | 'update',
  ): Promise<void> {
    try {
      if (mode === 'insert') await tx.insertGroup(group);
      else await tx.updateGroup(group);
    } catch (error) {
      if (error instanceof RosterError && error.constraint === 'groups_site_name') {
        throw new RosterError(
          'group-name-taken',
          `A group named '${group.displayName}' already exists in this site.`,
        );
      }
      throw error;
    }
  }

  /** A POST or PUT body: the attributes to store, and the member list apart. */
  private readBody(body: unknown): {
    attributes: ScimObject;
    members: MemberReference[] | undefined;
    ignored: readonly string[];
  } {
    const input = normalizeResource(this.schema, body);
    const { members, ...attributes } = input.attributes;
    const hasMembers = isObject(body) && Object.keys(body).some((key) => key.toLowerCase() === 'members');
    return {
      attributes,
      members: hasMembers ? memberReferences(members) : undefined,
      ignored: input.ignored,
    };
  }

  /** Runs a write; a refusal is recorded in the provisioning log. */
  private logged<T>(
    context: UserContext,
    operation: string,
    id: string | undefined,
    work: () => Promise<T>,
  ): Promise<T> {
    return recordingRefusals(
      this.store,
      context.actor,
      { operation, resourceType: RESOURCE_TYPE, resourceId: id },
      work,
    );
  }
}

/** Separates what an operation does to `members` from what it does to other attributes. */
function splitMembers(operation: PatchOperation): { steps: MemberStep[]; rest?: PatchOperation } {
  const path = operation.path;
  if (path) {
    const isMembers = path.path.schema === undefined && path.path.attribute.toLowerCase() === 'members';
    if (!isMembers) return { steps: [], rest: operation };
    if (path.path.subAttribute !== undefined || path.subAttribute !== undefined) {
      throw ScimError.mutability(
        `Operation ${operation.index}: members' sub-attributes cannot be changed; add or remove the member.`,
      );
    }
    if (path.filter) {
      if (operation.op === 'remove') return { steps: [{ kind: 'removeMatching', filter: path.filter }] };
      const members = memberReferences(operation.value as ScimValue);
      if (operation.op === 'add') return { steps: [{ kind: 'add', members }] };
      return {
        steps: [
          { kind: 'removeMatching', filter: path.filter },
          { kind: 'add', members },
        ],
      };
    }
    switch (operation.op) {
      case 'add':
        return { steps: [{ kind: 'add', members: memberReferences(operation.value as ScimValue) }] };
      case 'replace':
        return { steps: [{ kind: 'replace', members: memberReferences(operation.value as ScimValue) }] };
      case 'remove': {
        // Entra ID and JumpCloud remove by listing values; no value removes every member (RFC 7644).
        const value = operation.value;
        if (value === undefined || value === null) return { steps: [{ kind: 'removeAll' }] };
        return {
          steps: [{ kind: 'remove', ids: memberReferences(value as ScimValue).map((member) => member.id) }],
        };
      }
    }
  }
  // Okta's path-less `{"op":"replace","value":{"id":…,"displayName":…}}`, sometimes with members.
  const value = operation.value as Record<string, unknown>;
  const membersKey = Object.keys(value).find((key) => key.toLowerCase() === 'members');
  if (membersKey === undefined) return { steps: [], rest: operation };
  const { [membersKey]: members, ...others } = value;
  const references = memberReferences(members as ScimValue);
  const steps: MemberStep[] = [
    operation.op === 'add' ? { kind: 'add', members: references } : { kind: 'replace', members: references },
  ];
  return Object.keys(others).length > 0 ? { steps, rest: { ...operation, value: others } } : { steps };
}

/** Member references from `[{value}]`, a single object, or bare ids. */
function memberReferences(value: ScimValue | undefined): MemberReference[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  const references: MemberReference[] = [];
  for (const item of items) {
    if (typeof item === 'string' || typeof item === 'number') {
      references.push({ id: String(item) });
      continue;
    }
    if (!isObject(item)) throw ScimError.invalidValue('Each member must be an object with a "value".');
    const key = Object.keys(item).find((candidate) => candidate.toLowerCase() === 'value');
    const id = key === undefined ? undefined : item[key];
    if (typeof id !== 'string' && typeof id !== 'number') {
      throw ScimError.invalidValue('Each member needs a "value": the id of a user or group.');
    }
    // `display` is readOnly (the Group schema): the server fills it in, as it does for POST and PUT.
    references.push({ id: String(id) });
  }
  return references;
}

/** The ids of `value eq "a" or value eq "b"`, the shape clients use; anything else is evaluated. */
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

/** Whether removing Promaster members left a site that had an active Promaster with none. */
async function guardPromasters(tx: StoreOperations, siteId: string, before: number): Promise<void> {
  if (before > 0 && (await tx.countActivePromastersInSite(siteId)) === 0) {
    throw new RosterError(
      'last-promaster',
      "This change would leave the site without an active Promaster: the last Promaster's privilege comes from this group.",
    );
  }
}

function checkPrecondition(group: GroupRecord, ifMatch: TagCondition | undefined): void {
  if (ifMatch && !tagMatches(ifMatch, groupVersion(group))) {
    throw new RosterError(
      'version-mismatch',
      `Group '${group.id}' has changed: its version is ${groupVersion(group)}. Read it again and retry.`,
    );
  }
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

function memberChanges(summary: MembershipSummary): FieldChange[] {
  const changes: FieldChange[] = [];
  if (summary.added.length > 0)
    changes.push({ field: 'members added', after: summary.added.slice(0, LISTED_MEMBERS) });
  if (summary.removed.length > 0)
    changes.push({ field: 'members removed', before: summary.removed.slice(0, LISTED_MEMBERS) });
  return changes;
}

function describe(summary: MembershipSummary, ignored: readonly string[]): string | null {
  const parts: string[] = [];
  if (summary.added.length > 0)
    parts.push(`Added ${summary.added.length} member${summary.added.length === 1 ? '' : 's'}.`);
  if (summary.removed.length > 0)
    parts.push(`Removed ${summary.removed.length} member${summary.removed.length === 1 ? '' : 's'}.`);
  if (summary.skipped.length > 0) {
    const listed = summary.skipped.slice(0, LISTED_MEMBERS).join(', ');
    parts.push(
      `Skipped ${summary.skipped.length} member id${summary.skipped.length === 1 ? ' that names' : 's that name'} no user or group: ${listed}${summary.skipped.length > LISTED_MEMBERS ? ', …' : ''}.`,
    );
  }
  if (ignored.length > 0) parts.push(`Ignored attributes no schema defines: ${ignored.join(', ')}.`);
  return parts.length > 0 ? parts.join(' ') : null;
}

function notFound(id: string): RosterError {
  return new RosterError('group-not-found', `Group '${id}' not found.`);
}
