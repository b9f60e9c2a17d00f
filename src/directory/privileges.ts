import { RosterError } from '../errors.js';
import type { GroupRecord, Privilege, UserRecord } from '../model/resource.js';
import { PRIVILEGES } from '../model/resource.js';
import type { SiteRecord } from '../model/site.js';
import type { Store, StoreTransaction } from '../store/store.js';
import type { RequestContext } from './context.js';
import { provisioningEvent } from './provisioning-log.js';

export interface PrivilegeMapping {
  readonly groupId: string;
  readonly displayName: string;
  readonly privilege: Privilege;
  readonly members: number;
}

/** Privileges a group can grant; every user is at least a User. */
const GRANTABLE: readonly Privilege[] = ['Promaster', 'Business Analyst'];

/**
 * Groups grant privileges (off until a site admin maps one). A mapped group's members hold the
 * highest of their own privilege and their groups'; leaving the group, or unmapping it, gives back
 * what they had. No change may leave a site that has an active Promaster without one.
 */
export class PrivilegeService {
  constructor(private readonly store: Store) {}

  async map(context: RequestContext, groupName: string, privilege: string): Promise<PrivilegeMapping> {
    return this.change(context, groupName, parseGrantable(privilege));
  }

  unmap(context: RequestContext, groupName: string): Promise<PrivilegeMapping> {
    return this.change(context, groupName, null);
  }

  /**
   * Sets the privilege a user holds of its own (its groups may still grant a higher one) and says
   * where the user stands after. Asking for the privilege it already holds writes nothing.
   */
  async setUserPrivilege(
    context: RequestContext,
    logon: string,
    privilege: string,
  ): Promise<PrivilegeStanding & { readonly changed: boolean }> {
    const { site } = context;
    const wanted = parsePrivilege(privilege);
    return this.store.transaction(async (tx) => {
      const user = await tx.users.lockByLogon(site.id, logon);
      if (!user) throw userNotFound(site, logon);
      const own = (await tx.users.ownPrivilege(site.id, user.id)) ?? user.privilege;
      if (own === wanted) return { ...(await standing(tx, user)), changed: false };
      await keepingAPromaster(
        tx,
        site,
        `'${user.logon}' is the last active Promaster of site '${site.slug}'; make someone else a Promaster first.`,
        async () => {
          await tx.users.setOwnPrivilege(site.id, user.id, wanted);
          await tx.users.recomputePrivileges(site.id, { ids: [user.id] });
        },
      );
      const after = await standing(tx, {
        ...user,
        privilege: (await tx.users.get(site.id, user.id))!.privilege,
      });
      await tx.events.append(
        provisioningEvent(context.actor, {
          operation: 'privilege change',
          resourceType: 'User',
          resourceId: user.id,
          resourceName: user.logon,
          logon: user.logon,
          externalId: user.externalId,
          outcome: 'success',
          httpStatus: 200,
          changes: [
            { field: 'own privilege', before: own, after: wanted },
            ...(user.privilege === after.privilege
              ? []
              : [{ field: 'privilege', before: user.privilege, after: after.privilege }]),
          ],
          detail: after.privilege === wanted ? null : describeGrant(after),
        }),
      );
      return { ...after, changed: true };
    });
  }

  /** Where a user's privilege comes from: its own, and the groups that grant one. */
  standing(user: UserRecord): Promise<PrivilegeStanding> {
    return standing(this.store, user);
  }

  /** The groups that grant a privilege, with their member counts (one query). */
  async list(site: SiteRecord): Promise<PrivilegeMapping[]> {
    return (await this.store.groups.granting(site.id)).map(({ group, members }) => ({
      groupId: group.id,
      displayName: group.displayName,
      privilege: group.privilege!,
      members,
    }));
  }

