import type { ListQuery, Page } from '../../model/listing.js';
import type { GroupRecord, Privilege } from '../../model/resource.js';
import type { GrantingGroup, GroupWrites } from '../store.js';
import type { SqlExecutor } from './connection.js';
import { type Dialect, dialects } from './dialect.js';
import { readPage, type ResourceTable } from './list-page.js';
import { resourceCount } from './resource-counts.js';
import { GROUP_COLUMNS, type GroupRow, toGroup } from './rows.js';

export const GROUPS: ResourceTable<GroupRecord> = {
  table: 'groups',
  alias: 'g',
  columns: GROUP_COLUMNS,
  toRecord: (row: GroupRow) => toGroup(row),
};

export class GroupSql implements GroupWrites {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly dialect: Dialect,
  ) {}

  get(siteId: string, id: string): Promise<GroupRecord | undefined> {
    return this.one(siteId, id, false);
  }

  lock(siteId: string, id: string): Promise<GroupRecord | undefined> {
    return this.one(siteId, id, true);
  }

  async lockAll(siteId: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0 || this.dialect.forUpdate === '') return;
    await this.sql.all(TEXTS[this.dialect.name].lockAll, [siteId, JSON.stringify(ids)]);
  }

  async byName(siteId: string, displayName: string): Promise<GroupRecord | undefined> {
    const row = await this.sql.get<GroupRow>(BY_NAME, [siteId, displayName.toLowerCase()]);
    return row && toGroup(row);
  }

  page(siteId: string, query: ListQuery): Promise<Page<GroupRecord>> {
    return readPage(this.sql, this.dialect, GROUPS, siteId, query, {
      conditions: [],
      storedCount: () => resourceCount(this.sql, siteId, 'Group'),
    });
  }

  async granting(siteId: string): Promise<GrantingGroup[]> {
    const rows = await this.sql.all<GroupRow & { members: number }>(
      `SELECT ${GROUP_COLUMNS}, (SELECT COUNT(*) FROM group_members m WHERE m.site_id = g.site_id AND m.group_id = g.id) AS members ` +
        'FROM groups g WHERE g.site_id = ? AND g.privilege IS NOT NULL ORDER BY g.display_name_lower, g.id',
      [siteId],
    );
    return rows.map((row) => ({ group: toGroup(row), members: Number(row.members) }));
  }

  async grantingTo(siteId: string, userId: string): Promise<GroupRecord[]> {
    const rows = await this.sql.all<GroupRow>(GRANTING_TO, [siteId, userId]);
    return rows.map(toGroup);
  }

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

  /** The row and its own member list; memberships naming it elsewhere are the directory's to remove. */
  async delete(siteId: string, id: string): Promise<void> {
    await this.sql.run('DELETE FROM group_members WHERE site_id = ? AND group_id = ?', [siteId, id]);
    await this.sql.run('DELETE FROM groups WHERE site_id = ? AND id = ?', [siteId, id]);
  }

  async setPrivilege(siteId: string, groupId: string, privilege: Privilege | null): Promise<void> {
    await this.sql.run('UPDATE groups SET privilege = ? WHERE site_id = ? AND id = ?', [
      privilege,
      siteId,
      groupId,
    ]);
  }

  async touchAll(siteId: string, ids: readonly string[], at: number): Promise<void> {
    if (ids.length === 0) return;
    await this.sql.run(TEXTS[this.dialect.name].touchAll, [at, siteId, JSON.stringify(ids)]);
  }

  private async one(siteId: string, id: string, forUpdate: boolean): Promise<GroupRecord | undefined> {
    const texts = TEXTS[this.dialect.name];
    const row = await this.sql.get<GroupRow>(forUpdate ? texts.lock : texts.get, [siteId, id]);
    return row && toGroup(row);
  }
}

/** Through the member index `(site_id, member_id, group_id)`: a user's groups, then each by its key. */
const GRANTING_TO =
  `SELECT ${GROUP_COLUMNS} FROM group_members m JOIN groups g ON g.site_id = m.site_id AND g.id = m.group_id ` +
  'WHERE m.site_id = ? AND m.member_id = ? AND g.privilege IS NOT NULL ORDER BY g.display_name_lower, g.id';

const BY_NAME = `SELECT ${GROUP_COLUMNS} FROM groups g WHERE g.site_id = ? AND g.display_name_lower = ?`;

/**
 * Statement texts built once per dialect: the drivers cache statements by text, and a string built
 * anew for every call is hashed anew on every call.
 */
function texts(dialect: Dialect) {
  const elements = `SELECT ${dialect.elementValue('r', undefined)} FROM ${dialect.jsonParameterElements('r')}`;
  const one = `SELECT ${GROUP_COLUMNS} FROM groups g WHERE g.site_id = ? AND g.id = ?`;
  return {
    get: one,
    lock: `${one}${dialect.forUpdate}`,
    lockAll: `SELECT g.id FROM groups g WHERE g.site_id = ? AND g.id IN (${elements}) ORDER BY g.id${dialect.forUpdate}`,
    touchAll: `UPDATE groups SET version = version + 1, updated_at = ? WHERE site_id = ? AND id IN (${elements})`,
  } as const;
}

const TEXTS = { sqlite: texts(dialects.sqlite), postgres: texts(dialects.postgres) } as const;
