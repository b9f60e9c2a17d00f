import type { ScimObject } from '../../scim/resource.js';
import type {
  GroupMember,
  GroupRecord,
  MemberReference,
  MembershipChange,
  MemberType,
  Privilege,
} from '../store.js';
import type { SqlExecutor } from './connection.js';
import type { Dialect } from './dialect.js';
import { adjustResourceCount, resourceCount } from './resource-counts.js';

export interface GroupRow {
  site_id: string;
  id: string;
  display_name: string;
  external_id: string | null;
  resource: string;
  privilege: string | null;
  version: number;
  created_at: number;
  updated_at: number;
}

export const GROUP_COLUMNS =
  'g.site_id, g.id, g.display_name, g.external_id, g.resource, g.privilege, g.version, g.created_at, g.updated_at';

export function toGroup(row: GroupRow): GroupRecord {
  return {
    siteId: row.site_id,
    id: row.id,
    displayName: row.display_name,
    externalId: row.external_id,
    resource: JSON.parse(row.resource) as ScimObject,
    privilege: row.privilege as Privilege | null,
    version: Number(row.version),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/**
 * Group rows and memberships. Membership changes are set-based: the member ids travel as one JSON
 * array parameter, expanded by the database (`json_each` / `json_array_elements`), so adding or
 * removing 10,000 members is one statement, and its cost follows the members named, not the
 * group's size.
 */
export class GroupOperations {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly dialect: Dialect,
  ) {}

  async insert(group: GroupRecord): Promise<void> {
    await this.sql.run(
      'INSERT INTO groups (site_id, id, display_name, display_name_lower, external_id, resource, privilege, version, created_at, updated_at) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        group.siteId,
        group.id,
        group.displayName,
        group.displayName.toLowerCase(),
        group.externalId,
        JSON.stringify(group.resource),
        group.privilege,
        group.version,
        group.createdAt,
        group.updatedAt,
      ],
    );
  }

  async update(group: GroupRecord): Promise<void> {
    await this.sql.run(
      'UPDATE groups SET display_name = ?, display_name_lower = ?, external_id = ?, resource = ?, version = ?, updated_at = ? ' +
        'WHERE site_id = ? AND id = ?',
      [
        group.displayName,
        group.displayName.toLowerCase(),
        group.externalId,
        JSON.stringify(group.resource),
        group.version,
        group.updatedAt,
        group.siteId,
        group.id,
      ],
    );
  }

  async delete(siteId: string, id: string): Promise<void> {
    // Memberships in other groups that name this group go too (and those groups get a new version).
    await this.removeFromAllGroups(siteId, id);
    await this.sql.run('DELETE FROM group_members WHERE site_id = ? AND group_id = ?', [siteId, id]);
    await this.sql.run('DELETE FROM groups WHERE site_id = ? AND id = ?', [siteId, id]);
  }

  async get(siteId: string, id: string, forUpdate: boolean): Promise<GroupRecord | undefined> {
    const row = await this.sql.get<GroupRow>(
      `SELECT ${GROUP_COLUMNS} FROM groups g WHERE g.site_id = ? AND g.id = ?${forUpdate ? this.dialect.forUpdate : ''}`,
      [siteId, id],
    );
    return row && toGroup(row);
  }

  async findByName(siteId: string, displayName: string): Promise<GroupRecord | undefined> {
    const row = await this.sql.get<GroupRow>(
      `SELECT ${GROUP_COLUMNS} FROM groups g WHERE g.site_id = ? AND g.display_name_lower = ?`,
      [siteId, displayName.toLowerCase()],
    );
    return row && toGroup(row);
  }

  adjustCount(siteId: string, delta: number): Promise<void> {
    return adjustResourceCount(this.sql, siteId, 'Group', delta);
  }

  countVisible(siteId: string): Promise<number> {
    return resourceCount(this.sql, siteId, 'Group');
  }

  async addMembers(
    siteId: string,
    groupId: string,
    members: readonly MemberReference[],
  ): Promise<MembershipChange> {
    if (members.length === 0) return { added: [], skipped: [] };
    const records = JSON.stringify(
      members.map((member) => ({ id: member.id, display: member.display ?? null })),
    );
    const r = this.dialect.jsonParameterElements('r');
    const id = this.dialect.elementValue('r', 'id');
    const display = this.dialect.elementValue('r', 'display');
    // CROSS JOIN keeps the named ids as SQLite's outer loop, each probing the primary key: with a
    // plain JOIN SQLite scanned the whole site's users once per id named (16 s for 1,000 ids at
    // 50,000 users). PostgreSQL plans it as any inner join.
    const addedUsers = await this.sql.all<{ member_id: string; display: string | null }>(
      `INSERT INTO group_members (site_id, group_id, member_id, member_type, display) ` +
        `SELECT ?, ?, u.id, 'User', COALESCE(MAX(${display}), u.logon) FROM ${r} ` +
        `CROSS JOIN users u WHERE u.site_id = ? AND u.id = ${id} AND u.deleted_at IS NULL GROUP BY u.id, u.logon ` +
        'ON CONFLICT (site_id, group_id, member_id) DO NOTHING RETURNING member_id, display',
      [siteId, groupId, records, siteId],
    );
    const addedGroups = await this.sql.all<{ member_id: string; display: string | null }>(
      `INSERT INTO group_members (site_id, group_id, member_id, member_type, display) ` +
        `SELECT ?, ?, g.id, 'Group', COALESCE(MAX(${display}), g.display_name) FROM ${r} ` +
        `CROSS JOIN groups g WHERE g.site_id = ? AND g.id = ${id} AND g.id <> ? GROUP BY g.id, g.display_name ` +
        'ON CONFLICT (site_id, group_id, member_id) DO NOTHING RETURNING member_id, display',
      [siteId, groupId, records, siteId, groupId],
    );
    const skipped = await this.sql.all<{ id: string }>(
      `SELECT DISTINCT ${id} AS id FROM ${r} WHERE ` +
        `NOT EXISTS (SELECT 1 FROM users u WHERE u.site_id = ? AND u.id = ${id} AND u.deleted_at IS NULL) AND ` +
        `NOT EXISTS (SELECT 1 FROM groups g WHERE g.site_id = ? AND g.id = ${id} AND g.id <> ?)`,
      [records, siteId, siteId, groupId],
    );
    return {
      added: [
        ...addedUsers.map((row) => ({ id: row.member_id, type: 'User' as const, display: row.display })),
        ...addedGroups.map((row) => ({ id: row.member_id, type: 'Group' as const, display: row.display })),
      ],
      skipped: skipped.map((row) => row.id),
    };
  }

  async removeMembers(siteId: string, groupId: string, memberIds: readonly string[]): Promise<string[]> {
    if (memberIds.length === 0) return [];
    const rows = await this.sql.all<{ member_id: string }>(
      `DELETE FROM group_members WHERE site_id = ? AND group_id = ? AND member_id IN ` +
        `(SELECT ${this.dialect.elementValue('r', undefined)} FROM ${this.dialect.jsonParameterElements('r')}) RETURNING member_id`,
      [siteId, groupId, JSON.stringify(memberIds)],
    );
    return rows.map((row) => row.member_id);
  }

  async removeAllMembers(siteId: string, groupId: string): Promise<string[]> {
    const rows = await this.sql.all<{ member_id: string }>(
      'DELETE FROM group_members WHERE site_id = ? AND group_id = ? RETURNING member_id',
      [siteId, groupId],
    );
    return rows.map((row) => row.member_id);
  }

  async listMembers(siteId: string, groupId: string): Promise<GroupMember[]> {
    const rows = await this.sql.all<{ member_id: string; member_type: string; display: string | null }>(
      'SELECT member_id, member_type, display FROM group_members WHERE site_id = ? AND group_id = ? ORDER BY member_id',
      [siteId, groupId],
    );
    return rows.map((row) => ({
      id: row.member_id,
      type: row.member_type as MemberType,
      display: row.display,
    }));
  }

  /** The members of several groups in one query (a list page of groups), by group id. */
  async membersOfGroups(siteId: string, groupIds: readonly string[]): Promise<Map<string, GroupMember[]>> {
    const result = new Map<string, GroupMember[]>(groupIds.map((id) => [id, []]));
    if (groupIds.length === 0) return result;
    const rows = await this.sql.all<{
      group_id: string;
      member_id: string;
      member_type: string;
      display: string | null;
    }>(
      'SELECT group_id, member_id, member_type, display FROM group_members WHERE site_id = ? AND group_id IN ' +
        `(SELECT ${this.dialect.elementValue('r', undefined)} FROM ${this.dialect.jsonParameterElements('r')}) ` +
        'ORDER BY group_id, member_id',
      [siteId, JSON.stringify(groupIds)],
    );
    for (const row of rows) {
      result
        .get(row.group_id)
        ?.push({ id: row.member_id, type: row.member_type as MemberType, display: row.display });
    }
    return result;
  }

  async countMembers(siteId: string, groupId: string): Promise<number> {
    const row = await this.sql.get<{ total: number }>(
      'SELECT COUNT(*) AS total FROM group_members WHERE site_id = ? AND group_id = ?',
      [siteId, groupId],
    );
    return Number(row?.total ?? 0);
  }

  async groupsOfMembers(
    siteId: string,
    memberIds: readonly string[],
  ): Promise<Map<string, { id: string; displayName: string }[]>> {
    const result = new Map<string, { id: string; displayName: string }[]>();
    if (memberIds.length === 0) return result;
    const rows = await this.sql.all<{ member_id: string; id: string; display_name: string }>(
      `SELECT m.member_id, g.id, g.display_name FROM group_members m ` +
        `JOIN groups g ON g.site_id = m.site_id AND g.id = m.group_id ` +
        `WHERE m.site_id = ? AND m.member_id IN (SELECT ${this.dialect.elementValue('r', undefined)} FROM ${this.dialect.jsonParameterElements('r')}) ` +
        'ORDER BY m.member_id, g.display_name_lower, g.id',
      [siteId, JSON.stringify(memberIds)],
    );
    for (const row of rows) {
      const list = result.get(row.member_id) ?? [];
      list.push({ id: row.id, displayName: row.display_name });
      result.set(row.member_id, list);
    }
    return result;
  }

  async removeFromAllGroups(siteId: string, memberId: string): Promise<string[]> {
    const rows = await this.sql.all<{ group_id: string }>(
      'DELETE FROM group_members WHERE site_id = ? AND member_id = ? RETURNING group_id',
      [siteId, memberId],
    );
    const groupIds = rows.map((row) => row.group_id);
    if (groupIds.length > 0) {
      // Those groups' member lists changed: their versions (ETags) change with them.
      await this.sql.run(
        `UPDATE groups SET version = version + 1, updated_at = ? WHERE site_id = ? AND id IN ` +
          `(SELECT ${this.dialect.elementValue('r', undefined)} FROM ${this.dialect.jsonParameterElements('r')})`,
        [Date.now(), siteId, JSON.stringify(groupIds)],
      );
    }
    return groupIds;
  }

  async recomputePrivileges(
    siteId: string,
    users: { readonly ids: readonly string[] } | { readonly groupId: string },
  ): Promise<number> {
    const granted = (privilege: Privilege): string =>
      `EXISTS (SELECT 1 FROM group_members m JOIN groups g ON g.site_id = m.site_id AND g.id = m.group_id ` +
      `WHERE m.site_id = users.site_id AND m.member_id = users.id AND g.privilege = '${privilege}')`;
    const effective =
      `(CASE WHEN COALESCE(own_privilege, privilege) = 'Promaster' OR ${granted('Promaster')} THEN 'Promaster' ` +
      `WHEN COALESCE(own_privilege, privilege) = 'Business Analyst' OR ${granted('Business Analyst')} THEN 'Business Analyst' ` +
      `ELSE 'User' END)`;
    const selection =
      'ids' in users
        ? `id IN (SELECT ${this.dialect.elementValue('r', undefined)} FROM ${this.dialect.jsonParameterElements('r')})`
        : 'id IN (SELECT member_id FROM group_members WHERE site_id = ? AND group_id = ?)';
    const values = 'ids' in users ? [JSON.stringify(users.ids)] : [siteId, users.groupId];
    const result = await this.sql.run(
      `UPDATE users SET own_privilege = COALESCE(own_privilege, privilege), privilege = ${effective} ` +
        `WHERE site_id = ? AND ${selection} AND privilege <> ${effective}`,
      [siteId, ...values],
    );
    return result.changes;
  }

  async setPrivilege(siteId: string, groupId: string, privilege: Privilege | null): Promise<void> {
    await this.sql.run('UPDATE groups SET privilege = ? WHERE site_id = ? AND id = ?', [
      privilege,
      siteId,
      groupId,
    ]);
  }

  async setOwnPrivilege(siteId: string, userId: string, privilege: Privilege): Promise<void> {
    await this.sql.run('UPDATE users SET own_privilege = ? WHERE site_id = ? AND id = ?', [
      privilege,
      siteId,
      userId,
    ]);
  }

  async countActivePromasters(siteId: string): Promise<number> {
    const row = await this.sql.get<{ total: number }>(
      "SELECT COUNT(*) AS total FROM users WHERE site_id = ? AND privilege = 'Promaster' AND active = ? AND deleted_at IS NULL",
      [siteId, true],
    );
    return Number(row?.total ?? 0);
  }
}
