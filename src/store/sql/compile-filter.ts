import type { AttributePath, CompareOperator, Filter, FilterValue } from '../../scim/filter/ast.js';
import { ScimError } from '../../scim/errors.js';
import type { ResourceSchema, ResolvedAttribute } from '../../scim/schema/registry.js';
import type { AttributeDefinition } from '../../scim/schema/types.js';
import type { SqlValue } from './connection.js';
import type { Dialect } from './dialect.js';

/** A parameterised SQL boolean expression: `?` placeholders, values bound in order. */
export interface SqlFragment {
  readonly text: string;
  readonly values: readonly SqlValue[];
}

/**
 * How a singular attribute is read in SQL. `lowered` columns already hold the lower-cased value,
 * so a case-insensitive comparison lowers only the parameter and can use the column's index.
 */
interface ColumnSource {
  readonly kind: 'column';
  readonly expression: string;
  readonly lowered?: boolean;
  /** Millisecond timestamps compared as instants. */
  readonly epochMillis?: boolean;
  readonly boolean?: boolean;
}

/** Columns of `users u` that hold SCIM attributes; everything else singular is read from the JSON. */
const USER_COLUMNS: Record<string, ColumnSource> = {
  id: { kind: 'column', expression: 'u.id' },
  externalid: { kind: 'column', expression: 'u.external_id' },
  username: { kind: 'column', expression: 'u.logon_lower', lowered: true },
  'name.givenname': { kind: 'column', expression: 'u.first_name' },
  'name.familyname': { kind: 'column', expression: 'u.last_name' },
  timezone: { kind: 'column', expression: 'u.time_zone' },
  active: { kind: 'column', expression: 'u.active', boolean: true },
  'meta.created': { kind: 'column', expression: 'u.created_at', epochMillis: true },
  'meta.lastmodified': { kind: 'column', expression: 'u.updated_at', epochMillis: true },
};

/** Sub-attributes of an email, as columns of `user_emails e`. */
const EMAIL_COLUMNS: Record<string, ColumnSource> = {
  value: { kind: 'column', expression: 'e.value_lower', lowered: true },
  type: { kind: 'column', expression: 'e.type' },
  primary: { kind: 'column', expression: 'e.is_primary', boolean: true },
  display: { kind: 'column', expression: 'e.value' },
};

const EMAILS_EXISTS =
  'EXISTS (SELECT 1 FROM user_emails e WHERE e.site_id = u.site_id AND e.user_id = u.id AND ';

/**
 * Compiles a filter over Users (RFC 7644 §3.4.2.2) into one SQL expression over `users u`. Every
 * comparison is written so that it is never NULL, which keeps `not (…)` exact under SQL's
 * three-valued logic. Values are always bound parameters.
 */
export function compileUserFilter(filter: Filter, schema: ResourceSchema, dialect: Dialect): SqlFragment {
  const compile = (node: Filter): SqlFragment => {
    switch (node.kind) {
      case 'and':
      case 'or': {
        const left = compile(node.left);
        const right = compile(node.right);
        return {
          text: `(${left.text} ${node.kind.toUpperCase()} ${right.text})`,
          values: [...left.values, ...right.values],
        };
      }
      case 'not': {
        const inner = compile(node.filter);
        return { text: `(NOT ${inner.text})`, values: inner.values };
      }
      case 'present':
      case 'compare':
        return compileTerm(node, schema, dialect);
      case 'valuePath':
        return compileValuePath(node.path, node.filter, schema);
    }
  };
  return compile(filter);
}

