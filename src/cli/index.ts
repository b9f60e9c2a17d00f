import { fileURLToPath } from 'node:url';
import { realpathSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { DirectoryError } from '../directory/sites.js';
import { DatabaseUrlError } from '../store/open.js';
import { registerLogCommand } from './commands/log.js';
import { registerPrivilegeCommands } from './commands/privileges.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSiteCommands } from './commands/sites.js';
import { registerTokenCommands } from './commands/tokens.js';
import { registerUserCommands } from './commands/users.js';
import { type CliIo, CliError, processIo } from './context.js';

export function buildProgram(io: CliIo): Command {
  const program = new Command('roster')
    .description("Roster: a site's user directory and its SCIM 2.0 service")
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
  registerSiteCommands(program, io);
  registerTokenCommands(program, io);
  registerUserCommands(program, io);
  registerLogCommand(program, io);
  registerPrivilegeCommands(program, io);
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

/** Runs the CLI and resolves to its exit code; failures print one line, never a stack. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    if (
      error instanceof CliError ||
      error instanceof DirectoryError ||
      error instanceof ConfigError ||
      error instanceof DatabaseUrlError
    ) {
      io.err(`roster: ${error.message}`);
      return 1;
    }
    io.err(`roster: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
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
