import type { Command } from 'commander';
import { cliContext } from '../../directory/context.js';
import type { TokenRecord } from '../../model/token.js';
import { type CliIo, isoTime, printJson, printTable, withServices } from '../context.js';
import { DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS } from '../../directory/tokens.js';
import { wholeNumber } from '../options.js';

function tokenStatus(token: TokenRecord, now: number): string {
  if (token.revokedAt !== null) return 'revoked';
  if (now >= token.expiresAt) return 'expired';
  return 'active';
}

export function tokenJson(token: TokenRecord, now = Date.now()): object {
  return {
    id: token.id,
    hint: `${token.tokenHint}…`,
    description: token.description,
    scope: token.scope,
    status: tokenStatus(token, now),
    createdBy: token.createdBy,
    createdAt: isoTime(token.createdAt),
    expiresAt: isoTime(token.expiresAt),
    revokedAt: token.revokedAt === null ? null : isoTime(token.revokedAt),
    lastUsedAt: token.lastUsedAt === null ? null : isoTime(token.lastUsedAt),
  };
}

export function registerTokenCommands(program: Command, io: CliIo): void {
  const tokens = program.command('tokens').description("Manage a site's SCIM access tokens");

  tokens
    .command('create')
    .description('Create a SCIM access token; the secret is printed once and never stored')
    .requiredOption('--site <slug>', 'the site the token is for')
    .option('--description <text>', 'what the token is for, e.g. "Okta production"')
    .option(
      '--days <n>',
      `days until it expires, 1 to ${MAX_TOKEN_DAYS}`,
      wholeNumber('--days', 1, MAX_TOKEN_DAYS),
      DEFAULT_TOKEN_DAYS,
    )
    .option('--json', 'print {"id","token","expiresAt"}')
    .option('--database <url>', 'sqlite:<file> or postgres://…')
    .action(
      async (options: {
        site: string;
        description?: string;
        days: number;
        json?: boolean;
        database?: string;
      }) => {
        const issued = await withServices(io, options.database, async (services) => {
          const site = await services.sites.get(options.site);
          return services.tokens.issue(
            site,
            {
              ...(options.description !== undefined ? { description: options.description } : {}),
              days: options.days,
              createdBy: 'cli',
            },
            cliContext(site),
          );
        });
        if (options.json) {
          printJson(io, {
            id: issued.record.id,
            token: issued.token,
            expiresAt: isoTime(issued.record.expiresAt),
          });
          return;
        }
        io.out(issued.token);
        io.err(
          `Token ${issued.record.id} for site '${options.site}', valid until ${isoTime(issued.record.expiresAt)}.`,
        );
        io.err(
          'Copy it now: it is shown only once. Paste it into the identity provider as the API token (Bearer).',
        );
      },
    );

  tokens
    .command('list')
    .description("List a site's tokens (never their secrets)")
    .requiredOption('--site <slug>', 'the site')
    .option('--json', 'print JSON')
    .option('--database <url>', 'sqlite:<file> or postgres://…')
    .action(async (options: { site: string; json?: boolean; database?: string }) => {
      const list = await withServices(io, options.database, async (services) =>
        services.tokens.list(await services.sites.get(options.site)),
      );
      const now = Date.now();
      if (options.json)
        printJson(
          io,
          list.map((token) => tokenJson(token, now)),
        );
      else
        printTable(
          io,
          ['ID', 'HINT', 'STATUS', 'EXPIRES', 'LAST USED', 'DESCRIPTION'],
          list.map((token) => [
            token.id,
            `${token.tokenHint}…`,
            tokenStatus(token, now),
            isoTime(token.expiresAt),
            isoTime(token.lastUsedAt),
            token.description,
          ]),
        );
    });

  tokens
    .command('revoke <id>')
    .description("Revoke one of a site's tokens; it stops working on its next request")
    .requiredOption('--site <slug>', 'the site the token belongs to')
    .option('--json', 'print JSON')
    .option('--database <url>', 'sqlite:<file> or postgres://…')
    .action(async (id: string, options: { site: string; json?: boolean; database?: string }) => {
      const token = await withServices(io, options.database, async (services) => {
        const site = await services.sites.get(options.site);
        return services.tokens.revoke(site, id, cliContext(site));
      });
      if (options.json) printJson(io, tokenJson(token));
      else
        io.out(
          `Revoked token ${token.id} ('${token.description}', ${token.tokenHint}…) of site '${options.site}': ` +
            'its next request is refused.',
        );
    });
}
