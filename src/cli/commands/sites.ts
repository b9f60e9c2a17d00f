import type { Command } from 'commander';
import { cliContext } from '../../directory/context.js';
import { describePolicy } from '../../directory/password-policy.js';
import type { SiteRecord } from '../../model/site.js';
import { RosterError } from '../../errors.js';
import { type CliIo, isoTime, printJson, printTable, withServices } from '../context.js';
import { MAX_PASSWORD_LENGTH } from '../../directory/password-policy.js';
import { onOff, oneOf, wholeNumber } from '../options.js';

/** Every setting, always: one the operator never set shows its default. */
export function siteJson(site: SiteRecord): object {
  const { settings } = site;
  const policy = settings.passwordPolicy;
  return {
    id: site.id,
    slug: site.slug,
    name: site.name,
    createdAt: isoTime(site.createdAt),
    settings: {
      passwordSync: settings.passwordSync,
      passwordPolicy: {
        minLength: policy.minLength,
        requireUppercase: policy.requireUppercase,
        requireLowercase: policy.requireLowercase,
        requireDigit: policy.requireDigit,
        requireSymbol: policy.requireSymbol,
        disallowLogon: policy.disallowLogon,
      },
      patchNoContent: settings.patchNoContent === true,
    },
  };
}

function patchAnswer(site: SiteRecord): string {
  return site.settings.patchNoContent === true ? '204 (no body)' : '200 (the resource)';
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
        services.sites.create(slug, options.name, 'cli'),
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
          ['SLUG', 'NAME', 'CREATED', 'PATCH ANSWER', 'PASSWORD SYNC', 'PASSWORD POLICY'],
          list.map((site) => [
            site.slug,
            site.name,
            isoTime(site.createdAt),
            patchAnswer(site),
            site.settings.passwordSync ? 'on' : 'off',
            describePolicy(site.settings.passwordPolicy),
          ]),
        );
    });

  sites
    .command('rename <slug>')
    .description("Give a site another name (its slug stays); logged in the site's log")
    .requiredOption('--name <name>', 'the new name')
    .option('--json', 'print the site as sites list --json does, and "changed"')
    .option('--database <url>', 'sqlite:<file> or postgres://…')
    .action(async (slug: string, options: { name: string; json?: boolean; database?: string }) => {
      const { site, changed } = await withServices(io, options.database, async (services) =>
        services.sites.rename(cliContext(await services.sites.get(slug)), options.name),
      );
      if (options.json) printJson(io, { ...siteJson(site), changed });
      else
        io.out(
          changed
            ? `Renamed site '${site.slug}' to '${site.name}'.`
            : `Site '${site.slug}' is already named '${site.name}': nothing changed.`,
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
          services.sites.configure(
            slug,
            {
              ...(options.passwordSync !== undefined ? { passwordSync: options.passwordSync } : {}),
              ...(options.patchResponse !== undefined
                ? { patchNoContent: options.patchResponse === '204' }
                : {}),
              passwordPolicy: policy,
            },
            'cli',
          ),
        );
        if (options.json) printJson(io, siteJson(site));
        else
          io.out(
            `Updated site '${site.slug}': password sync ${site.settings.passwordSync ? 'on' : 'off'}, ` +
              `PATCH answers ${patchAnswer(site)}, password policy: ${describePolicy(site.settings.passwordPolicy)}.`,
          );
      },
    );
}
