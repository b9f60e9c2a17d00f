import type { ScimObject } from '../../scim/resource.js';
import type {
  FieldChange,
  Privilege,
  ProvisioningEvent,
  SiteRecord,
  SiteSettings,
  Store,
  StoreOperations,
  TokenRecord,
  UserListQuery,
  UserPage,
  UserRecord,
  UserSource,
  GroupListQuery,
  GroupMember,
  GroupPage,
  GroupRecord,
  MemberReference,
  MembershipChange,
  ListPosition,
  WalkMark,
} from '../store.js';
import { buildUserList } from './list-users.js';
import { emailsOf } from '../user-emails.js';
import { adjustResourceCount, resourceCount } from './resource-counts.js';
import { buildGroupList } from './list-groups.js';
import { GROUP_COLUMNS, GroupOperations, type GroupRow, toGroup } from './group-operations.js';
import type { SqlFragment } from './sql-expression.js';
import type { SqlDatabase, SqlExecutor } from './connection.js';
import { type Dialect, dialects } from './dialect.js';

interface SiteRow {
  id: string;
  slug: string;
  name: string;
  settings: string;
  created_at: number;
}

interface TokenRow {
  site_id: string;
  id: string;
  token_hash: string;
  token_hint: string;
  description: string;
  scope: string;
  created_by: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

interface UserRow {
  site_id: string;
  id: string;
  logon: string;
  external_id: string | null;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  time_zone: string | null;
  privilege: string;
  active: unknown;
  source: string;
  resource: string;
  password_hash: string | null;
  password_changed_at: number | null;
  version: number;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

interface EventRow {
  site_id: string;
  id: string;
  at: number;
  request_id: string | null;
  token_id: string | null;
  actor: string;
  operation: string;
  resource_type: string | null;
  resource_id: string | null;
  logon: string | null;
  outcome: string;
  http_status: number;
  changes: string | null;
  detail: string | null;
}

const USER_COLUMNS =
  'u.site_id, u.id, u.logon, u.external_id, u.first_name, u.last_name, u.email, u.time_zone, u.privilege, u.active, ' +
  'u.source, u.resource, u.password_hash, u.password_changed_at, u.version, u.created_at, u.updated_at, u.deleted_at';

/** The SQL implementation of the store's operations, over the database or one transaction. */
class SqlOperations implements StoreOperations {
  private readonly groups: GroupOperations;

  constructor(
    protected readonly sql: SqlExecutor,
    protected readonly dialect: Dialect,
  ) {
    this.groups = new GroupOperations(sql, dialect);
  }

  async insertSite(site: SiteRecord): Promise<void> {
    await this.sql.run(
      'INSERT INTO sites (id, slug, slug_lower, name, settings, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      [site.id, site.slug, site.slug.toLowerCase(), site.name, JSON.stringify(site.settings), site.createdAt],
    );
  }

  async getSiteBySlug(slug: string): Promise<SiteRecord | undefined> {
    const row = await this.sql.get<SiteRow>('SELECT * FROM sites WHERE slug_lower = ?', [slug.toLowerCase()]);
    return row && toSite(row);
  }

  async listSites(): Promise<SiteRecord[]> {
    return (await this.sql.all<SiteRow>('SELECT * FROM sites ORDER BY created_at, id')).map(toSite);
  }

  async updateSiteSettings(siteId: string, settings: SiteSettings): Promise<void> {
    await this.sql.run('UPDATE sites SET settings = ? WHERE id = ?', [JSON.stringify(settings), siteId]);
  }

  async insertToken(token: TokenRecord): Promise<void> {
    await this.sql.run(
      'INSERT INTO access_tokens (site_id, id, token_hash, token_hint, description, scope, created_by, created_at, expires_at, revoked_at, last_used_at) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        token.siteId,
        token.id,
        token.tokenHash,
        token.tokenHint,
        token.description,
        token.scope,
        token.createdBy,
        token.createdAt,
        token.expiresAt,
        token.revokedAt,
        token.lastUsedAt,
      ],
    );
  }

  async findTokenWithSite(tokenHash: string): Promise<{ token: TokenRecord; site: SiteRecord } | undefined> {
    const row = await this.sql.get<
      TokenRow & { site_slug: string; site_name: string; site_settings: string; site_created_at: number }
    >(
      'SELECT t.*, s.slug AS site_slug, s.name AS site_name, s.settings AS site_settings, s.created_at AS site_created_at ' +
        'FROM access_tokens t JOIN sites s ON s.id = t.site_id WHERE t.token_hash = ?',
      [tokenHash],
    );
    if (!row) return undefined;
    return {
      token: toToken(row),
      site: toSite({
        id: row.site_id,
        slug: row.site_slug,
        name: row.site_name,
        settings: row.site_settings,
        created_at: row.site_created_at,
      }),
    };
  }

