import { ScimError } from './errors.js';
import type { AttributeIndex, ResourceSchema } from './schema/registry.js';
import type { AttributeDefinition } from './schema/types.js';

/** A JSON object as SCIM carries it. */
export type ScimObject = { [key: string]: ScimValue };
export type ScimValue = string | number | boolean | null | ScimObject | ScimValue[];

/** What a resource body becomes once it has been checked against its schemas. */
export interface NormalizedResource {
  /**
   * The writable attributes under their canonical names, in schema order: common and core
   * attributes at the top level, each extension under its URN. No `id`, `meta`, readOnly or
   * writeOnly attribute is in here.
   */
  readonly attributes: ScimObject;
  /** The writeOnly `password`, when the body carried one; never stored as sent. */
  readonly password?: string;
  /** Attributes the body carried that no schema of this resource type defines (RFC 7644 §3.3). */
  readonly ignored: readonly string[];
}

/**
 * xsd:dateTime's lexical form (RFC 7643 §2.3.5), with RFC 3339's lower-case `t`/`z` allowed;
 * Date.parse then rejects impossible fields such as month 13.
 */
const XSD_DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$/i;

/** Keys every client sends that are not attributes to store. */
const ENVELOPE_KEYS: ReadonlySet<string> = new Set(['schemas']);

/**
 * Checks a POST or PUT body against the resource type's schemas (RFC 7643 §2, RFC 7644 §3.3 and
 * §3.5.1): values are coerced to their declared types where real clients send near-misses (the
 * strings "True"/"False" for booleans, a bare id for a complex `{value}` such as `manager`), readOnly
 * attributes are dropped as the RFC requires, and attributes no schema defines are ignored and
 * reported rather than rejected. A value of the wrong shape is a 400 `invalidValue` naming it.
 */
export function normalizeResource(schema: ResourceSchema, body: unknown): NormalizedResource {
  if (!isObject(body)) throw ScimError.invalidSyntax('The request body must be a JSON object.');
  const ignored: string[] = [];
  const topLevel = new Map<string, unknown>();
  const extensionBodies = new Map<string, unknown>();
  const qualifiedExtensionKeys = new Map<string, Record<string, unknown>>();
  const core = schema.coreSchema.id.toLowerCase();
  for (const [key, value] of Object.entries(body)) {
    const lower = key.toLowerCase();
    if (ENVELOPE_KEYS.has(lower)) continue;
    if (!key.includes(':')) {
      topLevel.set(lower, value);
    } else if (schema.extension(key)) {
      extensionBodies.set(lower, value);
    } else if (lower.startsWith(`${core}:`) && !lower.slice(core.length + 1).includes('.')) {
      // RFC 7644 §3.10: a core attribute may be named with its schema URN
      // (`urn:…:core:2.0:User:password`); it is the same attribute.
      topLevel.set(lower.slice(core.length + 1), value);
    } else if (qualifiedExtension(schema, lower) !== undefined) {
      // `urn:…:enterprise:2.0:User:employeeNumber` names one attribute of the extension (RFC 7644 §3.10).
      const extension = qualifiedExtension(schema, lower)!;
      const attributes = qualifiedExtensionKeys.get(extension) ?? {};
      attributes[key.slice(extension.length + 1)] = value;
      qualifiedExtensionKeys.set(extension, attributes);
    } else if (lower === core && isObject(value)) {
      // The core attributes nested under their own URN, as some client libraries write them.
      for (const [inner, item] of Object.entries(value)) {
        if (!topLevel.has(inner.toLowerCase())) topLevel.set(inner.toLowerCase(), item);
      }
    } else {
      ignored.push(key);
    }
  }

  for (const [extension, qualified] of qualifiedExtensionKeys) {
    const nested = extensionBodies.get(extension);
    // The nested object is the usual form: where both name one attribute, it wins.
    extensionBodies.set(extension, isObject(nested) ? { ...qualified, ...nested } : (nested ?? qualified));
  }

  let password: string | undefined;
  const attributes: ScimObject = {};
  const known = new Set<string>();
  for (const index of [schema.common, schema.core]) {
    for (const definition of index.attributes) {
      const key = definition.name.toLowerCase();
      if (!topLevel.has(key)) continue;
      known.add(key);
      const raw = topLevel.get(key);
      if (definition.mutability === 'readOnly') continue;
      if (definition.mutability === 'writeOnly') {
        const value = coerceValue(definition, raw, definition.name);
        if (typeof value === 'string') password = value;
        continue;
      }
      const value = coerceValue(definition, raw, definition.name, index, ignored);
      if (value !== undefined) attributes[definition.name] = value;
    }
  }
  for (const key of topLevel.keys()) {
    if (!known.has(key)) ignored.push(originalKey(body, key));
  }

  for (const extension of schema.extensions) {
    const raw = extensionBodies.get(extension.id.toLowerCase());
    if (raw === undefined || raw === null) continue;
    if (!isObject(raw)) throw ScimError.invalidValue(`'${extension.id}' must be an object of attributes.`);
    const index = schema.extension(extension.id)!.index;
    const value = coerceComplex(index, raw, extension.id, ignored);
    if (value === undefined) continue;
    // An extension's required attributes are required of the resources that carry it (RFC 7643 §3.3).
    for (const definition of extension.attributes) {
      if (definition.required && value[definition.name] === undefined) {
        throw ScimError.invalidValue(`Attribute '${extension.id}:${definition.name}' is required.`);
      }
    }
    attributes[extension.id] = value;
  }

  for (const definition of schema.coreSchema.attributes) {
    if (definition.required && attributes[definition.name] === undefined) {
      throw ScimError.invalidValue(`Attribute '${definition.name}' is required.`);
    }
  }
  return { attributes, ...(password !== undefined ? { password } : {}), ignored };
}

