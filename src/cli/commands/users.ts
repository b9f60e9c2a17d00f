import type { Command } from 'commander';
import { cliContext } from '../../directory/context.js';
import { grantingGroups, type PrivilegeStanding } from '../../directory/privileges.js';
import type { UserRecord } from '../../model/resource.js';
import { type CliIo, isoTime, printJson, printTable, withServices } from '../context.js';

export function userJson(user: UserRecord): object {
  return {
    id: user.id,
    logon: user.logon,
    firstName: user.firstName,
    lastName: user.lastName,
    email: user.email,
    timeZone: user.timeZone,
    privilege: user.privilege,
    status: user.active ? 'Active' : 'Disabled',
    externalId: user.externalId,
    source: user.source,
    removedFromScim: user.deletedAt !== null,
    createdAt: isoTime(user.createdAt),
    updatedAt: isoTime(user.updatedAt),
  };
}

export function standingJson(standing: PrivilegeStanding, extra: object = {}): object {
  return {
    logon: standing.logon,
    privilege: standing.privilege,
    ownPrivilege: standing.ownPrivilege,
    grantedBy: standing.grantedBy,
    ...extra,
  };
}

/** What a user holds and why, in a sentence: its own privilege and the groups that grant more. */
export function describeStanding(standing: PrivilegeStanding, changed: boolean): string {
  const who = `'${standing.logon}'`;
  const granted =
    standing.privilege === standing.ownPrivilege
      ? ''
      : `${standing.privilege}: ${grantingGroups(standing)} grants it.`;
  if (!changed) {
    return `${who} already holds ${standing.ownPrivilege} of its own: nothing changed.${granted ? ` It is ${granted}` : ''}`;
  }
  return granted
    ? `${who} now holds ${standing.ownPrivilege} of its own, but is ${granted}`
    : `${who} now holds ${standing.privilege}.`;
}

export function registerUserCommands(program: Command, io: CliIo): void {
  const users = program.command('users').description("Read a site's user directory");
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
}