  async getTokenById(id: string): Promise<TokenRecord | undefined> {
    const row = await this.sql.get<TokenRow>('SELECT * FROM access_tokens WHERE id = ?', [id]);
    return row && toToken(row);
  }

  async listTokens(siteId: string): Promise<TokenRecord[]> {
    const rows = await this.sql.all<TokenRow>(
      'SELECT * FROM access_tokens WHERE site_id = ? ORDER BY created_at, id',
      [siteId],
    );
    return rows.map(toToken);
  }

  async revokeToken(siteId: string, id: string, at: number): Promise<boolean> {
    const result = await this.sql.run(
      'UPDATE access_tokens SET revoked_at = ? WHERE site_id = ? AND id = ? AND revoked_at IS NULL',
      [at, siteId, id],
    );
    return result.changes > 0;
  }

  async touchToken(siteId: string, id: string, at: number): Promise<void> {
    await this.sql.run('UPDATE access_tokens SET last_used_at = ? WHERE site_id = ? AND id = ?', [
      at,
      siteId,
      id,
    ]);
  }

  async getUser(
    siteId: string,
    id: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<UserRecord | undefined> {
    const row = await this.sql.get<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users u WHERE u.site_id = ? AND u.id = ?${options.forUpdate ? this.dialect.forUpdate : ''}`,
      [siteId, id],
    );
    return row && toUser(row, this.dialect);
  }

  async findUserByLogon(
    siteId: string,
    logon: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<UserRecord | undefined> {
    const row = await this.sql.get<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users u WHERE u.site_id = ? AND u.logon_lower = ?${options.forUpdate ? this.dialect.forUpdate : ''}`,
      [siteId, logon.toLowerCase()],
    );
    return row && toUser(row, this.dialect);
  }

  async insertUser(user: UserRecord): Promise<void> {
    await this.sql.run(
      'INSERT INTO users (site_id, id, logon, logon_lower, external_id, first_name, last_name, email, time_zone, privilege, own_privilege, active, source, ' +
        'resource, password_hash, password_changed_at, version, created_at, updated_at, deleted_at) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        user.siteId,
        user.id,
        user.logon,
        user.logon.toLowerCase(),
        user.externalId,
        user.firstName,
        user.lastName,
        user.email,
        user.timeZone,
        user.privilege,
        user.privilege,
        user.active,
        user.source,
        JSON.stringify(user.resource),
        user.passwordHash,
        user.passwordChangedAt,
        user.version,
        user.createdAt,
        user.updatedAt,
        user.deletedAt,
      ],
    );
    await this.insertEmails(user);
  }

  async updateUser(user: UserRecord, previous: UserRecord): Promise<void> {
    await this.sql.run(
      'UPDATE users SET logon = ?, logon_lower = ?, external_id = ?, first_name = ?, last_name = ?, email = ?, time_zone = ?, ' +
        'privilege = ?, active = ?, resource = ?, password_hash = ?, password_changed_at = ?, version = ?, updated_at = ?, deleted_at = ? ' +
        'WHERE site_id = ? AND id = ?',
      [
        user.logon,
        user.logon.toLowerCase(),
        user.externalId,
        user.firstName,
        user.lastName,
        user.email,
        user.timeZone,
        user.privilege,
        user.active,
        JSON.stringify(user.resource),
        user.passwordHash,
        user.passwordChangedAt,
        user.version,
        user.updatedAt,
        user.deletedAt,
        user.siteId,
        user.id,
      ],
    );
    if (!sameEmails(user.emails, previous.emails)) {
      await this.sql.run('DELETE FROM user_emails WHERE site_id = ? AND user_id = ?', [user.siteId, user.id]);
      await this.insertEmails(user);
    }
  }

