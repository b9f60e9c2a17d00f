/**
 * Value paths (RFC 7644 §3.5.2): operations on the elements of a multi-valued attribute that a
 * value filter selects, such as `emails[type eq "work"].value`.
 */

import { ScimError } from '../errors.js';
import type { Filter } from '../filter/ast.js';
import { bindElementFilter } from '../filter/bind.js';
import { matchesElement } from '../filter/evaluate.js';
import { coerceSingle, coerceValue, isObject, type ScimObject, type ScimValue } from '../resource.js';
import type { AttributeIndex } from '../schema/registry.js';
import type { AttributeDefinition } from '../schema/types.js';
import type { PatchOpName } from './request.js';
import { clearOtherPrimaries, deepEqual, putList, setOrRemove } from './values.js';

/** The multi-valued complex attribute a value path names, where it lives and what it holds. */
export interface ValuePathTarget {
  /** The resource, or the extension object, that holds the list. */
  readonly container: ScimObject;
  readonly attribute: AttributeDefinition;
  /** The index `attribute` belongs to, for coercing whole elements. */
  readonly parent: AttributeIndex;
  /** The sub-attributes of the elements. */
  readonly subIndex: AttributeIndex;
}

/**
 * Applies `op` to the elements `filter` selects, or to their sub-attribute `subName`. The filter
 * is bound before any element is looked at, so a request fails or passes whatever the data; an
 * `add` or `replace` that matches nothing creates the element an equality filter describes.
 */
export function applyValuePath(
  target: ValuePathTarget,
  op: PatchOpName,
  filter: Filter,
  subName: string | undefined,
  value: unknown,
  pathText: string,
): void {
  const { container, attribute, parent, subIndex } = target;
  const list = Array.isArray(container[attribute.name])
    ? [...(container[attribute.name] as ScimValue[])]
    : [];
  const sub = subName !== undefined ? subIndex.get(subName) : undefined;
  if (subName !== undefined && !sub)
    throw ScimError.invalidPath(`'${pathText}': '${attribute.name}' has no sub-attribute '${subName}'.`);
  if (sub?.mutability === 'readOnly') throw ScimError.mutability(`'${pathText}' is read-only.`);
  // RFC 7644 §3.5.2: a path naming what the elements do not have is `invalidPath`.
  const bound = bindElementFilter(filter, subIndex, attribute.name, (detail) =>
    ScimError.invalidPath(`'${pathText}': ${detail}`),
  );
  const matched = list.map((element) => matchesElement(bound, element));

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