function compileTerm(
  node: Extract<Filter, { kind: 'present' | 'compare' }>,
  schema: ResourceSchema,
  dialect: Dialect,
): SqlFragment {
  const resolved = resolveOrFail(schema, node.path);
  const attributeName = resolved.attribute.name.toLowerCase();
  if (attributeName === 'emails' && !resolved.inExtension) {
    // `emails co "x"` means the value sub-attribute (RFC 7644 §3.4.2.2).
    const sub = resolved.subAttribute?.name ?? 'value';
    const inner = compileOn(
      EMAIL_COLUMNS[sub.toLowerCase()],
      node,
      resolved.subAttribute ?? resolved.attribute,
    );
    return { text: `${EMAILS_EXISTS}${inner.text})`, values: inner.values };
  }
  const key = resolved.inExtension
    ? undefined
    : [resolved.attribute.name, resolved.subAttribute?.name].filter(Boolean).join('.').toLowerCase();
  const column = key !== undefined ? USER_COLUMNS[key] : undefined;
  const definition = resolved.subAttribute ?? resolved.attribute;
  if (column) return compileOn(column, node, definition);
  if (resolved.attribute.multiValued || definition.type === 'complex') {
    throw ScimError.invalidFilter(`Filtering on '${describe(node.path)}' is not supported.`);
  }
  const jsonPath = [
    ...(resolved.inExtension && resolved.schema ? [resolved.schema.id] : []),
    resolved.attribute.name,
    ...(resolved.subAttribute ? [resolved.subAttribute.name] : []),
  ];
  return compileOn(
    { kind: 'column', expression: dialect.jsonText('u.resource', jsonPath) },
    node,
    definition,
  );
}

function compileValuePath(path: AttributePath, inner: Filter, schema: ResourceSchema): SqlFragment {
  const resolved = resolveOrFail(schema, path);
  if (resolved.attribute.name.toLowerCase() !== 'emails' || resolved.inExtension) {
    throw ScimError.invalidFilter(`Filtering inside '${describe(path)}' is not supported.`);
  }
  const subIndex = schema.core.sub(resolved.attribute)!;
  const compileInner = (node: Filter): SqlFragment => {
    switch (node.kind) {
      case 'and':
      case 'or': {
        const left = compileInner(node.left);
        const right = compileInner(node.right);
        return {
          text: `(${left.text} ${node.kind.toUpperCase()} ${right.text})`,
          values: [...left.values, ...right.values],
        };
      }
      case 'not': {
        const negated = compileInner(node.filter);
        return { text: `(NOT ${negated.text})`, values: negated.values };
      }
      case 'valuePath':
        throw ScimError.invalidFilter('A value filter cannot contain another value filter.');
      case 'present':
      case 'compare': {
        if (node.path.schema !== undefined || node.path.subAttribute !== undefined) {
          throw ScimError.invalidFilter(
            `'${describe(node.path)}' is not a sub-attribute of '${resolved.attribute.name}'.`,
          );
        }
        const definition = subIndex.get(node.path.attribute);
        const column = definition ? EMAIL_COLUMNS[definition.name.toLowerCase()] : undefined;
        if (!definition || !column) {
          throw ScimError.invalidFilter(
            `'${resolved.attribute.name}' has no sub-attribute '${node.path.attribute}'.`,
          );
        }
        return compileOn(column, node, definition);
      }
    }
  };
  const compiled = compileInner(inner);
  return { text: `${EMAILS_EXISTS}${compiled.text})`, values: compiled.values };
}

