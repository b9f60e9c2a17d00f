/**
 * The core Group schema, RFC 7643 §4.2, with the characteristics of its JSON representation in
 * §8.7.1. The common attributes `id`, `externalId` and `meta` (§3.1) are not listed here: see
 * `./common.ts`.
 */

import { attribute, column, type SchemaDefinition } from './types.js';

export const GROUP_SCHEMA_ID = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export const groupSchema: SchemaDefinition = {
  id: GROUP_SCHEMA_ID,
  name: 'Group',
  description: 'Group',
  attributes: [
    // §4.2 makes displayName REQUIRED (§8.7.1's JSON says required false). Roster keeps group
    // names unique within a site, compared case-insensitively, so uniqueness is "server".
    attribute('displayName', 'string', {
      description: 'A human-readable name for the Group. REQUIRED.',
      required: true,
      caseExact: false,
      uniqueness: 'server',
      storage: column('display_name_lower', { folded: true, indexed: true }),
      maxLength: 512,
    }),
    attribute('members', 'complex', {
      multiValued: true,
      description: 'A list of members of the Group.',
      // Members live in their own table, changed set-based (DESIGN §6).
      storage: { kind: 'relation', relation: 'members-of-group' },
      subAttributes: [
        attribute('value', 'string', {
          description: 'Identifier of the member of this Group.',
          mutability: 'immutable',
        }),
        attribute('$ref', 'reference', {
          description: 'The URI corresponding to a SCIM resource that is a member of this Group.',
          referenceTypes: ['User', 'Group'],
          mutability: 'immutable',
        }),
        // Not in §8.7.1's JSON, but §4.2's examples (§8.4) return it; the server fills it in.
        attribute('display', 'string', {
          description: 'A human-readable name, primarily used for display purposes. READ-ONLY.',
          mutability: 'readOnly',
        }),
        attribute('type', 'string', {
          description: "A label indicating the type of resource, e.g., 'User' or 'Group'.",
          canonicalValues: ['User', 'Group'],
          mutability: 'immutable',
        }),
      ],
    }),
  ],
};
