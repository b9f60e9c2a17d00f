import type { BoundAttribute, BoundElementFilter, BoundFilter, ValueTest } from '../../scim/filter/bind.js';
import { ScimError } from '../../scim/errors.js';
import type { Dialect } from './dialect.js';
import {
  and,
  compare,
  type ComparisonOperator,
  constant,
  escapeLike,
  exists,
  inSubquery,
  isNotNull,
  like,
  lower,
  not,
  or,
  param,
  sql,
  type SqlExpression,
} from './sql-expression.js';

/** How SQL reads one value: a column or JSON accessor, and what its stored form already is. */
export interface ValueSource {
  readonly expression: string;
  /** The column holds the value lower-cased, so a folded comparison lowers only the literal. */
  readonly lowered?: boolean;
  /** Epoch milliseconds: compared with instants. */
  readonly instant?: boolean;
  /** A JSON scalar that needs the dialect's cast to compare as boolean or number. */
  readonly json?: boolean;
}

/** Columns of `users u` that hold SCIM attributes, by canonical path; all else is read from the JSON. */
const USER_COLUMNS: Readonly<Record<string, ValueSource>> = {
  id: { expression: 'u.id' },
  externalId: { expression: 'u.external_id' },
  userName: { expression: 'u.logon_lower', lowered: true },
  'name.givenName': { expression: 'u.first_name' },
  'name.familyName': { expression: 'u.last_name' },
  timezone: { expression: 'u.time_zone' },
  active: { expression: 'u.active' },
  'meta.created': { expression: 'u.created_at', instant: true },
  'meta.lastModified': { expression: 'u.updated_at', instant: true },
};

/** The emails side table (indexed on the lower-cased value), by sub-attribute. */
const EMAIL_COLUMNS: Readonly<Record<string, ValueSource>> = {
  value: { expression: 'e.value_lower', lowered: true },
  type: { expression: 'e.type' },
  primary: { expression: 'e.is_primary' },
  display: { expression: 'e.display' },
};

/** A user's groups: its memberships joined to the groups' names (RFC 7643 §4.1.2 `groups`). */
const GROUPS_FROM = 'group_members gm JOIN groups gg ON gg.site_id = gm.site_id AND gg.id = gm.group_id';
const GROUPS_JOIN = sql('gm.site_id = u.site_id AND gm.member_id = u.id');
const GROUP_MEMBERSHIP_COLUMNS: Readonly<Record<string, ValueSource>> = {
  value: { expression: 'gm.group_id' },
  display: { expression: 'gg.display_name' },
  type: { expression: "'direct'" },
};

function groupMembershipSource(key: string | undefined): ValueSource {
  const column = key === undefined ? undefined : GROUP_MEMBERSHIP_COLUMNS[key];
  if (!column) throw ScimError.invalidFilter(`'groups${key ? `.${key}` : ''}' cannot be used in a filter.`);
  return column;
}

const EMAILS_FROM = 'user_emails e';
const EMAILS_JOIN = sql('e.site_id = u.site_id AND e.user_id = u.id');

/**
 * What the filter compiler needs to know of one resource table: how to read a singular attribute,
 * and which multi-valued attributes live in tables of their own. Everything else is JSON.
 */
export interface FilterTable {
  /** The table's alias and its JSON column, e.g. `u` and `u.resource`. */
  readonly resourceColumn: string;
  source(attribute: BoundAttribute, dialect: Dialect): ValueSource;
  /** A multi-valued attribute answered from its own table, or undefined to read the JSON array. */
  list?(path: readonly string[], element: BoundElementFilter, dialect: Dialect): SqlExpression | undefined;
}

/**
 * Compiles a bound filter into one SQL expression over a resource table. Multi-valued attributes
 * are answered by the database: from their own tables where the table says so, otherwise through
 * the dialect's JSON array functions. Every comparison is written so that it is never NULL, which
 * keeps `not (…)` exact under SQL's three-valued logic.
 */
