import { RosterError } from '../../errors.js';
import type { FieldChange } from '../../model/event.js';
import type { GroupRecord } from '../../model/resource.js';
import type { BoundElementFilter } from '../../scim/filter/bind.js';
import { matchesElement } from '../../scim/filter/evaluate.js';
import type { StoreTransaction } from '../../store/store.js';
import type { SideEffects } from '../registry/resource-kind.js';
import type { MemberStep } from './membership-plan.js';

/** Provisioning events list at most this many member ids of one change; the counts are always exact. */
const LISTED_MEMBERS = 50;

interface MembershipSummary {
  readonly added: string[];
  readonly removed: string[];
  readonly skipped: string[];
}

/**
 * Runs membership steps in order, each one set-based statement; the members whose privilege may
 * change are recomputed once at the end. A group that grants Promaster may not take the site's
 * last active Promaster away (RFC-wise a 409: the product refuses the change).
 */
export async function applyMembership(
  tx: StoreTransaction,
  group: GroupRecord,
  steps: readonly MemberStep[],
): Promise<SideEffects> {
  if (steps.length === 0) return { changes: [], notes: [] };
  const siteId = group.siteId;
  const guarding = group.privilege === 'Promaster';
  const promastersBefore = guarding ? await tx.users.countActivePromasters(siteId) : 0;
  const added = new Set<string>();
  const removed = new Set<string>();
  const skipped = new Set<string>();
  const noteRemoved = (ids: readonly string[]): void => {
    for (const id of ids) {
      if (added.has(id)) added.delete(id);
      else removed.add(id);
    }
  };
  const noteAdded = async (members: Parameters<StoreTransaction['members']['add']>[2]): Promise<void> => {
    const change = await tx.members.add(siteId, group.id, members);
    for (const member of change.added) {
      if (removed.has(member.id)) removed.delete(member.id);
      else added.add(member.id);
    }
    change.skipped.forEach((id) => skipped.add(id));
  };
  for (const step of steps) {
    switch (step.kind) {
      case 'add':
        await noteAdded(step.members);
        break;
      case 'remove':
        noteRemoved(await tx.members.remove(siteId, group.id, step.ids));
        break;
      case 'removeMatching':
        noteRemoved(await tx.members.remove(siteId, group.id, await matching(tx, group, step.filter)));
        break;
      case 'replace':
        // Members not in the new list go, the new ones come: both set-based, in the database.
        noteRemoved(
          await tx.members.removeAllBut(
            siteId,
            group.id,
            step.members.map((member) => member.id),
          ),
        );
        await noteAdded(step.members);
        break;
    }
  }
  const summary: MembershipSummary = { added: [...added], removed: [...removed], skipped: [...skipped] };
  const touched = [...summary.added, ...summary.removed];
  if (group.privilege && touched.length > 0) await tx.users.recomputePrivileges(siteId, { ids: touched });
  if (guarding && summary.removed.length > 0) await guardPromasters(tx, siteId, promastersBefore);
  return { changes: memberChanges(summary), notes: describeMembership(summary) };
}

/**
 * A value filter that is not a plain `value eq` is evaluated over the current members in memory,
 * with the same comparison semantics as every filter (the bound evaluator).
 */
async function matching(
  tx: StoreTransaction,
  group: GroupRecord,
  filter: BoundElementFilter,
): Promise<string[]> {
  const members = await tx.members.ofGroup(group.siteId, group.id);
  return members
    .filter((member) =>
      matchesElement(filter, {
        value: member.id,
        type: member.type,
        ...(member.display ? { display: member.display } : {}),
      }),
    )
    .map((member) => member.id);
}

/** Whether removing Promaster members left a site that had an active Promaster with none. */
export async function guardPromasters(tx: StoreTransaction, siteId: string, before: number): Promise<void> {
  if (before > 0 && (await tx.users.countActivePromasters(siteId)) === 0) {
    throw new RosterError(
      'last-promaster',
      "This change would leave the site without an active Promaster: the last Promaster's privilege comes from this group.",
    );
  }
}

export function memberChanges(summary: Pick<MembershipSummary, 'added' | 'removed'>): FieldChange[] {
  const changes: FieldChange[] = [];
  if (summary.added.length > 0)
    changes.push({ field: 'members added', after: summary.added.slice(0, LISTED_MEMBERS) });
  if (summary.removed.length > 0)
    changes.push({ field: 'members removed', before: summary.removed.slice(0, LISTED_MEMBERS) });
  return changes;
}

function describeMembership(summary: MembershipSummary): string[] {
  const parts: string[] = [];
  if (summary.added.length > 0) parts.push(`Added ${plural(summary.added.length, 'member')}.`);
  if (summary.removed.length > 0) parts.push(`Removed ${plural(summary.removed.length, 'member')}.`);
  if (summary.skipped.length > 0) {
    const listed = summary.skipped.slice(0, LISTED_MEMBERS).join(', ');
    parts.push(
      `Skipped ${summary.skipped.length} member id${summary.skipped.length === 1 ? ' that names' : 's that name'} no user or group: ${listed}${summary.skipped.length > LISTED_MEMBERS ? ', …' : ''}.`,
    );
  }
  return parts;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
