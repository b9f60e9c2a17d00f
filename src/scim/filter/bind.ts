import { ScimError } from '../errors.js';
import type { AttributeIndex, ResourceSchema, ResolvedAttribute } from '../schema/registry.js';
import type { AttributeDefinition } from '../schema/types.js';
import type { AttributePath, CompareOperator, Filter, FilterValue } from './ast.js';
import { bindTest, type ValueTest } from './bind-value.js';
import { testValue } from './evaluate.js';
import { formatAttributePath } from './format.js';
import type { Fail } from './tokenize.js';

/**
 * A filter bound to a resource type's schemas (RFC 7644 §3.4.2.2): every path resolved to its
 * canonical attribute, every operator checked against the attribute's type, every literal converted
 * to what it is compared with (case-folded when the attribute is not caseExact, date-times as
 * epoch milliseconds). The SQL compiler and the in-memory evaluator both work from this tree, so the
 * meaning of a filter is decided once, here.
 *
 * Normal forms that keep the two consumers small:
 * - `ne` is `not (eq)`: an absent value is "not equal" (and `not` then stays exact in SQL);
 * - `eq null` is `not (pr)`, `ne null` is `pr`;
 * - a comparison on a multi-valued attribute is "some element matches" (`any`);
 * - attributes whose value is the same for every resource (`meta.resourceType`) become constants.
 */
export type BoundFilter =
  | { readonly kind: 'and' | 'or'; readonly left: BoundFilter; readonly right: BoundFilter }
  | { readonly kind: 'not'; readonly filter: BoundFilter }
  | { readonly kind: 'test'; readonly attribute: BoundAttribute; readonly test: ValueTest }
  | { readonly kind: 'any'; readonly list: BoundAttribute; readonly element: BoundElementFilter }
  | { readonly kind: 'hasSchema'; readonly urn: string }
  | { readonly kind: 'constant'; readonly value: boolean };

/** A filter on one element of a multi-valued attribute; `sub` undefined tests the element itself. */
export type BoundElementFilter =
  | { readonly kind: 'and' | 'or'; readonly left: BoundElementFilter; readonly right: BoundElementFilter }
  | { readonly kind: 'not'; readonly filter: BoundElementFilter }
  | { readonly kind: 'test'; readonly sub: AttributeDefinition | undefined; readonly test: ValueTest }
  | { readonly kind: 'constant'; readonly value: boolean };

export interface BoundAttribute {
  /** Canonical keys from the resource's root: `['name', 'givenName']`, `[urn, 'manager', 'value']`. */
  readonly path: readonly string[];
  /** The definition of the last key. */
  readonly definition: AttributeDefinition;
}

/** A read-only `$ref` (`groups.$ref`) is a URL built per request, like `meta.location`: not stored data. */
function isDerivedReference(definition: AttributeDefinition): boolean {
  return definition.name === '$ref' && definition.mutability === 'readOnly';
}

/** The resource types whose `meta.resourceType` is a constant per endpoint. */
const CONSTANT_META = new Set(['resourcetype']);
/** `meta` sub-attributes that hold per-request or derived text a database cannot compare. */
const UNFILTERABLE_META = new Set(['location', 'version']);

export function bindFilter(filter: Filter, schema: ResourceSchema): BoundFilter {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return {
        kind: filter.kind,
        left: bindFilter(filter.left, schema),
        right: bindFilter(filter.right, schema),
      };
    case 'not':
      return { kind: 'not', filter: bindFilter(filter.filter, schema) };
    case 'valuePath':
      return bindValuePath(filter.path, filter.filter, schema);
    case 'present':
    case 'compare':
      return bindTerm(filter, schema);
  }
}

