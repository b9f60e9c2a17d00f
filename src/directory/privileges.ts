import type { GroupRecord, Privilege, SiteRecord, Store } from '../store/store.js';
import { PRIVILEGES } from '../store/store.js';
import { type Actor, provisioningEvent } from './provisioning-log.js';
import { RosterError } from '../errors.js';

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
 * what they had. The console will call the same service the CLI does.
 */
export class PrivilegeService {
  constructor(private readonly store: Store) {}

  async map(site: SiteRecord, groupName: string, privilege: string, actor: Actor): Promise<PrivilegeMapping> {
    const wanted = parsePrivilege(privilege);
    return this.change(site, groupName, wanted, actor);
  }

  unmap(site: SiteRecord, groupName: string, actor: Actor): Promise<PrivilegeMapping> {
    return this.change(site, groupName, null, actor);
  }

  /** Sets the privilege a user holds of its own (its groups may still grant a higher one). */
  async setUserPrivilege(
    site: SiteRecord,
    logon: string,
    privilege: string,
    actor: Actor,
  ): Promise<Privilege> {
    const wanted = PRIVILEGES.find((candidate) => candidate.toLowerCase() === privilege.trim().toLowerCase());
    if (!wanted) {
      throw new RosterError(
        'invalid-argument',
        `'${privilege}' is not a privilege: use ${PRIVILEGES.map((p) => `"${p}"`).join(', ')}.`,
      );
    }
    return this.store.transaction(async (tx) => {
      const user = await tx.findUserByLogon(site.id, logon, { forUpdate: true });
      if (!user)
        throw new RosterError('user-not-found', `Site '${site.slug}' has no user with Logon '${logon}'.`);
      const promastersBefore = await tx.countActivePromastersInSite(site.id);
      await tx.setOwnPrivilege(site.id, user.id, wanted);
      await tx.recomputePrivileges(site.id, { ids: [user.id] });
      if (promastersBefore > 0 && (await tx.countActivePromastersInSite(site.id)) === 0) {
        throw new RosterError(
          'last-promaster',
          `'${user.logon}' is the last active Promaster of site '${site.slug}'; make someone else a Promaster first.`,
        );
      }
      const after = (await tx.getUser(site.id, user.id))?.privilege ?? wanted;
      await tx.appendEvent(
        provisioningEvent(actor, {
          operation: 'privilege change',
          resourceType: 'User',
          resourceId: user.id,
          logon: user.logon,
          outcome: 'success',
          httpStatus: 200,
          changes: user.privilege === after ? null : [{ field: 'privilege', before: user.privilege, after }],
          detail: after === wanted ? null : `Own privilege ${wanted}; ${after} granted by a group.`,
        }),
      );
      return after;
    });
  }

  async list(site: SiteRecord): Promise<PrivilegeMapping[]> {
    const mappings: PrivilegeMapping[] = [];
    for (let start: Parameters<Store['listGroups']>[1]['start'] = { index: 1 }; ;) {
      const page = await this.store.listGroups(site.id, { start, count: 500 });
      for (const group of page.groups) {
        if (group.privilege) {
          mappings.push({
            groupId: group.id,
            displayName: group.displayName,
            privilege: group.privilege,
            members: await this.store.countMembers(site.id, group.id),
          });
        }
      }
      const last = page.positions[page.positions.length - 1];
      if (!page.more || !last) return mappings;
      start = { after: last };
    }
  }

  private async change(
    site: SiteRecord,
    groupName: string,
    privilege: Privilege | null,
    actor: Actor,
  ): Promise<PrivilegeMapping> {
    return this.store.transaction(async (tx) => {
      const found = await tx.findGroupByName(site.id, groupName);
      if (!found)
        throw new RosterError('group-not-found', `Site '${site.slug}' has no group named '${groupName}'.`);
      const group: GroupRecord = found;
      if (privilege === null && group.privilege === null) {
        throw new RosterError('invalid-argument', `Group '${group.displayName}' grants no privilege.`);
      }
      const promastersBefore = await tx.countActivePromastersInSite(site.id);
      await tx.setGroupPrivilege(site.id, group.id, privilege);
      const changedUsers = await tx.recomputePrivileges(site.id, { groupId: group.id });
      if (promastersBefore > 0 && (await tx.countActivePromastersInSite(site.id)) === 0) {
        throw new RosterError(
          'last-promaster',
          `Unmapping '${group.displayName}' would leave site '${site.slug}' without an active Promaster; make someone else a Promaster first.`,
        );
      }
      await tx.appendEvent(
        provisioningEvent(actor, {
          operation: privilege ? 'privilege mapped' : 'privilege unmapped',
          resourceType: 'Group',
          resourceId: group.id,
          logon: group.displayName,
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
      return {
        groupId: group.id,
        displayName: group.displayName,
        privilege: privilege ?? group.privilege ?? 'User',
        members: await tx.countMembers(site.id, group.id),
      };
    });
  }
}

export function parsePrivilege(text: string): Privilege {
  const found = GRANTABLE.find((privilege) => privilege.toLowerCase() === text.trim().toLowerCase());
  if (!found) {
    throw new RosterError(
      'invalid-argument',
      `'${text}' is not a privilege a group can grant: use ${GRANTABLE.map((p) => `"${p}"`).join(' or ')} (every user is at least ${PRIVILEGES[0]}).`,
    );
  }
  return found;
}
