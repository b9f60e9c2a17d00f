import type { ProvisioningEvent } from '../../model/event.js';
import type { EventWrites } from '../store.js';
import type { SqlExecutor, SqlValue } from './connection.js';
import { type EventRow, toEvent } from './rows.js';

const EVENT_COLUMNS =
  'site_id, id, at, request_id, token_id, actor, operation, resource_type, resource_id, resource_name, ' +
  'logon, external_id, outcome, http_status, changes, detail, occurrences, last_at';

/** Built once: every write appends an event. */
const APPEND =
  `INSERT INTO provisioning_events (${EVENT_COLUMNS}, logon_lower) ` +
  `VALUES (${EVENT_COLUMNS.split(',')
    .map(() => '?')
    .join(', ')}, ?)`;
const APPEND_OR_COUNT =
  `${APPEND} ON CONFLICT (site_id, id) DO UPDATE SET occurrences = provisioning_events.occurrences + 1, ` +
  'last_at = excluded.last_at, request_id = excluded.request_id';
const NEWEST = `SELECT ${EVENT_COLUMNS} FROM provisioning_events WHERE site_id = ? ORDER BY id DESC LIMIT ?`;
const BEFORE = `SELECT ${EVENT_COLUMNS} FROM provisioning_events WHERE site_id = ? AND id < ? ORDER BY id DESC LIMIT ?`;

export class EventSql implements EventWrites {
  constructor(private readonly sql: SqlExecutor) {}

  async append(event: ProvisioningEvent): Promise<void> {
    await this.sql.run(APPEND, values(event));
  }

  async appendOrCount(event: ProvisioningEvent): Promise<void> {
    await this.sql.run(APPEND_OR_COUNT, values(event));
  }

  async list(siteId: string, options: { limit: number; before?: string }): Promise<ProvisioningEvent[]> {
    const rows = options.before
      ? await this.sql.all<EventRow>(BEFORE, [siteId, options.before, options.limit])
      : await this.sql.all<EventRow>(NEWEST, [siteId, options.limit]);
    return rows.map(toEvent);
  }
}

function values(event: ProvisioningEvent): SqlValue[] {
  return [
    event.siteId,
    event.id,
    event.at,
    event.requestId,
    event.tokenId,
    event.actor,
    event.operation,
    event.resourceType,
    event.resourceId,
    event.resourceName,
    event.logon,
    event.externalId,
    event.outcome,
    event.httpStatus,
    event.changes ? JSON.stringify(event.changes) : null,
    event.detail,
    event.occurrences,
    event.lastAt,
    event.logon === null ? null : event.logon.toLowerCase(),
  ];
}
