import type { Migration } from './index.js';

/**
 * The first schema. Every table leads its keys with `site_id`, and no query but token resolution
 * spans sites, so sites can later be spread over databases by `site_id`.
 */
export const init: Migration = {
  id: 1,
  name: 'init',
  sql: (d) => `
CREATE TABLE sites (
  id TEXT PRIMARY KEY,
  slug TEXT NOT NULL,
  slug_lower TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  settings TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE access_tokens (
  site_id TEXT NOT NULL REFERENCES sites (id),
  id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  token_hint TEXT NOT NULL,
  description TEXT NOT NULL,
  scope TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT,
  last_used_at BIGINT,
  PRIMARY KEY (site_id, id)
);
CREATE UNIQUE INDEX access_tokens_id ON access_tokens (id);

CREATE TABLE users (
  site_id TEXT NOT NULL REFERENCES sites (id),
  id TEXT NOT NULL,
  logon TEXT NOT NULL,
  logon_lower TEXT NOT NULL,
  external_id TEXT,
  first_name TEXT,
  last_name TEXT,
  email TEXT,
  time_zone TEXT,
  privilege TEXT NOT NULL,
  active ${d.boolean} NOT NULL,
  source TEXT NOT NULL,
  resource TEXT NOT NULL,
  password_hash TEXT,
  password_changed_at BIGINT,
  version BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  deleted_at BIGINT,
  PRIMARY KEY (site_id, id)
);
CREATE UNIQUE INDEX users_site_logon ON users (site_id, logon_lower);
CREATE INDEX users_site_external_id ON users (site_id, external_id);

-- Emails are multi-valued; a side table lets "emails.value eq" use an index on both dialects.
CREATE TABLE user_emails (
  site_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  value TEXT NOT NULL,
  value_lower TEXT NOT NULL,
  type TEXT,
  is_primary ${d.boolean} NOT NULL,
  PRIMARY KEY (site_id, user_id, position),
  FOREIGN KEY (site_id, user_id) REFERENCES users (site_id, id) ON DELETE CASCADE
);
CREATE INDEX user_emails_site_value ON user_emails (site_id, value_lower);

CREATE TABLE provisioning_events (
  site_id TEXT NOT NULL REFERENCES sites (id),
  id TEXT NOT NULL,
  at BIGINT NOT NULL,
  request_id TEXT,
  token_id TEXT,
  actor TEXT NOT NULL,
  operation TEXT NOT NULL,
  resource_type TEXT,
  resource_id TEXT,
  logon TEXT,
  outcome TEXT NOT NULL,
  http_status INTEGER NOT NULL,
  changes TEXT,
  detail TEXT,
  PRIMARY KEY (site_id, id)
);
`,
};
