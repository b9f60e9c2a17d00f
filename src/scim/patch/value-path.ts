/**
 * Value paths (RFC 7644 §3.5.2): operations on the elements of a multi-valued attribute that a
 * value filter selects, such as `emails[type eq "work"].value`.
 */

import { ScimError } from '../errors.js';
import type { Filter } from '../filter/ast.js';
import { matchesElement } from '../filter/evaluate.js';
import { coerceSingle, coerceValue, isObject, type ScimObject, type ScimValue } from '../resource.js';
import type { AttributeIndex } from '../schema/registry.js';
import type { AttributeDefinition } from '../schema/types.js';
import type { PatchOpName } from './request.js';
import { clearOtherPrimaries, deepEqual, putList, setOrRemove } from './values.js';

export function applyFiltered(
  container: ScimObject,
  attribute: AttributeDefinition,
  parent: AttributeIndex,
  subIndex: AttributeIndex,
  op: PatchOpName,
  filter: Filter,
  subName: string | undefined,
  value: unknown,
  pathText: string,
): void {
  const list = Array.isArray(container[attribute.name])
    ? [...(container[attribute.name] as ScimValue[])]
    : [];
  const sub = subName !== undefined ? subIndex.get(subName) : undefined;
  if (subName !== undefined && !sub)
    throw ScimError.invalidPath(`'${pathText}': '${attribute.name}' has no sub-attribute '${subName}'.`);
  if (sub?.mutability === 'readOnly') throw ScimError.mutability(`'${pathText}' is read-only.`);
  checkFilterNames(filter, subIndex, pathText);
  const matched = list.map((element) => matchesElement(filter, element, subIndex));

  if (op === 'remove') {
    if (sub) {
      list.forEach((element, i) => {
        if (matched[i] && isObject(element)) delete element[sub.name];
      });
      putList(container, attribute.name, list);
    } else {
      putList(
        container,
        attribute.name,
        list.filter((_, i) => !matched[i]),
      );
    }
    return;
  }

  if (!matched.some(Boolean)) {
    // Entra ID and most clients expect `add` (and `replace`) through an equality filter to create
    // the element the filter describes; any other filter has no element to create.
    const seed = equalitySeed(filter, subIndex);
    if (!seed) throw ScimError.noTarget(`'${pathText}' matches no value.`);
    const element: ScimObject = { ...seed };
    if (sub) setOrRemove(element, sub, 'add', value, pathText, subIndex);
    else Object.assign(element, coerceElement(attribute, parent, value, pathText));
    list.push(element);
    if (element.primary === true) clearOtherPrimaries(list, [element]);
    putList(container, attribute.name, list);
    return;
  }

  const updated = list.map((element, i) => {
    if (!matched[i]) return element;
    if (sub) {
      const copy: ScimObject = isObject(element) ? { ...element } : {};
      setOrRemove(copy, sub, op, value, pathText, subIndex);
      return copy;
    }
    const replacement = coerceElement(attribute, parent, value, pathText);
    return op === 'add' && isObject(element) ? { ...element, ...replacement } : replacement;
  });
  const changed = updated.filter((_, i) => matched[i]);
  // Several matches given the same value become equal: keep one, as an add would.
  const unique = updated.filter(
    (element, i) => updated.findIndex((other) => deepEqual(other, element)) === i,
  );
  if (changed.some((element) => isObject(element) && element.primary === true))
    clearOtherPrimaries(unique, changed);
  putList(container, attribute.name, unique);
}

/**
 * Every name in a value filter must be a sub-attribute of the elements, whether or not there are
 * elements to match: otherwise the same request fails or passes depending on the data.
 */
function checkFilterNames(filter: Filter, index: AttributeIndex, pathText: string): void {
  switch (filter.kind) {
    case 'and':
    case 'or':
      checkFilterNames(filter.left, index, pathText);
      checkFilterNames(filter.right, index, pathText);
      return;
    case 'not':
      checkFilterNames(filter.filter, index, pathText);
      return;
    case 'valuePath':
      throw ScimError.invalidPath(`'${pathText}': value filters cannot be nested.`);
    case 'present':
    case 'compare':
      if (
        filter.path.schema !== undefined ||
        filter.path.subAttribute !== undefined ||
        !index.get(filter.path.attribute)
      ) {
        throw ScimError.invalidPath(`'${pathText}': '${filter.path.attribute}' is not a sub-attribute here.`);
      }
  }
}

function coerceElement(
  attribute: AttributeDefinition,
  parent: AttributeIndex,
  value: unknown,
  where: string,
): ScimObject {
  const coerced = coerceSingle(
    attribute,
    Array.isArray(value) && value.length === 1 ? value[0] : value,
    where,
    parent,
  );
  if (!isObject(coerced)) throw ScimError.invalidValue(`'${where}' needs an object value.`);
  return coerced;
}

/** The sub-attribute values an all-`eq` filter pins down: `type eq "work"` gives `{type: "work"}`. */
function equalitySeed(filter: Filter, index: AttributeIndex): ScimObject | undefined {
  if (filter.kind === 'and') {
    const left = equalitySeed(filter.left, index);
    const right = equalitySeed(filter.right, index);
    return left && right ? { ...left, ...right } : undefined;
  }
  if (filter.kind !== 'compare' || filter.op !== 'eq' || filter.path.subAttribute !== undefined)
    return undefined;
  const definition = index.get(filter.path.attribute);
  if (!definition || filter.value === null) return undefined;
  const coerced = coerceValue(definition, filter.value, definition.name);
  return coerced === undefined ? undefined : { [definition.name]: coerced };
}