function bindTerm(
  node: Extract<Filter, { kind: 'present' | 'compare' }>,
  schema: ResourceSchema,
): BoundFilter {
  const op = node.kind === 'present' ? 'pr' : node.op;
  const value = node.kind === 'present' ? undefined : node.value;
  if (
    node.path.schema === undefined &&
    node.path.attribute.toLowerCase() === 'schemas' &&
    !node.path.subAttribute
  ) {
    return bindSchemas(op, value, schema);
  }
  const resolved = resolveOrFail(schema, node.path);
  const { attribute, subAttribute } = resolved;
  const where = formatAttributePath(node.path);
  if (subAttribute && isDerivedReference(subAttribute))
    throw ScimError.invalidFilter(`'${where}' cannot be used in a filter.`);

  if (!resolved.schema && attribute.name === 'meta') {
    if (!subAttribute)
      throw ScimError.invalidFilter(`Filter on a sub-attribute of 'meta', such as 'meta.lastModified'.`);
    const sub = subAttribute.name.toLowerCase();
    if (UNFILTERABLE_META.has(sub)) throw ScimError.invalidFilter(`'${where}' cannot be used in a filter.`);
    if (CONSTANT_META.has(sub)) {
      if (op === 'pr') return { kind: 'constant', value: true };
      return {
        kind: 'constant',
        value: evaluateConstant(schema.resourceType.name, op, value, subAttribute, where),
      };
    }
  }

  if (attribute.multiValued) {
    const list = boundAttribute(resolved, false);
    const index = elementIndex(schema, resolved);
    // `emails co "x"` means the `value` sub-attribute (RFC 7644 §3.4.2.2); `emails pr` a non-empty list.
    let sub = subAttribute;
    if (!sub && attribute.type === 'complex') {
      if (op === 'pr') return { kind: 'any', list, element: { kind: 'constant', value: true } };
      sub = index?.get('value');
      if (!sub) throw ScimError.invalidFilter(`'${where}' has no 'value' to compare; name a sub-attribute.`);
    }
    // The elements of a simple list (`badges`, an extension's `levels:integer:multi`) are compared
    // as the list's own type says: numbers as numbers, booleans as booleans.
    const element = elementTerm(sub, op, value, where, sub ? undefined : attribute);
    // `ne` on a list means no element is equal, like `not (attr eq v)`.
    if (element.kind === 'not')
      return { kind: 'not', filter: { kind: 'any', list, element: element.filter } };
    return { kind: 'any', list, element };
  }

  const target = subAttribute ?? attribute;
  if (target.type === 'complex') {
    if (op === 'pr') return { kind: 'test', attribute: boundAttribute(resolved, true), test: { op: 'pr' } };
    throw ScimError.invalidFilter(
      `'${where}' is complex: compare one of its sub-attributes, such as '${where}.${target.subAttributes?.[0]?.name ?? 'value'}'.`,
    );
  }
  return singleTerm(boundAttribute(resolved, true), target, op, value, where);
}

function bindValuePath(path: AttributePath, inner: Filter, schema: ResourceSchema): BoundFilter {
  const resolved = resolveOrFail(schema, path);
  const where = formatAttributePath(path);
  if (resolved.subAttribute || !resolved.attribute.multiValued || resolved.attribute.type !== 'complex') {
    throw ScimError.invalidFilter(`'${where}[…]' needs a multi-valued complex attribute, such as 'emails'.`);
  }
  const index = elementIndex(schema, resolved)!;
  return {
    kind: 'any',
    list: boundAttribute(resolved, false),
    element: bindElementFilter(inner, index, where),
  };
}

/**
 * Binds the filter of a value path (`emails[type eq "work"]`) against the sub-attributes of the
 * list's elements, for list filters and PATCH value filters alike (RFC 7644 §3.4.2.2, §3.5.2), so
 * both compare the same way. A name that is not a sub-attribute is reported through `failName`:
 * a list filter's `invalidFilter`, a PATCH path's `invalidPath`. An operator that does not fit the
 * sub-attribute's type is always `invalidFilter` (RFC 7644 §3.12 names it for PATCH filters too).
 */
export function bindElementFilter(
  filter: Filter,
  index: AttributeIndex,
  parentName: string,
  failName: Fail = ScimError.invalidFilter,
): BoundElementFilter {
  const bind = (node: Filter): BoundElementFilter => bindElementFilter(node, index, parentName, failName);
  switch (filter.kind) {
    case 'and':
    case 'or':
      return { kind: filter.kind, left: bind(filter.left), right: bind(filter.right) };
    case 'not':
      return { kind: 'not', filter: bind(filter.filter) };
    case 'valuePath':
      throw failName(`A value filter inside '${parentName}[…]' cannot contain another value filter.`);
    case 'present':
    case 'compare': {
      if (filter.path.schema !== undefined || filter.path.subAttribute !== undefined) {
        throw failName(`'${formatAttributePath(filter.path)}' is not a sub-attribute of '${parentName}'.`);
      }
      const sub = index.get(filter.path.attribute);
      if (!sub) throw failName(`'${parentName}' has no sub-attribute '${filter.path.attribute}'.`);
      if (isDerivedReference(sub))
        throw ScimError.invalidFilter(`'${parentName}.${sub.name}' cannot be used in a filter.`);
      return elementTerm(
        sub,
        filter.kind === 'present' ? 'pr' : filter.op,
        filter.kind === 'present' ? undefined : filter.value,
        `${parentName}.${sub.name}`,
      );
    }
  }
}

