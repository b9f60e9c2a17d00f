/**
 * The SCIM schema model (RFC 7643 §2 and §7). A schema is data: one declarative definition drives
 * validation of input, PATCH applicability, projection, the filter-to-column map and the
 * `/Schemas` and `/ResourceTypes` discovery output.
 */

export type AttributeType =
  'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex' | 'binary';

/** RFC 7643 §7 "mutability". */
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';

/** RFC 7643 §7 "returned". */
export type Returned = 'always' | 'never' | 'default' | 'request';

/** RFC 7643 §7 "uniqueness". */
export type Uniqueness = 'none' | 'server' | 'global';

export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
  readonly subAttributes?: readonly AttributeDefinition[];
  /** Where the store keeps the values; absent: in the resource's JSON. SCIM itself ignores it. */
  readonly storage?: AttributeStorage;
  /**
   * The longest value accepted, in UTF-16 code units (not an RFC 7643 characteristic): indexed
   * values have one, because a database index entry has a size limit (docs/configuration.md).
   */
  readonly maxLength?: number;
}

/**
 * The storage mapping of an attribute, declared beside its RFC 7643 characteristics so that the
 * store reads it instead of re-describing attributes: a column of the resource's table (or, for
 * a sub-attribute of a side-table attribute, of that side table), a side table of its own for a
 * multi-valued attribute that is looked up by, or a relation the server derives (memberships).
 * Everything without a mapping lives in the resource's JSON and is filtered there.
 */
export type AttributeStorage =
  | {
      readonly kind: 'column';
      readonly column: string;
      /** The column holds the value lower-cased (compared case-insensitively, indexed that way). */
      readonly folded?: boolean;
      /** Epoch milliseconds, compared as instants. */
      readonly instant?: boolean;
      /** An index leads with (site, this column): an equality on it is a lookup, not a scan. */
      readonly indexed?: boolean;
      /** The column cannot tell an absent value from `false` (a NOT NULL flag): tests read the JSON. */
      readonly absentAsFalse?: boolean;
    }
  | { readonly kind: 'side-table'; readonly table: string }
  | { readonly kind: 'relation'; readonly relation: 'groups-of-member' | 'members-of-group' };

export interface SchemaDefinition {
  /** The schema URN, e.g. `urn:ietf:params:scim:schemas:core:2.0:User`. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDefinition[];
}

export interface SchemaExtensionReference {
  readonly schema: string;
  readonly required: boolean;
}

/** RFC 7643 §6. */
export interface ResourceTypeDefinition {
  readonly id: string;
  readonly name: string;
  readonly endpoint: string;
  readonly description: string;
  readonly schema: string;
  readonly schemaExtensions: readonly SchemaExtensionReference[];
}

/**
 * Builds an attribute definition from the few characteristics that differ from RFC 7643 §2.2's
 * defaults, so schema files list only what matters about each attribute.
 */
export function attribute(
  name: string,
  type: AttributeType,
  options: Partial<Omit<AttributeDefinition, 'name' | 'type'>> = {},
): AttributeDefinition {
  return {
    name,
    type,
    multiValued: options.multiValued ?? false,
    description: options.description ?? '',
    required: options.required ?? false,
    caseExact: options.caseExact ?? false,
    mutability: options.mutability ?? 'readWrite',
    returned: options.returned ?? 'default',
    uniqueness: options.uniqueness ?? 'none',
    ...(options.canonicalValues ? { canonicalValues: options.canonicalValues } : {}),
    ...(options.referenceTypes ? { referenceTypes: options.referenceTypes } : {}),
    ...(options.subAttributes ? { subAttributes: options.subAttributes } : {}),
    ...(options.storage ? { storage: options.storage } : {}),
    ...(options.maxLength !== undefined ? { maxLength: options.maxLength } : {}),
  };
}

/** A column of the resource's table (or of its side table, for a side-table attribute's sub-attributes). */
export function column(
  name: string,
  options: Omit<Extract<AttributeStorage, { kind: 'column' }>, 'kind' | 'column'> = {},
): AttributeStorage {
  return { kind: 'column', column: name, ...options };
}
