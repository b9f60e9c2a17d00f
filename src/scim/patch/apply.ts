import { RosterError } from '../../errors.js';
import { ScimError } from '../errors.js';
import type { Filter, PatchPath } from '../filter/ast.js';
import { matchesElement } from '../filter/evaluate.js';
import { parsePatchPath } from '../filter/parse.js';
import { coerceSingle, coerceValue, isObject, type ScimObject, type ScimValue } from '../resource.js';
import type { AttributeIndex, ResourceSchema, ResolvedAttribute } from '../schema/registry.js';
import type { AttributeDefinition } from '../schema/types.js';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export type PatchOpName = 'add' | 'replace' | 'remove';

export interface PatchOperation {
  readonly op: PatchOpName;
  readonly path?: PatchPath;
  readonly pathText?: string;
  readonly value?: unknown;
  /** 0-based position in the request, named in errors. */
  readonly index: number;
}

export interface PatchResult {
  /** The resource after every operation, in canonical names; validate it before storing. */
  readonly document: ScimObject;
  /** Paths the operations targeted that no schema of this resource type defines; ignored. */
  readonly ignored: readonly string[];
}

/** Keys of a path-less value object that identify the resource rather than change it. */
const IDENTITY_KEYS = new Set(['id', 'meta', 'schemas']);

/**
 * Reads a PatchOp body (RFC 7644 §3.5.2): `Operations` with `op` in any letter case (Entra ID sends
 * "Replace"), a parsed `path`, and the RFC's rules on which operations need which parts.
 */
export function parsePatchRequest(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw ScimError.invalidSyntax('The request body must be a PatchOp JSON object.');
  const operations = body.Operations ?? body.operations;
  if (!Array.isArray(operations) || operations.length === 0) {
    throw ScimError.invalidSyntax(
      `A PatchOp body needs a non-empty 'Operations' list (schemas: ["${PATCH_OP_SCHEMA}"]).`,
    );
  }
  return operations.map((raw, index): PatchOperation => {
    if (!isObject(raw)) throw ScimError.invalidSyntax(`Operation ${index}: must be an object.`);
    const opText = typeof raw.op === 'string' ? raw.op.toLowerCase() : undefined;
    if (opText !== 'add' && opText !== 'replace' && opText !== 'remove') {
      throw ScimError.invalidSyntax(
        `Operation ${index}: 'op' must be "add", "replace" or "remove", got ${JSON.stringify(raw.op)}.`,
      );
    }
    const pathText = raw.path;
    if (pathText !== undefined && pathText !== null && typeof pathText !== 'string') {
      throw ScimError.invalidPath(`Operation ${index}: 'path' must be a string.`);
    }
    if (pathText === undefined || pathText === null || pathText.trim() === '') {
      if (opText === 'remove') throw ScimError.noTarget(`Operation ${index}: 'remove' needs a 'path'.`);
      if (!isObject(raw.value)) {
        throw ScimError.invalidValue(
          `Operation ${index}: '${opText}' without a 'path' needs an object 'value'.`,
        );
      }
      return { op: opText, value: raw.value, index };
    }
    let path: PatchPath;
    try {
      path = parsePatchPath(pathText);
    } catch (error) {
      if (error instanceof RosterError) throw ScimError.invalidPath(`Operation ${index}: ${error.detail}`);
      throw error;
    }
    if (opText !== 'remove' && !('value' in raw)) {
      throw ScimError.invalidValue(`Operation ${index}: '${opText}' needs a 'value'.`);
    }
    return { op: opText, path, pathText, value: raw.value, index };
  });
}

/**
 * Applies operations to a resource (RFC 7644 §3.5.2), all or none: the input is never modified
 * and the first failing operation throws. The result still has to pass schema validation.
 */
export function applyPatch(
  schema: ResourceSchema,
  resource: ScimObject,
  operations: readonly PatchOperation[],
): PatchResult {
  const document = structuredClone(resource);
  const ignored: string[] = [];
  for (const operation of operations) {
    try {
      if (operation.path)
        applyAtPath(
          schema,
          document,
          operation.op,
          operation.path,
          operation.value,
          ignored,
          operation.pathText!,
        );
      else applyPathless(schema, document, operation.op, operation.value as Record<string, unknown>, ignored);
    } catch (error) {
      if (error instanceof RosterError && !error.detail.startsWith('Operation ')) {
        throw rewrap(error, `Operation ${operation.index}: ${error.detail}`);
      }
      throw error;
    }
  }
  return { document, ignored };
}

