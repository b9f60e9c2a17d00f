import type { Command } from 'commander';
import { type EventFilter, MAX_EVENTS_PER_READ } from '../../directory/events.js';
import type { ProvisioningEvent } from '../../model/event.js';
import type { TokenRecord } from '../../model/token.js';
import { printableDatabaseUrl } from '../../config.js';
import { type CliIo, isoTime, printJson, printTable, shellWord, withServices } from '../context.js';
import { eventId, instant, oneOf, wholeNumber } from '../options.js';

const DEFAULT_LIMIT = 50;

export function eventJson(event: ProvisioningEvent): object {
  return {
    id: event.id,
    at: isoTime(event.at),
    actor: event.actor,
    tokenId: event.tokenId,
    requestId: event.requestId,
    operation: event.operation,
    resourceType: event.resourceType,
    resourceId: event.resourceId,
    resourceName: event.resourceName,
    logon: event.logon,
    externalId: event.externalId,
    outcome: event.outcome,
    httpStatus: event.httpStatus,
    changes: event.changes,
    detail: event.detail,
    occurrences: event.occurrences,
    lastAt: isoTime(event.lastAt),
  };
}

/** Changes, detail and repetitions of an event, on one line. */
export function eventSummary(event: ProvisioningEvent): string {
  const changes = (event.changes ?? [])
    .map((change) =>
      change.field === 'password'
        ? 'password changed'
        : `${change.field}: ${JSON.stringify(change.before ?? null)} → ${JSON.stringify(change.after ?? null)}`,
    )
    .join('; ');
  const repeated =
    event.occurrences > 1 ? `${event.occurrences} times, last at ${isoTime(event.lastAt)}` : '';
  return [changes, event.detail ?? '', repeated].filter(Boolean).join(' | ');
}

/** What an event is about, for the text form: a token by its description and prefix. */
function resourceOf(event: ProvisioningEvent, tokens: ReadonlyMap<string, TokenRecord>): string {
  if (event.resourceType === 'Token' && event.resourceId !== null) {
    const token = tokens.get(event.resourceId);
    const description = token?.description ?? event.resourceName;
    return `Token ${description === null ? '' : `'${description}' `}(${token ? `${token.tokenHint}…` : event.resourceId})`;
  }
  return [event.resourceType, event.resourceName].filter(Boolean).join(' ');
}

interface LogOptions {
  site: string;
  limit: number;
  before?: string;
  since?: number;
  until?: number;
  user?: string;
  operation?: string;
  outcome?: ProvisioningEvent['outcome'];
  token?: string;
  json?: boolean;
  database?: string;
}

export function registerLogCommand(program: Command, io: CliIo): void {
  program
    .command('log')
    .description("Show a site's provisioning log, newest first")
    .requiredOption('--site <slug>', 'the site')
    .option(
      '--limit <n>',
      `how many events, 1 to ${MAX_EVENTS_PER_READ}`,
      wholeNumber('--limit', 1, MAX_EVENTS_PER_READ),
      DEFAULT_LIMIT,
    )
    .option(
      '--before <event id>',
      'only events older than this one (to read on where a page ended)',
      eventId('--before'),
    )
    .option(
      '--since <time>',
      'only events at or after this ISO 8601 time (UTC unless it says)',
      instant('--since'),
    )
    .option(
      '--until <time>',
      'only events at or before this ISO 8601 time (UTC unless it says)',
      instant('--until'),
    )
    .option('--user <logon>', "only this user's events (under any Logon it had)")
    .option('--operation <name>', 'only this operation, e.g. create, disable, "privilege change"')
    .option(
      '--outcome <outcome>',
      'only success or failure',
      oneOf('--outcome', ['success', 'failure'] as const),
    )
    .option('--token <id>', 'only what this token did, or its refusals')
    .option('--json', 'print JSON')
    .option('--database <url>', 'sqlite:<file> or postgres://…')
    .action(async (options: LogOptions) => {
      const filter: EventFilter = {
        limit: options.limit,
        before: options.before,
        since: options.since,
        until: options.until,
        user: options.user,
        operation: options.operation,
        outcome: options.outcome,
        tokenId: options.token,
      };
      const { page, tokens } = await withServices(io, options.database, async (services) => {
        const site = await services.sites.get(options.site);
        const read = await services.events.list(site, filter);
        const named = read.events.some((event) => event.resourceType === 'Token')
          ? new Map((await services.tokens.list(site)).map((token) => [token.id, token]))
          : new Map<string, TokenRecord>();
        return { page: read, tokens: named };
      });
      if (options.json) printJson(io, page.events.map(eventJson));
      else if (page.events.length === 0) io.err('No events match.');
      else
        printTable(
          io,
          ['TIME', 'OPERATION', 'OUTCOME', 'STATUS', 'RESOURCE', 'DETAILS'],
          page.events.map((event) => [
            isoTime(event.at),
            event.operation,
            event.outcome,
            String(event.httpStatus),
            resourceOf(event, tokens),
            eventSummary(event),
          ]),
        );
      if (page.next !== undefined) io.err(`Older events: ${continuation(io, options, page.next)}`);
    });
}

/** The same command, reading on from where this page ended. */
function continuation(io: CliIo, options: LogOptions, next: string): string {
  const flags: [string, string | undefined][] = [
    ['--site', options.site],
    ['--limit', options.limit === DEFAULT_LIMIT ? undefined : String(options.limit)],
    ['--before', next],
    ['--since', options.since === undefined ? undefined : isoTime(options.since)],
    ['--until', options.until === undefined ? undefined : isoTime(options.until)],
    ['--user', options.user],
    ['--operation', options.operation],
    ['--outcome', options.outcome],
    ['--token', options.token],
    ['--database', options.database === undefined ? undefined : printableDatabaseUrl(options.database)],
  ];
  return [
    `${io.program ?? 'roster'} log`,
    ...flags
      .filter(([, value]) => value !== undefined)
      .map(([flag, value]) => `${flag} ${shellWord(value!)}`),
    ...(options.json ? ['--json'] : []),
  ].join(' ');
}
