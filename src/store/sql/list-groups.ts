import type { BoundAttribute } from '../../scim/filter/bind.js';
import type { BoundSort } from '../../scim/filter/bind-sort.js';
import { ScimError } from '../../scim/errors.js';
import type { GroupListQuery } from '../store.js';
import { compileElement, compileFilter, type FilterTable, type ValueSource } from './compile-filter.js';
import type { Dialect } from './dialect.js';
import { buildListPage, type ListPageSql } from './list-page.js';
import { and, compare, inSubquery, lower, param, sql, type SqlExpression } from './sql-expression.js';

/** Columns of `groups g` that hold SCIM attributes; everything else singular is in the JSON. */
const GROUP_COLUMNS: Readonly<Record<string, ValueSource>> = {
  id: { expression: 'g.id' },
  externalId: { expression: 'g.external_id' },
  displayName: { expression: 'g.display_name_lower', lowered: true },
  'meta.created': { expression: 'g.created_at', instant: true },
  'meta.lastModified': { expression: 'g.updated_at', instant: true },
};

/** Members, from their own table (indexed by group, and by member for `members.value eq`). */
const MEMBER_COLUMNS: Readonly<Record<string, ValueSource>> = {
  value: { expression: 'm.member_id' },
  type: { expression: 'm.member_type' },
  display: { expression: 'm.display' },
};

function groupSource(attribute: BoundAttribute, dialect: Dialect): ValueSource {
  return (
    GROUP_COLUMNS[attribute.path.join('.')] ?? {
      expression: dialect.jsonText('g.resource', attribute.path),
      json: true,
    }
  );
}

function memberSource(key: string | undefined): ValueSource {
  const column = key === undefined ? undefined : MEMBER_COLUMNS[key];
  if (!column) throw ScimError.invalidFilter(`'members${key ? `.${key}` : ''}' cannot be used in a filter.`);
  return column;
}

/**
 * The groups table. `members[value eq "id"]` (how clients ask "which groups is this user in")
 * reads the membership table's member index.
 */
function groupsTable(siteId: string): FilterTable {
  return {
    resourceColumn: 'g.resource',
    source: groupSource,
    list(path, element, dialect) {
      if (path.length !== 1 || path[0] !== 'members') return undefined;
      return inSubquery(
        sql('g.id'),
        'm.group_id',
        'group_members m',
        and(compare(sql('m.site_id'), '=', param(siteId)), compileElement(element, memberSource, dialect)),
      );
    },
  };
}

/** The SQL of one page of groups (`groups g`), with the same order and keyset rules as users'. */
export function buildGroupList(siteId: string, query: GroupListQuery, dialect: Dialect): ListPageSql {
  const conditions: SqlExpression[] = [compare(sql('g.site_id'), '=', param(siteId))];
  if (query.filter) conditions.push(compileFilter(query.filter, groupsTable(siteId), dialect));
  return buildListPage(
    {
      idColumn: 'g.id',
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

function sortValue(sort: BoundSort, dialect: Dialect): SqlExpression {
  if (sort.attribute.definition.multiValued)
    throw ScimError.invalidValue('Groups cannot be sorted by members.');
  const source = groupSource(sort.attribute, dialect);
  const raw = sql(source.expression);
  return sort.kind === 'folded' && !source.lowered ? lower(raw) : raw;
}
