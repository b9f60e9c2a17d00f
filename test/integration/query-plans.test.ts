import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/directory/ids.js';
import type { ScimObject } from '../../src/scim/resource.js';
import { bindFilter } from '../../src/scim/filter/bind.js';
import { parseFilter } from '../../src/scim/filter/parse.js';
import { groupResourceSchema, userResourceSchema } from '../../src/scim/schema/resource-types.js';
import type { SqlValue } from '../../src/store/sql/connection.js';
import { dialects } from '../../src/store/sql/dialect.js';
import { listStatements as storeListStatements } from '../../src/store/sql/list-page.js';
import { isNull, sql } from '../../src/store/sql/sql-expression.js';
import { USERS } from '../../src/store/sql/users-sql.js';
import { GROUPS } from '../../src/store/sql/groups-sql.js';
import { emailsOf } from '../../src/store/user-emails.js';
import type { ListPosition, ListQuery, PageStart } from '../../src/model/listing.js';
import type { UserRecord } from '../../src/model/resource.js';
import { withRawDatabase } from '../helpers/raw-database.js';
import { DIALECTS, startTestRoster, type DialectName, type TestRoster } from '../helpers/roster.js';

/**
 * DESIGN §6: every lookup an identity provider makes is one indexed query, and the default page
 * walks the primary key. The SQL is the store's own (`listStatements`, which `readPage` runs), explained on a raw
 * connection over a site of 2,000 users (and a neighbouring site, so `site_id` alone is not
 * selective). SQLite runs without statistics, as Roster runs it, and again after ANALYZE;
 * PostgreSQL after ANALYZE, with the custom plan a first execution gets and the generic plan its
 * named prepared statements switch to after a few executions.
 */

const SITE_USERS = 2000;
const OTHER_SITE_USERS = 500;
/** The user every lookup looks for. */
const TARGET = 1234;

interface Statement {
  readonly text: string;
  readonly values: readonly SqlValue[];
}

/**
 * The two statements of a SCIM list page of users, exactly as the store builds them
 * (`listStatements`, which `UserSql.page` runs): the rows and the count.
 */
function listStatements(
  dialect: DialectName,
  siteId: string,
  filter: string | undefined,
  start: PageStart = { index: 1 },
): { page: Statement; count: Statement } {
  const query: ListQuery = {
    ...(filter !== undefined ? { filter: bindFilter(parseFilter(filter), userResourceSchema) } : {}),
    start,
    count: 100,
  };
  const statements = storeListStatements(
    USERS,
    siteId,
    query,
    [isNull(sql('u.deleted_at'))],
    dialects[dialect],
  );
  return { page: statements.page, count: statements.count };
}

/** The same for a list page of groups (`GroupSql.page`). */
function groupListStatements(
  dialect: DialectName,
  siteId: string,
  filter: string,
): { page: Statement; count: Statement } {
  const query: ListQuery = {
    filter: bindFilter(parseFilter(filter), groupResourceSchema),
    start: { index: 1 },
    count: 100,
  };
  const statements = storeListStatements(GROUPS, siteId, query, [], dialects[dialect]);
  return { page: statements.page, count: statements.count };
}

/** Groups of 40 members each; the target user is in every tenth. The other site has more groups. */
const SITE_GROUPS = 100;
const OTHER_SITE_GROUPS = 1000;
const GROUP_MEMBERS = 40;
/** "Which groups is this user in?": how clients check a membership before pushing it. */
const MEMBER_LOOKUP = (target: UserRecord): string => `members.value eq "${target.id.toUpperCase()}"`;

function seedUser(siteId: string, i: number, now: number): UserRecord {
  const logon = `Person.${i}@Example.com`;
  const resource: ScimObject = {
    userName: logon,
    externalId: `ext-${i}`,
    name: { givenName: `Given${i}`, familyName: `Family${i % 40}` },
    emails: [
      { value: `person.${i}@example.com`, type: 'work', primary: true },
      { value: `p${i}@home.example.net`, type: 'home' },
    ],
  };
  return {
    siteId,
    id: newId(),
    logon,
    externalId: `ext-${i}`,
    firstName: `Given${i}`,
    lastName: `Family${i % 40}`,
    email: `person.${i}@example.com`,
    timeZone: null,
    privilege: 'User',
    active: i % 10 !== 0,
    source: 'scim',
    resource,
    emails: emailsOf(resource),
    passwordHash: null,
    passwordChangedAt: null,
    version: 1,
    createdAt: now + i,
    updatedAt: now + i,
    deletedAt: i % 97 === 0 ? now + i : null,
  };
}

