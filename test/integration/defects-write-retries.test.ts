/**
 * Guards: a write whose transaction lost a deadlock or a serialization failure (a `write-conflict`)
 * went straight back to the client as a 503, though the database had rolled it back whole and the
 * same write usually wins the next time. The write pipeline now runs it again, up to three attempts,
 * and only then lets the 503 through. Both dialects, over a store that makes transactions lose.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliContext } from '../../src/directory/context.js';
import { createServices, type Services } from '../../src/directory/services.js';
import { RosterError } from '../../src/errors.js';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import type { Store, StoreTransaction } from '../../src/store/store.js';
import { USER_SCHEMA } from '../fixtures/okta.js';
import { DIALECTS, scimRequest, startTestRoster, type TestRoster } from '../helpers/roster.js';

/**
 * The real store, but while armed a transaction fails at its last step (the resource count), after
 * its user and event were written, as a deadlock found late would: the real transaction rolls back.
 * Transactions that never adjust a count (the refusal's own log entry, a token's last use) pass.
 */
class LosingStore implements Store {
  /** Transactions still to lose. */
  losses = 0;
  /** Transactions lost so far. */
  lost = 0;

  constructor(private readonly inner: Store) {}

  get sites(): Store['sites'] {
    return this.inner.sites;
  }
  get tokens(): Store['tokens'] {
    return this.inner.tokens;
  }
  get users(): Store['users'] {
    return this.inner.users;
  }
  get groups(): Store['groups'] {
    return this.inner.groups;
  }
  get members(): Store['members'] {
    return this.inner.members;
  }
  get events(): Store['events'] {
    return this.inner.events;
  }
  get counts(): Store['counts'] {
    return this.inner.counts;
  }
  get paging(): Store['paging'] {
    return this.inner.paging;
  }

  transaction<T>(
    work: (tx: StoreTransaction) => Promise<T>,
    options?: Parameters<Store['transaction']>[1],
  ): Promise<T> {
    return this.inner.transaction((tx) => {
      const losing: StoreTransaction = {
        sites: tx.sites,
        tokens: tx.tokens,
        users: tx.users,
        groups: tx.groups,
        members: tx.members,
        events: tx.events,
        paging: tx.paging,
        counts: {
          visible: (siteId, type) => tx.counts.visible(siteId, type),
          adjust: async (siteId, type, delta) => {
            if (this.losses > 0) {
              this.losses--;
              this.lost++;
              throw new RosterError('write-conflict', 'Simulated deadlock: try it again.', {
                retryAfterSeconds: 1,
              });
            }
            await tx.counts.adjust(siteId, type, delta);
          },
        },
      };
      return work(losing);
    }, options);
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

describe.each(DIALECTS)('write-conflict retries (%s)', (dialect) => {
  let harness: TestRoster;
  let store: LosingStore;
  let services: Services;
  let app: FastifyInstance;
  beforeAll(async () => {
    harness = await startTestRoster(dialect);
    store = new LosingStore(harness.roster.store);
    services = createServices(store);
    app = await buildApp({ services, config: harness.config, logger: createLogger('silent') });
  });
  afterAll(async () => {
    await app.close();
    await harness.close();
  });

  const view = { scimBase: 'http://roster.test/scim/v2' };

  it('runs a write that lost once again: one user, one create event', async () => {
    const { site } = await harness.newSite();
    store.losses = 1;
    store.lost = 0;
    const created = await services.resources.create(
      cliContext(site),
      'User',
      { schemas: [USER_SCHEMA], userName: 'retried@okta.local' },
      view,
    );
    expect(store.lost).toBe(1);

    const users = await harness.roster.store.users.page(
      site.id,
      { start: { index: 1 }, count: 10 },
      { includeDeleted: true },
    );
    expect(users.items.map((user) => [user.id, user.logon])).toEqual([[created.id, 'retried@okta.local']]);
    expect(await harness.roster.store.counts.visible(site.id, 'User')).toBe(1);
    const events = await harness.roster.store.events.list(site.id, { limit: 10 });
    expect(events.map((event) => [event.operation, event.outcome, event.resourceId])).toEqual([
      ['create', 'success', created.id],
    ]);
  });

  it('gives up after three attempts with the write-conflict, and nothing is written', async () => {
    const { site } = await harness.newSite();
    store.losses = Number.POSITIVE_INFINITY;
    store.lost = 0;
    try {
      const refusal = await services.resources
        .create(cliContext(site), 'User', { schemas: [USER_SCHEMA], userName: 'unlucky@okta.local' }, view)
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(refusal).toBeInstanceOf(RosterError);
      expect((refusal as RosterError).code).toBe('write-conflict');
      expect(store.lost).toBe(3);
    } finally {
      store.losses = 0;
    }
    expect(await harness.roster.store.users.byLogon(site.id, 'unlucky@okta.local')).toBeUndefined();
    const events = await harness.roster.store.events.list(site.id, { limit: 10 });
    expect(events.map((event) => [event.operation, event.outcome, event.httpStatus])).toEqual([
      ['create', 'failure', 503],
    ]);
  });

  it('answers a write that lost every attempt with 503 and Retry-After', async () => {
    const { site } = await harness.newSite();
    const { token } = await services.tokens.issue(site, { createdBy: 'test' });
    store.losses = Number.POSITIVE_INFINITY;
    try {
      const response = await scimRequest({ app } as never, token, 'POST', '/Users', {
        schemas: [USER_SCHEMA],
        userName: 'unlucky@okta.local',
      });
      expect(response.status, response.raw).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.body.status).toBe('503');
    } finally {
      store.losses = 0;
    }
    expect(await harness.roster.store.users.byLogon(site.id, 'unlucky@okta.local')).toBeUndefined();
  });
});