  private change(
    context: RequestContext,
    groupName: string,
    privilege: Privilege | null,
  ): Promise<PrivilegeMapping> {
    const { site } = context;
    return this.store.transaction(async (tx) => {
      const found = await tx.groups.byName(site.id, groupName);
      if (!found)
        throw new RosterError('group-not-found', `Site '${site.slug}' has no group named '${groupName}'.`);
      const group: GroupRecord = (await tx.groups.lock(site.id, found.id)) ?? found;
      if (privilege === null && group.privilege === null) {
        throw new RosterError('invalid-argument', `Group '${group.displayName}' grants no privilege.`);
      }
      let changedUsers = 0;
      await keepingAPromaster(
        tx,
        site,
        `Unmapping '${group.displayName}' would leave site '${site.slug}' without an active Promaster; make someone else a Promaster first.`,
        async () => {
          await tx.groups.setPrivilege(site.id, group.id, privilege);
          changedUsers = await tx.users.recomputePrivileges(site.id, { groupId: group.id });
        },
      );
      await tx.events.append(
        provisioningEvent(context.actor, {
          operation: privilege ? 'privilege mapped' : 'privilege unmapped',
          resourceType: 'Group',
          resourceId: group.id,
          resourceName: group.displayName,
          externalId: group.externalId,
          outcome: 'success',
          httpStatus: 200,
          changes: [
            {
              field: 'privilege',
              ...(group.privilege ? { before: group.privilege } : {}),
              ...(privilege ? { after: privilege } : {}),
            },
          ],
          detail: `${changedUsers} user${changedUsers === 1 ? '' : 's'} changed privilege.`,
        }),
      );
      const members = (await tx.members.counts(site.id, [group.id])).get(group.id) ?? 0;
      return {
        groupId: group.id,
        displayName: group.displayName,
        privilege: privilege ?? group.privilege ?? 'User',
        members,
      };
    });
  }
}

/** A user's privilege and where it comes from. */
export interface PrivilegeStanding {
  readonly logon: string;
  /** The effective privilege: the highest of its own and its groups'. */
  readonly privilege: Privilege;
  readonly ownPrivilege: Privilege;
  /** The user's groups that grant a privilege, by name. */
  readonly grantedBy: readonly {
    readonly groupId: string;
    readonly displayName: string;
    readonly privilege: Privilege;
  }[];
}

async function standing(
  reads: Pick<Store, 'users' | 'groups'>,
  user: UserRecord,
): Promise<PrivilegeStanding> {
  const own = await reads.users.ownPrivilege(user.siteId, user.id);
  const groups = await reads.groups.grantingTo(user.siteId, user.id);
  return {
    logon: user.logon,
    privilege: user.privilege,
    ownPrivilege: own ?? user.privilege,
    grantedBy: groups.map((group) => ({
      groupId: group.id,
      displayName: group.displayName,
      privilege: group.privilege!,
    })),
  };
}

/** The groups that grant a user its effective privilege: "the group 'Process Admins'". */
export function grantingGroups(standing: PrivilegeStanding): string {
  const names = standing.grantedBy
    .filter((group) => group.privilege === standing.privilege)
    .map((group) => `'${group.displayName}'`);
  return `the group${names.length === 1 ? '' : 's'} ${names.join(', ')}`;
}

/** "Promaster granted by the group 'Process Admins'." */
export function describeGrant(standing: PrivilegeStanding): string {
  return `${standing.privilege} granted by ${grantingGroups(standing)}.`;
}

function parsePrivilege(text: string): Privilege {
  const wanted = PRIVILEGES.find((candidate) => candidate.toLowerCase() === text.trim().toLowerCase());
  if (!wanted) {
    throw new RosterError(
      'invalid-argument',
      `'${text}' is not a privilege: use ${PRIVILEGES.map((p) => `"${p}"`).join(', ')}.`,
    );
  }
  return wanted;
}

export function userNotFound(site: SiteRecord, logon: string): RosterError {
  return new RosterError('user-not-found', `Site '${site.slug}' has no user with Logon '${logon}'.`);
}

/** Runs a change and refuses it if it left a site that had an active Promaster with none. */
async function keepingAPromaster(
  tx: StoreTransaction,
  site: SiteRecord,
  refusal: string,
  change: () => Promise<void>,
): Promise<void> {
  const before = await tx.users.countActivePromasters(site.id);
  await change();
  if (before > 0 && (await tx.users.countActivePromasters(site.id)) === 0) {
    throw new RosterError('last-promaster', refusal);
  }
}

function parseGrantable(text: string): Privilege {
  const found = GRANTABLE.find((privilege) => privilege.toLowerCase() === text.trim().toLowerCase());
  if (!found) {
    throw new RosterError(
      'invalid-argument',
      `'${text}' is not a privilege a group can grant: use ${GRANTABLE.map((p) => `"${p}"`).join(' or ')} (every user is at least ${PRIVILEGES[0]!}).`,
    );
  }
  return found;
}