  async listUsers(siteId: string, query: UserListQuery): Promise<UserPage> {
    const list = buildUserList(siteId, query, this.dialect);
    if (query.count <= 0) {
      return {
        totalResults: await this.countUsers(siteId, query, list.where),
        users: [],
        positions: [],
        more: false,
      };
    }
    // One row more than asked tells whether the walk goes on.
    const limit = this.dialect.limitOffset(query.count + 1, list.offset);
    const rows = await this.sql.all<UserRow & { sort_key: unknown }>(
      `SELECT ${USER_COLUMNS}, ${list.sortKey} AS sort_key FROM users u WHERE ${list.pageWhere.text} ` +
        `ORDER BY ${list.orderBy} ${limit.text}`,
      [...list.pageWhere.values, ...limit.values],
    );
    const more = rows.length > query.count;
    const page = more ? rows.slice(0, query.count) : rows;
    if (list.reversed) page.reverse();
    return {
      // A first page with nothing after it is the whole list: a lookup needs no count of its own.
      totalResults: coversAll(query.start, more)
        ? page.length
        : await this.countUsers(siteId, query, list.where),
      users: page.map((row) => toUser(row, this.dialect)),
      positions: page.map((row) => ({ key: sortKeyOf(row.sort_key, query.sort?.kind), id: row.id })),
      more,
    };
  }

  /** Unfiltered SCIM lists read the count kept up to date by every write; anything else counts. */
  private async countUsers(siteId: string, query: UserListQuery, where: SqlFragment): Promise<number> {
    if (!query.filter && !query.activeOnly && !query.includeDeleted)
      return resourceCount(this.sql, siteId, 'User');
    const row = await this.sql.get<{ total: number }>(
      `SELECT COUNT(*) AS total FROM users u WHERE ${where.text}`,
      [...where.values],
    );
    return Number(row?.total ?? 0);
  }

  adjustUserCount(siteId: string, delta: number): Promise<void> {
    return adjustResourceCount(this.sql, siteId, 'User', delta);
  }

  async findWalkMark(
    siteId: string,
    tokenId: string,
    signature: string,
    nextIndex: number,
  ): Promise<WalkMark | undefined> {
    const row = await this.sql.get<{ sort_key: string | null; last_id: string; created_at: number }>(
      'SELECT sort_key, last_id, created_at FROM walk_marks WHERE site_id = ? AND token_id = ? AND signature = ? AND next_index = ?',
      [siteId, tokenId, signature, nextIndex],
    );
    if (!row) return undefined;
    return {
      siteId,
      tokenId,
      signature,
      nextIndex,
      position: {
        key: row.sort_key === null ? null : (JSON.parse(row.sort_key) as ListPosition['key']),
        id: row.last_id,
      },
      createdAt: Number(row.created_at),
    };
  }

  async saveWalkMark(mark: WalkMark, staleBefore?: number): Promise<void> {
    if (staleBefore !== undefined) {
      await this.sql.run('DELETE FROM walk_marks WHERE site_id = ? AND token_id = ? AND created_at < ?', [
        mark.siteId,
        mark.tokenId,
        staleBefore,
      ]);
    }
    await this.sql.run(
      'INSERT INTO walk_marks (site_id, token_id, signature, next_index, sort_key, last_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT (site_id, token_id, signature, next_index) DO UPDATE SET sort_key = excluded.sort_key, ' +
        'last_id = excluded.last_id, created_at = excluded.created_at',
      [
        mark.siteId,
        mark.tokenId,
        mark.signature,
        mark.nextIndex,
        mark.position.key === null ? null : JSON.stringify(mark.position.key),
        mark.position.id,
        mark.createdAt,
      ],
    );
  }

  async secret(name: string, create: () => string): Promise<string> {
    const existing = await this.sql.get<{ value: string }>(
      'SELECT value FROM server_secrets WHERE name = ?',
      [name],
    );
    if (existing) return existing.value;
    await this.sql.run(
      'INSERT INTO server_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
      [name, create()],
    );
    const created = await this.sql.get<{ value: string }>('SELECT value FROM server_secrets WHERE name = ?', [
      name,
    ]);
    return created!.value;
  }

  async countActivePromasters(siteId: string, exceptUserId: string): Promise<number> {
    const row = await this.sql.get<{ total: number }>(
      "SELECT COUNT(*) AS total FROM users WHERE site_id = ? AND privilege = 'Promaster' AND active = ? AND deleted_at IS NULL AND id <> ?",
      [siteId, true, exceptUserId],
    );
    return Number(row?.total ?? 0);
  }

