/**
 * What each operation costs the database, counted statement by statement on the real database:
 * probes, lists and membership changes must cost what they name, not the size of the site or the
 * group. Both dialects.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { cliContext } from '../../src/directory/context.js';
import { createServices, type Services } from '../../src/directory/services.js';
import { newId } from '../../src/directory/ids.js';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import type { UserRecord } from '../../src/model/resource.js';
import { openDatabase } from '../../src/store/open.js';
import { SqlStore } from '../../src/store/sql/sql-store.js';
import { PATCH_OP_SCHEMA, USER_SCHEMA } from '../fixtures/okta.js';
import { CountingDatabase } from '../helpers/counting-database.js';
import { createTestDatabase, DIALECTS, scimRequest, type TestDatabase } from '../helpers/roster.js';

const GROUP_SIZE = 2000;

describe.each(DIALECTS)('statements (%s)', (dialect) => {
  let database: TestDatabase;
  let counting: CountingDatabase;
  let store: SqlStore;
  let services: Services;
  let app: FastifyInstance;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    counting = new CountingDatabase(await openDatabase(database.url, { postgresPoolSize: 4 }));
    store = new SqlStore(counting);
    services = createServices(store);
    app = await buildApp({
      services,
      config: loadConfig({}, { databaseUrl: database.url, logLevel: 'silent' }),
      logger: createLogger('silent'),
    });
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    await database.drop();
  });

  async function newSite() {
    const site = await services.sites.create(`s-${newId().slice(-12)}`);
    const { token } = await services.tokens.issue(site, { createdBy: 'test' });
    const scim = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, body?: unknown) =>
      scimRequest({ app } as never, token, method, path, body);
    return { site, scim };
  }

  /** Users written straight through the store, as many as a test needs, in one transaction. */
  async function seedUsers(siteId: string, count: number): Promise<string[]> {
    const now = Date.now();
    const users: UserRecord[] = Array.from({ length: count }, (_, i) => ({
      siteId,
      id: newId(),
      logon: `member.${i}@example.com`,
      externalId: null,
      firstName: null,
      lastName: null,
      email: null,
      timeZone: null,
      privilege: 'User',
      active: true,
      source: 'scim',
      resource: { userName: `member.${i}@example.com` },
      emails: [],
      passwordHash: null,
      passwordChangedAt: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    }));
    await store.transaction(async (tx) => {
      for (const user of users) await tx.users.insert(user);
      await tx.counts.adjust(siteId, 'User', count);
    });
    return users.map((user) => user.id);
  }

  it('answers a health probe with one SELECT 1, whatever the number of sites', async () => {
    await newSite();
    counting.take();
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(counting.take().map((statement) => statement.sql)).toEqual(['SELECT 1 AS ok']);
  });

  it('replaces a large group’s members at the cost of what changed, in the database', async () => {
    const { site, scim } = await newSite();
    const ids = await seedUsers(site.id, GROUP_SIZE);
    const created = await scim('POST', '/Groups', {
      displayName: 'Everyone',
      members: ids.map((id) => ({ value: id })),
    });
    expect(created.status, created.raw).toBe(201);
    const [, ...kept] = ids;

    counting.take();
    const replaced = await scim('PATCH', `/Groups/${created.body.id}?excludedAttributes=members`, {
      schemas: [PATCH_OP_SCHEMA],
      Operations: [{ op: 'replace', path: 'members', value: kept.map((id) => ({ value: id })) }],
    });
    expect(replaced.status, replaced.raw).toBe(200);
    const statements = counting.take();
    // No statement hands the group's member list to JavaScript: the one removed member comes back.
    expect(Math.max(...statements.map((statement) => statement.rows))).toBeLessThan(10);
    expect((await store.members.ofGroup(site.id, created.body.id)).length).toBe(GROUP_SIZE - 1);

    counting.take();
    const put = await scim('PUT', `/Groups/${created.body.id}?excludedAttributes=members`, {
      displayName: 'Everyone',
      members: ids.map((id) => ({ value: id })),
    });
    expect(put.status, put.raw).toBe(200);
    expect(Math.max(...counting.take().map((statement) => statement.rows))).toBeLessThan(10);
    expect((await store.members.ofGroup(site.id, created.body.id)).length).toBe(GROUP_SIZE);
  });

  it('lists the groups that grant privileges in one query, whatever their number', async () => {
    const { site, scim } = await newSite();
    const [userId] = await seedUsers(site.id, 1);
    for (const name of ['A', 'B', 'C', 'D']) {
      const group = await scim('POST', '/Groups', { displayName: name, members: [{ value: userId }] });
      expect(group.status, group.raw).toBe(201);
      await services.privileges.map(cliContext(site), name, 'Business Analyst');
    }
    counting.take();
    const mappings = await services.privileges.list(site);
    expect(mappings.map((mapping) => [mapping.displayName, mapping.members])).toEqual([
      ['A', 1],
      ['B', 1],
      ['C', 1],
      ['D', 1],
    ]);
    expect(counting.take()).toHaveLength(1);
  });

  it('inserts a user’s emails with one statement, not one per email', async () => {
    const { scim } = await newSite();
    counting.take();
    const created = await scim('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'many.emails@example.com',
      emails: [
        { value: 'a@example.com', type: 'work', primary: true },
        { value: 'b@example.com', type: 'home' },
        { value: 'c@example.com', type: 'other' },
      ],
    });
    expect(created.status, created.raw).toBe(201);
    expect(
      counting.take().filter((statement) => statement.sql.startsWith('INSERT INTO user_emails')),
    ).toHaveLength(1);
  });
});
