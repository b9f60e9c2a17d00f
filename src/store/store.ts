import type { BoundFilter } from '../scim/filter/bind.js';
import type { BoundSort } from '../scim/filter/bind-sort.js';
import type { ScimObject } from '../scim/resource.js';

/**
 * The store: what the directory services need from persistence, and nothing about SQL.
 * Every call but token resolution takes the site id: no query spans sites.
 */

export type Privilege = 'User' | 'Business Analyst' | 'Promaster';
export const PRIVILEGES: readonly Privilege[] = ['User', 'Business Analyst', 'Promaster'];

export type UserSource = 'console' | 'import' | 'scim' | 'cli';

export interface PasswordPolicy {
  readonly minLength: number;
  readonly requireUppercase: boolean;
  readonly requireLowercase: boolean;
  readonly requireDigit: boolean;
  readonly requireSymbol: boolean;
  /** The password may not contain the user's Logon (case-insensitively). */
  readonly disallowLogon: boolean;
}

export interface SiteSettings {
  /** When off, a password an identity provider sends is ignored (Okta sends one on every create). */
  readonly passwordSync: boolean;
  readonly passwordPolicy: PasswordPolicy;
  /** Answer a successful PATCH with 204 and no body instead of 200 and the resource. */
  readonly patchNoContent?: boolean;
}

export interface SiteRecord {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly settings: SiteSettings;
  readonly createdAt: number;
}

export interface TokenRecord {
  readonly id: string;
  readonly siteId: string;
  readonly tokenHash: string;
  /** The first characters of the secret, enough to recognise a token in a list. */
  readonly tokenHint: string;
  readonly description: string;
  readonly scope: string;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
  readonly lastUsedAt: number | null;
}

export interface UserEmail {
  readonly value: string;
  readonly type: string | null;
  readonly primary: boolean;
  readonly display: string | null;
}

export interface UserRecord {
  readonly siteId: string;
  readonly id: string;
  readonly logon: string;
  readonly externalId: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly email: string | null;
  readonly timeZone: string | null;
  readonly privilege: Privilege;
  readonly active: boolean;
  readonly source: UserSource;
  /** The SCIM attributes as stored (no id, meta, active or password). */
  readonly resource: ScimObject;
  /** Every email of the resource, kept in a side table for indexed lookups. */
  readonly emails: readonly UserEmail[];
  readonly passwordHash: string | null;
  readonly passwordChangedAt: number | null;
  readonly version: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Set by a SCIM DELETE: hidden from SCIM, kept (disabled) by the directory. */
  readonly deletedAt: number | null;
}

export interface ProvisioningEvent {
  readonly siteId: string;
  readonly id: string;
  readonly at: number;
  readonly requestId: string | null;
  readonly tokenId: string | null;
  readonly actor: 'scim' | 'cli' | 'console';
  readonly operation: string;
  readonly resourceType: string | null;
  readonly resourceId: string | null;
  readonly logon: string | null;
  readonly outcome: 'success' | 'failure';
  readonly httpStatus: number;
  readonly changes: readonly FieldChange[] | null;
  readonly detail: string | null;
}

export interface FieldChange {
  readonly field: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Where a list page starts or ends: the sort key of a row and its id (the tie-break). */
export interface ListPosition {
  readonly key: string | number | boolean | null;
  readonly id: string;
}

export interface UserListQuery {
  readonly filter?: BoundFilter;
  /** Absent: creation order (ids are time-ordered). */
  readonly sort?: BoundSort;
  /**
   * Where the page starts: after or before a known position (keyset, cost independent of depth),
   * or at a 1-based index (skipping rows). `before` reads backwards and returns rows in order.
   */
  readonly start:
    { readonly after: ListPosition } | { readonly before: ListPosition } | { readonly index: number };
  readonly count: number;
  /** Include users a SCIM DELETE removed (the directory's own views show them). */
  readonly includeDeleted?: boolean;
  /** Only active users (the CLI lists active users unless asked for all). */
  readonly activeOnly?: boolean;
}

export interface UserPage {
  readonly totalResults: number;
  readonly users: UserRecord[];
  /** The position of each user in the list's order, for continuing from it. */
  readonly positions: ListPosition[];
  /** Whether more rows follow in the direction read (after the last, or before the first for `before`). */
  readonly more: boolean;
}

/** A remembered continuation of an index walk: page `nextIndex` starts after `position`. */
export interface WalkMark {
  readonly siteId: string;
  readonly tokenId: string;
  readonly signature: string;
  readonly nextIndex: number;
  readonly position: ListPosition;
  readonly createdAt: number;
}

export interface GroupRecord {
  readonly siteId: string;
  readonly id: string;
  readonly displayName: string;
  readonly externalId: string | null;
  /** The SCIM attributes as stored, without `members` (they live in their own table). */
  readonly resource: ScimObject;
  /** The privilege membership grants, if an administrator mapped one. */
  readonly privilege: Privilege | null;
  readonly version: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type MemberType = 'User' | 'Group';

export interface GroupMember {
  readonly id: string;
  readonly type: MemberType;
  readonly display: string | null;
}

/** A member to add: the id a client sent, and the display it gave (if any). */
export interface MemberReference {
  readonly id: string;
  readonly display?: string | null;
}

export interface MembershipChange {
  /** Members that were not members before. */
  readonly added: GroupMember[];
  /** Ids that name nothing in the site: skipped, the rest applied. */
  readonly skipped: string[];
}

export interface GroupListQuery {
  readonly filter?: BoundFilter;
  readonly sort?: BoundSort;
  readonly start: UserListQuery['start'];
  readonly count: number;
}

export interface GroupPage {
  readonly totalResults: number;
  readonly groups: GroupRecord[];
  readonly positions: ListPosition[];
  readonly more: boolean;
}

/** Reads and writes, callable on the store or inside one of its transactions. */
export interface StoreOperations {
  insertSite(site: SiteRecord): Promise<void>;
  getSiteBySlug(slug: string): Promise<SiteRecord | undefined>;
  listSites(): Promise<SiteRecord[]>;
  updateSiteSettings(siteId: string, settings: SiteSettings): Promise<void>;

