import type { Command } from 'commander';
import { type Config, DEFAULT_DATABASE_URL, isRedacted, loadConfig } from '../../config.js';
import { RosterError } from '../../errors.js';
import { createRoster, type Roster } from '../../main.js';
import { type CliIo, shellWord } from '../context.js';
import { wholeNumber } from '../options.js';

export function registerServeCommand(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('Run the Roster server (what npm start does); creates and migrates the database if needed')
    .option(
      '--port <port>',
      'port to listen on, 0 to 65535; 0 picks a free one (ROSTER_PORT, default 8080)',
      wholeNumber('--port', 0, 65535),
    )
    .option('--host <host>', 'address to listen on (ROSTER_HOST, default 127.0.0.1)')
    .option('--database <url>', 'sqlite:<file> or postgres://… (ROSTER_DATABASE_URL)')
    .action(async (options: { port?: number; host?: string; database?: string }) => {
      const config = loadConfig(io.env, {
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.host !== undefined ? { host: options.host } : {}),
        ...(options.database !== undefined ? { databaseUrl: options.database } : {}),
      });
      const roster = await createRoster(config);
      let address: string;
      try {
        address = await roster.app.listen({ host: config.host, port: config.port });
      } catch (error) {
        await roster.close();
        throw listenRefusal(error, config);
      }
      const base = `${config.publicUrl ?? address}/scim/v2`;
      io.out(`Roster is listening on ${address}`);
      io.out(`SCIM base URL: ${base}`);
      if (roster.createdSite) {
        io.out(`Created the site '${roster.createdSite.slug}' on first start.`);
      }
      if (config.defaultSite) {
        io.out(`Create a SCIM access token for it with: ${tokenCommand(io, config, roster)}`);
      }
      stopOnSignals(roster);
    });
}

/**
 * The exact command that creates a token in the database this server uses: with `--database` when
 * it is not the default one, which a bare `roster tokens create` would write to instead.
 */
export function tokenCommand(io: CliIo, config: Config, roster: Pick<Roster, 'databaseUrl'>): string {
  const command = `${io.program ?? 'roster'} tokens create --site ${config.defaultSite ?? '<site>'}`;
  if (config.databaseUrl === DEFAULT_DATABASE_URL) return command;
  return (
    `${command} --database ${shellWord(roster.databaseUrl)}` +
    (isRedacted(config.databaseUrl) ? ' (with the database password in place of ***)' : '')
  );
}

/** What went wrong listening, in one line naming the setting that decides it. */
function listenRefusal(error: unknown, config: Config): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') {
    return new RosterError(
      'port-in-use',
      `Port ${config.port} on ${config.host} is already in use: stop what listens there, or choose ` +
        'another port with --port or ROSTER_PORT (0 picks a free one).',
    );
  }
  if (code === 'EACCES') {
    return new RosterError(
      'invalid-argument',
      `Roster may not listen on port ${config.port} of ${config.host} (ports below 1024 need ` +
        'privileges): choose another port with --port or ROSTER_PORT.',
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new RosterError(
      'invalid-argument',
      `Roster cannot listen on '${config.host}': it is not an address of this machine. ` +
        'Choose another with --host or ROSTER_HOST (0.0.0.0 listens on all).',
    );
  }
  return error;
}

function stopOnSignals(roster: Roster): void {
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
}
