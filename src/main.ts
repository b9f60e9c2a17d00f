import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { createServices, type Services } from './directory/services.js';
import type { PasswordHasher } from './directory/users/user-kind.js';
import { buildApp } from './http/app.js';
import { createLogger, type Logger } from './logger.js';
import type { SiteRecord } from './model/site.js';
import { openDatabase } from './store/open.js';
import { SqlStore } from './store/sql/sql-store.js';
import type { Store } from './store/store.js';

export interface Roster {
  readonly app: FastifyInstance;
  readonly services: Services;
  /** The store beneath the services; no edge holds it (tests read rows through it). */
  readonly store: Store;
  readonly logger: Logger;
  /** The site created on this start, if the configured default site did not exist yet. */
  readonly createdSite: SiteRecord | undefined;
  close(): Promise<void>;
}

/** Opens the database a configuration names and builds the directory's services over it. */
export async function openServices(
  config: Config,
  options: { hashPassword?: PasswordHasher; postgresPoolSize?: number } = {},
): Promise<{ services: Services; store: Store; close: () => Promise<void> }> {
  const database = await openDatabase(config.databaseUrl, {
    sqliteSynchronous: config.sqliteSynchronous,
    postgresPoolSize: options.postgresPoolSize ?? config.postgresPoolSize,
    statementTimeoutMs: config.statementTimeoutMs,
    strictTransactions: config.strictTransactions,
  });
  const store = new SqlStore(database);
  const services = createServices(store, {
    ...(options.hashPassword ? { hashPassword: options.hashPassword } : {}),
    cursorTimeoutMs: config.cursorTimeoutMs,
    pageLimits: { defaultPageSize: config.defaultPageSize, maxPageSize: config.maxPageSize },
    documentationUri: config.documentationUrl,
    bulk: { maxOperations: config.bulkMaxOperations, maxPayloadSize: config.bulkBodyLimit },
  });
  return { services, store, close: () => store.close() };
}

/**
 * The composition root: configuration → database → store → services → app. Nothing is global;
 * every part receives what it needs, which is what lets the same tests run on both databases.
 */
export async function createRoster(
  config: Config,
  logger: Logger = createLogger(config.logLevel),
): Promise<Roster> {
  const { services, store, close } = await openServices(config);
  let createdSite: SiteRecord | undefined;
  if (config.defaultSite) {
    const ensured = await services.sites.ensure(config.defaultSite, 'Default site');
    if (ensured.created) createdSite = ensured.site;
  }
  const app = await buildApp({ services, config, logger });
  return {
    app,
    services,
    store,
    logger,
    createdSite,
    async close() {
      await app.close();
      await close();
    },
  };
}
