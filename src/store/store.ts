import type { FieldChange, ProvisioningEvent } from '../model/event.js';
import type { ListPosition, ListQuery, Page, WalkMark } from '../model/listing.js';
import type {
  GroupMember,
  GroupRecord,
  MemberReference,
  Membership,
  Privilege,
  UserRecord,
} from '../model/resource.js';
import type { SiteExtension, SiteRecord, SiteSettings } from '../model/site.js';
import type { TokenRecord } from '../model/token.js';

/**
 * The store: what the directory needs from persistence, and nothing about SQL. It is split by
 * aggregate (sites, tokens, users, groups, memberships, events, counts, paging state), each a small
 * interface. Reads are available on the store and inside a transaction; writes only inside one,
 * so every write is part of a transaction the directory opened (with its provisioning event).
 * Every call but token resolution takes the site id: no query spans sites.
 */

export type { FieldChange, ListPosition, ListQuery, Page, ProvisioningEvent, WalkMark };

export interface SiteReads {
  bySlug(slug: string): Promise<SiteRecord | undefined>;
  list(): Promise<SiteRecord[]>;
}

export interface SiteWrites extends SiteReads {
  insert(site: SiteRecord): Promise<void>;
  /** The site with this slug, its row locked until the transaction ends (read-modify-write). */
  lock(slug: string): Promise<SiteRecord | undefined>;
  updateSettings(siteId: string, settings: SiteSettings): Promise<void>;
  rename(siteId: string, name: string): Promise<void>;
  updateExtensions(siteId: string, extensions: readonly SiteExtension[]): Promise<void>;
}

export interface TokenReads {
  /** The token and its site in one query: the only lookup that spans sites, run on every SCIM request. */
  resolve(tokenHash: string): Promise<{ token: TokenRecord; site: SiteRecord } | undefined>;
  get(siteId: string, id: string): Promise<TokenRecord | undefined>;
  list(siteId: string): Promise<TokenRecord[]>;
}

export interface TokenWrites extends TokenReads {
  insert(token: TokenRecord): Promise<void>;
  /** Marks it revoked; false when it was already revoked or does not exist. */
  revoke(siteId: string, id: string, at: number): Promise<boolean>;
  touch(siteId: string, id: string, at: number): Promise<void>;
}

/** Lists beyond what SCIM shows: the directory's own views include disabled and SCIM-deleted users. */
export interface UserListOptions {
  readonly includeDeleted?: boolean;
  readonly activeOnly?: boolean;
}

export interface UserReads {
  get(siteId: string, id: string): Promise<UserRecord | undefined>;
  byLogon(siteId: string, logon: string): Promise<UserRecord | undefined>;
  page(siteId: string, query: ListQuery, options?: UserListOptions): Promise<Page<UserRecord>>;
  /** The privilege the user holds of its own (its groups may grant a higher one). */
  ownPrivilege(siteId: string, userId: string): Promise<Privilege | undefined>;
  /** Active, not deleted Promasters of the site, but `exceptUserId`. */
  countActivePromasters(siteId: string, exceptUserId?: string): Promise<number>;
}

export type UserSelection = { readonly ids: readonly string[] } | { readonly groupId: string };

export interface UserWrites extends UserReads {
  /** The user, its row locked until the transaction ends. */
  lock(siteId: string, id: string): Promise<UserRecord | undefined>;
  lockByLogon(siteId: string, logon: string): Promise<UserRecord | undefined>;
  /** Throws a `unique-violation` naming `users_site_logon` when the Logon is taken. */
  insert(user: UserRecord): Promise<void>;
  /** Writes what changed between `previous` and `user` (the emails side table only when they changed). */
  update(user: UserRecord, previous: UserRecord): Promise<void>;
  setOwnPrivilege(siteId: string, userId: string, privilege: Privilege): Promise<void>;
  /**
   * Sets each selected user's privilege to the highest of its own and its groups'; returns how
   * many users changed.
   */
  recomputePrivileges(siteId: string, users: UserSelection): Promise<number>;
}

/** A group that grants a privilege, with its member count. */
export interface GrantingGroup {
  readonly group: GroupRecord;
  readonly members: number;
}

export interface GroupReads {
  get(siteId: string, id: string): Promise<GroupRecord | undefined>;
  byName(siteId: string, displayName: string): Promise<GroupRecord | undefined>;
  page(siteId: string, query: ListQuery): Promise<Page<GroupRecord>>;
  /** The groups that grant a privilege, with their member counts, in one query. */
  granting(siteId: string): Promise<GrantingGroup[]>;
  /** The groups a user belongs to directly that grant a privilege, by name. */
  grantingTo(siteId: string, userId: string): Promise<GroupRecord[]>;
}

export interface GroupWrites extends GroupReads {
  lock(siteId: string, id: string): Promise<GroupRecord | undefined>;
  /** Locks these groups in id order (the order every write locks groups in). */
  lockAll(siteId: string, ids: readonly string[]): Promise<void>;
  /** Throws a `unique-violation` naming `groups_site_name` when the name is taken. */
  insert(group: GroupRecord): Promise<void>;
  update(group: GroupRecord): Promise<void>;
  delete(siteId: string, id: string): Promise<void>;
  setPrivilege(siteId: string, groupId: string, privilege: Privilege | null): Promise<void>;
  /** A new version for groups whose members changed beside their own writes (a member deleted). */
  touchAll(siteId: string, ids: readonly string[], at: number): Promise<void>;
}

