import { RosterError } from '../errors.js';
import type { ProvisioningEvent } from '../model/event.js';
import type { SiteRecord } from '../model/site.js';
import type { EventQuery, Store } from '../store/store.js';
import { timeFloorId } from './ids.js';

/** Events one read returns at most. */
export const MAX_EVENTS_PER_READ = 10_000;

/**
 * How far an event's id may be from its time: an id is made just before its event's time, a
 * repeated refusal's id at the start of its minute, and UUID v7 may run a little ahead under bursts.
 * Time bounds widen the id range by this much and then filter on the time itself.
 */
const ID_TIME_SLACK_MS = 5 * 60_000;

/** Which events to read; every condition given must hold. */
export interface EventFilter {
  readonly limit: number;
  /** Older than this event (its id): where the previous page ended. */
  readonly before?: string | undefined;
  readonly since?: number | undefined;
  readonly until?: number | undefined;
  /** A user's events, by Logon: those that name it, and those of the user that has it now. */
  readonly user?: string | undefined;
  readonly operation?: string | undefined;
  readonly outcome?: ProvisioningEvent['outcome'] | undefined;
  readonly tokenId?: string | undefined;
}

export interface EventPage {
  readonly events: ProvisioningEvent[];
  /** The id to read on from (`before`) when older events match too. */
  readonly next: string | undefined;
}

/** Reading a site's provisioning log, newest first. */
export class EventService {
  constructor(private readonly store: Store) {}

  async list(site: SiteRecord, filter: EventFilter): Promise<EventPage> {
    const { limit } = filter;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS_PER_READ) {
      throw new RosterError(
        'invalid-argument',
        `A read of the log takes from 1 to ${MAX_EVENTS_PER_READ} events, not ${limit}.`,
      );
    }
    if (filter.since !== undefined && filter.until !== undefined && filter.since > filter.until) {
      throw new RosterError('invalid-argument', 'The start of the period is after its end.');
    }
    if (filter.tokenId !== undefined && !(await this.store.tokens.get(site.id, filter.tokenId))) {
      throw new RosterError('token-not-found', `Site '${site.slug}' has no token '${filter.tokenId}'.`);
    }
    const query: EventQuery = {
      // One more than asked says whether older events match.
      limit: limit + 1,
      ...bounds(filter),
      ...(filter.since !== undefined ? { since: filter.since } : {}),
      ...(filter.until !== undefined ? { until: filter.until } : {}),
      ...(filter.user !== undefined ? { subject: await this.subject(site, filter.user) } : {}),
      ...(filter.operation !== undefined ? { operation: filter.operation } : {}),
      ...(filter.outcome !== undefined ? { outcome: filter.outcome } : {}),
      ...(filter.tokenId !== undefined ? { tokenId: filter.tokenId } : {}),
    };
    const events = await this.store.events.list(site.id, query);
    const more = events.length > limit;
    const page = more ? events.slice(0, limit) : events;
    return { events: page, next: more ? page[page.length - 1]!.id : undefined };
  }

  /** A user's history: the events that name its Logon, and those of its record under any Logon it had. */
  async subject(site: SiteRecord, logon: string): Promise<NonNullable<EventQuery['subject']>> {
    const user = await this.store.users.byLogon(site.id, logon);
    return { logon, resourceId: user?.id };
  }
}

/** The id range a filter reads: below `before` and the end of the period, from its start. */
function bounds(filter: EventFilter): Pick<EventQuery, 'before' | 'from'> {
  const belows = [
    filter.before?.toLowerCase(),
    filter.until === undefined ? undefined : timeFloorId(filter.until + ID_TIME_SLACK_MS),
  ].filter((id): id is string => id !== undefined);
  const before = belows.sort()[0];
  return {
    ...(before !== undefined ? { before } : {}),
    ...(filter.since !== undefined
      ? { from: timeFloorId(Math.max(0, filter.since - ID_TIME_SLACK_MS)) }
      : {}),
  };
}
