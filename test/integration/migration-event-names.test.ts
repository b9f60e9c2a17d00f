import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/sql/migrations/index.js';
import { SqlStore } from '../../src/store/sql/sql-store.js';
import { openUnmigrated } from '../helpers/raw-database.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../helpers/roster.js';

const EVENT_COLUMNS =
  'site_id, id, at, actor, operation, resource_type, resource_id, logon, outcome, http_status, occurrences, last_at';

describe.each(DIALECTS)('migration 8: events named for what they are about (%s)', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('moves a group’s name out of logon, and keeps a user’s Logon findable in any case', async () => {
    const db = await openUnmigrated(database.url);
    try {
      await migrate(db, 7);
      const siteId = '0190a000-0000-7000-8000-000000000001';
      await new SqlStore(db).transaction((tx) =>
        tx.sites.insert({
          id: siteId,
          slug: 'before-8',
          name: 'Before 8',
          settings: {
            passwordSync: false,
            passwordPolicy: {
              minLength: 8,
              requireUppercase: true,
              requireLowercase: true,
              requireDigit: true,
              requireSymbol: false,
              disallowLogon: true,
            },
          },
          extensions: [],
          createdAt: 1,
        }),
      );
      const insert = `INSERT INTO provisioning_events (${EVENT_COLUMNS}) VALUES (?, ?, ?, 'scim', ?, ?, ?, ?, 'success', 201, 1, ?)`;
      await db.run(insert, [
        siteId,
        '0190a000-0000-7000-8000-00000000000a',
        1,
        'create',
        'User',
        'u1',
        'Ann@Example.com',
        1,
      ]);
      await db.run(insert, [
        siteId,
        '0190a000-0000-7000-8000-00000000000b',
        2,
        'create group',
        'Group',
        'g1',
        'Engineering',
        2,
      ]);
      await db.run(insert, [
        siteId,
        '0190a000-0000-7000-8000-00000000000c',
        3,
        'authenticate',
        'Token',
        't1',
        null,
        3,
      ]);

      expect(await migrate(db, 8)).toEqual([8]);
      const events = await new SqlStore(db).events.list(siteId, { limit: 10 });
      expect(events.map((e) => [e.resourceType, e.resourceName, e.logon, e.externalId])).toEqual([
        ['Token', null, null, null],
        ['Group', 'Engineering', null, null],
        ['User', 'Ann@Example.com', 'Ann@Example.com', null],
      ]);
      const lowered = await db.all<{ logon_lower: string | null }>(
        'SELECT logon_lower FROM provisioning_events WHERE site_id = ? ORDER BY id',
        [siteId],
      );
      expect(lowered.map((row) => row.logon_lower)).toEqual(['ann@example.com', null, null]);
    } finally {
      await db.close();
    }
  });
});