export interface MembershipChange {
  /** Members that were not members before. */
  readonly added: GroupMember[];
  /** Ids that name nothing in the site: skipped, the rest applied. */
  readonly skipped: string[];
}

export interface MembershipReads {
  ofGroup(siteId: string, groupId: string): Promise<GroupMember[]>;
  /** The members of several groups in one query, by group id. */
  ofGroups(siteId: string, groupIds: readonly string[]): Promise<Map<string, GroupMember[]>>;
  /** How many members each of these groups has, in one query. */
  counts(siteId: string, groupIds: readonly string[]): Promise<Map<string, number>>;
  /** The groups each of these members belongs to directly. */
  groupsOf(siteId: string, memberIds: readonly string[]): Promise<Map<string, Membership[]>>;
}

export interface MembershipWrites extends MembershipReads {
  /**
   * Adds the members that exist in the site (users not removed by SCIM, or other groups),
   * set-based; the users are share-locked in id order, after the group, so a concurrent delete of
   * one of them either sees the membership or keeps it from being made.
   */
  add(siteId: string, groupId: string, members: readonly MemberReference[]): Promise<MembershipChange>;
  /** Removes these members; returns the ids that were members. */
  remove(siteId: string, groupId: string, memberIds: readonly string[]): Promise<string[]>;
  /** Removes every member not in `keep` (set-based); returns their ids. */
  removeAllBut(siteId: string, groupId: string, keep: readonly string[]): Promise<string[]>;
  /** Removes a member from every group it belongs to; returns the group ids. */
  removeEverywhere(siteId: string, memberId: string): Promise<string[]>;
}

/**
 * A read of a site's log, newest first (by id: ids are time-ordered). Every condition given must
 * hold. The id bounds keep the read on a range of the key; times and the rest filter within it.
 */
export interface EventQuery {
  readonly limit: number;
  /** Ids below this one (older). */
  readonly before?: string;
  /** Ids from this one on. */
  readonly from?: string;
  /** `at` from this time on (ms). */
  readonly since?: number;
  /** `at` up to this time (ms). */
  readonly until?: number;
  /** Events about one user: its Logon (any letter case), or its id. */
  readonly subject?: { readonly logon: string; readonly resourceId?: string | undefined };
  readonly operation?: string;
  readonly outcome?: ProvisioningEvent['outcome'];
  readonly tokenId?: string;
}

export interface EventReads {
  list(siteId: string, query: EventQuery): Promise<ProvisioningEvent[]>;
}

export interface EventWrites extends EventReads {
  append(event: ProvisioningEvent): Promise<void>;
  /** Appends the event, or counts one more occurrence of the event that already has its id. */
  appendOrCount(event: ProvisioningEvent): Promise<void>;
}

export type CountedResource = 'User' | 'Group';

export interface CountReads {
  /** The site's resources of this type that SCIM shows, kept up to date by every write. */
  visible(siteId: string, type: CountedResource): Promise<number>;
}

export interface CountWrites extends CountReads {
  adjust(siteId: string, type: CountedResource, delta: number): Promise<void>;
}

export interface PagingReads {
  findMark(
    siteId: string,
    tokenId: string,
    signature: string,
    nextIndex: number,
  ): Promise<WalkMark | undefined>;
  /** A deployment-wide secret, created on first use; every node reads the same one. */
  secret(name: string, create: () => string): Promise<string>;
}

export interface PagingWrites extends PagingReads {
  saveMark(mark: WalkMark): Promise<void>;
  /** Drops the site's marks made before `before`, and every mark of `tokenId` if given. */
  purgeMarks(siteId: string, before: number, tokenId?: string): Promise<void>;
}

/** What a transaction can do: every aggregate, reads and writes. */
export interface StoreTransaction {
  readonly sites: SiteWrites;
  readonly tokens: TokenWrites;
  readonly users: UserWrites;
  readonly groups: GroupWrites;
  readonly members: MembershipWrites;
  readonly events: EventWrites;
  readonly counts: CountWrites;
  readonly paging: PagingWrites;
}

export interface TransactionOptions {
  /**
   * The commit need not wait for the disk: for writes that are only hints (walk marks, last use),
   * whose loss in a power cut costs nothing but a little speed.
   */
  readonly relaxed?: boolean;
}

/** The store over the whole database: reads, and transactions for everything that writes. */
export interface Store {
  readonly sites: SiteReads;
  readonly tokens: TokenReads;
  readonly users: UserReads;
  readonly groups: GroupReads;
  readonly members: MembershipReads;
  readonly events: EventReads;
  readonly counts: CountReads;
  readonly paging: PagingReads;
  transaction<T>(work: (tx: StoreTransaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** One round trip to the database: what a health check needs. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