/** `{"op":"replace","value":{"active":false,"name.givenName":"A","urn:…:User:department":"X"}}` */
function applyPathless(
  schema: ResourceSchema,
  document: ScimObject,
  op: PatchOpName,
  value: Record<string, unknown>,
  ignored: string[],
): void {
  for (const [key, item] of Object.entries(value)) {
    if (IDENTITY_KEYS.has(key.toLowerCase())) continue;
    const extension = schema.extension(key);
    if (extension) {
      if (!isObject(item)) throw ScimError.invalidValue(`'${key}' must be an object of attributes.`);
      for (const [subKey, subItem] of Object.entries(item)) {
        applyAtPath(
          schema,
          document,
          op,
          { path: { schema: extension.schema.id, attribute: subKey } },
          subItem,
          ignored,
          `${key}:${subKey}`,
        );
      }
      continue;
    }
    let path: PatchPath;
    try {
      path = parsePatchPath(key);
    } catch {
      ignored.push(key);
      continue;
    }
    if (!schema.resolve(path.path)) {
      ignored.push(key);
      continue;
    }
    applyAtPath(schema, document, op, path, item, ignored, key);
  }
}

function applyAtPath(
  schema: ResourceSchema,
  document: ScimObject,
  op: PatchOpName,
  patchPath: PatchPath,
  value: unknown,
  ignored: string[],
  pathText: string,
): void {
  const whole =
    patchPath.path.schema && !patchPath.filter && patchPath.path.subAttribute === undefined
      ? schema.extension(`${patchPath.path.schema}:${patchPath.path.attribute}`)
      : undefined;
  if (whole) {
    // A path naming a whole extension (`urn:…:enterprise:2.0:User`) targets all its attributes.
    if (op === 'remove') {
      delete document[whole.schema.id];
      return;
    }
    applyPathless(schema, document, op, { [whole.schema.id]: value }, ignored);
    return;
  }
  const resolved = schema.resolve({
    ...patchPath.path,
    subAttribute: patchPath.filter ? undefined : patchPath.path.subAttribute,
  });
  if (!resolved) {
    // A foreign extension is ignored like any undefined attribute; an unknown name in one of our
    // own schemas is a client error the RFC names.
    if (
      patchPath.path.schema &&
      !schema.extension(patchPath.path.schema) &&
      patchPath.path.schema.toLowerCase() !== schema.coreSchema.id.toLowerCase()
    ) {
      ignored.push(pathText);
      return;
    }
    throw ScimError.invalidPath(`'${pathText}' is not an attribute of ${schema.resourceType.name}.`);
  }
  const target = resolved.subAttribute ?? resolved.attribute;
  if (resolved.attribute.mutability === 'readOnly' || target.mutability === 'readOnly') {
    throw ScimError.mutability(`'${pathText}' is read-only.`);
  }
  if (
    resolved.attribute.required &&
    !resolved.subAttribute &&
    !patchPath.filter &&
    (op === 'remove' || coerceValue(resolved.attribute, value, pathText) === undefined)
  ) {
    // RFC 7644 §3.5.2.2: a required attribute that is removed or becomes unassigned is `mutability`.
    throw ScimError.mutability(`'${pathText}' is required: it can be replaced but not removed.`);
  }
  const container = containerFor(document, resolved, op !== 'remove');
  if (!container) return; // removing from an extension the resource does not have
  const attribute = resolved.attribute;
  const key = attribute.name;
  const subIndex = indexFor(schema, resolved);

  if (patchPath.filter) {
    if (!attribute.multiValued || !subIndex) {
      throw ScimError.invalidPath(`'${pathText}': only multi-valued complex attributes take a value filter.`);
    }
    applyFiltered(
      container,
      attribute,
      parentIndex(schema, resolved),
      subIndex,
      op,
      patchPath.filter,
      patchPath.subAttribute,
      value,
      pathText,
    );
    return;
  }

  if (resolved.subAttribute) {
    // `name.givenName`, or `emails.value` (every element) on a multi-valued attribute.
    const sub = resolved.subAttribute;
    if (attribute.multiValued) {
      const list = Array.isArray(container[key]) ? container[key] : [];
      if (
        sub.name === 'primary' &&
        op !== 'remove' &&
        list.filter(isObject).length > 1 &&
        coerceValue(sub, value, pathText) === true
      ) {
        // RFC 7643 §2.4: "The primary attribute value 'true' MUST appear no more than once."
        throw ScimError.invalidValue(`'${pathText}' would make every value primary; only one may be.`);
      }
      for (const element of list)
        if (isObject(element)) setOrRemove(element, sub, op, value, `${key}.${sub.name}`, subIndex);
      return;
    }
    const current = isObject(container[key]) ? container[key] : {};
    setOrRemove(current, sub, op, value, `${key}.${sub.name}`, subIndex);
    if (Object.keys(current).length > 0) container[key] = current;
    else delete container[key];
    return;
  }

  if (op === 'remove') {
    if (attribute.multiValued && value !== undefined && value !== null) {
      // Entra ID removes members as `path: "members", value: [{value: id}]`.
      removeListed(container, attribute, subIndex, value);
      return;
    }
    delete container[key];
    return;
  }

  const coerced = coerceValue(attribute, value, key, subIndex ? parentIndex(schema, resolved) : undefined);
  if (attribute.multiValued) {
    const incoming = (coerced as ScimValue[] | undefined) ?? [];
    const existing = op === 'add' && Array.isArray(container[key]) ? container[key] : [];
    const merged = [...existing];
    for (const item of incoming) if (!merged.some((have) => deepEqual(have, item))) merged.push(item);
    if (incoming.some((item) => isObject(item) && item.primary === true))
      clearOtherPrimaries(merged, incoming);
    if (merged.length > 0) container[key] = merged;
    else delete container[key];
    return;
  }
  if (attribute.type === 'complex' && isObject(coerced) && isObject(container[key])) {
    // RFC 7644 §3.5.2.1/3: sub-attributes not named in the value are left unchanged.
    container[key] = { ...container[key], ...coerced };
    return;
  }
  if (coerced === undefined) delete container[key];
  else container[key] = coerced;
}

