import type { BoundAttribute, BoundFilter, BoundSort } from '../../scim/filter/bind.js';
import { ScimError } from '../../scim/errors.js';
import type { GroupListQuery, ListPosition } from '../store.js';
import { compileElement, compileTest, type ValueSource } from './compile-filter.js';
import type { Dialect } from './dialect.js';
import {
  and,
  compare,
  constant,
  emit,
  exists,
  inSubquery,
  isNotNull,
  isNull,
  lower,
  not,
  or,
  param,
  sql,
  type SqlExpression,
  type SqlFragment,
} from './sql-expression.js';

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
 * A bound Group filter as one SQL expression over `groups g`. `members[value eq "id"]` (how
 * clients ask "which groups is this user in") reads the membership table's member index.
 */
export function compileGroupFilter(filter: BoundFilter, dialect: Dialect, siteId: string): SqlExpression {
  let aliases = 0;
  const compile = (node: BoundFilter): SqlExpression => {
    switch (node.kind) {
      case 'and':
        return and(compile(node.left), compile(node.right));
      case 'or':
        return or(compile(node.left), compile(node.right));
      case 'not':
        return not(compile(node.filter));
      case 'constant':
        return constant(node.value);
      case 'hasSchema':
        return isNotNull(sql(dialect.jsonKey('g.resource', node.urn)));
      case 'test':
        return compileTest(groupSource(node.attribute, dialect), node.attribute, node.test, dialect);
      case 'any': {
        if (node.list.path.length === 1 && node.list.path[0] === 'members') {
          return inSubquery(
            sql('g.id'),
            'm.group_id',
            'group_members m',
            and(
              compare(sql('m.site_id'), '=', param(siteId)),
              compileElement(node.element, memberSource, dialect),
            ),
          );
        }
        const alias = `j${aliases++}`;
        return exists(
          dialect.jsonElements('g.resource', node.list.path, alias),
          compileElement(
            node.element,
            (key) => ({ expression: dialect.elementValue(alias, key), json: true }),
            dialect,
          ),
        );
      }
    }
  };
  return compile(filter);
}

export interface GroupListSql {
  readonly where: SqlFragment;
  readonly pageWhere: SqlFragment;
  readonly orderBy: string;
  readonly sortKey: string;
  readonly offset: number;
  readonly reversed: boolean;
}

/** The same order and keyset rules as users' lists (see list-users.ts), over `groups g`. */
export function buildGroupList(siteId: string, query: GroupListQuery, dialect: Dialect): GroupListSql {
  const conditions: SqlExpression[] = [compare(sql('g.site_id'), '=', param(siteId))];
  if (query.filter) conditions.push(compileGroupFilter(query.filter, dialect, siteId));
  const where = and(...conditions);
  const value = query.sort ? sortValue(query.sort, dialect) : undefined;
  const binary = query.sort !== undefined && (query.sort.kind === 'string' || query.sort.kind === 'folded');
  const reversed = 'before' in query.start;
  const descending = (query.sort?.descending ?? false) !== reversed;
  let pageWhere = where;
  if ('after' in query.start || 'before' in query.start) {
    const position = 'after' in query.start ? query.start.after : query.start.before;
    pageWhere = and(where, keysetAfter(value, binary, position, descending));
  }
  const direction = descending ? 'DESC' : 'ASC';
  const text = value === undefined ? undefined : trusted(value);
  const collated = text === undefined ? undefined : binary ? dialect.binaryOrder(text) : text;
  return {
    where: emit(where, dialect),
    pageWhere: emit(pageWhere, dialect),
    orderBy:
      collated !== undefined
        ? `(${collated} IS NULL) ${direction}, ${collated} ${direction}, g.id ${direction}`
        : `g.id ${direction}`,
    sortKey: text ?? 'NULL',
    offset: 'index' in query.start ? Math.max(0, query.start.index - 1) : 0,
    reversed,
  };
}

function sortValue(sort: BoundSort, dialect: Dialect): SqlExpression {
  if (sort.attribute.definition.multiValued)
    throw ScimError.invalidValue('Groups cannot be sorted by members.');
  const source = groupSource(sort.attribute, dialect);
  const raw = sql(source.expression);
  return sort.kind === 'folded' && !source.lowered ? lower(raw) : raw;
}

function keysetAfter(
  value: SqlExpression | undefined,
  binary: boolean,
  position: ListPosition,
  descending: boolean,
): SqlExpression {
  const idAfter = compare(sql('g.id'), descending ? '<' : '>', param(position.id));
  if (value === undefined) return idAfter;
  const key = position.key;
  if (!descending) {
    if (key === null) return and(isNull(value), idAfter);
    return or(
      isNull(value),
      and(isNotNull(value), compare(value, '>', param(key), binary)),
      and(isNotNull(value), compare(value, '=', param(key), binary), idAfter),
    );
  }
  if (key === null) return or(isNotNull(value), and(isNull(value), idAfter));
  return or(
    and(isNotNull(value), compare(value, '<', param(key), binary)),
    and(isNotNull(value), compare(value, '=', param(key), binary), idAfter),
  );
}

function trusted(expression: SqlExpression): string {
  if (expression.kind === 'sql') return expression.text;
  if (expression.kind === 'lower') return `lower(${trusted(expression.item)})`;
  throw new Error('sort values are column or JSON accessors');
}
