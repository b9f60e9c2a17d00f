import type { Migration } from './index.js';

/**
 * `externalId eq` in id order from one index: with the id as the index's last column, the rows of
 * one externalId come out already in the list's default order. Without it SQLite avoided the sort
 * by walking the whole site's primary key and testing every row's externalId.
 */
export const lookupOrder: Migration = {
  id: 3,
  name: 'lookup-order',
  sql: () => `
DROP INDEX users_site_external_id;
CREATE INDEX users_site_external_id ON users (site_id, external_id, id);
`,
};
