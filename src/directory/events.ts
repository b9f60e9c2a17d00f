import type { ProvisioningEvent } from '../model/event.js';
import type { SiteRecord } from '../model/site.js';
import type { Store } from '../store/store.js';

/** Events one read returns at most. */
export const MAX_EVENTS_PER_READ = 10_000;

/** Reading a site's provisioning log, newest first. */
export class EventService {
  constructor(private readonly store: Store) {}

  list(site: SiteRecord, options: { limit: number; before?: string }): Promise<ProvisioningEvent[]> {
    return this.store.events.list(site.id, {
      ...options,
      limit: Math.max(1, Math.min(options.limit, MAX_EVENTS_PER_READ)),
    });
  }
}