  insertGroup(group: GroupRecord): Promise<void> {
    return this.groups.insert(group);
  }
  updateGroup(group: GroupRecord): Promise<void> {
    return this.groups.update(group);
  }
  deleteGroup(siteId: string, id: string): Promise<void> {
    return this.groups.delete(siteId, id);
  }
  getGroup(
    siteId: string,
    id: string,
    options: { forUpdate?: boolean } = {},
  ): Promise<GroupRecord | undefined> {
    return this.groups.get(siteId, id, options.forUpdate === true);
  }
  findGroupByName(siteId: string, displayName: string): Promise<GroupRecord | undefined> {
    return this.groups.findByName(siteId, displayName);
  }
  async listGroups(siteId: string, query: GroupListQuery): Promise<GroupPage> {
    const list = buildGroupList(siteId, query, this.dialect);
    const count = async (): Promise<number> => {
      if (!query.filter) return this.groups.countVisible(siteId);
      const row = await this.sql.get<{ total: number }>(
        `SELECT COUNT(*) AS total FROM groups g WHERE ${list.where.text}`,
        [...list.where.values],
      );
      return Number(row?.total ?? 0);
    };
    if (query.count <= 0) return { totalResults: await count(), groups: [], positions: [], more: false };
    const limit = this.dialect.limitOffset(query.count + 1, list.offset);
    const rows = await this.sql.all<GroupRow & { sort_key: unknown }>(
      `SELECT ${GROUP_COLUMNS}, ${list.sortKey} AS sort_key FROM groups g WHERE ${list.pageWhere.text} ORDER BY ${list.orderBy} ${limit.text}`,
      [...list.pageWhere.values, ...limit.values],
    );
    const more = rows.length > query.count;
    const page = more ? rows.slice(0, query.count) : rows;
    if (list.reversed) page.reverse();
    const totalResults = coversAll(query.start, more) ? page.length : await count();
    return {
      totalResults,
      groups: page.map(toGroup),
      positions: page.map((row) => ({ key: sortKeyOf(row.sort_key, query.sort?.kind), id: row.id })),
      more,
    };
  }
  adjustGroupCount(siteId: string, delta: number): Promise<void> {
    return this.groups.adjustCount(siteId, delta);
  }
  addMembers(
    siteId: string,
    groupId: string,
    members: readonly MemberReference[],
  ): Promise<MembershipChange> {
    return this.groups.addMembers(siteId, groupId, members);
  }
  removeMembers(siteId: string, groupId: string, memberIds: readonly string[]): Promise<string[]> {
    return this.groups.removeMembers(siteId, groupId, memberIds);
  }
  removeAllMembers(siteId: string, groupId: string): Promise<string[]> {
    return this.groups.removeAllMembers(siteId, groupId);
  }
  listMembers(siteId: string, groupId: string): Promise<GroupMember[]> {
    return this.groups.listMembers(siteId, groupId);
  }
  membersOfGroups(siteId: string, groupIds: readonly string[]): Promise<Map<string, GroupMember[]>> {
    return this.groups.membersOfGroups(siteId, groupIds);
  }
  countMembers(siteId: string, groupId: string): Promise<number> {
    return this.groups.countMembers(siteId, groupId);
  }
  groupsOfMembers(
    siteId: string,
    memberIds: readonly string[],
  ): Promise<Map<string, { id: string; displayName: string }[]>> {
    return this.groups.groupsOfMembers(siteId, memberIds);
  }
  removeFromAllGroups(siteId: string, memberId: string): Promise<string[]> {
    return this.groups.removeFromAllGroups(siteId, memberId);
  }
  recomputePrivileges(
    siteId: string,
    users: { readonly ids: readonly string[] } | { readonly groupId: string },
  ): Promise<number> {
    return this.groups.recomputePrivileges(siteId, users);
  }
  setGroupPrivilege(siteId: string, groupId: string, privilege: Privilege | null): Promise<void> {
    return this.groups.setPrivilege(siteId, groupId, privilege);
  }
  setOwnPrivilege(siteId: string, userId: string, privilege: Privilege): Promise<void> {
    return this.groups.setOwnPrivilege(siteId, userId, privilege);
  }
  countActivePromastersInSite(siteId: string): Promise<number> {
    return this.groups.countActivePromasters(siteId);
  }

  async appendEvent(event: ProvisioningEvent): Promise<void> {
    await this.sql.run(
      'INSERT INTO provisioning_events (site_id, id, at, request_id, token_id, actor, operation, resource_type, resource_id, logon, ' +
        'outcome, http_status, changes, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        event.siteId,
        event.id,
        event.at,
        event.requestId,
        event.tokenId,
        event.actor,
        event.operation,
        event.resourceType,
        event.resourceId,
        event.logon,
        event.outcome,
        event.httpStatus,
        event.changes ? JSON.stringify(event.changes) : null,
        event.detail,
      ],
    );
  }

  async listEvents(
    siteId: string,
    options: { limit: number; before?: string },
  ): Promise<ProvisioningEvent[]> {
    const rows = options.before
      ? await this.sql.all<EventRow>(
          'SELECT * FROM provisioning_events WHERE site_id = ? AND id < ? ORDER BY id DESC LIMIT ?',
          [siteId, options.before, options.limit],
        )
      : await this.sql.all<EventRow>(
          'SELECT * FROM provisioning_events WHERE site_id = ? ORDER BY id DESC LIMIT ?',
          [siteId, options.limit],
        );
    return rows.map(toEvent);
  }

  private async insertEmails(user: UserRecord): Promise<void> {
    let position = 0;
    for (const email of user.emails) {
      await this.sql.run(
        'INSERT INTO user_emails (site_id, user_id, position, value, value_lower, type, is_primary, display) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [
          user.siteId,
          user.id,
          position++,
          email.value,
          email.value.toLowerCase(),
          email.type,
          email.primary,
          email.display,
        ],
      );
    }
  }
}

