import { grantingGroups, type PrivilegeStanding } from '../../directory/privileges.js';
import type { UserRecord } from '../../model/resource.js';
import { isoTime } from '../context.js';

/** How the users commands print a user and its privilege. */

export function userJson(user: UserRecord): object {
  return {
    id: user.id,
    logon: user.logon,
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email,
    timeZone: user.timeZone,
    privilege: user.privilege,
    status: user.active ? 'Active' : 'Disabled',
    externalId: user.externalId,
    source: user.source,
    removedFromScim: user.deletedAt !== null,
    createdAt: isoTime(user.createdAt),
    updatedAt: isoTime(user.updatedAt),
  };
}

export function standingJson(standing: PrivilegeStanding, extra: object = {}): object {
  return {
    logon: standing.logon,
    privilege: standing.privilege,
    ownPrivilege: standing.ownPrivilege,
    grantedBy: standing.grantedBy,
    ...extra,
  };
}

/** What a user holds and why, in a sentence: its own privilege and the groups that grant more. */
export function describeStanding(standing: PrivilegeStanding, changed: boolean): string {
  const who = `'${standing.logon}'`;
  const granted =
    standing.privilege === standing.ownPrivilege
      ? ''
      : `${standing.privilege}: ${grantingGroups(standing)} grants it.`;
  if (!changed) {
    return `${who} already holds ${standing.ownPrivilege} of its own: nothing changed.${granted ? ` It is ${granted}` : ''}`;
  }
  return granted
    ? `${who} now holds ${standing.ownPrivilege} of its own, but is ${granted}`
    : `${who} now holds ${standing.privilege}.`;
}
