import { ENTERPRISE_USER_SCHEMA_ID, enterpriseUserSchema } from './enterprise-user.js';
import { ResourceSchema } from './registry.js';
import type { ResourceTypeDefinition } from './types.js';
import { GROUP_SCHEMA_ID, groupSchema } from './group.js';
import { USER_SCHEMA_ID, userSchema } from './user.js';

/** RFC 7643 §6: the User resource type, with the enterprise extension (optional per user). */
export const userResourceType: ResourceTypeDefinition = {
  id: 'User',
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: USER_SCHEMA_ID,
  schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA_ID, required: false }],
};

/** Built once at start-up and shared: resolving names is then a map lookup. */
export const userResourceSchema = new ResourceSchema(userResourceType, userSchema, [enterpriseUserSchema]);

/** RFC 7643 §6: the Group resource type. */
export const groupResourceType: ResourceTypeDefinition = {
  id: 'Group',
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: GROUP_SCHEMA_ID,
  schemaExtensions: [],
};

export const groupResourceSchema = new ResourceSchema(groupResourceType, groupSchema, []);