/** `?` placeholders as PostgreSQL's `$n` (Roster's SQL has no `?` inside literals). */
function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

function planNodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(planNodes)];
}

const INDEX_SCANS = new Set(['Index Scan', 'Index Only Scan', 'Bitmap Index Scan']);

/** What a plan must show: an index scan on each named index, and no sequential scan at all. */
function expectIndexed(nodes: readonly PlanNode[], indexes: readonly string[], shown: string): void {
  for (const index of indexes) {
    expect(
      nodes.some((node) => INDEX_SCANS.has(node['Node Type']) && node['Index Name'] === index),
      `expected an index scan on ${index}:\n${shown}`,
    ).toBe(true);
  }
  const sequential = nodes.filter((node) => node['Node Type'] === 'Seq Scan');
  expect(
    sequential.map((node) => node['Relation Name']),
    shown,
  ).toEqual([]);
}

interface Lookup {
  readonly name: string;
  readonly filter: (target: UserRecord) => string;
  /** SQLite's EXPLAIN QUERY PLAN lines that must appear (the lookup's searches). */
  readonly sqlite: readonly string[];
  /** PostgreSQL indexes that must be scanned. */
  readonly postgres: readonly string[];
}

const LOOKUPS: readonly Lookup[] = [
  {
    name: 'userName eq (Okta, Entra)',
    filter: (target) => `userName eq "${target.logon.toUpperCase()}"`,
    sqlite: ['SEARCH u USING INDEX users_site_logon (site_id=? AND logon_lower=?)'],
    postgres: ['users_site_logon'],
  },
  {
    name: 'externalId eq',
    filter: (target) => `externalId eq "${target.externalId}"`,
    sqlite: ['SEARCH u USING INDEX users_site_external_id (site_id=? AND external_id=?)'],
    postgres: ['users_site_external_id'],
  },
  {
    name: 'id eq',
    filter: (target) => `id eq "${target.id}"`,
    sqlite: ['SEARCH u USING INDEX sqlite_autoindex_users_1 (site_id=? AND id=?)'],
    postgres: ['users_pkey'],
  },
  {
    name: 'emails.value eq',
    filter: (target) => `emails.value eq "${target.email!.toUpperCase()}"`,
    sqlite: [
      'SEARCH e USING INDEX user_emails_site_value (site_id=? AND value_lower=?)',
      'SEARCH u USING INDEX sqlite_autoindex_users_1 (site_id=? AND id=?)',
    ],
    postgres: ['user_emails_site_value', 'users_pkey'],
  },
  {
    name: 'emails[type eq "work"].value eq (Entra)',
    filter: (target) => `emails[type eq "work"].value eq "${target.email}"`,
    sqlite: [
      'SEARCH e USING INDEX user_emails_site_value (site_id=? AND value_lower=?)',
      'SEARCH u USING INDEX sqlite_autoindex_users_1 (site_id=? AND id=?)',
    ],
    postgres: ['user_emails_site_value', 'users_pkey'],
  },
];

