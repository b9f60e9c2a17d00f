import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { createServices, type Services } from './directory/services.js';
import type { PasswordHasher } from './directory/users/user-kind.js';
import { buildApp } from './http/app.js';
import { createLogger, type Logger } from './logger.js';
import type { SiteRecord } from './model/site.js';
import { openRosterDatabase } from './store/open.js';
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
  /** The database as a `--database` value, fit to print (no password). */
  readonly databaseUrl: string;
  close(): Promise<void>;
}

export interface OpenedServices {
  readonly services: Services;
  readonly store: Store;
  /** The migrations this opening applied, and the schema version the database is now at. */
  readonly schema: { readonly applied: readonly number[]; readonly version: number };
  /** Where the database is, fit to print (no password). */
  readonly location: string;
  /** The database as a `--database` value, fit to print (no password). */
  readonly printableUrl: string;
  readonly close: () => Promise<void>;
}

/**
 * Opens the database a configuration names and builds the directory's services over it. With
 * `schema: 'existing'` (every CLI command but `serve` and `migrate`) a missing or outdated database
 * is refused and nothing is created.
 */
export async function openServices(
  config: Config,
  options: {
    hashPassword?: PasswordHasher;
    postgresPoolSize?: number;
    schema?: 'migrate' | 'existing';
  } = {},
): Promise<OpenedServices> {
  const { database, applied, version, location, printableUrl } = await openRosterDatabase(
    config.databaseUrl,
    {
      sqliteSynchronous: config.sqliteSynchronous,
      postgresPoolSize: options.postgresPoolSize ?? config.postgresPoolSize,
      statementTimeoutMs: config.statementTimeoutMs,
      strictTransactions: config.strictTransactions,
      schema: options.schema ?? 'migrate',
    },
  );
  const store = new SqlStore(database);
  const services = createServices(store, {
    ...(options.hashPassword ? { hashPassword: options.hashPassword } : {}),
    cursorTimeoutMs: config.cursorTimeoutMs,
    pageLimits: { defaultPageSize: config.defaultPageSize, maxPageSize: config.maxPageSize },
    documentationUri: config.documentationUrl,
    bulk: { maxOperations: config.bulkMaxOperations, maxPayloadSize: config.bulkBodyLimit },
  });
  return {
    services,
    store,
    schema: { applied, version },
    location,
    printableUrl,
    close: () => store.close(),
  };
}

/** The configured default site (`ROSTER_DEFAULT_SITE`), created if it does not exist yet. */
export async function ensureDefaultSite(services: Services, config: Config): Promise<SiteRecord | undefined> {
  if (!config.defaultSite) return undefined;
  const ensured = await services.sites.ensure(config.defaultSite, 'Default site');
  return ensured.created ? ensured.site : undefined;
}

/**
 * The composition root: configuration → database → store → services → app. Nothing is global;
 * every part receives what it needs, which is what lets the same tests run on both databases.
 */
export async function createRoster(
  config: Config,
  logger: Logger = createLogger(config.logLevel),
): Promise<Roster> {
  const { services, store, close, printableUrl } = await openServices(config);
  const createdSite = await ensureDefaultSite(services, config);
  const app = await buildApp({ services, config, logger });
  return {
    app,
    services,
    store,
    logger,
    createdSite,
    databaseUrl: printableUrl,
    async close() {
      await app.close();
      await close();
    },
  };
}
