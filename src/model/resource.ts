import type { ScimObject } from '../scim/resource.js';

/** What every stored SCIM resource has: its site, id, attributes as stored, version and times. */
export interface StoredResource {
  readonly siteId: string;
  readonly id: string;
  /** The SCIM attributes as stored: canonical names, no `id`, `meta` or server-derived attributes. */
  readonly resource: ScimObject;
  /** Raised by every write; `meta.version` and the ETag are `W/"<version>"`. */
  readonly version: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type Privilege = 'User' | 'Business Analyst' | 'Promaster';
/** In rising order: a user's privilege is the highest of its own and its groups'. */
export const PRIVILEGES: readonly Privilege[] = ['User', 'Business Analyst', 'Promaster'];

export type UserSource = 'console' | 'import' | 'scim' | 'cli';

export interface UserEmail {
  readonly value: string;
  readonly type: string | null;
  readonly primary: boolean;
  readonly display: string | null;
}

/** A user of a site (DESIGN §5): the product's fields beside the SCIM attributes they come from. */
export interface UserRecord extends StoredResource {
  readonly logon: string;
  readonly externalId: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly email: string | null;
  readonly timeZone: string | null;
  /** The effective privilege: the highest of the user's own and its groups'. */
  readonly privilege: Privilege;
  readonly active: boolean;
  readonly source: UserSource;
  /** Every email of the resource, kept in a side table for indexed lookups. */
  readonly emails: readonly UserEmail[];
  readonly passwordHash: string | null;
  readonly passwordChangedAt: number | null;
  /** Set by a SCIM DELETE: hidden from SCIM, kept (disabled) by the directory. */
  readonly deletedAt: number | null;
}

export interface GroupRecord extends StoredResource {
  readonly displayName: string;
  readonly externalId: string | null;
  /** The privilege membership grants, if an administrator mapped one. */
  readonly privilege: Privilege | null;
}

export type MemberType = 'User' | 'Group';

export interface GroupMember {
  readonly id: string;
  readonly type: MemberType;
  readonly display: string | null;
}

/** A member to add: the id a client sent. */
export interface MemberReference {
  readonly id: string;
}

/** A group a user belongs to directly, as the user's read-only `groups` shows it. */
export interface Membership {
  readonly id: string;
  readonly displayName: string;
}