describe.each(DIALECTS)('query plans (%s)', (dialect) => {
  let harness: TestRoster;
  let siteId: string;
  let target: UserRecord;
  /** A user in the middle of the site, for keyset continuations. */
  let middle: UserRecord;

  beforeAll(async () => {
    harness = await startTestRoster(dialect);
    const site = await harness.newSite();
    const other = await harness.newSite();
    siteId = site.site.id;
    const now = Date.now();
    const users = Array.from({ length: SITE_USERS }, (_, i) => seedUser(siteId, i, now));
    target = users[TARGET]!;
    middle = users[SITE_USERS / 2]!;
    // The store's own insert, in one transaction per site: the side table of emails included.
    const store = harness.roster.store;
    await store.transaction(async (tx) => {
      for (const user of users) await tx.users.insert(user);
      await tx.counts.adjust(siteId, 'User', users.filter((user) => user.deletedAt === null).length);
    });
    await store.transaction(async (tx) => {
      for (let i = 0; i < OTHER_SITE_USERS; i++) await tx.users.insert(seedUser(other.site.id, i, now));
    });
    await store.transaction(async (tx) => {
      for (let g = 0; g < SITE_GROUPS; g++) {
        const id = newId();
        await tx.groups.insert({
          siteId,
          id,
          displayName: `Group ${g}`,
          externalId: null,
          resource: { displayName: `Group ${g}` },
          privilege: null,
          version: 1,
          createdAt: now,
          updatedAt: now,
        });
        const members = users.slice(g * 17, g * 17 + GROUP_MEMBERS).map((user) => ({ id: user.id }));
        if (g % 10 === 0) members.push({ id: target.id });
        await tx.members.add(siteId, id, members);
      }
      await tx.counts.adjust(siteId, 'Group', SITE_GROUPS);
      for (let g = 0; g < OTHER_SITE_GROUPS; g++) {
        await tx.groups.insert({
          siteId: other.site.id,
          id: newId(),
          displayName: `Other ${g}`,
          externalId: null,
          resource: { displayName: `Other ${g}` },
          privilege: null,
          version: 1,
          createdAt: now,
          updatedAt: now,
        });
      }
    });
    // The lookups find the seeded user through the API too: the plans below are for working SQL.
    for (const lookup of LOOKUPS) {
      const response = await site.scim('GET', `/Users?filter=${encodeURIComponent(lookup.filter(target))}`);
      expect(response.status, response.raw).toBe(200);
      expect(response.body.totalResults, `${lookup.name}: ${response.raw}`).toBe(1);
      expect(response.body.Resources[0].id).toBe(target.id);
    }
    const memberships = await site.scim('GET', `/Groups?filter=${encodeURIComponent(MEMBER_LOOKUP(target))}`);
    expect(memberships.body.totalResults, memberships.raw).toBeGreaterThanOrEqual(SITE_GROUPS / 10);
  }, 120_000);
  afterAll(async () => harness.close());

  if (dialect === 'sqlite') {
    /** EXPLAIN QUERY PLAN's lines, without and then with ANALYZE's statistics. */
    const explainBoth = (
      statement: Statement,
      check: (lines: string[], shown: string) => void,
    ): Promise<void> =>
      withRawDatabase(harness.database.url, async (db) => {
        for (const label of ['without statistics', 'after ANALYZE']) {
          if (label === 'after ANALYZE') await db.exec('ANALYZE');
          const rows = await db.all<{ detail: string }>(
            `EXPLAIN QUERY PLAN ${statement.text}`,
            statement.values,
          );
          check(
            rows.map((row) => row.detail),
            `${label}:\n${statement.text}\n${rows.map((row) => row.detail).join('\n')}`,
          );
        }
        // Leave the database as Roster runs it, for the next test.
        await db.exec('DROP TABLE IF EXISTS sqlite_stat1; DROP TABLE IF EXISTS sqlite_stat4');
      });

    for (const lookup of LOOKUPS) {
      it(`${lookup.name}: searches its index, never scans users`, async () => {
        for (const part of ['page', 'count'] as const) {
          await explainBoth(listStatements(dialect, siteId, lookup.filter(target))[part], (lines, shown) => {
            for (const expected of lookup.sqlite) expect(lines, `${part} ${shown}`).toContain(expected);
            expect(
              lines.filter((line) => /^SCAN (u|e)\b/.test(line)),
              `${part} ${shown}`,
            ).toEqual([]);
            // Searching users by site_id alone reads the whole site.
            expect(
              lines.filter((line) => /^SEARCH u .*\(site_id=\?\)$/.test(line)),
              `${part} ${shown}`,
            ).toEqual([]);
          });
        }
      });
    }

    it('members.value eq: searches the member index, never scans groups or memberships', async () => {
      for (const part of ['page', 'count'] as const) {
        await explainBoth(
          groupListStatements(dialect, siteId, MEMBER_LOOKUP(target))[part],
          (lines, shown) => {
            expect(lines, `${part} ${shown}`).toContain(
              'SEARCH m USING COVERING INDEX group_members_member (site_id=? AND member_id=?)',
            );
            expect(
              lines.filter((line) => /^SCAN (g|m)\b/.test(line)),
              `${part} ${shown}`,
            ).toEqual([]);
            expect(
              lines.filter((line) => /^SEARCH (g|m) .*\(site_id=\?\)$/.test(line)),
              `${part} ${shown}`,
            ).toEqual([]);
          },
        );
      }
    });

    it('the default page walks the primary key in order, from the start and from a position', async () => {
      const after: ListPosition = { key: null, id: middle.id };
      const cases = [
        { start: { index: 1 }, search: 'SEARCH u USING INDEX sqlite_autoindex_users_1 (site_id=?)' },
        { start: { after }, search: 'SEARCH u USING INDEX sqlite_autoindex_users_1 (site_id=? AND id>?)' },
        {
          start: { before: after },
          search: 'SEARCH u USING INDEX sqlite_autoindex_users_1 (site_id=? AND id<?)',
        },
      ];
      for (const { start, search } of cases) {
        await explainBoth(listStatements(dialect, siteId, undefined, start).page, (lines, shown) => {
          expect(lines, shown).toEqual([search]);
        });
      }
    });
  } else {
    let client: pg.Client;
    beforeAll(async () => {
      client = new pg.Client({ connectionString: harness.database.url });
      await client.connect();
      await client.query('ANALYZE users');
      await client.query('ANALYZE user_emails');
      await client.query('ANALYZE groups');
      await client.query('ANALYZE group_members');
    });
    afterAll(async () => client.end());

    let prepared = 0;
    /** The custom plan (values known when planning) and the generic plan (values as parameters). */
    const plans = async (
      statement: Statement,
    ): Promise<{ label: string; nodes: PlanNode[]; shown: string }[]> => {
      const text = numbered(statement.text);
      const custom = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
        `EXPLAIN (FORMAT JSON) ${text}`,
        [...statement.values],
      );
      const name = `plan_${++prepared}`;
      await client.query(`PREPARE ${name} AS ${text}`);
      await client.query('SET plan_cache_mode = force_generic_plan');
      const literals = statement.values.map((value) =>
        typeof value === 'string' ? client.escapeLiteral(value) : String(value),
      );
      const generic = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
        `EXPLAIN (FORMAT JSON) EXECUTE ${name}${literals.length > 0 ? `(${literals.join(', ')})` : ''}`,
      );
      await client.query('RESET plan_cache_mode');
      await client.query(`DEALLOCATE ${name}`);
      return [
        { label: 'custom plan', plan: custom.rows[0]!['QUERY PLAN'][0]!.Plan },
        { label: 'generic plan', plan: generic.rows[0]!['QUERY PLAN'][0]!.Plan },
      ].map(({ label, plan }) => ({
        label,
        nodes: planNodes(plan),
        shown: `${label}:\n${statement.text}\n${JSON.stringify(plan, null, 1)}`,
      }));
    };

    for (const lookup of LOOKUPS) {
      it(`${lookup.name}: scans its index, never the table`, async () => {
        const statements = listStatements(dialect, siteId, lookup.filter(target));
        for (const statement of [statements.page, statements.count]) {
          for (const { nodes, shown } of await plans(statement)) expectIndexed(nodes, lookup.postgres, shown);
        }
      });
    }

    it('members.value eq: scans the member index, never the tables', async () => {
      const statements = groupListStatements(dialect, siteId, MEMBER_LOOKUP(target));
      for (const statement of [statements.page, statements.count]) {
        for (const { nodes, shown } of await plans(statement))
          expectIndexed(nodes, ['group_members_member'], shown);
      }
    });

    it('the default page walks the primary key in order, from the start and from a position', async () => {
      const after: ListPosition = { key: null, id: middle.id };
      for (const start of [{ index: 1 }, { after }, { before: after }]) {
        for (const { nodes, shown } of await plans(listStatements(dialect, siteId, undefined, start).page)) {
          expectIndexed(nodes, ['users_pkey'], shown);
          // The index delivers the order: nothing is sorted.
          expect(
            nodes.filter((node) => node['Node Type'] === 'Sort' || node['Node Type'] === 'Incremental Sort'),
            shown,
          ).toEqual([]);
        }
      }
    });
  }
});
