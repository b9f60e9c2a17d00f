import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createRoster, type Roster } from '../../src/main.js';
import { migrations } from '../../src/store/sql/migrations/index.js';
import { withRawDatabase } from '../helpers/raw-database.js';
import { createTestDatabase, DIALECTS, scimRequest, type TestDatabase } from '../helpers/roster.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

function start(database: TestDatabase, defaultSite: string | undefined): Promise<Roster> {
  return createRoster(
    loadConfig({}, { databaseUrl: database.url, logLevel: 'silent', defaultSite }),
    createLogger('silent'),
  );
}

function appliedMigrations(database: TestDatabase): Promise<{ id: number; applied_at: number }[]> {
  return withRawDatabase(database.url, async (db) =>
    (
      await db.all<{ id: number; applied_at: number }>(
        'SELECT id, applied_at FROM schema_migrations ORDER BY id',
      )
    ).map((row) => ({ id: Number(row.id), applied_at: Number(row.applied_at) })),
  );
}

// Each test owns its database, since the point is what a second Roster finds in it.
describe.each(DIALECTS)('restart (%s)', (dialect) => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function freshDatabase(): Promise<TestDatabase> {
    const database = await createTestDatabase(dialect);
    cleanup.push(() => database.drop());
    return database;
  }

  async function started(database: TestDatabase, defaultSite: string | undefined): Promise<Roster> {
    const roster = await start(database, defaultSite);
    let closed = false;
    cleanup.push(async () => {
      if (!closed) await roster.close();
    });
    const close = roster.close.bind(roster);
    return {
      ...roster,
      close: async () => {
        closed = true;
        await close();
      },
    };
  }

  it('keeps tokens, users and the provisioning log across a restart', async () => {
    const database = await freshDatabase();
    const first = await started(database, undefined);
    const site = await first.services.sites.create('acme');
    const { token, record } = await first.services.tokens.issue(site, { createdBy: 'test' });
    const scim1 = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown) =>
      scimRequest(first, token, method, path, body);

    const active = await scim1('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'active@acme.test',
      name: { givenName: 'Ada', familyName: 'Active' },
      emails: [{ value: 'active@acme.test', primary: true }],
      timezone: 'Europe/London',
    });
    const disabled = await scim1('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'disabled@acme.test',
    });
    const deleted = await scim1('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'deleted@acme.test' });
    for (const response of [active, disabled, deleted]) expect(response.status, response.raw).toBe(201);
    expect(
      (
        await scim1('PATCH', `/Users/${disabled.body.id}`, {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'replace', path: 'active', value: false }],
        })
      ).status,
    ).toBe(200);
    expect((await scim1('DELETE', `/Users/${deleted.body.id}`)).status).toBe(204);
    const eventsBefore = await first.store.events.list(site.id, { limit: 100 });
    const migrationsBefore = await appliedMigrations(database);
    await first.close();

    const second = await started(database, undefined);
    const scim2 = (method: 'GET', path: string) => scimRequest(second, token, method, path);

    const activeAgain = await scim2('GET', `/Users/${active.body.id}`);
    expect(activeAgain.status, activeAgain.raw).toBe(200);
    expect(activeAgain.body).toMatchObject({
      userName: 'active@acme.test',
      name: { givenName: 'Ada', familyName: 'Active' },
      emails: [{ value: 'active@acme.test', primary: true }],
      timezone: 'Europe/London',
      active: true,
    });
    const disabledAgain = await scim2('GET', `/Users/${disabled.body.id}`);
    expect(disabledAgain.status).toBe(200);
    expect(disabledAgain.body.active).toBe(false);
    expect((await scim2('GET', `/Users/${deleted.body.id}`)).status).toBe(404);
    const list = await scim2('GET', '/Users');
    expect(list.body.totalResults).toBe(2);

    const stored = await second.store.users.page(
      site.id,
      { start: { index: 1 }, count: 10 },
      { includeDeleted: true },
    );
    const deletedRecord = stored.items.find((user) => user.id === deleted.body.id);
    expect(deletedRecord).toMatchObject({ logon: 'deleted@acme.test', active: false });
    expect(deletedRecord?.deletedAt).toEqual(expect.any(Number));

    // The token the requests above authenticated with is the stored record, not a re-issued one.
    const tokenAgain = await second.store.tokens.get(site.id, record.id);
    expect(tokenAgain).toMatchObject({ id: record.id, siteId: site.id, revokedAt: null });

    // The log holds every event written before the restart, unchanged; reads are not logged.
    const eventsAfter = await second.store.events.list(site.id, { limit: 100 });
    expect(eventsAfter).toEqual(eventsBefore);
    expect(eventsAfter.map((event) => event.operation).reverse()).toEqual([
      'create',
      'create',
      'create',
      'disable',
      'delete',
    ]);

    // The migrations ran once, on the first start: the second found them applied.
    const migrationsAfter = await appliedMigrations(database);
    expect(migrationsAfter).toEqual(migrationsBefore);
    expect(migrationsAfter.map((row) => row.id)).toEqual(migrations.map((migration) => migration.id));
  });

  it('starts any number of times on a migrated database', async () => {
    const database = await freshDatabase();
    for (let i = 0; i < 3; i++) {
      const roster = await started(database, undefined);
      const health = await roster.app.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode, health.body).toBe(200);
      await roster.close();
    }
    expect((await appliedMigrations(database)).map((row) => row.id)).toEqual(
      migrations.map((migration) => migration.id),
    );
  });

  it('creates no site when no default site is configured', async () => {
    const database = await freshDatabase();
    const roster = await started(database, undefined);
    expect(roster.createdSite).toBeUndefined();
    expect(await roster.services.sites.list()).toEqual([]);
  });

  it('creates the default site on the first start only', async () => {
    const database = await freshDatabase();
    const first = await started(database, 'default');
    expect(first.createdSite?.slug).toBe('default');
    const createdId = first.createdSite!.id;
    await first.close();

    const second = await started(database, 'default');
    expect(second.createdSite).toBeUndefined();
    const sites = await second.services.sites.list();
    expect(sites.map((site) => ({ id: site.id, slug: site.slug }))).toEqual([
      { id: createdId, slug: 'default' },
    ]);
  });
});

describe('migrations on PostgreSQL', () => {
  it('migrate on a pool of one connection, and several nodes starting together migrate once', async () => {
    const database = await createTestDatabase('postgres');
    const nodes: Roster[] = [];
    try {
      const config = loadConfig(
        {},
        { databaseUrl: database.url, logLevel: 'silent', defaultSite: 'default', postgresPoolSize: 1 },
      );
      nodes.push(...(await Promise.all([1, 2, 3].map(() => createRoster(config, createLogger('silent'))))));
      expect((await appliedMigrations(database)).map((row) => row.id)).toEqual(
        migrations.map((migration) => migration.id),
      );
      expect((await nodes[0]!.services.sites.list()).map((site) => site.slug)).toEqual(['default']);
    } finally {
      for (const node of nodes) await node.close();
      await database.drop();
    }
  });
});
