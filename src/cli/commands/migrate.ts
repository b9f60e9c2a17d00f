import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { ensureDefaultSite, openServices } from '../../main.js';
import { type CliIo, printJson } from '../context.js';

export function registerMigrateCommand(program: Command, io: CliIo): void {
  program
    .command('migrate')
    .description(
      'Create the database if there is none, bring its schema up to date and create the default site: ' +
        'what serve does at start',
    )
    .option('--json', 'print {"database", "version", "applied", "createdSite"}')
    .option('--database <url>', 'sqlite:<file> or postgres://… (ROSTER_DATABASE_URL)')
    .action(async (options: { json?: boolean; database?: string }) => {
      const config = loadConfig(io.env, options.database ? { databaseUrl: options.database } : {});
      const opened = await openServices(config, { postgresPoolSize: 2, schema: 'migrate' });
      try {
        const created = await ensureDefaultSite(opened.services, config);
        const { applied, version } = opened.schema;
        if (options.json) {
          printJson(io, {
            database: opened.location,
            version,
            applied,
            createdSite: created?.slug ?? null,
          });
          return;
        }
        io.out(
          applied.length === 0
            ? `The Roster database at ${opened.location} is up to date (schema version ${version}).`
            : `Brought the Roster database at ${opened.location} to schema version ${version} ` +
                `(applied ${applied.join(', ')}).`,
        );
        if (created) io.out(`Created the site '${created.slug}'.`);
      } finally {
        await opened.close();
      }
    });
}
