import type { Command } from 'commander';
import { cliContext } from '../../directory/context.js';
import { type CliIo, printJson, printTable, withServices } from '../context.js';
import { describeStanding, standingJson, userJson } from './user-output.js';
import { registerUserShowCommand } from './users-show.js';
import { registerUserWriteCommands } from './users-write.js';

export function registerUserCommands(program: Command, io: CliIo): void {
  const users = program
    .command('users')
    .description("A site's user directory: list, show, create, disable and enable users, set privileges");
  users
    .command('set-privilege <logon>')
    .description('Set the privilege a user holds of its own: User, Business Analyst or Promaster')
    .requiredOption('--site <slug>', 'the site')
    .requiredOption('--privilege <privilege>', '"User", "Business Analyst" or "Promaster"')
    .option('--json', 'print JSON')
    .option('--database <url>', 'sqlite:<file> or postgres://…')
    .action(
      async (
        logon: string,
        options: { site: string; privilege: string; json?: boolean; database?: string },
      ) => {
        const result = await withServices(io, options.database, async (services) => {
          const site = await services.sites.get(options.site);
          return services.privileges.setUserPrivilege(cliContext(site), logon, options.privilege);
        });
        if (options.json) printJson(io, standingJson(result, { changed: result.changed }));
        else io.out(describeStanding(result, result.changed));
      },
    );
  users
    .command('list')
    .description('List the users of a site (active ones unless --inactive)')
    .requiredOption('--site <slug>', 'the site')
    .option('--inactive', 'include disabled users and users a SCIM DELETE removed')
    .option('--json', 'print JSON')
    .option('--database <url>', 'sqlite:<file> or postgres://…')
    .action(async (options: { site: string; inactive?: boolean; json?: boolean; database?: string }) => {
      const all = await withServices(io, options.database, async (services) =>
        services.users.list(await services.sites.get(options.site), { inactive: options.inactive === true }),
      );
      if (options.json) printJson(io, all.map(userJson));
      else
        printTable(
          io,
          ['LOGON', 'FIRST NAME', 'LAST NAME', 'EMAIL', 'TIME ZONE', 'PRIVILEGE', 'STATUS'],
          all.map((user) => [
            user.logon,
            user.firstName ?? '',
            user.lastName ?? '',
            user.email ?? '',
            user.timeZone ?? '',
            user.privilege,
            user.deletedAt !== null ? 'Disabled (removed by SCIM)' : user.active ? 'Active' : 'Disabled',
          ]),
        );
    });
  registerUserShowCommand(users, io);
  registerUserWriteCommands(users, io);
}
