import { fileURLToPath } from 'node:url';
import { realpathSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { type ErrorKind, RosterError } from '../errors.js';
import { registerLogCommand } from './commands/log.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerPrivilegeCommands } from './commands/privileges.js';
import { registerSchemaCommands } from './commands/schemas.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSiteCommands } from './commands/sites.js';
import { registerTokenCommands } from './commands/tokens.js';
import { registerUserCommands } from './commands/users.js';
import { type CliIo, processIo } from './context.js';
import { rosterVersion } from './version.js';

/**
 * Exit codes by kind of failure: 1 for anything the command's input decides (invalid, unknown,
 * conflicting), 69 when the database is unavailable (retrying later may work), 70 for a bug
 * (sysexits' EX_UNAVAILABLE and EX_SOFTWARE).
 */
const EXIT_CODES: Readonly<Record<ErrorKind, number>> = {
  invalid: 1,
  unauthorized: 1,
  forbidden: 1,
  'not-found': 1,
  'method-not-allowed': 1,
  timeout: 1,
  conflict: 1,
  'precondition-failed': 1,
  'too-large': 1,
  'uri-too-long': 1,
  'unsupported-media-type': 1,
  'headers-too-large': 1,
  'not-implemented': 1,
  unavailable: 69,
  internal: 70,
};

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

export function buildProgram(io: CliIo): Command {
  const program = new Command('roster')
    .description("Roster: a site's user directory and its SCIM 2.0 service")
    .version(`roster ${rosterVersion()}`, '-V, --version', 'print the version of Roster')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => {
        io.out(text.trimEnd());
      },
      writeErr: (text) => {
        io.err(text.trimEnd());
      },
      // Usage errors get the same one line as every other failure (`roster: …`), hint included.
      outputError: (text, write) => {
        write(`roster: ${text.trim().replace(/^error: /, '')} (run with --help for usage)`);
      },
    });
  registerServeCommand(program, io);
  registerMigrateCommand(program, io);
  registerSiteCommands(program, io);
  registerTokenCommands(program, io);
  registerUserCommands(program, io);
  registerLogCommand(program, io);
  registerPrivilegeCommands(program, io);
  registerSchemaCommands(program, io);
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

/** Runs the CLI and resolves to its exit code; failures print one line, never a stack. */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    if (error instanceof RosterError) {
      io.err(`roster: ${oneLine(error.detail)} [${error.code}]`);
      return EXIT_CODES[error.kind];
    }
    io.err(`roster: ${oneLine(error instanceof Error ? error.message : String(error))}`);
    return EXIT_CODES.internal;
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  void runCli(process.argv.slice(2)).then((code) => {
    // `serve` keeps running; every other command ends here.
    if (code !== 0 || process.argv[2] !== 'serve') process.exitCode = code;
  });
}
