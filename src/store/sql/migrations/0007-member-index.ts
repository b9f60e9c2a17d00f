import type { Migration } from './index.js';

/**
 * "Which groups is this user in?" (`members.value eq`, a user's `groups`, a user leaving every group
 * on DELETE) reads the member index for the group ids: with them in the index it answers alone.
 * Without them SQLite preferred the primary key, which covers the query but is searched by site
 * only, reading every membership of the site.
 */
export const memberIndex: Migration = {
  id: 7,
  name: 'member-index',
  sql: () => `
DROP INDEX group_members_member;
CREATE INDEX group_members_member ON group_members (site_id, member_id, group_id);
`,
};