export function compileFilter(filter: BoundFilter, table: FilterTable, dialect: Dialect): SqlExpression {
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
        return isNotNull(sql(dialect.jsonKey(table.resourceColumn, node.urn)));
      case 'test':
        return compileTest(table.source(node.attribute, dialect), node.attribute, node.test, dialect);
      case 'any': {
        const own = table.list?.(node.list.path, node.element, dialect);
        if (own) return own;
        const alias = `j${aliases++}`;
        return exists(
          dialect.jsonElements(table.resourceColumn, node.list.path, alias),
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

/**
 * The users table. `emails` is answered from its indexed side table; given the site, a test that
 * fixes the value (`emails.value eq`, Entra's `emails[type eq "work"].value eq`) is a set of user
 * ids read from the value index (a correlated EXISTS would make SQLite walk every user of the site
 * and probe the index per row). `groups` is read-only and lives in the memberships.
 */
export function usersTable(siteId?: string): FilterTable {
  return {
    resourceColumn: 'u.resource',
    source: userSource,
    list(path, element, dialect) {
      if (path.length !== 1) return undefined;
      if (path[0] === 'groups') {
        return exists(GROUPS_FROM, and(GROUPS_JOIN, compileElement(element, groupMembershipSource, dialect)));
      }
      // The side table keeps an absent `primary` as false; a test of it reads the JSON instead.
      if (path[0] !== 'emails' || readsPrimary(element)) return undefined;
      const condition = compileElement(element, emailSource, dialect);
      if (siteId !== undefined && fixesValue(element)) {
        return inSubquery(
          sql('u.id'),
          'e.user_id',
          EMAILS_FROM,
          and(compare(sql('e.site_id'), '=', param(siteId)), condition),
        );
      }
      // The site as a constant too: under an `or` PostgreSQL may run this as one hashed pass over
      // user_emails, and the constant keeps that pass inside the site's index range.
      return exists(
        EMAILS_FROM,
        and(
          EMAILS_JOIN,
          ...(siteId !== undefined ? [compare(sql('e.site_id'), '=', param(siteId))] : []),
          condition,
        ),
      );
    },
  };
}

/** A bound User filter as one SQL expression over `users u`. */
export function compileUserFilter(filter: BoundFilter, dialect: Dialect, siteId?: string): SqlExpression {
  return compileFilter(filter, usersTable(siteId), dialect);
}

/** Whether an element filter tests `primary`, which the emails side table cannot tell absent from false. */
function readsPrimary(node: BoundElementFilter): boolean {
  switch (node.kind) {
    case 'and':
    case 'or':
      return readsPrimary(node.left) || readsPrimary(node.right);
    case 'not':
      return readsPrimary(node.filter);
    case 'constant':
      return false;
    case 'test':
      return node.sub?.name === 'primary';
  }
}

/** Whether every matching element has one given `value` (an equality on it, possibly and-ed). */
function fixesValue(node: BoundElementFilter): boolean {
  if (node.kind === 'and') return fixesValue(node.left) || fixesValue(node.right);
  return node.kind === 'test' && node.sub?.name === 'value' && node.test.op === 'eq';
}

export function compileElement(
  node: BoundElementFilter,
  source: (key: string | undefined) => ValueSource,
  dialect: Dialect,
): SqlExpression {
  switch (node.kind) {
    case 'and':
      return and(compileElement(node.left, source, dialect), compileElement(node.right, source, dialect));
    case 'or':
      return or(compileElement(node.left, source, dialect), compileElement(node.right, source, dialect));
    case 'not':
      return not(compileElement(node.filter, source, dialect));
    case 'constant':
      return constant(node.value);
    case 'test':
      return compileTest(source(node.sub?.name), undefined, node.test, dialect);
  }
}

/** Where SQL reads a singular User attribute: its column, else its JSON value. */
export function userSource(attribute: BoundAttribute, dialect: Dialect): ValueSource {
  const column = USER_COLUMNS[attribute.path.join('.')];
  if (column) return column;
  return { expression: dialect.jsonText('u.resource', attribute.path), json: true };
}

function emailSource(key: string | undefined): ValueSource {
  const column = key === undefined ? undefined : EMAIL_COLUMNS[key];
  // The bound tree only names sub-attributes the schema defines, all of which have a column.
  if (!column) throw ScimError.invalidFilter(`'emails${key ? `.${key}` : ''}' cannot be used in a filter.`);
  return column;
}

const ORDERED: Readonly<Record<'eq' | 'gt' | 'ge' | 'lt' | 'le', ComparisonOperator>> = {
  eq: '=',
  gt: '>',
  ge: '>=',
  lt: '<',
  le: '<=',
};

export function compileTest(
  source: ValueSource,
  attribute: BoundAttribute | undefined,
  test: ValueTest,
  dialect: Dialect,
): SqlExpression {
  const raw = sql(source.expression);
  if (test.op === 'pr') return isNotNull(raw);
  const present = isNotNull(raw);
  switch (test.kind) {
    case 'boolean': {
      const value = source.json ? sql(dialect.jsonBoolean(source.expression)) : raw;
      return and(present, compare(value, '=', param(test.value)));
    }
    case 'number': {
      const value = source.json ? sql(dialect.jsonNumber(source.expression)) : raw;
      return and(present, compare(value, ORDERED[test.op], param(test.value)));
    }
    case 'instant': {
      if (!source.instant) {
        // Date-times inside the JSON would compare as text, not as instants; no User or Group
        // attribute outside `meta` has this type.
        throw ScimError.invalidFilter(
          `'${attribute?.path.join('.') ?? 'this attribute'}' cannot be compared as a date-time.`,
        );
      }
      return and(present, compare(raw, ORDERED[test.op], param(test.value)));
    }
    case 'string':
    case 'folded': {
      const value = test.kind === 'folded' && !source.lowered ? lower(raw) : raw;
      switch (test.op) {
        case 'co':
          return and(present, like(value, `%${escapeLike(test.value)}%`));
        case 'sw':
          return and(present, like(value, `${escapeLike(test.value)}%`));
        case 'ew':
          return and(present, like(value, `%${escapeLike(test.value)}`));
        default:
          return and(present, compare(value, ORDERED[test.op], param(test.value), test.op !== 'eq'));
      }
    }
  }
}
