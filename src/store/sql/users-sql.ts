import type { ListQuery, Page } from '../../model/listing.js';
import type { Privilege, UserEmail, UserRecord } from '../../model/resource.js';
import { PRIVILEGES } from '../../model/resource.js';
import type { UserListOptions, UserSelection, UserWrites } from '../store.js';
import type { SqlExecutor, SqlValue } from './connection.js';
import { resourceCount } from './resource-counts.js';
import { type Dialect, dialects } from './dialect.js';
import { readPage, type ResourceTable } from './list-page.js';
import { toUser, USER_COLUMNS, type UserRow } from './rows.js';
import { compare, isNull, param, sql, type SqlExpression } from './sql-expression.js';

export const USERS: ResourceTable<UserRecord> = {
  table: 'users',
  alias: 'u',
  columns: USER_COLUMNS,
  toRecord: (row: UserRow, dialect) => toUser(row, dialect),
};

/** Emails are inserted this many to a statement, so the statement texts stay few (and cached). */
const EMAILS_PER_STATEMENT = 8;

export class UserSql implements UserWrites {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly dialect: Dialect,
  ) {}

  get(siteId: string, id: string): Promise<UserRecord | undefined> {
    return this.one(TEXTS[this.dialect.name].byId, [siteId, id]);
  }

  byLogon(siteId: string, logon: string): Promise<UserRecord | undefined> {
    return this.one(TEXTS[this.dialect.name].byLogon, [siteId, logon.toLowerCase()]);
  }

  lock(siteId: string, id: string): Promise<UserRecord | undefined> {
    return this.one(TEXTS[this.dialect.name].lockById, [siteId, id]);
  }

  lockByLogon(siteId: string, logon: string): Promise<UserRecord | undefined> {
    return this.one(TEXTS[this.dialect.name].lockByLogon, [siteId, logon.toLowerCase()]);
  }

  page(siteId: string, query: ListQuery, options: UserListOptions = {}): Promise<Page<UserRecord>> {
    const conditions: SqlExpression[] = [];
    if (!options.includeDeleted) conditions.push(isNull(sql('u.deleted_at')));
    if (options.activeOnly) conditions.push(compare(sql('u.active'), '=', param(true)));
    const scimList = !options.includeDeleted && !options.activeOnly;
    return readPage(this.sql, this.dialect, USERS, siteId, query, {
      conditions,
      storedCount: scimList ? () => resourceCount(this.sql, siteId, 'User') : undefined,
    });
  }

  async ownPrivilege(siteId: string, userId: string): Promise<Privilege | undefined> {
    // Rows written before own privileges existed hold it in `privilege` alone.
    const row = await this.sql.get<{ own: string }>(
      'SELECT COALESCE(own_privilege, privilege) AS own FROM users WHERE site_id = ? AND id = ?',
      [siteId, userId],
    );
    return row ? (row.own as Privilege) : undefined;
  }

  async countActivePromasters(siteId: string, exceptUserId?: string): Promise<number> {
    const row = await this.sql.get<{ total: number }>(
      "SELECT COUNT(*) AS total FROM users WHERE site_id = ? AND privilege = 'Promaster' AND active = ? " +
        `AND deleted_at IS NULL${exceptUserId === undefined ? '' : ' AND id <> ?'}`,
      exceptUserId === undefined ? [siteId, true] : [siteId, true, exceptUserId],
    );
    return Number(row?.total ?? 0);
  }

  async insert(user: UserRecord): Promise<void> {
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

  async update(user: UserRecord, previous: UserRecord): Promise<void> {
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

  async setOwnPrivilege(siteId: string, userId: string, privilege: Privilege): Promise<void> {
    await this.sql.run('UPDATE users SET own_privilege = ? WHERE site_id = ? AND id = ?', [
      privilege,
      siteId,
      userId,
    ]);
  }

  async recomputePrivileges(siteId: string, users: UserSelection): Promise<number> {
    const selection =
      'ids' in users
        ? `id IN (SELECT ${this.dialect.elementValue('r', undefined)} FROM ${this.dialect.jsonParameterElements('r')})`
        : 'id IN (SELECT member_id FROM group_members WHERE site_id = ? AND group_id = ?)';
    const values: SqlValue[] = 'ids' in users ? [JSON.stringify(users.ids)] : [siteId, users.groupId];
    const result = await this.sql.run(
      `UPDATE users SET own_privilege = COALESCE(own_privilege, privilege), privilege = ${EFFECTIVE_PRIVILEGE} ` +
        `WHERE site_id = ? AND ${selection} AND privilege <> ${EFFECTIVE_PRIVILEGE}`,
      [siteId, ...values],
    );
    return result.changes;
  }

  private async one(text: string, values: SqlValue[]): Promise<UserRecord | undefined> {
    const row = await this.sql.get<UserRow>(text, values);
    return row && toUser(row, this.dialect);
  }

  /** The emails side table, a few rows to a statement rather than one statement a row. */
  private async insertEmails(user: UserRecord): Promise<void> {
    for (let first = 0; first < user.emails.length; first += EMAILS_PER_STATEMENT) {
      const chunk = user.emails.slice(first, first + EMAILS_PER_STATEMENT);
      const values: SqlValue[] = [];
      chunk.forEach((email: UserEmail, i) => {
        values.push(user.siteId, user.id, first + i, email.value, email.value.toLowerCase());
        values.push(email.type, email.primary, email.display);
      });
      await this.sql.run(
        'INSERT INTO user_emails (site_id, user_id, position, value, value_lower, type, is_primary, display) VALUES ' +
          chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', '),
        values,
      );
    }
  }
}

/**
 * Statement texts built once per dialect: the drivers cache statements by text, and a string built
 * anew for every call is hashed anew on every call.
 */
function texts(dialect: Dialect) {
  const one = (where: string, lock: boolean): string =>
    `SELECT ${USER_COLUMNS} FROM users u WHERE u.site_id = ? AND ${where}${lock ? dialect.forUpdate : ''}`;
  return {
    byId: one('u.id = ?', false),
    byLogon: one('u.logon_lower = ?', false),
    lockById: one('u.id = ?', true),
    lockByLogon: one('u.logon_lower = ?', true),
  } as const;
}

const TEXTS = { sqlite: texts(dialects.sqlite), postgres: texts(dialects.postgres) } as const;

/** A privilege one of the user's groups grants. */
function granted(privilege: Privilege): string {
  return (
    'EXISTS (SELECT 1 FROM group_members m JOIN groups g ON g.site_id = m.site_id AND g.id = m.group_id ' +
    `WHERE m.site_id = users.site_id AND m.member_id = users.id AND g.privilege = '${privilege}')`
  );
}

/** The highest of the user's own privilege and its groups' (PRIVILEGES is in rising order). */
const EFFECTIVE_PRIVILEGE = `(CASE ${[...PRIVILEGES]
  .reverse()
  .slice(0, -1)
  .map(
    (privilege) =>
      `WHEN COALESCE(own_privilege, privilege) = '${privilege}' OR ${granted(privilege)} THEN '${privilege}'`,
  )
  .join(' ')} ELSE '${PRIVILEGES[0]!}' END)`;

function sameEmails(a: readonly UserEmail[], b: readonly UserEmail[]): boolean {
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
