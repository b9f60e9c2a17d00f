import { RosterError } from '../../errors.js';
import { ScimError } from '../errors.js';
import type { ResourceSchema } from '../schema/registry.js';
import type { AttributePath } from './ast.js';
import { parseAttributePath } from './parse.js';
import { type BoundAttribute, boundAttribute } from './bind.js';
import type { ValueKind } from './bind-value.js';

/** A `sortBy` attribute bound to the schema (RFC 7644 §3.4.2.3). */
export interface BoundSort {
  readonly attribute: BoundAttribute;
  /** How values compare: folded strings for attributes that are not caseExact. */
  readonly kind: ValueKind;
  readonly descending: boolean;
}

/**
 * Binds `sortBy`/`sortOrder`. Singular attributes sort by their value; `emails` sorts by its
 * primary value, else its first (RFC 7644 §3.4.2.3), the one multi-valued attribute the store can
 * sort by. Ascending puts resources without a value last; descending is its exact reverse.
 */
export function bindSort(schema: ResourceSchema, sortBy: string, sortOrder: string | undefined): BoundSort {
  const descending = parseSortOrder(sortOrder);
  let path: AttributePath;
  try {
    path = parseAttributePath(sortBy);
  } catch (error) {
    if (error instanceof RosterError)
      throw ScimError.invalidValue(`sortBy '${sortBy}' is not an attribute path: ${error.detail}`);
    throw error;
  }
  const resolved = schema.resolve(path);
  if (!resolved)
    throw ScimError.invalidValue(`sortBy '${sortBy}' is not an attribute of ${schema.resourceType.name}.`);
  const leaf = resolved.subAttribute ?? resolved.attribute;
  if (leaf.returned === 'never') throw ScimError.invalidValue(`sortBy '${sortBy}' cannot be used.`);
  if (resolved.attribute.multiValued) {
    const isEmails =
      !resolved.inExtension &&
      resolved.attribute.name === 'emails' &&
      (!resolved.subAttribute || resolved.subAttribute.name === 'value');
    if (!isEmails)
      throw ScimError.invalidValue(
        `sortBy '${sortBy}': only single-valued attributes and 'emails' can be sorted by.`,
      );
    return { attribute: { path: ['emails'], definition: resolved.attribute }, kind: 'folded', descending };
  }
  if (leaf.type === 'complex' || leaf.type === 'binary')
    throw ScimError.invalidValue(`sortBy '${sortBy}' is not a sortable value.`);
  if (
    !resolved.schema &&
    resolved.attribute.name === 'meta' &&
    leaf.name !== 'created' &&
    leaf.name !== 'lastModified'
  ) {
    throw ScimError.invalidValue(
      `sortBy '${sortBy}' cannot be used; sort by meta.created or meta.lastModified.`,
    );
  }
  const kind: ValueKind =
    leaf.type === 'boolean'
      ? 'boolean'
      : leaf.type === 'integer' || leaf.type === 'decimal'
        ? 'number'
        : leaf.type === 'dateTime'
          ? 'instant'
          : leaf.caseExact
            ? 'string'
            : 'folded';
  return { attribute: boundAttribute(resolved, true), kind, descending };
}

function parseSortOrder(sortOrder: string | undefined): boolean {
  if (sortOrder === undefined || sortOrder === '') return false;
  const lower = sortOrder.toLowerCase();
  if (lower === 'ascending') return false;
  if (lower === 'descending') return true;
  throw ScimError.invalidValue(`sortOrder must be "ascending" or "descending", got '${sortOrder}'.`);
}
