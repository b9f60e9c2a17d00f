import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { buildApp } from './http/app.js';
import { createLogger, type Logger } from './logger.js';
import { createServices, type Services } from './services.js';
import type { SiteRecord } from './store/store.js';
import { openDatabase } from './store/open.js';

export interface Roster {
  readonly app: FastifyInstance;
  readonly services: Services;
  readonly logger: Logger;
  /** The site created on this start, if the configured default site did not exist yet. */
  readonly createdSite: SiteRecord | undefined;
  close(): Promise<void>;
}

/**
 * The composition root: configuration → database → store → services → app. Nothing is global;
 * every part receives what it needs, which is what lets the same tests run on both databases.
 */
export async function createRoster(
  config: Config,
  logger: Logger = createLogger(config.logLevel),
): Promise<Roster> {
  const database = await openDatabase(config.databaseUrl, {
    sqliteSynchronous: config.sqliteSynchronous,
    postgresPoolSize: config.postgresPoolSize,
  });
  const services = createServices(database, { cursorTimeoutMs: config.cursorTimeoutMs });
  let createdSite: SiteRecord | undefined;
  if (config.defaultSite) {
    const ensured = await services.sites.ensure(config.defaultSite, 'Default site');
    if (ensured.created) createdSite = ensured.site;
  }
  const app = await buildApp({ services, config, logger });
  return {
    app,
    services,
    logger,
    createdSite,
    async close() {
      await app.close();
      await database.close();
    },
  };
}
