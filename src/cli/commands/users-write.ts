import type { Command } from 'commander';
import { cliContext } from '../../directory/context.js';
import { type Privilege, PRIVILEGES } from '../../model/resource.js';
import { type CliIo, printJson, withServices } from '../context.js';
import { oneOf } from '../options.js';
import { userJson } from './user-output.js';

interface CreateOptions {
  site: string;
  logon: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  timeZone?: string;
  privilege?: Privilege;
  json?: boolean;
  database?: string;
}

/** `users create`, `users disable`, `users enable`: an operator's writes, through the write pipeline. */
export function registerUserWriteCommands(users: Command, io: CliIo): void {
  users
    .command('create')
    .description(
      'Create a user, as an identity provider would (a Logon a SCIM DELETE removed comes back); logged with you as the actor',
    )
    .requiredOption('--site <slug>', 'the site')
    .requiredOption(
      '--logon <logon>',
      'the Logon (SCIM userName), unique in the site whatever its letter case',
    )
    .option('--first-name <name>', 'First Name (name.givenName)')
    .option('--last-name <name>', 'Last Name (name.familyName)')
    .option('--email <address>', 'the email (a primary work email)')
    .option('--time-zone <zone>', 'an IANA time zone, e.g. Europe/London')
    .option(
      '--privilege <privilege>',
      'its own privilege: User (the default), "Business Analyst" or Promaster',
      oneOf('--privilege', PRIVILEGES),
    )
    .option('--json', 'print the user as users list --json does')
    .option('--database <url>', 'sqlite:<file> or postgres://…')
    .action(async (options: CreateOptions) => {
      const { user, restored } = await withServices(io, options.database, async (services) => {
        const site = await services.sites.get(options.site);
        return services.users.create(cliContext(site), {
          logon: options.logon,
          firstName: options.firstName,
          lastName: options.lastName,
          email: options.email,
          timeZone: options.timeZone,
          privilege: options.privilege,
        });
      });
      if (options.json) printJson(io, userJson(user));
      else
        io.out(
          restored
            ? `Brought back '${user.logon}' (${user.id}), which a SCIM DELETE had removed, as ${user.privilege}.`
            : `Created '${user.logon}' (${user.id}) in site '${options.site}' as ${user.privilege}.`,
        );
    });

  for (const active of [false, true]) {
    const verb = active ? 'enable' : 'disable';
    users
      .command(`${verb} <logon>`)
      .description(
        active
          ? 'Enable a disabled user; logged with you as the actor'
          : 'Disable a user (never the last active Promaster); logged with you as the actor',
      )
      .requiredOption('--site <slug>', 'the site')
      .option('--json', 'print the user as users list --json does, and "changed"')
      .option('--database <url>', 'sqlite:<file> or postgres://…')
      .action(async (logon: string, options: { site: string; json?: boolean; database?: string }) => {
        const { user, changed } = await withServices(io, options.database, async (services) => {
          const site = await services.sites.get(options.site);
          return services.users.setActive(cliContext(site), logon, active);
        });
        if (options.json) printJson(io, { ...userJson(user), changed });
        else
          io.out(
            changed
              ? `${active ? 'Enabled' : 'Disabled'} '${user.logon}'.`
              : `'${user.logon}' is already ${active ? 'enabled' : 'disabled'}: nothing changed.`,
          );
      });
  }
}
