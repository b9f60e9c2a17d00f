/**
 * The in-memory evaluator of bound filters (`bind.ts`). It is the oracle the SQL compiler is
 * property-tested against, and what PATCH value filters select elements with, so a filter means
 * the same in a list, in the database and in a PATCH.
 */

import type { ScimObject, ScimValue } from '../resource.js';
import type { BoundElementFilter, BoundFilter } from './bind.js';
import type { OrderedOperator, ValueTest } from './bind-value.js';

/**
 * Whether a resource, as SCIM returns it, matches a bound filter; property tests check that the
 * database selects exactly the resources this accepts.
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
      return Array.isArray(list) && list.some((element) => matchesElement(filter.element, element));
    }
  }
}

/**
 * Whether one element of a multi-valued attribute matches a bound value filter: the `any` of a
 * list filter, and the elements a PATCH value path (`emails[type eq "work"]`) targets (RFC 7644 §3.5.2).
 */
export function matchesElement(filter: BoundElementFilter, element: ScimValue | undefined): boolean {
  switch (filter.kind) {
    case 'and':
      return matchesElement(filter.left, element) && matchesElement(filter.right, element);
    case 'or':
      return matchesElement(filter.left, element) || matchesElement(filter.right, element);
    case 'not':
      return !matchesElement(filter.filter, element);
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

function isObject(value: ScimValue | undefined): value is ScimObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
