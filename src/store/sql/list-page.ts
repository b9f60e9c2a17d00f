import type { ListPosition, UserListQuery } from '../store.js';
import type { Dialect } from './dialect.js';
import {
  and,
  compare,
  emit,
  isNotNull,
  isNull,
  or,
  param,
  sql,
  type SqlExpression,
  type SqlFragment,
} from './sql-expression.js';

/** The SQL of one list page: its conditions, order, position key and start. */
export interface ListPageSql {
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

export interface ListPageOptions {
  /** The table's id column, the order's tie-break: `u.id`, `g.id`. */
  readonly idColumn: string;
  readonly where: SqlExpression;
  /** The sort value (a column or JSON accessor Roster wrote, never input), when sorting by one. */
  readonly sort?: { readonly value: SqlExpression; readonly binary: boolean; readonly descending: boolean };
  readonly start: UserListQuery['start'];
}

/**
 * The order is (value is null, value, id), ascending or exactly reversed: resources without a value
 * come last in ascending order, and the id breaks ties so the order is total and stable. A keyset
 * start is a condition "strictly after this (value, id)" in that order, which is what keeps the
 * cost of a page independent of how deep into the list it is.
 */
export function buildListPage(options: ListPageOptions, dialect: Dialect): ListPageSql {
  const { idColumn, where, sort, start } = options;
  const reversed = 'before' in start;
  // Reading before a position walks the order backwards.
  const descending = (sort?.descending ?? false) !== reversed;
  let pageWhere = where;
  if ('after' in start || 'before' in start) {
    const position = 'after' in start ? start.after : start.before;
    pageWhere = and(where, keysetAfter(idColumn, sort, position, descending));
  }
  const direction = descending ? 'DESC' : 'ASC';
  const text = sort ? trusted(sort.value) : undefined;
  const collated = text !== undefined && sort?.binary ? dialect.binaryOrder(text) : text;
  return {
    where: emit(where, dialect),
    pageWhere: emit(pageWhere, dialect),
    orderBy:
      collated !== undefined
        ? `(${collated} IS NULL) ${direction}, ${collated} ${direction}, ${idColumn} ${direction}`
        : `${idColumn} ${direction}`,
    sortKey: text ?? 'NULL',
    offset: 'index' in start ? Math.max(0, start.index - 1) : 0,
    reversed,
  };
}

/** Rows strictly after `position` in the order (value is null, value, id), or its reverse. */
function keysetAfter(
  idColumn: string,
  sort: ListPageOptions['sort'],
  position: ListPosition,
  descending: boolean,
): SqlExpression {
  const idAfter = compare(sql(idColumn), descending ? '<' : '>', param(position.id));
  if (!sort) return idAfter;
  const { value, binary } = sort;
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
function trusted(expression: SqlExpression): string {
  if (expression.kind === 'sql') return expression.text;
  if (expression.kind === 'lower') return `lower(${trusted(expression.item)})`;
  throw new Error('sort values are column or JSON accessors');
}
