import type { Command } from 'commander';
import type { SiteRecord } from '../../model/site.js';
import { RosterError } from '../../errors.js';
import { type CliIo, isoTime, printJson, printTable, withServices } from '../context.js';
import { MAX_PASSWORD_LENGTH } from '../../directory/password-policy.js';
import { onOff, oneOf, wholeNumber } from '../options.js';

export function siteJson(site: SiteRecord): object {
  return {
    id: site.id,
    slug: site.slug,
    name: site.name,
    createdAt: isoTime(site.createdAt),
    settings: site.settings,
  };
}

export function registerSiteCommands(program: Command, io: CliIo): void {
  const sites = program.command('sites').description('Manage sites (tenants)');

  sites
    .command('create <slug>')
    .description('Create a site')
    .option('--name <name>', 'display name')
    .option('--json', 'print JSON')
    .option('--database <url>', 'sqlite:<file> or postgres://…')
    .action(async (slug: string, options: { name?: string; json?: boolean; database?: string }) => {
      const site = await withServices(io, options.database, (services) =>
        services.sites.create(slug, options.name),
      );
      if (options.json) printJson(io, siteJson(site));
      else io.out(`Created site '${site.slug}' (${site.id}).`);
    });

  sites
    .command('list')
    .description('List sites')
    .option('--json', 'print JSON')
    .option('--database <url>', 'sqlite:<file> or postgres://…')
    .action(async (options: { json?: boolean; database?: string }) => {
      const list = await withServices(io, options.database, (services) => services.sites.list());
      if (options.json) printJson(io, list.map(siteJson));
      else
        printTable(
          io,
          ['SLUG', 'NAME', 'PASSWORD SYNC', 'CREATED'],
          list.map((site) => [
            site.slug,
            site.name,
            site.settings.passwordSync ? 'on' : 'off',
            isoTime(site.createdAt),
          ]),
        );
    });

  sites
    .command('configure <slug>')
    .description("Change a site's settings (password sync and password policy)")
    .option(
      '--password-sync <on|off>',
      'store passwords that identity providers send, checked against the policy',
      onOff('--password-sync'),
    )
    .option(
      '--password-min-length <n>',
      `minimum password length, 1 to ${MAX_PASSWORD_LENGTH}`,
      wholeNumber('--password-min-length', 1, MAX_PASSWORD_LENGTH),
    )
    .option(
      '--password-require-uppercase <on|off>',
      'require an upper-case letter',
      onOff('--password-require-uppercase'),
    )
    .option(
      '--password-require-lowercase <on|off>',
      'require a lower-case letter',
      onOff('--password-require-lowercase'),
    )
    .option('--password-require-digit <on|off>', 'require a digit', onOff('--password-require-digit'))
    .option('--password-require-symbol <on|off>', 'require a symbol', onOff('--password-require-symbol'))
    .option(
      '--password-disallow-logon <on|off>',
      'refuse passwords that contain the Logon',
      onOff('--password-disallow-logon'),
    )
    .option(
      '--patch-response <200|204>',
      'answer a successful PATCH with 200 and the resource, or 204',
      oneOf('--patch-response', ['200', '204'] as const),
    )
    .option('--json', 'print JSON')
    .option('--database <url>', 'sqlite:<file> or postgres://…')
    .action(
      async (
        slug: string,
        options: {
          passwordSync?: boolean;
          passwordMinLength?: number;
          passwordRequireUppercase?: boolean;
          passwordRequireLowercase?: boolean;
          passwordRequireDigit?: boolean;
          passwordRequireSymbol?: boolean;
          passwordDisallowLogon?: boolean;
          patchResponse?: '200' | '204';
          json?: boolean;
          database?: string;
        },
      ) => {
        const policy = Object.fromEntries(
          Object.entries({
            minLength: options.passwordMinLength,
            requireUppercase: options.passwordRequireUppercase,
            requireLowercase: options.passwordRequireLowercase,
            requireDigit: options.passwordRequireDigit,
            requireSymbol: options.passwordRequireSymbol,
            disallowLogon: options.passwordDisallowLogon,
          }).filter(([, value]) => value !== undefined),
        );
        if (
          options.passwordSync === undefined &&
          options.patchResponse === undefined &&
          Object.keys(policy).length === 0
        ) {
          throw new RosterError(
            'invalid-argument',
            'Nothing to change: give at least one setting (see roster sites configure --help).',
          );
        }
        const site = await withServices(io, options.database, (services) =>
          services.sites.configure(slug, {
            ...(options.passwordSync !== undefined ? { passwordSync: options.passwordSync } : {}),
            ...(options.patchResponse !== undefined
              ? { patchNoContent: options.patchResponse === '204' }
              : {}),
            passwordPolicy: policy,
          }),
        );
        if (options.json) printJson(io, siteJson(site));
        else
          io.out(
            `Updated site '${site.slug}': password sync ${site.settings.passwordSync ? 'on' : 'off'}, ` +
              `PATCH answers ${site.settings.patchNoContent === true ? 204 : 200}, policy ${JSON.stringify(site.settings.passwordPolicy)}.`,
          );
      },
    );
}
