import type { Migration } from './index.js';

/**
 * Listing at scale: the count of SCIM-visible users kept per site in each write's transaction
 * (so totalResults costs no scan), the marks that let an index walk continue from where its
 * previous page ended, deployment-wide secrets (the cursor signing key), and the emails' display.
 */
export const listing: Migration = {
  id: 2,
  name: 'listing',
  sql: () => `
ALTER TABLE user_emails ADD COLUMN display TEXT;

CREATE TABLE user_counts (
  site_id TEXT PRIMARY KEY REFERENCES sites (id),
  visible BIGINT NOT NULL
);
INSERT INTO user_counts (site_id, visible)
  SELECT site_id, COUNT(*) FROM users WHERE deleted_at IS NULL GROUP BY site_id;

CREATE TABLE walk_marks (
  site_id TEXT NOT NULL,
  token_id TEXT NOT NULL,
  signature TEXT NOT NULL,
  next_index BIGINT NOT NULL,
  sort_key TEXT,
  last_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (site_id, token_id, signature, next_index)
);

CREATE TABLE server_secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`,
};
