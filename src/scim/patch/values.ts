/**
 * Small helpers on attribute values shared by the path engine and value paths: structural
 * equality, the one-primary rule, and writing a sub-attribute or a list back.
 */

import { coerceValue, isObject, type ScimObject, type ScimValue } from '../resource.js';
import type { AttributeIndex } from '../schema/registry.js';
import type { AttributeDefinition } from '../schema/types.js';
import type { PatchOpName } from './request.js';

/** A sub-attribute set to a coerced value; null unassigns it (RFC 7643 §2.5). */
export function setOrRemove(
  element: ScimObject,
  sub: AttributeDefinition,
  op: PatchOpName,
  value: unknown,
  where: string,
  index: AttributeIndex | undefined,
): void {
  if (op === 'remove') {
    delete element[sub.name];
    return;
  }
  const coerced = coerceValue(sub, value, where, index);
  if (coerced === undefined) delete element[sub.name];
  else element[sub.name] = coerced;
}

/** RFC 7643 §2.4: at most one element of a multi-valued attribute is primary. */
export function clearOtherPrimaries(list: ScimValue[], keep: readonly ScimValue[]): void {
  const winner = keep.find((item) => isObject(item) && item.primary === true);
  for (const element of list) {
    if (element !== winner && isObject(element) && element.primary === true && !deepEqual(element, winner)) {
      element.primary = false;
    }
  }
}

/** An empty list is stored as no attribute: RFC 7643 §2.5 makes the two the same state. */
export function putList(container: ScimObject, key: string, list: ScimValue[]): void {
  if (list.length > 0) container[key] = list;
  else delete container[key];
}

/** Structural equality; the key order of objects does not matter (`{type, value}` = `{value, type}`). */
export function deepEqual(a: ScimValue | undefined, b: ScimValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => deepEqual(item, b[i]))
    );
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]))
  );
}
