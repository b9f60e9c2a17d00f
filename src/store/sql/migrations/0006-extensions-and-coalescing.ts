import type { Migration } from './index.js';

/**
 * Site extension schemas (`roster schemas add`), kept with the site so that the query that resolves
 * a token also brings the site's schemas: no extra round trip, and a change is seen by the next
 * request on every node. Provisioning events gain a count, so repeated refusals of one token (an
 * identity provider left with an expired token) are one event per minute rather than one per
 * request.
 */
export const extensionsAndCoalescing: Migration = {
  id: 6,
  name: 'extensions-and-coalescing',
  sql: () => `
ALTER TABLE sites ADD COLUMN extensions TEXT NOT NULL DEFAULT '[]';
ALTER TABLE provisioning_events ADD COLUMN occurrences INTEGER NOT NULL DEFAULT 1;
ALTER TABLE provisioning_events ADD COLUMN last_at BIGINT;
`,
};
