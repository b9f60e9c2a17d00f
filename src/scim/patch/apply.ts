/**
 * The PATCH engine (RFC 7644 §3.5.2): operations applied in order to a copy of a resource, by
 * attribute path or, without a path, by the attributes their value names.
 */

import { RosterError } from '../../errors.js';
import { ScimError } from '../errors.js';
import type { PatchPath } from '../filter/ast.js';
import { parsePatchPath } from '../filter/parse.js';
import { coerceValue, isObject, type ScimObject, type ScimValue } from '../resource.js';
import type { AttributeIndex, ResourceSchema, ResolvedAttribute } from '../schema/registry.js';
import type { AttributeDefinition } from '../schema/types.js';
import type { PatchOperation, PatchOpName } from './request.js';
import { applyValuePath } from './value-path.js';
import { clearOtherPrimaries, deepEqual, putList, setOrRemove } from './values.js';

export interface PatchResult {
  /** The resource after every operation, in canonical names; validate it before storing. */
  readonly document: ScimObject;
  /** Paths the operations targeted that no schema of this resource type defines; ignored. */
  readonly ignored: readonly string[];
}

/** Keys of a path-less value object that identify the resource rather than change it. */
const IDENTITY_KEYS: ReadonlySet<string> = new Set(['id', 'meta', 'schemas']);

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
        // A nested `schemas` (some client libraries write one in every object) names no attribute:
        // ignored here as it is in a POST body.
        if (subKey.toLowerCase() === 'schemas') {
          ignored.push(`${key}.${subKey}`);
          continue;
        }
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
    // A key is a PATCH path of its own (Entra ID writes `name.givenName`, the enterprise
    // `urn:…:User:employeeNumber`, and in older jobs `urn:…:User.manager`): the PATCH path grammar.
    let path: PatchPath;
    try {
      path = parsePatchPath(key);
    } catch (error) {
      if (!(error instanceof RosterError)) throw error;
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
    applyValuePath(
      { container, attribute, parent: parentIndex(schema, resolved), subIndex },
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
  putList(container, attribute.name, keep);
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

function rewrap(error: RosterError, detail: string): RosterError {
  if (error.kind !== 'invalid') return error;
  return error.scimType ? error.withDetail(detail) : ScimError.invalidValue(detail);
}
