import type { Migration } from './index.js';

/**
 * A user's events (`roster log --user`, `roster users show`) are found by its Logon, any letter
 * case, or by its id, without reading the site's whole log. Each index costs every event a little
 * on insert; operations, outcomes and tokens are few per site, so those filters read along the key.
 */
export const eventLookups: Migration = {
  id: 9,
  name: 'event-lookups',
  sql: () => `
CREATE INDEX provisioning_events_logon ON provisioning_events (site_id, logon_lower, id);
CREATE INDEX provisioning_events_resource ON provisioning_events (site_id, resource_id, id);
`,
};
