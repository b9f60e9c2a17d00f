import type { Migration } from './index.js';

/**
 * What an event is about, named for what it is. `logon` held a group's name on group events;
 * `resource_name` now names any resource (a Logon, a group's name, a token's description) and
 * `logon` is kept for users only, with `logon_lower` for finding a user's events whatever the
 * letter case. `external_id` is the identity provider's id, known even for a create it refused.
 * One pass over the log moves the names of the events already written.
 */
export const eventNames: Migration = {
  id: 8,
  name: 'event-names',
  sql: () => `
ALTER TABLE provisioning_events ADD COLUMN resource_name TEXT;
ALTER TABLE provisioning_events ADD COLUMN external_id TEXT;
ALTER TABLE provisioning_events ADD COLUMN logon_lower TEXT;
UPDATE provisioning_events SET
  resource_name = logon,
  logon = CASE WHEN resource_type = 'User' THEN logon END,
  logon_lower = CASE WHEN resource_type = 'User' THEN lower(logon) END
WHERE logon IS NOT NULL;
`,
};
