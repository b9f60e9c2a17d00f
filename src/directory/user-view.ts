import type { ScimObject } from '../scim/resource.js';
import { USER_SCHEMA_ID } from '../scim/schema/user.js';
import type { UserRecord } from '../store/store.js';

/** meta.version: a weak ETag (RFC 7644 §3.14) that changes on every write of the user. */
export function userVersion(user: UserRecord): string {
  return `W/"${user.version}"`;
}

/**
 * The SCIM representation of a user (RFC 7643 §4.1): the stored attributes as the identity
 * provider sent them, `active` from the directory's status, and server-issued `id` and `meta`.
 * `usersUrl` is the absolute URL of the Users endpoint, for `meta.location`; `groups` are the
 * user's memberships when the response includes them.
 */
export function userToScim(
  user: UserRecord,
  usersUrl: string,
  groups?: readonly { readonly id: string; readonly displayName: string }[],
): ScimObject {
  const core: ScimObject = {};
  const extensions: ScimObject = {};
  const schemas = [USER_SCHEMA_ID];
  for (const [key, value] of Object.entries(user.resource)) {
    if (key.includes(':')) {
      extensions[key] = value;
      schemas.push(key);
    } else {
      core[key] = value;
    }
  }
  return {
    schemas,
    id: user.id,
    ...core,
    active: user.active,
    // RFC 7643 §4.1.2: the groups the user belongs to directly (read-only, from the memberships).
    ...(groups && groups.length > 0
      ? {
          groups: groups.map((group) => ({
            value: group.id,
            $ref: `${usersUrl.replace(/\/Users$/, '')}/Groups/${group.id}`,
            display: group.displayName,
            type: 'direct',
          })),
        }
      : {}),
    ...extensions,
    meta: {
      resourceType: 'User',
      created: new Date(user.createdAt).toISOString(),
      lastModified: new Date(user.updatedAt).toISOString(),
      location: `${usersUrl}/${user.id}`,
      version: userVersion(user),
    },
  };
}
