import { RosterError } from '../errors.js';
import { ScimError } from './errors.js';
import type { AttributePath } from './filter/ast.js';
import { parseAttributePath } from './filter/parse.js';
import type { AttributeIndex, ResourceSchema } from './schema/registry.js';
import type { AttributeDefinition } from './schema/types.js';
import type { ScimObject, ScimValue } from './resource.js';

/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9), parsed once per request into a
 * projection that is then applied to every resource of the response.
 */
export interface Projection {
  readonly apply: (resource: ScimObject) => ScimObject;
  /** Whether a top-level core attribute survives the projection (so costly ones need not be read). */
  readonly wants: (attribute: string) => boolean;
}

type Selection = Map<string, Set<string> | 'all'>; // key: "urn|attribute" lower-case → sub-attributes

const IDENTITY: Projection = { apply: (resource) => resource, wants: () => true };

/** Parses the two comma-separated lists; at most one of them may be given. */
export function parseProjection(
  schema: ResourceSchema,
  attributes: string | undefined,
  excludedAttributes: string | undefined,
): Projection {
  const include = splitList(attributes);
  const exclude = splitList(excludedAttributes);
  if (include.length > 0 && exclude.length > 0) {
    throw ScimError.invalidValue("Use either 'attributes' or 'excludedAttributes', not both.");
  }
  const requested = select(schema, include);
  const excluded = select(schema, exclude);
  if (include.length === 0 && exclude.length === 0 && !schema.hasRequestOnlyAttributes) return IDENTITY;
  return {
    apply: (resource) =>
      projectObject(schema, resource, include.length > 0 ? requested : undefined, excluded),
    wants: (attribute) => {
      const key = selectionKey(undefined, attribute);
      return include.length > 0 ? requested.has(key) : excluded.get(key) !== 'all';
    },
  };
}

function splitList(text: string | undefined): string[] {
  if (text === undefined) return [];
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/** Resolves each listed path; names no schema defines are ignored, as RFC 7644 §3.9 allows. */
function select(schema: ResourceSchema, paths: readonly string[]): Selection {
  const selection: Selection = new Map();
  for (const text of paths) {
    let path: AttributePath;
    try {
      path = parseAttributePath(text);
    } catch (error) {
      if (error instanceof RosterError) continue;
      throw error;
    }
    const whole =
      path.schema !== undefined && path.subAttribute === undefined
        ? schema.extension(`${path.schema}:${path.attribute}`)
        : undefined;
    if (whole) {
      // The whole extension object: `urn:…:enterprise:2.0:User`.
      selection.set(`${whole.schema.id.toLowerCase()}|*`, 'all');
      continue;
    }
    const resolved = schema.resolve(path);
    if (!resolved) continue;
    const key = selectionKey(resolved.inExtension ? resolved.schema!.id : undefined, resolved.attribute.name);
    if (resolved.subAttribute) {
      const existing = selection.get(key);
      if (existing === 'all') continue;
      const subs = existing ?? new Set<string>();
      subs.add(resolved.subAttribute.name.toLowerCase());
      selection.set(key, subs);
    } else {
      selection.set(key, 'all');
    }
  }
  return selection;
}

function selectionKey(urn: string | undefined, attribute: string): string {
  return `${(urn ?? '').toLowerCase()}|${attribute.toLowerCase()}`;
}

function projectObject(
  schema: ResourceSchema,
  resource: ScimObject,
  requested: Selection | undefined,
  excluded: Selection,
): ScimObject {
  const result: ScimObject = {};
  for (const [key, value] of Object.entries(resource)) {
    if (key === 'schemas') {
      result[key] = value;
      continue;
    }
    const extension = key.includes(':') ? schema.extension(key) : undefined;
    if (extension) {
      const whole = `${key.toLowerCase()}|*`;
      if (excluded.get(whole) === 'all') continue;
      const wholeRequested = requested?.get(whole) === 'all';
      const projected = projectAttributes(
        extension.index,
        value as ScimObject,
        extension.schema.id,
        wholeRequested ? undefined : requested,
        excluded,
      );
      if (Object.keys(projected).length > 0) result[key] = projected;
      continue;
    }
    const definition = schema.common.get(key) ?? schema.core.get(key);
    const index = schema.common.get(key) ? schema.common : schema.core;
    if (!definition) {
      result[key] = value;
      continue;
    }
    const projected = projectOne(index, definition, value, undefined, requested, excluded);
    if (projected !== undefined) result[key] = projected;
  }
  // `schemas` lists only the extensions still present, whether `attributes` or
  // `excludedAttributes` removed them.
  const schemas = result.schemas;
  if (Array.isArray(schemas)) {
    result.schemas = schemas.filter(
      (urn) => typeof urn !== 'string' || !schema.extension(urn) || urn in result,
    );
  }
  return result;
}

function projectAttributes(
  index: AttributeIndex,
  object: ScimObject,
  urn: string | undefined,
  requested: Selection | undefined,
  excluded: Selection,
): ScimObject {
  const result: ScimObject = {};
  for (const [key, value] of Object.entries(object)) {
    const definition = index.get(key);
    if (!definition) continue;
    const projected = projectOne(index, definition, value, urn, requested, excluded);
    if (projected !== undefined) result[key] = projected;
  }
  return result;
}

function projectOne(
  index: AttributeIndex,
  definition: AttributeDefinition,
  value: ScimValue,
  urn: string | undefined,
  requested: Selection | undefined,
  excluded: Selection,
): ScimValue | undefined {
  if (definition.returned === 'never') return undefined;
  if (definition.returned === 'always') return value;
  const key = selectionKey(urn, definition.name);
  const asked = requested?.get(key);
  if (definition.returned === 'request' && !asked) return undefined;
  if (requested && !asked) return undefined;
  const dropped = excluded.get(key);
  if (dropped === 'all') return undefined;
  const subIndex = index.sub(definition);
  if (!subIndex) return value;
  const keepSub = (sub: AttributeDefinition): boolean => {
    if (sub.returned === 'never') return false;
    if (sub.returned === 'always') return true;
    if (dropped instanceof Set && dropped.has(sub.name.toLowerCase())) return false;
    if (asked instanceof Set) return asked.has(sub.name.toLowerCase());
    return sub.returned !== 'request';
  };
  const filterObject = (object: ScimValue): ScimValue | undefined => {
    if (typeof object !== 'object' || object === null || Array.isArray(object)) return object;
    const result: ScimObject = {};
    for (const [subKey, subValue] of Object.entries(object)) {
      const sub = subIndex.get(subKey);
      if (!sub || keepSub(sub)) result[subKey] = subValue;
    }
    return Object.keys(result).length > 0 ? result : undefined;
  };
  if (Array.isArray(value)) {
    const items = value.map(filterObject).filter((item): item is ScimValue => item !== undefined);
    return items.length > 0 ? items : undefined;
  }
  return filterObject(value);
}