  insertToken(token: TokenRecord): Promise<void>;
  /** The token and its site in one query: the only lookup that spans sites, run on every SCIM request. */
  findTokenWithSite(tokenHash: string): Promise<{ token: TokenRecord; site: SiteRecord } | undefined>;
  getTokenById(id: string): Promise<TokenRecord | undefined>;
  listTokens(siteId: string): Promise<TokenRecord[]>;
  revokeToken(siteId: string, id: string, at: number): Promise<boolean>;
  touchToken(siteId: string, id: string, at: number): Promise<void>;

  getUser(siteId: string, id: string, options?: { forUpdate?: boolean }): Promise<UserRecord | undefined>;
  findUserByLogon(
    siteId: string,
    logon: string,
    options?: { forUpdate?: boolean },
  ): Promise<UserRecord | undefined>;
  /** Inserts a user; throws a `unique-violation` naming its index when the Logon is taken. */
  insertUser(user: UserRecord): Promise<void>;
  /** Replaces a user's row; throws a `unique-violation` naming its index when the new Logon is taken. */
  updateUser(user: UserRecord, previous: UserRecord): Promise<void>;
  listUsers(siteId: string, query: UserListQuery): Promise<UserPage>;
  /** Adds `delta` to the site's count of users visible to SCIM (kept in each write's transaction). */
  adjustUserCount(siteId: string, delta: number): Promise<void>;
  findWalkMark(
    siteId: string,
    tokenId: string,
    signature: string,
    nextIndex: number,
  ): Promise<WalkMark | undefined>;
  /** Records a mark; marks of the same client older than `staleBefore` are dropped on the way. */
  saveWalkMark(mark: WalkMark, staleBefore?: number): Promise<void>;
  /** A deployment-wide secret, created on first use; every node reads the same one. */
  secret(name: string, create: () => string): Promise<string>;
  /** Active, not deleted Promasters of the site other than `exceptUserId`. */
  countActivePromasters(siteId: string, exceptUserId: string): Promise<number>;

  insertGroup(group: GroupRecord): Promise<void>;
  /** Replaces a group's row (not its members); throws a `unique-violation` naming its index when the name is taken. */
  updateGroup(group: GroupRecord): Promise<void>;
  deleteGroup(siteId: string, id: string): Promise<void>;
  getGroup(siteId: string, id: string, options?: { forUpdate?: boolean }): Promise<GroupRecord | undefined>;
  findGroupByName(siteId: string, displayName: string): Promise<GroupRecord | undefined>;
  listGroups(siteId: string, query: GroupListQuery): Promise<GroupPage>;
  adjustGroupCount(siteId: string, delta: number): Promise<void>;
  /** Adds the members that exist in the site (users not removed by SCIM, or groups), set-based. */
  addMembers(siteId: string, groupId: string, members: readonly MemberReference[]): Promise<MembershipChange>;
  /** Removes these members; returns the ids that were members. */
  removeMembers(siteId: string, groupId: string, memberIds: readonly string[]): Promise<string[]>;
  /** Removes every member; returns their ids. */
  removeAllMembers(siteId: string, groupId: string): Promise<string[]>;
  listMembers(siteId: string, groupId: string): Promise<GroupMember[]>;
  /** The members of several groups in one query, by group id. */
  membersOfGroups(siteId: string, groupIds: readonly string[]): Promise<Map<string, GroupMember[]>>;
  countMembers(siteId: string, groupId: string): Promise<number>;
  /** The groups each of these users belongs to directly. */
  groupsOfMembers(
    siteId: string,
    memberIds: readonly string[],
  ): Promise<Map<string, { id: string; displayName: string }[]>>;
  /** Removes a member from every group it belongs to; returns the group ids. */
  removeFromAllGroups(siteId: string, memberId: string): Promise<string[]>;
  /**
   * Sets each user's privilege to the highest of its own and its groups' (for these users, or for
   * every member of `groupId`); returns how many users changed.
   */
  recomputePrivileges(
    siteId: string,
    users: { readonly ids: readonly string[] } | { readonly groupId: string },
  ): Promise<number>;
  setGroupPrivilege(siteId: string, groupId: string, privilege: Privilege | null): Promise<void>;
  setOwnPrivilege(siteId: string, userId: string, privilege: Privilege): Promise<void>;
  /** Active, not deleted Promasters of the site. */
  countActivePromastersInSite(siteId: string): Promise<number>;

  appendEvent(event: ProvisioningEvent): Promise<void>;
  listEvents(siteId: string, options: { limit: number; before?: string }): Promise<ProvisioningEvent[]>;
}

export interface Store extends StoreOperations {
  transaction<T>(work: (tx: StoreOperations) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
