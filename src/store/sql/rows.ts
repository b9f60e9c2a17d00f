import type { FieldChange, ProvisioningEvent } from '../../model/event.js';
import type { GroupRecord, Privilege, UserRecord, UserSource } from '../../model/resource.js';
import type { SiteExtension, SiteRecord, SiteSettings } from '../../model/site.js';
import type { TokenRecord } from '../../model/token.js';
import type { ScimObject } from '../../scim/resource.js';
import { emailsOf } from '../user-emails.js';
import type { Dialect } from './dialect.js';

/** The rows as the drivers return them, and the records they become. */

export interface SiteRow {
  id: string;
  slug: string;
  name: string;
  settings: string;
  extensions: string;
  created_at: number;
}

export const SITE_COLUMNS = 's.id, s.slug, s.name, s.settings, s.extensions, s.created_at';

export function toSite(row: SiteRow): SiteRecord {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    settings: JSON.parse(row.settings) as SiteSettings,
    extensions: JSON.parse(row.extensions) as SiteExtension[],
    createdAt: Number(row.created_at),
  };
}

export interface TokenRow {
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

export const TOKEN_COLUMNS =
  't.site_id, t.id, t.token_hash, t.token_hint, t.description, t.scope, t.created_by, t.created_at, ' +
  't.expires_at, t.revoked_at, t.last_used_at';

export function toToken(row: TokenRow): TokenRecord {
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

export interface UserRow {
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

export const USER_COLUMNS =
  'u.site_id, u.id, u.logon, u.external_id, u.first_name, u.last_name, u.email, u.time_zone, u.privilege, ' +
  'u.active, u.source, u.resource, u.password_hash, u.password_changed_at, u.version, u.created_at, ' +
  'u.updated_at, u.deleted_at';

/**
 * The emails side table is derived from the resource (it exists for indexed lookups), so a user's
 * emails are read back from the resource rather than joined.
 */
export function toUser(row: UserRow, dialect: Dialect): UserRecord {
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

export interface EventRow {
  site_id: string;
  id: string;
  at: number;
  request_id: string | null;
  token_id: string | null;
  actor: string;
  operation: string;
  resource_type: string | null;
  resource_id: string | null;
  resource_name: string | null;
  logon: string | null;
  external_id: string | null;
  outcome: string;
  http_status: number;
  changes: string | null;
  detail: string | null;
  occurrences: number;
  last_at: number | null;
}

export function toEvent(row: EventRow): ProvisioningEvent {
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
    resourceName: row.resource_name,
    logon: row.logon,
    externalId: row.external_id,
    outcome: row.outcome as ProvisioningEvent['outcome'],
    httpStatus: Number(row.http_status),
    changes: row.changes ? (JSON.parse(row.changes) as FieldChange[]) : null,
    detail: row.detail,
    occurrences: Number(row.occurrences),
    lastAt: row.last_at === null ? Number(row.at) : Number(row.last_at),
  };
}
