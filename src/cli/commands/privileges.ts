import type { Command } from 'commander';
import { cliContext } from '../../directory/context.js';
import type { PrivilegeMapping } from '../../directory/privileges.js';
import { type CliIo, printJson, printTable, withServices } from '../context.js';

export function registerPrivilegeCommands(program: Command, io: CliIo): void {
  const privileges = program
    .command('privileges')
    .description('Let group membership decide who is a Promaster or a Business Analyst');

  privileges
    .command('map')
    .description("Grant a privilege to a group's members")
    .requiredOption('--site <slug>', 'the site')
    .requiredOption('--group <displayName>', 'the group, by its name')
    .requiredOption('--privilege <privilege>', '"Promaster" or "Business Analyst"')
    .option('--json', 'print JSON')
    .option('--database <url>', 'sqlite:<file> or postgres://…')
    .action(
      async (options: {
        site: string;
        group: string;
        privilege: string;
        json?: boolean;
        database?: string;
      }) => {
        const mapping = await withServices(io, options.database, async (services) => {
          const site = await services.sites.get(options.site);
          return services.privileges.map(cliContext(site), options.group, options.privilege);
        });
        if (options.json) printJson(io, mapping);
        else
          io.out(
            `Group '${mapping.displayName}' now grants ${mapping.privilege} to its ${mapping.members} member(s).`,
          );
      },
    );

  privileges
    .command('unmap')
    .description('Stop a group from granting a privilege; its members go back to their own')
    .requiredOption('--site <slug>', 'the site')
    .requiredOption('--group <displayName>', 'the group, by its name')
    .option('--json', 'print JSON')
    .option('--database <url>', 'sqlite:<file> or postgres://…')
    .action(async (options: { site: string; group: string; json?: boolean; database?: string }) => {
      const mapping = await withServices(io, options.database, async (services) => {
        const site = await services.sites.get(options.site);
        return services.privileges.unmap(cliContext(site), options.group);
      });
      if (options.json) printJson(io, mapping);
      else io.out(`Group '${mapping.displayName}' no longer grants a privilege.`);
    });

  privileges
    .command('list')
    .description('List the groups that grant a privilege')
    .requiredOption('--site <slug>', 'the site')
    .option('--json', 'print JSON')
    .option('--database <url>', 'sqlite:<file> or postgres://…')
    .action(async (options: { site: string; json?: boolean; database?: string }) => {
      const mappings: PrivilegeMapping[] = await withServices(io, options.database, async (services) =>
        services.privileges.list(await services.sites.get(options.site)),
      );
      if (options.json) printJson(io, mappings);
      else
        printTable(
          io,
          ['GROUP', 'PRIVILEGE', 'MEMBERS', 'ID'],
          mappings.map((m) => [m.displayName, m.privilege, String(m.members), m.groupId]),
        );
    });
}
