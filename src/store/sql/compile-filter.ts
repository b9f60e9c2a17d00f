import type { BoundAttribute, BoundElementFilter, BoundFilter } from '../../scim/filter/bind.js';
import type { ValueTest } from '../../scim/filter/bind-value.js';
import { ScimError } from '../../scim/errors.js';
import type { AttributeDefinition } from '../../scim/schema/types.js';
import type { Dialect } from './dialect.js';
import { type ListSource, listSourceOf, type ValueSource, within, sameSite } from './list-sources.js';
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

/** The resource table a filter runs over: `users u`, `groups g`. */
export interface FilterTarget {
  readonly alias: string;
  /** Given, the site is also written into subqueries, so an index on it bounds their scans. */
  readonly siteId?: string;
}

/**
 * Compiles a bound filter into one SQL expression over a resource table, reading where each value
 * lives from the attribute's storage mapping (the schema declares it): a column of the table, a
 * side table or relation for a multi-valued attribute, and the resource's JSON for everything else,
 * multi-valued attributes through the dialect's JSON array functions. Every comparison is written
 * so that it is never NULL, which keeps `not (…)` exact under SQL's three-valued logic.
 */
export function compileFilter(filter: BoundFilter, target: FilterTarget, dialect: Dialect): SqlExpression {
  const resourceColumn = `${target.alias}.resource`;
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
        return isNotNull(sql(dialect.jsonKey(resourceColumn, node.urn)));
      case 'test':
        return compileTest(
          valueSource(node.attribute, target.alias, dialect),
          node.attribute,
          node.test,
          dialect,
        );
      case 'any': {
        const source = listSourceOf(node.list.definition.storage);
        // A side table that cannot tell an absent sub-attribute from false is read from the JSON then.
        if (source && !readsInexact(node.element)) return compileList(source, node.element, target, dialect);
        const alias = `j${aliases++}`;
        return exists(
          dialect.jsonElements(resourceColumn, node.list.path, alias),
          compileElement(
            node.element,
            (sub) => ({ expression: dialect.elementValue(alias, sub?.name), json: true }),
            dialect,
          ),
        );
      }
    }
  };
  return compile(filter);
}

/**
 * A multi-valued attribute kept outside the JSON. Given the site, a test that fixes an indexed
 * sub-attribute (`emails.value eq`, Entra's `emails[type eq "work"].value eq`, `members.value eq`)
 * is a set of owner ids read from that index: a correlated EXISTS would make SQLite walk every
 * resource of the site and probe the index per row.
 */
function compileList(
  source: ListSource,
  element: BoundElementFilter,
  target: FilterTarget,
  dialect: Dialect,
): SqlExpression {
  const condition = compileElement(element, (sub) => subSource(source, sub), dialect);
  const lookup = source.lookup === 'always' || (source.lookup === 'value-fixed' && fixesIndexed(element));
  if (target.siteId !== undefined && lookup) {
    return inSubquery(
      sql(`${target.alias}.id`),
      source.ownerColumn,
      source.from,
      and(sameSite(source, target.siteId), condition),
    );
  }
  // The site as a constant too: under an `or` PostgreSQL may run this as one hashed pass over the
  // side table, and the constant keeps that pass inside the site's index range.
  return exists(source.from, and(within(source, target.alias, target.siteId), condition));
}

function subSource(source: ListSource, sub: AttributeDefinition | undefined): ValueSource {
  const own = sub === undefined ? undefined : source.columns?.[sub.name];
  if (own) return own;
  const storage = sub?.storage;
  if (storage?.kind === 'column') {
    return {
      expression: `${source.alias}.${storage.column}`,
      ...(storage.folded ? { lowered: true } : {}),
    };
  }
  // The bound tree only names sub-attributes the schema defines; a relation's own columns cover them.
  throw ScimError.invalidFilter(`'${sub?.name ?? 'value'}' cannot be used in a filter here.`);
}

/** Whether an element filter reads a column that cannot tell an absent value from false. */
function readsInexact(node: BoundElementFilter): boolean {
  switch (node.kind) {
    case 'and':
    case 'or':
      return readsInexact(node.left) || readsInexact(node.right);
    case 'not':
      return readsInexact(node.filter);
    case 'constant':
      return false;
    case 'test':
      return node.sub?.storage?.kind === 'column' && node.sub.storage.absentAsFalse === true;
  }
}

/** Whether every matching element has one given value of an indexed sub-attribute (an `eq`, possibly and-ed). */
function fixesIndexed(node: BoundElementFilter): boolean {
  if (node.kind === 'and') return fixesIndexed(node.left) || fixesIndexed(node.right);
  const storage = node.kind === 'test' ? node.sub?.storage : undefined;
  return (
    node.kind === 'test' && node.test.op === 'eq' && storage?.kind === 'column' && storage.indexed === true
  );
}

export function compileElement(
  node: BoundElementFilter,
  source: (sub: AttributeDefinition | undefined) => ValueSource,
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
      return compileTest(source(node.sub), undefined, node.test, dialect);
  }
}

/** Where SQL reads a singular attribute: the column its storage names, else its JSON value. */
export function valueSource(attribute: BoundAttribute, alias: string, dialect: Dialect): ValueSource {
  const storage = attribute.definition.storage;
  if (storage?.kind === 'column') {
    return {
      expression: `${alias}.${storage.column}`,
      ...(storage.folded ? { lowered: true } : {}),
      ...(storage.instant ? { instant: true } : {}),
    };
  }
  return { expression: dialect.jsonText(`${alias}.resource`, attribute.path), json: true };
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
        // Date-times inside the JSON would compare as text, not as instants; no attribute Roster
        // stores outside `meta` has this type.
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
