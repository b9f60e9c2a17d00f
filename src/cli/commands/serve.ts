import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { createRoster } from '../../main.js';
import type { CliIo } from '../context.js';
import { parseWholeNumber } from '../options.js';

export function registerServeCommand(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('Run the Roster server (what npm start does)')
    .option('--port <port>', 'port to listen on (ROSTER_PORT, default 8080)', parseWholeNumber)
    .option('--host <host>', 'address to listen on (ROSTER_HOST, default 127.0.0.1)')
    .option('--database <url>', 'sqlite:<file> or postgres://… (ROSTER_DATABASE_URL)')
    .action(async (options: { port?: number; host?: string; database?: string }) => {
      const config = loadConfig(io.env, {
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.host !== undefined ? { host: options.host } : {}),
        ...(options.database !== undefined ? { databaseUrl: options.database } : {}),
      });
      const roster = await createRoster(config);
      const address = await roster.app.listen({ host: config.host, port: config.port });
      const base = `${config.publicUrl ?? address}/scim/v2`;
      io.out(`Roster is listening on ${address}`);
      io.out(`SCIM base URL: ${base}`);
      if (roster.createdSite) {
        io.out(`Created the site '${roster.createdSite.slug}' on first start.`);
      }
      if (config.defaultSite) {
        io.out(
          `Create a SCIM access token for it with: npx roster tokens create --site ${config.defaultSite}`,
        );
      }
      let closing = false;
      const stop = (signal: string): void => {
        if (closing) return;
        closing = true;
        roster.logger.info({ signal }, 'shutting down');
        roster.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', () => {
        stop('SIGINT');
      });
      process.once('SIGTERM', () => {
        stop('SIGTERM');
      });
    });
}