/** The store over a whole database; `transaction` hands out the same operations bound to one transaction. */
export class SqlStore extends SqlOperations implements Store {
  constructor(private readonly database: SqlDatabase) {
    super(database, dialects[database.dialect]);
  }

  transaction<T>(work: (tx: StoreOperations) => Promise<T>): Promise<T> {
    return this.database.transaction((tx) => work(new SqlOperations(tx, this.dialect)));
  }

  /**
   * A walk mark is a hint (a lost one only means the next page is found by OFFSET), so its commit
   * need not wait for the disk: on PostgreSQL that wait was a third of an index walk's page time.
   */
  override saveWalkMark(mark: WalkMark, staleBefore?: number): Promise<void> {
    const relaxed = this.dialect.relaxedCommit;
    if (relaxed === undefined) return super.saveWalkMark(mark, staleBefore);
    return this.database.transaction(async (tx) => {
      await tx.run(relaxed);
      await new SqlOperations(tx, this.dialect).saveWalkMark(mark, staleBefore);
    });
  }

  close(): Promise<void> {
    return this.database.close();
  }
}

function toSite(row: SiteRow): SiteRecord {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    settings: JSON.parse(row.settings) as SiteSettings,
    createdAt: Number(row.created_at),
  };
}

function toToken(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    siteId: row.site_id,
    tokenHash: row.token_hash,
    tokenHint: row.token_hint,
    description: row.description,
    scope: row.scope,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  };
}

/**
 * The emails side table is derived from the resource (it exists for indexed lookups), so a user's
 * emails are read back from the resource rather than joined.
 */
function toUser(row: UserRow, dialect: Dialect): UserRecord {
  const resource = JSON.parse(row.resource) as ScimObject;
  return {
    siteId: row.site_id,
    id: row.id,
    logon: row.logon,
    externalId: row.external_id,
    firstName: row.first_name,
    lastName: row.last_name,
    email: row.email,
    timeZone: row.time_zone,
    privilege: row.privilege as Privilege,
    active: dialect.toBoolean(row.active),
    source: row.source as UserSource,
    resource,
    emails: emailsOf(resource),
    passwordHash: row.password_hash,
    passwordChangedAt: row.password_changed_at === null ? null : Number(row.password_changed_at),
    version: Number(row.version),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
  };
}

function sameEmails(a: UserRecord['emails'], b: UserRecord['emails']): boolean {
  return (
    a.length === b.length &&
    a.every(
      (email, i) =>
        email.value === b[i]!.value &&
        email.type === b[i]!.type &&
        email.primary === b[i]!.primary &&
        email.display === b[i]!.display,
    )
  );
}

/** Whether a page read from the first row with nothing after it holds the whole list. */
function coversAll(start: UserListQuery['start'], more: boolean): boolean {
  return 'index' in start && start.index <= 1 && !more;
}

/** A row's sort key back in the type it is compared as (SQLite returns booleans as 0/1). */
function sortKeyOf(value: unknown, kind: string | undefined): ListPosition['key'] {
  if (value === null || value === undefined) return null;
  if (kind === 'boolean') return value === true || value === 1 || value === '1' || value === 'true';
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  return JSON.stringify(value);
}

function toEvent(row: EventRow): ProvisioningEvent {
  return {
    siteId: row.site_id,
    id: row.id,
    at: Number(row.at),
    requestId: row.request_id,
    tokenId: row.token_id,
    actor: row.actor as ProvisioningEvent['actor'],
    operation: row.operation,
    resourceType: row.resource_type,
    resourceId: row.resource_id,
    logon: row.logon,
    outcome: row.outcome as ProvisioningEvent['outcome'],
    httpStatus: Number(row.http_status),
    changes: row.changes ? (JSON.parse(row.changes) as FieldChange[]) : null,
    detail: row.detail,
  };
}
