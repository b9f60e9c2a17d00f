import type { Migration } from './index.js';

/**
 * Groups (RFC 7643 §4.2). Membership is its own table, keyed by group and indexed by member, so a
 * PATCH that adds or removes members changes rows in proportion to the members it names, never
 * to the group's size. A group may grant a privilege (Promaster, Business Analyst); a user's
 * privilege is then the highest of its own and its groups', so `own_privilege` keeps what it was
 * given directly.
 */
export const groups: Migration = {
  id: 4,
  name: 'groups',
  sql: () => `
CREATE TABLE groups (
  site_id TEXT NOT NULL REFERENCES sites (id),
  id TEXT NOT NULL,
  display_name TEXT NOT NULL,
  display_name_lower TEXT NOT NULL,
  external_id TEXT,
  resource TEXT NOT NULL,
  privilege TEXT,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (site_id, id)
);
CREATE UNIQUE INDEX groups_site_name ON groups (site_id, display_name_lower);
CREATE INDEX groups_site_external_id ON groups (site_id, external_id, id);

CREATE TABLE group_members (
  site_id TEXT NOT NULL,
  group_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  member_type TEXT NOT NULL,
  display TEXT,
  PRIMARY KEY (site_id, group_id, member_id),
  FOREIGN KEY (site_id, group_id) REFERENCES groups (site_id, id) ON DELETE CASCADE
);
CREATE INDEX group_members_member ON group_members (site_id, member_id);

CREATE TABLE group_counts (
  site_id TEXT PRIMARY KEY REFERENCES sites (id),
  visible BIGINT NOT NULL
);

ALTER TABLE users ADD COLUMN own_privilege TEXT;
UPDATE users SET own_privilege = privilege;
`,
};