function elementTerm(
  sub: AttributeDefinition | undefined,
  op: CompareOperator | 'pr',
  value: FilterValue | undefined,
  where: string,
  simpleList?: AttributeDefinition,
): BoundElementFilter {
  const definition = sub ?? simpleList;
  if (definition?.type === 'complex')
    throw ScimError.invalidFilter(`'${where}' is complex and cannot be compared.`);
  if (definition && isServerBuiltReference(definition)) {
    throw ScimError.invalidFilter(
      `'${where}' is a URL the server builds; filter on the member's 'value' instead.`,
    );
  }
  const bound = bindTest(definition, op, value, where);
  if (bound.kind === 'constant') return bound;
  if (bound.kind === 'not') return { kind: 'not', filter: { kind: 'test', sub, test: bound.test } };
  return { kind: 'test', sub, test: bound.test };
}

/**
 * `groups.$ref` and `members.$ref` are rendered from an id and the request's base URL, so nothing
 * stored can be compared with them; a client-written `$ref` (readWrite, such as the enterprise
 * `manager.$ref`) is stored as sent and filters like any string.
 */
function isServerBuiltReference(definition: AttributeDefinition): boolean {
  return definition.name === '$ref' && definition.mutability !== 'readWrite';
}

function singleTerm(
  attribute: BoundAttribute,
  definition: AttributeDefinition,
  op: CompareOperator | 'pr',
  value: FilterValue | undefined,
  where: string,
): BoundFilter {
  const bound = bindTest(definition, op, value, where);
  if (bound.kind === 'constant') return bound;
  const test: BoundFilter = { kind: 'test', attribute, test: bound.test };
  return bound.kind === 'not' ? { kind: 'not', filter: test } : test;
}

function bindSchemas(
  op: CompareOperator | 'pr',
  value: FilterValue | undefined,
  schema: ResourceSchema,
): BoundFilter {
  if (op === 'pr') return { kind: 'constant', value: true };
  if (op !== 'eq' && op !== 'ne')
    throw ScimError.invalidFilter(`'schemas' can only be compared with eq or ne.`);
  if (typeof value !== 'string') throw ScimError.invalidFilter(`'schemas' compares with a schema URN.`);
  const urn = value.toLowerCase();
  let bound: BoundFilter;
  if (urn === schema.coreSchema.id.toLowerCase()) bound = { kind: 'constant', value: true };
  else {
    const extension = schema.extension(value);
    bound = extension ? { kind: 'hasSchema', urn: extension.schema.id } : { kind: 'constant', value: false };
  }
  return op === 'ne' ? { kind: 'not', filter: bound } : bound;
}

function evaluateConstant(
  actual: string,
  op: CompareOperator,
  value: FilterValue | undefined,
  definition: AttributeDefinition,
  where: string,
): boolean {
  const bound = bindTest(definition, op, value, where);
  if (bound.kind === 'constant') return bound.value;
  const result = testValue(actual, bound.test);
  return bound.kind === 'not' ? !result : result;
}

function resolveOrFail(schema: ResourceSchema, path: AttributePath): ResolvedAttribute {
  const resolved = schema.resolve(path);
  const where = formatAttributePath(path);
  if (!resolved)
    throw ScimError.invalidFilter(`'${where}' is not an attribute of ${schema.resourceType.name}.`);
  const leaf = resolved.subAttribute ?? resolved.attribute;
  if (leaf.returned === 'never' || resolved.attribute.returned === 'never') {
    throw ScimError.invalidFilter(`'${where}' cannot be used in a filter.`);
  }
  return resolved;
}

/** The canonical keys of a resolved attribute; `withSub` false stops at the attribute itself. */
export function boundAttribute(resolved: ResolvedAttribute, withSub: boolean): BoundAttribute {
  const prefix = resolved.inExtension && resolved.schema ? [resolved.schema.id] : [];
  if (withSub && resolved.subAttribute) {
    return {
      path: [...prefix, resolved.attribute.name, resolved.subAttribute.name],
      definition: resolved.subAttribute,
    };
  }
  return { path: [...prefix, resolved.attribute.name], definition: resolved.attribute };
}

function elementIndex(schema: ResourceSchema, resolved: ResolvedAttribute): AttributeIndex | undefined {
  const parent =
    resolved.inExtension && resolved.schema
      ? schema.extension(resolved.schema.id)!.index
      : resolved.schema
        ? schema.core
        : schema.common;
  return parent.sub(resolved.attribute);
}
