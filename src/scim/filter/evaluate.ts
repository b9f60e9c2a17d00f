import { ScimError } from '../errors.js';
import type { AttributeIndex } from '../schema/registry.js';
import type { AttributeDefinition } from '../schema/types.js';
import type { ScimObject, ScimValue } from '../resource.js';
import type { CompareOperator, Filter, FilterValue } from './ast.js';
import type { BoundElementFilter, BoundFilter, OrderedOperator, ValueTest } from './bind.js';

/**
 * Evaluates a filter in memory against one element of a multi-valued complex attribute, the way
 * a PATCH value path (`emails[type eq "work"]`) selects its targets (RFC 7644 §3.5.2). Sub-attribute
 * names are resolved case-insensitively and compared per their `caseExact`.
 */
export function matchesElement(filter: Filter, element: ScimValue, index: AttributeIndex): boolean {
  switch (filter.kind) {
    case 'and':
      return matchesElement(filter.left, element, index) && matchesElement(filter.right, element, index);
    case 'or':
      return matchesElement(filter.left, element, index) || matchesElement(filter.right, element, index);
    case 'not':
      return !matchesElement(filter.filter, element, index);
    case 'valuePath':
      throw ScimError.invalidFilter('A value filter cannot contain another value filter.');
    case 'present':
    case 'compare': {
      if (filter.path.schema !== undefined || filter.path.subAttribute !== undefined) {
        throw ScimError.invalidFilter(
          `'${filter.path.attribute}.${filter.path.subAttribute ?? ''}' is not a sub-attribute here.`,
        );
      }
      const definition = index.get(filter.path.attribute);
      if (!definition) throw ScimError.invalidFilter(`Unknown sub-attribute '${filter.path.attribute}'.`);
      const actual = isObject(element) ? element[definition.name] : undefined;
      if (filter.kind === 'present') return actual !== undefined && actual !== null && actual !== '';
      return compareValue(actual, filter.op, filter.value, definition);
    }
  }
}

/** One comparison of a stored value against a filter literal. Absent values match only `ne`. */
export function compareValue(
  actual: ScimValue | undefined,
  op: CompareOperator,
  expected: FilterValue,
  definition: AttributeDefinition,
): boolean {
  if (actual === undefined || actual === null) {
    if (expected === null) return op === 'eq';
    return op === 'ne';
  }
  if (expected === null) return op === 'ne';
  // A complex value never equals a literal; only a sub-attribute can.
  if (typeof actual === 'object') return op === 'ne';
  if (definition.type === 'boolean') {
    const wanted = typeof expected === 'string' ? expected.toLowerCase() === 'true' : expected === true;
    const have = typeof actual === 'string' ? actual.toLowerCase() === 'true' : actual === true;
    if (op === 'eq') return have === wanted;
    if (op === 'ne') return have !== wanted;
    throw ScimError.invalidFilter(`'${op}' cannot compare the boolean '${definition.name}'.`);
  }
  if (definition.type === 'integer' || definition.type === 'decimal') {
    const have = Number(actual);
    const wanted = Number(expected);
    return ordered(op, have === wanted ? 0 : have < wanted ? -1 : 1, () => String(have), String(wanted));
  }
  if (definition.type === 'dateTime') {
    const have = Date.parse(String(actual));
    const wanted = Date.parse(String(expected));
    if (Number.isNaN(wanted))
      throw ScimError.invalidFilter(`'${definition.name}' compares with a date-time.`);
    return ordered(op, have === wanted ? 0 : have < wanted ? -1 : 1, () => String(actual), String(expected));
  }
  const fold = (text: string): string => (definition.caseExact ? text : text.toLowerCase());
  const have = fold(String(actual));
  const wanted = fold(String(expected));
  return ordered(op, have === wanted ? 0 : have < wanted ? -1 : 1, () => have, wanted);
}

function ordered(op: CompareOperator, order: number, have: () => string, wanted: string): boolean {
  switch (op) {
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
    case 'co':
      return have().includes(wanted);
    case 'sw':
      return have().startsWith(wanted);
    case 'ew':
      return have().endsWith(wanted);
  }
}

function isObject(value: ScimValue | undefined): value is ScimObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Evaluates a bound filter in memory against a resource as SCIM returns it. This is the oracle the
 * SQL compiler is tested against: both read the same bound tree, and property tests check that
 * the database selects exactly the resources this function accepts.
 */
export function matchesResource(filter: BoundFilter, resource: ScimObject): boolean {
  switch (filter.kind) {
    case 'and':
      return matchesResource(filter.left, resource) && matchesResource(filter.right, resource);
    case 'or':
      return matchesResource(filter.left, resource) || matchesResource(filter.right, resource);
    case 'not':
      return !matchesResource(filter.filter, resource);
    case 'constant':
      return filter.value;
    case 'hasSchema':
      return isObject(resource[filter.urn]);
    case 'test':
      return testValue(valueAt(resource, filter.attribute.path), filter.test);
    case 'any': {
      const list = valueAt(resource, filter.list.path);
      return Array.isArray(list) && list.some((element) => matchesBoundElement(filter.element, element));
    }
  }
}

function matchesBoundElement(filter: BoundElementFilter, element: ScimValue): boolean {
  switch (filter.kind) {
    case 'and':
      return matchesBoundElement(filter.left, element) && matchesBoundElement(filter.right, element);
    case 'or':
      return matchesBoundElement(filter.left, element) || matchesBoundElement(filter.right, element);
    case 'not':
      return !matchesBoundElement(filter.filter, element);
    case 'constant':
      return filter.value;
    case 'test':
      return testValue(
        filter.sub ? (isObject(element) ? element[filter.sub.name] : undefined) : element,
        filter.test,
      );
  }
}

function valueAt(resource: ScimObject, path: readonly string[]): ScimValue | undefined {
  let current: ScimValue | undefined = resource;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/**
 * One test against one stored value (`undefined` when absent). Strings compare by code point,
 * which is the byte order of UTF-8 that both databases use for these comparisons.
 */
export function testValue(value: unknown, test: ValueTest): boolean {
  if (test.op === 'pr') {
    return (
      value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0)
    );
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return false;
  const actual: string | number | boolean = value;
  switch (test.kind) {
    case 'boolean':
      return (actual === true || actual === 'true') === test.value;
    case 'number':
      return compareOrdered(test.op, Math.sign(Number(actual) - (test.value as number)));
    case 'instant': {
      const instant = typeof actual === 'number' ? actual : Date.parse(String(actual));
      if (Number.isNaN(instant)) return false;
      return compareOrdered(test.op, Math.sign(instant - (test.value as number)));
    }
    case 'string':
    case 'folded': {
      const text = test.kind === 'folded' ? String(actual).toLowerCase() : String(actual);
      const wanted = String(test.value);
      switch (test.op) {
        case 'co':
          return text.includes(wanted);
        case 'sw':
          return text.startsWith(wanted);
        case 'ew':
          return text.endsWith(wanted);
        default:
          return compareOrdered(test.op, compareCodePoints(text, wanted));
      }
    }
  }
}

function compareOrdered(op: 'eq' | OrderedOperator | 'co' | 'sw' | 'ew', order: number): boolean {
  switch (op) {
    case 'eq':
      return order === 0;
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
    default:
      return false;
  }
}

/** Orders strings by Unicode code point (JavaScript's `<` orders by UTF-16 unit, which differs above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const difference = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (difference !== 0) return Math.sign(difference);
  }
}
