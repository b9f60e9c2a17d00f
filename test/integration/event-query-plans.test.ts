import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/directory/ids.js';
import { provisioningEvent } from '../../src/directory/provisioning-log.js';
import { dialects } from '../../src/store/sql/dialect.js';
import { eventListStatement } from '../../src/store/sql/events-sql.js';
import type { EventQuery } from '../../src/store/store.js';
import { withRawDatabase } from '../helpers/raw-database.js';
import { DIALECTS, startTestRoster, type TestRoster } from '../helpers/roster.js';

/**
 * `roster log` reads along the key `(site_id, id)`, and a user's events (`--user`, `users show`)
 * through the Logon and resource indexes: never the whole log. Explained over a site of 3,000
 * events about 300 users, beside a neighbouring site.
 */
const USERS = 300;
const EVENTS_PER_USER = 10;

describe.each(DIALECTS)('provisioning log query plans (%s)', (dialect) => {
  let harness: TestRoster;
  let siteId: string;
  const userIds: string[] = [];

  beforeAll(async () => {
    harness = await startTestRoster(dialect);
    for (const slug of ['plans-neighbour', 'plans']) {
      const site = await harness.roster.services.sites.create(slug);
      siteId = site.id;
      await harness.roster.store.transaction(async (tx) => {
        for (let user = 0; user < USERS; user++) {
          const resourceId = newId();
          if (slug === 'plans') userIds.push(resourceId);
          for (let i = 0; i < EVENTS_PER_USER; i++) {
            const logon = `user${user}@plans.test`;
            await tx.events.append(
              provisioningEvent(
                { siteId: site.id, kind: 'scim', tokenId: null, requestId: null },
                {
                  operation: i === 0 ? 'create' : 'update',
                  resourceType: 'User',
                  resourceId,
                  resourceName: logon,
                  logon,
                  outcome: 'success',
                  httpStatus: i === 0 ? 201 : 200,
                },
              ),
            );
          }
        }
      });
    }
  }, 120_000);
  afterAll(async () => harness.close());

  const subject: EventQuery = { limit: 51, subject: { logon: 'User123@plans.test', resourceId: 'x' } };

  if (dialect === 'sqlite') {
    const plan = (query: EventQuery): Promise<string[]> =>
      withRawDatabase(harness.database.url, async (db) => {
        const statement = eventListStatement(siteId, { ...query }, dialects.sqlite);
        const rows = await db.all<{ detail: string }>(
          `EXPLAIN QUERY PLAN ${statement.text}`,
          statement.values,
        );
        return rows.map((row) => row.detail);
      });

    it("a user's events: searches the Logon and resource indexes, never scans the log", async () => {
      const lines = await plan({
        ...subject,
        subject: { logon: 'user123@plans.test', resourceId: userIds[123]! },
      });
      const shown = lines.join('\n');
      expect(shown).toContain('provisioning_events_logon (site_id=? AND logon_lower=?)');
      expect(shown).toContain('provisioning_events_resource (site_id=? AND resource_id=?)');
      expect(
        lines.filter((line) => /^SCAN provisioning_events/.test(line)),
        shown,
      ).toEqual([]);
    });

    it('the newest events and a page from a position walk the key', async () => {
      expect(await plan({ limit: 51 })).toEqual([
        'SEARCH provisioning_events USING INDEX sqlite_autoindex_provisioning_events_1 (site_id=?)',
      ]);
      expect(await plan({ limit: 51, before: userIds[150]!, since: 0 })).toEqual([
        'SEARCH provisioning_events USING INDEX sqlite_autoindex_provisioning_events_1 (site_id=? AND id<?)',
      ]);
    });
  } else {
    let client: pg.Client;
    beforeAll(async () => {
      client = new pg.Client({ connectionString: harness.database.url });
      await client.connect();
      await client.query('ANALYZE provisioning_events');
    });
    afterAll(async () => client.end());

    const plan = async (query: EventQuery): Promise<string> => {
      const statement = eventListStatement(siteId, query, dialects.postgres);
      let index = 0;
      const text = statement.text.replace(/\?/g, () => `$${++index}`);
      const result = await client.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, [
        ...statement.values,
      ]);
      return JSON.stringify(result.rows[0]!['QUERY PLAN']);
    };

    it("a user's events: read through the Logon and resource indexes, never a scan of the log", async () => {
      const shown = await plan({
        ...subject,
        subject: { logon: 'user123@plans.test', resourceId: userIds[123]! },
      });
      expect(shown).toContain('provisioning_events_logon');
      expect(shown).toContain('provisioning_events_resource');
      expect(shown).not.toContain('"Seq Scan"');
    });

    it('the newest events walk the key', async () => {
      const shown = await plan({ limit: 51 });
      expect(shown).toContain('provisioning_events_pkey');
      expect(shown).toContain('"Scan Direction":"Backward"');
      expect(shown).not.toContain('"Seq Scan"');
    });
  }
});
