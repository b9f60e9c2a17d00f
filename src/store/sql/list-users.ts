import type { BoundSort } from '../../scim/filter/bind.js';
import type { ListPosition, UserListQuery } from '../store.js';
import { compileUserFilter, userSource } from './compile-filter.js';
import type { Dialect } from './dialect.js';
import {
  and,
  compare,
  emit,
  isNotNull,
  isNull,
  lower,
  or,
  param,
  sql,
  type SqlExpression,
  type SqlFragment,
} from './sql-expression.js';

/** The SQL of one list page over `users u`, built from the query's filter, sort and start. */
export interface UserListSql {
  /** The WHERE condition without the page's start: what COUNT(*) counts. */
  readonly where: SqlFragment;
  /** The WHERE condition including a keyset start. */
  readonly pageWhere: SqlFragment;
  readonly orderBy: string;
  /** The expression whose value is each row's position key (`NULL` when sorting by id). */
  readonly sortKey: string;
  readonly offset: number;
  /** Rows are read in reverse order (a `before` start) and must be flipped. */
  readonly reversed: boolean;
}

/**
 * The order is (value is null, value, id), ascending or exactly reversed: resources without a value
 * come last in ascending order, and the id breaks ties so the order is total and stable. A keyset
 * start is a condition "strictly after this (value, id)" in that order, which is what keeps the
 * cost of a page independent of how deep into the list it is.
 */
export function buildUserList(siteId: string, query: UserListQuery, dialect: Dialect): UserListSql {
  const conditions: SqlExpression[] = [compare(sql('u.site_id'), '=', param(siteId))];
  if (!query.includeDeleted) conditions.push(isNull(sql('u.deleted_at')));
  if (query.activeOnly) conditions.push(compare(sql('u.active'), '=', param(true)));
  if (query.filter) conditions.push(compileUserFilter(query.filter, dialect, siteId));
  const where = and(...conditions);

  const value = query.sort ? sortValue(query.sort, dialect) : undefined;
  const binary = query.sort !== undefined && (query.sort.kind === 'string' || query.sort.kind === 'folded');
  const reversed = 'before' in query.start;
  // Reading before a position walks the order backwards.
  const descending = (query.sort?.descending ?? false) !== reversed;

  let pageWhere = where;
  if ('after' in query.start || 'before' in query.start) {
    const position = 'after' in query.start ? query.start.after : query.start.before;
    pageWhere = and(where, keysetAfter(value, binary, position, descending));
  }

  const direction = descending ? 'DESC' : 'ASC';
  const collated =
    value !== undefined && binary
      ? dialect.binaryOrder(emitTrusted(value))
      : value !== undefined
        ? emitTrusted(value)
        : undefined;
  const orderBy =
    collated !== undefined
      ? `(${collated} IS NULL) ${direction}, ${collated} ${direction}, u.id ${direction}`
      : `u.id ${direction}`;
  return {
    where: emit(where, dialect),
    pageWhere: emit(pageWhere, dialect),
    orderBy,
    sortKey: value !== undefined ? emitTrusted(value) : 'NULL',
    offset: 'index' in query.start ? Math.max(0, query.start.index - 1) : 0,
    reversed,
  };
}

/**
 * RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary value, else its first (the
 * directory's Email field prefers a work email to the first, so it is not the sort value).
 */
const EMAIL_SORT_VALUE =
  '(SELECT e.value_lower FROM user_emails e WHERE e.site_id = u.site_id AND e.user_id = u.id ' +
  'ORDER BY e.is_primary DESC, e.position LIMIT 1)';

/** The sort value of a row: the attribute's column or JSON value, lower-cased unless caseExact. */
function sortValue(sort: BoundSort, dialect: Dialect): SqlExpression {
  if (sort.attribute.path.length === 1 && sort.attribute.path[0] === 'emails') return sql(EMAIL_SORT_VALUE);
  const source = userSource(sort.attribute, dialect);
  const raw = sql(
    source.json && sort.kind === 'boolean'
      ? dialect.jsonBoolean(source.expression)
      : source.json && sort.kind === 'number'
        ? dialect.jsonNumber(source.expression)
        : source.expression,
  );
  return sort.kind === 'folded' && !source.lowered ? lower(raw) : raw;
}

/** Rows strictly after `position` in the order (value is null, value, id), or its reverse. */
function keysetAfter(
  value: SqlExpression | undefined,
  binary: boolean,
  position: ListPosition,
  descending: boolean,
): SqlExpression {
  const id = sql('u.id');
  const idAfter = compare(id, descending ? '<' : '>', param(position.id));
  if (value === undefined) return idAfter;
  const key = position.key;
  if (!descending) {
    // Ascending: non-null values in order, then nulls by id.
    if (key === null) return and(isNull(value), idAfter);
    return or(
      isNull(value),
      and(isNotNull(value), compare(value, '>', param(key), binary)),
      and(isNotNull(value), compare(value, '=', param(key), binary), idAfter),
    );
  }
  // Descending: nulls first (by id, descending), then non-null values descending.
  if (key === null) return or(isNotNull(value), and(isNull(value), idAfter));
  return or(
    and(isNotNull(value), compare(value, '<', param(key), binary)),
    and(isNotNull(value), compare(value, '=', param(key), binary), idAfter),
  );
}

/** Sort values are built only from Roster's own column and JSON accessors, never from input. */
function emitTrusted(expression: SqlExpression): string {
  if (expression.kind === 'sql') return expression.text;
  if (expression.kind === 'lower') return `lower(${emitTrusted(expression.item)})`;
  throw new Error('sort values are column or JSON accessors');
}