function compileOn(
  column: ColumnSource | undefined,
  node: Extract<Filter, { kind: 'present' | 'compare' }>,
  definition: AttributeDefinition,
): SqlFragment {
  if (!column) throw ScimError.invalidFilter(`Filtering on '${describe(node.path)}' is not supported.`);
  const expression = column.expression;
  if (node.kind === 'present') return { text: `(${expression} IS NOT NULL)`, values: [] };

  if (column.boolean || definition.type === 'boolean') {
    if (node.op !== 'eq' && node.op !== 'ne') {
      throw ScimError.invalidFilter(`'${node.op}' cannot compare the boolean '${describe(node.path)}'.`);
    }
    const value = booleanValue(node.value, node.path);
    return notNull(expression, node.op === 'eq' ? '=' : '<>', [value]);
  }

  if (column.epochMillis || definition.type === 'dateTime') {
    const instant = typeof node.value === 'string' ? Date.parse(node.value) : Number.NaN;
    if (Number.isNaN(instant)) {
      throw ScimError.invalidFilter(
        `'${describe(node.path)}' compares with a date-time, got ${JSON.stringify(node.value)}.`,
      );
    }
    if (column.epochMillis) return compareOrdered(expression, node.op, instant, node.path);
  }

  if (node.value === null) {
    // `attr eq null` asks for an absent value; `ne null` for a present one.
    if (node.op === 'eq') return { text: `(${expression} IS NULL)`, values: [] };
    if (node.op === 'ne') return { text: `(${expression} IS NOT NULL)`, values: [] };
    throw ScimError.invalidFilter(`'${node.op}' cannot compare with null.`);
  }
  if (definition.type === 'integer' || definition.type === 'decimal') {
    if (typeof node.value !== 'number') {
      throw ScimError.invalidFilter(
        `'${describe(node.path)}' compares with a number, got ${JSON.stringify(node.value)}.`,
      );
    }
    return compareOrdered(expression, node.op, node.value, node.path);
  }

  const text = String(node.value);
  const caseInsensitive = !definition.caseExact;
  const left = caseInsensitive && !column.lowered ? `lower(${expression})` : expression;
  const right = caseInsensitive ? text.toLowerCase() : text;
  switch (node.op) {
    case 'co':
      return like(left, `%${escapeLike(right)}%`);
    case 'sw':
      return like(left, `${escapeLike(right)}%`);
    case 'ew':
      return like(left, `%${escapeLike(right)}`);
    default:
      return compareOrdered(left, node.op, right, node.path);
  }
}

const ORDERED: Record<Exclude<CompareOperator, 'co' | 'sw' | 'ew'>, string> = {
  eq: '=',
  ne: '<>',
  gt: '>',
  ge: '>=',
  lt: '<',
  le: '<=',
};

function compareOrdered(
  expression: string,
  op: CompareOperator,
  value: SqlValue,
  path: AttributePath,
): SqlFragment {
  if (op === 'co' || op === 'sw' || op === 'ew') {
    throw ScimError.invalidFilter(`'${op}' only applies to strings, not to '${describe(path)}'.`);
  }
  if (op === 'ne') return { text: `(${expression} IS NULL OR ${expression} <> ?)`, values: [value] };
  return notNull(expression, ORDERED[op], [value]);
}

function notNull(expression: string, operator: string, values: SqlValue[]): SqlFragment {
  if (operator === '<>') return { text: `(${expression} IS NULL OR ${expression} <> ?)`, values };
  return { text: `(${expression} IS NOT NULL AND ${expression} ${operator} ?)`, values };
}

function like(expression: string, pattern: string): SqlFragment {
  return { text: `(${expression} IS NOT NULL AND ${expression} LIKE ? ESCAPE '\\')`, values: [pattern] };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function booleanValue(value: FilterValue, path: AttributePath): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw ScimError.invalidFilter(
    `'${describe(path)}' compares with true or false, got ${JSON.stringify(value)}.`,
  );
}

function resolveOrFail(schema: ResourceSchema, path: AttributePath): ResolvedAttribute {
  const resolved = schema.resolve(path);
  if (!resolved)
    throw ScimError.invalidFilter(`'${describe(path)}' is not an attribute of ${schema.resourceType.name}.`);
  if (resolved.attribute.mutability === 'writeOnly' || resolved.attribute.returned === 'never') {
    throw ScimError.invalidFilter(`'${describe(path)}' cannot be used in a filter.`);
  }
  return resolved;
}

function describe(path: AttributePath): string {
  const name = path.subAttribute ? `${path.attribute}.${path.subAttribute}` : path.attribute;
  return path.schema ? `${path.schema}:${name}` : name;
}
