import type { BoundSort } from '../../scim/filter/bind-sort.js';
import { ScimError } from '../../scim/errors.js';
import type { ListPosition, ListQuery, Page, PageStart } from '../../model/listing.js';
import { compileFilter, valueSource } from './compile-filter.js';
import type { SqlExecutor } from './connection.js';
import type { Dialect } from './dialect.js';
import { listSourceOf } from './list-sources.js';
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

/** A table of SCIM resources as a list reads it: `users u`, `groups g`. */
export interface ResourceTable<R> {
  readonly table: string;
  readonly alias: string;
  /** The columns a record is made of, qualified by the alias. */
  readonly columns: string;
  toRecord(row: never, dialect: Dialect): R;
}

/** The two statements of a list page: its rows (one more than asked, to tell whether more follow) and its count. */
export interface ListStatements {
  readonly page: SqlFragment;
  readonly count: SqlFragment;
  /** Rows are read in reverse order (a `before` start) and must be flipped. */
  readonly reversed: boolean;
}

/**
 * The SQL of a list page of `table` in `siteId`: the filter compiled from the attributes' storage
 * mapping, the sort, and the start. The store runs exactly these statements (and the query-plan
 * tests EXPLAIN them).
 */
export function listStatements(
  table: ResourceTable<unknown>,
  siteId: string,
  query: ListQuery,
  conditions: readonly SqlExpression[],
  dialect: Dialect,
): ListStatements {
  const { alias } = table;
  const where = [compare(sql(`${alias}.site_id`), '=', param(siteId)), ...conditions];
  if (query.filter) where.push(compileFilter(query.filter, { alias, siteId }, dialect));
  const list = buildListPage(
    {
      idColumn: `${alias}.id`,
      where: and(...where),
      ...(query.sort
        ? {
            sort: {
              value: sortValue(query.sort, alias, dialect),
              binary: query.sort.kind === 'string' || query.sort.kind === 'folded',
              descending: query.sort.descending,
            },
          }
        : {}),
      start: query.start,
    },
    dialect,
  );
  const limit = dialect.limitOffset(query.count + 1, list.offset);
  return {
    page: {
      text:
        `SELECT ${table.columns}, ${list.sortKey} AS sort_key FROM ${table.table} ${alias} ` +
        `WHERE ${list.pageWhere.text} ORDER BY ${list.orderBy} ${limit.text}`,
      values: [...list.pageWhere.values, ...limit.values],
    },
    count: {
      text: `SELECT COUNT(*) AS total FROM ${table.table} ${alias} WHERE ${list.where.text}`,
      values: list.where.values,
    },
    reversed: list.reversed,
  };
}

/**
 * Reads one page. `storedCount` answers totalResults without counting rows when the list is the
 * whole visible set (the count every write keeps up to date); otherwise the rows are counted.
 */
export async function readPage<R>(
  executor: SqlExecutor,
  dialect: Dialect,
  table: ResourceTable<R>,
  siteId: string,
  query: ListQuery,
  options: { conditions: readonly SqlExpression[]; storedCount?: (() => Promise<number>) | undefined },
): Promise<Page<R>> {
  const statements = listStatements(table, siteId, query, options.conditions, dialect);
  const count = async (): Promise<number> => {
    if (!query.filter && options.storedCount) return options.storedCount();
    const row = await executor.get<{ total: number }>(statements.count.text, statements.count.values);
    return Number(row?.total ?? 0);
  };
  if (query.count <= 0) return { totalResults: await count(), items: [], positions: [], more: false };
  const rows = await executor.all<{ id: string; sort_key: unknown }>(
    statements.page.text,
    statements.page.values,
  );
  const more = rows.length > query.count;
  const page = more ? rows.slice(0, query.count) : rows;
  if (statements.reversed) page.reverse();
  return {
    // A first page with nothing after it is the whole list: a lookup needs no count of its own.
    totalResults: coversAll(query.start, more) ? page.length : await count(),
    items: page.map((row) => table.toRecord(row as never, dialect)),
    positions: page.map((row) => ({ key: sortKeyOf(row.sort_key, query.sort?.kind), id: row.id })),
    more,
  };
}

/** The sort value of a row: the attribute's column or JSON value, lower-cased unless caseExact. */
function sortValue(sort: BoundSort, alias: string, dialect: Dialect): SqlExpression {
  const definition = sort.attribute.definition;
  if (definition.multiValued) {
    const source = listSourceOf(definition.storage);
    if (!source?.sortValue) throw ScimError.invalidValue(`'${definition.name}' cannot be sorted by.`);
    return sql(source.sortValue(alias));
  }
  const source = valueSource(sort.attribute, alias, dialect);
  const raw = sql(
    source.json && sort.kind === 'boolean'
      ? dialect.jsonBoolean(source.expression)
      : source.json && sort.kind === 'number'
        ? dialect.jsonNumber(source.expression)
        : source.expression,
  );
  return sort.kind === 'folded' && !source.lowered ? lower(raw) : raw;
}

/** Whether a page read from the first row with nothing after it holds the whole list. */
function coversAll(start: PageStart, more: boolean): boolean {
  return 'index' in start && start.index <= 1 && !more;
}

/** A row's sort key back in the type it is compared as (SQLite returns booleans as 0/1). */
function sortKeyOf(value: unknown, kind: string | undefined): ListPosition['key'] {
  if (value === null || value === undefined) return null;
  if (kind === 'boolean') return value === true || value === 1 || value === '1' || value === 'true';
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  return JSON.stringify(value);
}

/** The SQL of one list page: its conditions, order, position key and start. */
interface ListPageSql {
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

interface ListPageOptions {
  /** The table's id column, the order's tie-break: `u.id`, `g.id`. */
  readonly idColumn: string;
  readonly where: SqlExpression;
  /** The sort value (a column or JSON accessor Roster wrote, never input), when sorting by one. */
  readonly sort?: { readonly value: SqlExpression; readonly binary: boolean; readonly descending: boolean };
  readonly start: PageStart;
}

/**
 * The order is (value is null, value, id), ascending or exactly reversed: resources without a value
 * come last in ascending order, and the id breaks ties so the order is total and stable. A keyset
 * start is a condition "strictly after this (value, id)" in that order, which is what keeps the
 * cost of a page independent of how deep into the list it is.
 */
function buildListPage(options: ListPageOptions, dialect: Dialect): ListPageSql {
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
