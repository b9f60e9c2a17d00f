import type { ScimObject } from '../scim/resource.js';
import { GROUP_SCHEMA_ID } from '../scim/schema/group.js';
import type { GroupMember, GroupRecord } from '../store/store.js';
import { groupVersion } from './groups.js';

/**
 * The SCIM representation of a group (RFC 7643 §4.2). `members` is present only when it was read
 * (a client that excludes it spares the server reading a large group). `scimBase` is the absolute
 * URL of `/scim/v2`, for `$ref` and `meta.location`.
 */
export function groupToScim(
  group: GroupRecord,
  members: readonly GroupMember[] | undefined,
  scimBase: string,
): ScimObject {
  return {
    schemas: [GROUP_SCHEMA_ID],
    id: group.id,
    ...group.resource,
    ...(members
      ? {
          members: members.map((member) => ({
            value: member.id,
            $ref: `${scimBase}/${member.type === 'Group' ? 'Groups' : 'Users'}/${member.id}`,
            ...(member.display !== null ? { display: member.display } : {}),
            type: member.type,
          })),
        }
      : {}),
    meta: {
      resourceType: 'Group',
      created: new Date(group.createdAt).toISOString(),
      lastModified: new Date(group.updatedAt).toISOString(),
      location: `${scimBase}/Groups/${group.id}`,
      version: groupVersion(group),
    },
  };
}
