import type { GroupMember, MemberReference, MemberType, Membership } from '../../model/resource.js';
import type { MembershipChange, MembershipWrites } from '../store.js';
import type { SqlExecutor } from './connection.js';
import { type Dialect, dialects } from './dialect.js';

interface MemberRow {
  group_id: string;
  member_id: string;
  member_type: string;
  display: string | null;
}

/**
 * Memberships. Changes are set-based: the member ids travel as one JSON array parameter, expanded
 * by the database (`json_each` / `json_array_elements`), so adding or removing 10,000 members is one
 * statement, and its cost follows the members named, not the group's size.
 */
export class MembershipSql implements MembershipWrites {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly dialect: Dialect,
  ) {}

  async add(siteId: string, groupId: string, members: readonly MemberReference[]): Promise<MembershipChange> {
    if (members.length === 0) return { added: [], skipped: [] };
    const ids = JSON.stringify([...new Set(members.map((member) => member.id))]);
    const texts = TEXTS[this.dialect.name];
    const addedUsers = await this.sql.all<{ member_id: string; display: string | null }>(texts.addUsers, [
      ids,
      siteId,
      siteId,
      groupId,
    ]);
    const addedGroups = await this.sql.all<{ member_id: string; display: string | null }>(texts.addGroups, [
      ids,
      siteId,
      groupId,
      siteId,
      groupId,
    ]);
    const skipped = await this.sql.all<{ id: string }>(texts.skipped, [ids, siteId, siteId, groupId]);
    return {
      added: [
        ...addedUsers.map((row) => ({ id: row.member_id, type: 'User' as const, display: row.display })),
        ...addedGroups.map((row) => ({ id: row.member_id, type: 'Group' as const, display: row.display })),
      ],
      skipped: skipped.map((row) => row.id),
    };
  }

  async remove(siteId: string, groupId: string, memberIds: readonly string[]): Promise<string[]> {
    if (memberIds.length === 0) return [];
    const rows = await this.sql.all<{ member_id: string }>(TEXTS[this.dialect.name].remove, [
      siteId,
      groupId,
      JSON.stringify(memberIds),
    ]);
    return rows.map((row) => row.member_id);
  }

  async removeAllBut(siteId: string, groupId: string, keep: readonly string[]): Promise<string[]> {
    const rows =
      keep.length === 0
        ? await this.sql.all<{ member_id: string }>(
            'DELETE FROM group_members WHERE site_id = ? AND group_id = ? RETURNING member_id',
            [siteId, groupId],
          )
        : await this.sql.all<{ member_id: string }>(TEXTS[this.dialect.name].removeAllBut, [
            siteId,
            groupId,
            JSON.stringify(keep),
          ]);
    return rows.map((row) => row.member_id);
  }

  async removeEverywhere(siteId: string, memberId: string): Promise<string[]> {
    const rows = await this.sql.all<{ group_id: string }>(
      'DELETE FROM group_members WHERE site_id = ? AND member_id = ? RETURNING group_id',
      [siteId, memberId],
    );
    return rows.map((row) => row.group_id);
  }

  async ofGroup(siteId: string, groupId: string): Promise<GroupMember[]> {
    const rows = await this.sql.all<MemberRow>(
      'SELECT group_id, member_id, member_type, display FROM group_members WHERE site_id = ? AND group_id = ? ORDER BY member_id',
      [siteId, groupId],
    );
    return rows.map(toMember);
  }

  async ofGroups(siteId: string, groupIds: readonly string[]): Promise<Map<string, GroupMember[]>> {
    const result = new Map<string, GroupMember[]>(groupIds.map((id) => [id, []]));
    if (groupIds.length === 0) return result;
    const rows = await this.sql.all<MemberRow>(TEXTS[this.dialect.name].ofGroups, [
      siteId,
      JSON.stringify(groupIds),
    ]);
    for (const row of rows) result.get(row.group_id)?.push(toMember(row));
    return result;
  }

  async counts(siteId: string, groupIds: readonly string[]): Promise<Map<string, number>> {
    const result = new Map<string, number>(groupIds.map((id) => [id, 0]));
    if (groupIds.length === 0) return result;
    const rows = await this.sql.all<{ group_id: string; members: number }>(TEXTS[this.dialect.name].counts, [
      siteId,
      JSON.stringify(groupIds),
    ]);
    for (const row of rows) result.set(row.group_id, Number(row.members));
    return result;
  }

  async groupsOf(siteId: string, memberIds: readonly string[]): Promise<Map<string, Membership[]>> {
    const result = new Map<string, Membership[]>();
    if (memberIds.length === 0) return result;
    // One member (a user's own response) is an equality on the member index, without the JSON list.
    const texts = TEXTS[this.dialect.name];
    const rows = await this.sql.all<{ member_id: string; id: string; display_name: string }>(
      memberIds.length === 1 ? texts.groupsOfOne : texts.groupsOf,
      [siteId, memberIds.length === 1 ? memberIds[0]! : JSON.stringify(memberIds)],
    );
    for (const row of rows) {
      const list = result.get(row.member_id) ?? [];
      list.push({ id: row.id, displayName: row.display_name });
      result.set(row.member_id, list);
    }
    return result;
  }
}