/**
 * Coerces one attribute's value to its definition. `undefined` means "no value": absent, `null`,
 * an empty string or an empty list, which RFC 7643 §2.5 treats alike ("unassigned").
 */
export function coerceValue(
  definition: AttributeDefinition,
  raw: unknown,
  where: string,
  index?: AttributeIndex,
  ignored: string[] = [],
): ScimValue | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (definition.multiValued) {
    // RFC 7643 §2.4: a list. One object for a list of objects is read as a list of one (clients do
    // send it); a bare string or number is not what any client means by a list of emails.
    if (!Array.isArray(raw) && !(definition.type === 'complex' && isObject(raw))) {
      throw ScimError.invalidValue(
        `Attribute '${where}' must be a list of ${expected(definition)}s, got ${describeJsonType(raw)}.`,
      );
    }
    const items = Array.isArray(raw) ? raw : [raw];
    // An element of a list like `emails` is its `value`; one without (Okta pushes `value: ""` to
    // clear an email) is no element at all.
    const needsValue = definition.subAttributes?.some((sub) => sub.name === 'value') === true;
    const values: ScimValue[] = [];
    for (const item of items) {
      const value = coerceSingle(definition, item, where, index, ignored);
      if (value === undefined) continue;
      if (
        needsValue &&
        typeof value === 'object' &&
        !Array.isArray(value) &&
        value !== null &&
        value.value === undefined
      )
        continue;
      values.push(value);
    }
    return values.length > 0 ? values : undefined;
  }
  if (Array.isArray(raw)) {
    // Some clients wrap a single complex value in a list (Entra ID's older manager samples); one
    // element is unambiguous. A simple value in a list is a mistake of type, refused as such.
    if (raw.length === 0) return undefined;
    if (raw.length === 1 && definition.type === 'complex')
      return coerceSingle(definition, raw[0], where, index, ignored);
    throw ScimError.invalidValue(`Attribute '${where}' takes a single ${expected(definition)}, not a list.`);
  }
  return coerceSingle(definition, raw, where, index, ignored);
}

/** Coerces one element of a multi-valued attribute (or a singular value) to its definition. */
export function coerceSingle(
  definition: AttributeDefinition,
  raw: unknown,
  where: string,
  index: AttributeIndex | undefined,
  ignored: string[] = [],
): ScimValue | undefined {
  // "" is unassigned for every type, as this function's contract says (Entra clears with "").
  if (raw === null || raw === undefined || raw === '') return undefined;
  switch (definition.type) {
    case 'complex': {
      const subIndex = index?.sub(definition);
      if (!subIndex) throw new Error(`complex attribute ${definition.name} has no sub-attribute index`);
      if (!isObject(raw)) {
        // A bare id for a singular complex attribute with a `value` (Entra ID's `manager`).
        if (!definition.multiValued && subIndex.get('value') && typeof raw === 'string') {
          return coerceComplex(subIndex, { value: raw }, where, ignored);
        }
        throw ScimError.invalidValue(`Attribute '${where}' must be an object, got ${describeJsonType(raw)}.`);
      }
      return coerceComplex(subIndex, raw, where, ignored);
    }
    case 'boolean':
      return coerceBoolean(raw, where);
    case 'integer':
    case 'decimal':
      return coerceNumber(raw, where, definition.type === 'integer');
    case 'dateTime': {
      const text = coerceString(raw, where);
      if (text === undefined) return undefined;
      // Date.parse alone takes "12" or "tomorrow 5"; RFC 7643 §2.3.5 wants an xsd:dateTime.
      if (!XSD_DATE_TIME.test(text) || Number.isNaN(Date.parse(text))) {
        throw ScimError.invalidValue(`Attribute '${where}' must be a date-time (RFC 3339), got '${text}'.`);
      }
      return text;
    }
    case 'string':
    case 'reference':
    case 'binary': {
      const text = coerceString(raw, where);
      // Indexed values have a bound (a database index entry has one); the schema says which.
      if (text !== undefined && definition.maxLength !== undefined && text.length > definition.maxLength) {
        throw ScimError.invalidValue(
          `Attribute '${where}' is longer than ${definition.maxLength} characters.`,
        );
      }
      return text;
    }
  }
}

