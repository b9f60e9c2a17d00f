import type { ProvisioningEvent } from '../../model/event.js';
import type { EventQuery, EventWrites } from '../store.js';
import type { SqlExecutor, SqlValue } from './connection.js';
import type { Dialect } from './dialect.js';
import { and, compare, emit, param, sql, type SqlExpression, type SqlFragment } from './sql-expression.js';
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

export class EventSql implements EventWrites {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly dialect: Dialect,
  ) {}

  async append(event: ProvisioningEvent): Promise<void> {
    await this.sql.run(APPEND, values(event));
  }

  async appendOrCount(event: ProvisioningEvent): Promise<void> {
    await this.sql.run(APPEND_OR_COUNT, values(event));
  }

  /**
   * Newest first along the key `(site_id, id)`; a user's events are found through the Logon and
   * resource indexes (migration 9). Each combination of filters is one statement text, so the
   * drivers' statement caches hold them all.
   */
  async list(siteId: string, query: EventQuery): Promise<ProvisioningEvent[]> {
    const statement = eventListStatement(siteId, query, this.dialect);
    return (await this.sql.all<EventRow>(statement.text, statement.values)).map(toEvent);
  }
}

/**
 * The statement `list` runs (the query-plan tests explain this very text). A user's events are
 * those naming its Logon or its id, one index each: their ids are read from both indexes and
 * united, since with an OR of the two SQLite prefers walking the site's whole log by the key.
 */
export function eventListStatement(siteId: string, query: EventQuery, dialect: Dialect): SqlFragment {
  const where = emit(and(...conditions(siteId, query)), dialect);
  const ids = subjectIds(siteId, query.subject, dialect);
  return {
    text:
      `SELECT ${EVENT_COLUMNS} FROM provisioning_events WHERE ${where.text}` +
      `${ids ? ` AND id IN (${ids.text})` : ''} ORDER BY id DESC LIMIT ?`,
    values: [...where.values, ...(ids?.values ?? []), query.limit],
  };
}

function subjectIds(
  siteId: string,
  subject: EventQuery['subject'],
  dialect: Dialect,
): SqlFragment | undefined {
  if (!subject) return undefined;
  const select = (column: string, value: string): SqlFragment => {
    const where = emit(and(equal('site_id', siteId), equal(column, value)), dialect);
    return { text: `SELECT id FROM provisioning_events WHERE ${where.text}`, values: where.values };
  };
  const byLogon = select('logon_lower', subject.logon.toLowerCase());
  if (subject.resourceId === undefined) return byLogon;
  const byId = select('resource_id', subject.resourceId);
  return { text: `${byLogon.text} UNION ${byId.text}`, values: [...byLogon.values, ...byId.values] };
}

function equal(column: string, value: SqlValue): SqlExpression {
  return compare(sql(column), '=', param(value));
}

/** Every condition but the subject's. */
function conditions(siteId: string, query: EventQuery): SqlExpression[] {
  const list = [equal('site_id', siteId)];
  if (query.before !== undefined) list.push(compare(sql('id'), '<', param(query.before)));
  if (query.from !== undefined) list.push(compare(sql('id'), '>=', param(query.from)));
  if (query.since !== undefined) list.push(compare(sql('at'), '>=', param(query.since)));
  if (query.until !== undefined) list.push(compare(sql('at'), '<=', param(query.until)));
  if (query.operation !== undefined) list.push(equal('operation', query.operation));
  if (query.outcome !== undefined) list.push(equal('outcome', query.outcome));
  if (query.tokenId !== undefined) list.push(equal('token_id', query.tokenId));
  return list;
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