function toMember(row: MemberRow): GroupMember {
  return { id: row.member_id, type: row.member_type as MemberType, display: row.display };
}

/**
 * Statement texts built once per dialect: the drivers cache statements by text, and a string built
 * anew for every call is hashed anew on every call.
 */
function texts(dialect: Dialect) {
  const element = dialect.elementValue('r', undefined);
  const elements = `SELECT ${element} FROM ${dialect.jsonParameterElements('r')}`;
  // The named ids drive the join, each probing the primary key: as `u.id IN (…)`, a PostgreSQL
  // without statistics yet (a site just imported) compared every id with every user of the site
  // (3 s for 4,000), and a plain JOIN made SQLite scan the site's users per id. The rows are
  // share-locked in id order, after the group (locked by the caller): a concurrent SCIM DELETE of
  // a user holds its row and waits for no group first, so either it committed (and the user is
  // skipped, its row re-read) or it waits for this commit and then removes the membership this
  // added. `WHERE true` keeps SQLite from reading ON CONFLICT as a join.
  const named = `(SELECT DISTINCT ${element} AS id FROM ${dialect.jsonParameterElements('r')}) n`;
  const insert = (type: 'User' | 'Group', display: string): string =>
    `INSERT INTO group_members (site_id, group_id, member_id, member_type, display) SELECT ?, ?, id, '${type}', ${display} ` +
    'FROM named WHERE true ON CONFLICT (site_id, group_id, member_id) DO NOTHING RETURNING member_id, display';
  return {
    addUsers:
      `WITH named AS (SELECT u.id, u.logon FROM ${named} CROSS JOIN users u ` +
      `WHERE u.site_id = ? AND u.id = n.id AND u.deleted_at IS NULL ORDER BY u.id${dialect.forShareOf('u')}) ` +
      insert('User', 'logon'),
    addGroups:
      `WITH named AS (SELECT g.id, g.display_name FROM ${named} CROSS JOIN groups g ` +
      `WHERE g.site_id = ? AND g.id = n.id AND g.id <> ? ORDER BY g.id${dialect.forShareOf('g')}) ` +
      insert('Group', 'display_name'),
    skipped:
      `SELECT DISTINCT ${element} AS id FROM ${dialect.jsonParameterElements('r')} WHERE ` +
      `NOT EXISTS (SELECT 1 FROM users u WHERE u.site_id = ? AND u.id = ${element} AND u.deleted_at IS NULL) AND ` +
      `NOT EXISTS (SELECT 1 FROM groups g WHERE g.site_id = ? AND g.id = ${element} AND g.id <> ?)`,
    remove: `DELETE FROM group_members WHERE site_id = ? AND group_id = ? AND member_id IN (${elements}) RETURNING member_id`,
    removeAllBut: `DELETE FROM group_members WHERE site_id = ? AND group_id = ? AND member_id NOT IN (${elements}) RETURNING member_id`,
    ofGroups:
      `SELECT group_id, member_id, member_type, display FROM group_members WHERE site_id = ? AND group_id IN (${elements}) ` +
      'ORDER BY group_id, member_id',
    counts: `SELECT group_id, COUNT(*) AS members FROM group_members WHERE site_id = ? AND group_id IN (${elements}) GROUP BY group_id`,
    groupsOf:
      'SELECT m.member_id, g.id, g.display_name FROM group_members m JOIN groups g ON g.site_id = m.site_id AND g.id = m.group_id ' +
      `WHERE m.site_id = ? AND m.member_id IN (${elements}) ORDER BY m.member_id, g.display_name_lower, g.id`,
    groupsOfOne:
      'SELECT m.member_id, g.id, g.display_name FROM group_members m JOIN groups g ON g.site_id = m.site_id AND g.id = m.group_id ' +
      'WHERE m.site_id = ? AND m.member_id = ? ORDER BY g.display_name_lower, g.id',
  } as const;
}

const TEXTS = { sqlite: texts(dialects.sqlite), postgres: texts(dialects.postgres) } as const;
