import type { Command } from 'commander';
import type { ProvisioningEvent } from '../../model/event.js';
import { type CliIo, isoTime, printJson, printTable, withServices } from '../context.js';
import { MAX_EVENTS_PER_READ } from '../../directory/events.js';
import { wholeNumber } from '../options.js';

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

function summary(event: ProvisioningEvent): string {
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

export function registerLogCommand(program: Command, io: CliIo): void {
  program
    .command('log')
    .description("Show a site's provisioning log, newest first")
    .requiredOption('--site <slug>', 'the site')
    .option(
      '--limit <n>',
      `how many events, 1 to ${MAX_EVENTS_PER_READ}`,
      wholeNumber('--limit', 1, MAX_EVENTS_PER_READ),
      50,
    )
    .option('--json', 'print JSON')
    .option('--database <url>', 'sqlite:<file> or postgres://…')
    .action(async (options: { site: string; limit: number; json?: boolean; database?: string }) => {
      const events = await withServices(io, options.database, async (services) => {
        const site = await services.sites.get(options.site);
        return services.events.list(site, { limit: options.limit });
      });
      if (options.json) printJson(io, events.map(eventJson));
      else
        printTable(
          io,
          ['TIME', 'OPERATION', 'OUTCOME', 'STATUS', 'RESOURCE', 'DETAILS'],
          events.map((event) => [
            isoTime(event.at),
            event.operation,
            event.outcome,
            String(event.httpStatus),
            [event.resourceType, event.resourceName].filter(Boolean).join(' '),
            summary(event),
          ]),
        );
    });
}
