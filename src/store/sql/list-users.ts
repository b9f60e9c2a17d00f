import type { BoundSort } from '../../scim/filter/bind-sort.js';
import type { UserListQuery } from '../store.js';
import { compileUserFilter, userSource } from './compile-filter.js';
import type { Dialect } from './dialect.js';
import { buildListPage, type ListPageSql } from './list-page.js';
import { and, compare, isNull, lower, param, sql, type SqlExpression } from './sql-expression.js';

/** The SQL of one page of users (`users u`): the site, the filter, the sort and the start. */
export function buildUserList(siteId: string, query: UserListQuery, dialect: Dialect): ListPageSql {
  const conditions: SqlExpression[] = [compare(sql('u.site_id'), '=', param(siteId))];
  if (!query.includeDeleted) conditions.push(isNull(sql('u.deleted_at')));
  if (query.activeOnly) conditions.push(compare(sql('u.active'), '=', param(true)));
  if (query.filter) conditions.push(compileUserFilter(query.filter, dialect, siteId));
  return buildListPage(
    {
      idColumn: 'u.id',
      where: and(...conditions),
      ...(query.sort
        ? {
            sort: {
              value: sortValue(query.sort, dialect),
              binary: query.sort.kind === 'string' || query.sort.kind === 'folded',
              descending: query.sort.descending,
            },
          }
        : {}),
      start: query.start,
    },
    dialect,
  );
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