function applyFiltered(
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
      commit(container, attribute.name, list);
    } else {
      commit(
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
    commit(container, attribute.name, list);
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
  commit(container, attribute.name, unique);
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

function setOrRemove(
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

function removeListed(
  container: ScimObject,
  attribute: AttributeDefinition,
  subIndex: AttributeIndex | undefined,
  value: unknown,
): void {
  const items = Array.isArray(value) ? value : [value];
  const list = Array.isArray(container[attribute.name]) ? (container[attribute.name] as ScimValue[]) : [];
  const valueKey = subIndex?.get('value')?.name;
  const keep = list.filter(
    (element) =>
      !items.some((item) =>
        valueKey && isObject(element) && isObject(item as ScimValue)
          ? scalarText((item as Record<string, unknown>).value) === scalarText(element[valueKey])
          : deepEqual(element, item as ScimValue),
      ),
  );
  commit(container, attribute.name, keep);
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

/** RFC 7643 §2.4: at most one element of a multi-valued attribute is primary. */
function clearOtherPrimaries(list: ScimValue[], keep: readonly ScimValue[]): void {
  const winner = keep.find((item) => isObject(item) && item.primary === true);
  for (const element of list) {
    if (element !== winner && isObject(element) && element.primary === true && !deepEqual(element, winner)) {
      element.primary = false;
    }
  }
}

function commit(container: ScimObject, key: string, list: ScimValue[]): void {
  if (list.length > 0) container[key] = list;
  else delete container[key];
}

function containerFor(
  document: ScimObject,
  resolved: ResolvedAttribute,
  create: boolean,
): ScimObject | undefined {
  if (!resolved.inExtension || !resolved.schema) return document;
  const urn = resolved.schema.id;
  const existing = document[urn];
  if (isObject(existing)) return existing;
  if (!create) return undefined;
  const created: ScimObject = {};
  document[urn] = created;
  return created;
}

function indexFor(schema: ResourceSchema, resolved: ResolvedAttribute): AttributeIndex | undefined {
  return parentIndex(schema, resolved).sub(resolved.attribute);
}

function parentIndex(schema: ResourceSchema, resolved: ResolvedAttribute): AttributeIndex {
  if (resolved.inExtension && resolved.schema) return schema.extension(resolved.schema.id)!.index;
  if (!resolved.schema) return schema.common;
  return schema.core;
}

/** Member ids arrive as strings or numbers; compare them as text. */
function scalarText(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/** Structural equality; the key order of objects does not matter (`{type, value}` = `{value, type}`). */
function deepEqual(a: ScimValue | undefined, b: ScimValue | undefined): boolean {
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

function rewrap(error: RosterError, detail: string): RosterError {
  if (error.kind !== 'invalid') return error;
  return error.scimType ? error.withDetail(detail) : ScimError.invalidValue(detail);
}