function coerceComplex(
  index: AttributeIndex,
  raw: Record<string, unknown>,
  where: string,
  ignored: string[],
): ScimObject | undefined {
  const byKey = new Map<string, unknown>();
  for (const [key, value] of Object.entries(raw)) byKey.set(key.toLowerCase(), value);
  const result: ScimObject = {};
  const known = new Set<string>();
  for (const definition of index.attributes) {
    const key = definition.name.toLowerCase();
    if (!byKey.has(key)) continue;
    known.add(key);
    if (definition.mutability === 'readOnly') continue;
    const value = coerceValue(definition, byKey.get(key), `${where}.${definition.name}`, index, ignored);
    if (value !== undefined) result[definition.name] = value;
  }
  for (const key of byKey.keys()) {
    if (!known.has(key)) ignored.push(`${where}.${originalKey(raw, key)}`);
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

/** What a definition's values are, for error details. */
function expected(definition: AttributeDefinition): string {
  switch (definition.type) {
    case 'complex':
      return 'object';
    case 'boolean':
      return 'boolean';
    case 'integer':
      return 'integer';
    case 'decimal':
      return 'number';
    case 'dateTime':
      return 'date-time string';
    case 'string':
    case 'reference':
    case 'binary':
      return 'string';
  }
}

/** A JSON value's kind, for error details: never the value itself, which may be long or secret. */
/** The JSON type of a value, as an error detail names it: "a list", "null", "a number"… */
export function describeJsonType(raw: unknown): string {
  if (Array.isArray(raw)) return 'a list';
  if (raw === null) return 'null';
  switch (typeof raw) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    default:
      return typeof raw;
  }
}

/**
 * Booleans, and the strings "true"/"false" in any case: Entra ID and Keycloak send them, the only
 * type leniency Roster keeps (docs/identity-providers/entra-id.md).
 */
export function coerceBoolean(raw: unknown, where: string): boolean {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    const lower = raw.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  throw ScimError.invalidValue(
    `Attribute '${where}' must be a boolean (true or false), got ${describeJsonType(raw)}.`,
  );
}

/** JSON numbers only: a number sent as text is a client's mistake, not a near-miss. */
function coerceNumber(raw: unknown, where: string, integer: boolean): number {
  if (typeof raw !== 'number' || !Number.isFinite(raw) || (integer && !Number.isInteger(raw))) {
    throw ScimError.invalidValue(
      `Attribute '${where}' must be ${integer ? 'an integer' : 'a number'}, got ${typeof raw === 'number' ? String(raw) : describeJsonType(raw)}.`,
    );
  }
  return raw;
}

/** Strings as sent (never trimmed: values are stored exactly); anything else is refused. */
function coerceString(raw: unknown, where: string): string | undefined {
  if (typeof raw !== 'string') {
    throw ScimError.invalidValue(`Attribute '${where}' must be a string, got ${describeJsonType(raw)}.`);
  }
  // PostgreSQL cannot filter or sort on it (text cannot hold U+0000), so no dialect stores it.
  if (raw.includes('\u0000')) throw ScimError.invalidValue(`Attribute '${where}' must not contain U+0000.`);
  return raw === '' ? undefined : raw;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The extension (its lower-case id) a key like `urn:…:enterprise:2.0:User:manager` names an attribute of. */
function qualifiedExtension(schema: ResourceSchema, lowerKey: string): string | undefined {
  for (const extension of schema.extensions) {
    const id = extension.id.toLowerCase();
    if (lowerKey.startsWith(`${id}:`) && !lowerKey.slice(id.length + 1).includes(':')) return id;
  }
  return undefined;
}

function originalKey(object: Record<string, unknown>, lowerKey: string): string {
  return Object.keys(object).find((key) => key.toLowerCase() === lowerKey) ?? lowerKey;
}
