import type { Command } from 'commander';
import type { UserProfile } from '../../directory/directory-users.js';
import { MAX_EVENTS_PER_READ } from '../../directory/events.js';
import { type CliIo, isoTime, printJson, printTable, withServices } from '../context.js';
import { wholeNumber } from '../options.js';
import { eventJson, eventSummary } from './log.js';
import { standingJson, userJson } from './user-output.js';

const DEFAULT_HISTORY = 20;

export function profileJson(profile: UserProfile): object {
  const { user, standing } = profile;
  return {
    ...userJson(user),
    ...standingJson(standing),
    groups: profile.groups.map((group) => ({ id: group.id, displayName: group.displayName })),
    passwordSet: user.passwordHash !== null,
    passwordChangedAt: user.passwordChangedAt === null ? null : isoTime(user.passwordChangedAt),
    removedFromScimAt: user.deletedAt === null ? null : isoTime(user.deletedAt),
    attributes: user.resource,
    history: profile.history.events.map(eventJson),
  };
}

/** `users show <logon>`: one user, all the directory knows of it, and its history. */
export function registerUserShowCommand(users: Command, io: CliIo): void {
  users
    .command('show <logon>')
    .description(
      'Show a user: every attribute, its privilege and where it comes from, its groups and history',
    )
    .requiredOption('--site <slug>', 'the site')
    .option(
      '--history <n>',
      `how many of its latest events to show, 1 to ${MAX_EVENTS_PER_READ}`,
      wholeNumber('--history', 1, MAX_EVENTS_PER_READ),
      DEFAULT_HISTORY,
    )
    .option('--json', 'print JSON')
    .option('--database <url>', 'sqlite:<file> or postgres://…')
    .action(
      async (
        logon: string,
        options: { site: string; history: number; json?: boolean; database?: string },
      ) => {
        const profile = await withServices(io, options.database, async (services) =>
          services.users.profile(await services.sites.get(options.site), logon, options.history),
        );
        if (options.json) {
          printJson(io, profileJson(profile));
          return;
        }
        printProfile(io, profile);
        if (profile.history.next !== undefined) {
          io.err(
            `Older events: ${io.program ?? 'roster'} log --site ${options.site} --user ${profile.user.logon} --before ${profile.history.next}`,
          );
        }
      },
    );
}

function printProfile(io: CliIo, profile: UserProfile): void {
  const { user, standing } = profile;
  const status =
    user.deletedAt !== null
      ? `Disabled (removed by a SCIM DELETE at ${isoTime(user.deletedAt)})`
      : user.active
        ? 'Active'
        : 'Disabled';
  const granting = standing.grantedBy.map((group) => `'${group.displayName}' (${group.privilege})`);
  const privilege =
    granting.length === 0
      ? `${standing.privilege} (its own)`
      : `${standing.privilege}: its own is ${standing.ownPrivilege}; groups granting: ${granting.join(', ')}`;
  const extra = Object.entries(user.resource).filter(
    ([key]) => !['userName', 'name', 'emails', 'timezone', 'externalId', 'schemas'].includes(key),
  );
  const rows: [string, string][] = [
    ['Logon', user.logon],
    ['Status', status],
    ['Privilege', privilege],
    ['First name', user.firstName ?? ''],
    ['Last name', user.lastName ?? ''],
    ['Email', user.email ?? ''],
    ['Time zone', user.timeZone ?? ''],
    ['External id', user.externalId ?? ''],
    ['Groups', profile.groups.map((group) => group.displayName).join(', ')],
    ['Source', user.source],
    ['Password', user.passwordHash === null ? 'none' : `set ${isoTime(user.passwordChangedAt)}`],
    ['Id', user.id],
    ['Created', isoTime(user.createdAt)],
    ['Updated', isoTime(user.updatedAt)],
    ...extra.map(([key, value]): [string, string] => [key, JSON.stringify(value)]),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  for (const [label, value] of rows) io.out(`${label.padEnd(width)}  ${value}`.trimEnd());
  io.out('');
  io.out(
    `History (newest first, ${profile.history.events.length} event${profile.history.events.length === 1 ? '' : 's'}):`,
  );
  printTable(
    io,
    ['TIME', 'OPERATION', 'OUTCOME', 'STATUS', 'BY', 'DETAILS'],
    profile.history.events.map((event) => [
      isoTime(event.at),
      event.operation,
      event.outcome,
      String(event.httpStatus),
      event.actor,
      eventSummary(event),
    ]),
  );
}
