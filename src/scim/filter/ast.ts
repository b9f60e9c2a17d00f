/**
 * The filter AST (RFC 7644 §3.4.2.2). Paths are kept as written; resolving them against a schema
 * (case-insensitively, with URN prefixes) is the job of the schema registry, not of the parser.
 */

export interface AttributePath {
  /** The schema URN prefix as written, without the trailing colon; absent when not qualified. */
  readonly schema?: string;
  /** The attribute name as written, e.g. `name` or `userName`. */
  readonly attribute: string;
  /** The sub-attribute name as written, e.g. `givenName` in `name.givenName`. */
  readonly subAttribute?: string;
}

export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** A comparison value: a JSON string, number, boolean or null (RFC 7644 §3.4.2.2 compValue). */
export type FilterValue = string | number | boolean | null;

export type Filter =
  | {
      readonly kind: 'compare';
      readonly path: AttributePath;
      readonly op: CompareOperator;
      readonly value: FilterValue;
    }
  | { readonly kind: 'present'; readonly path: AttributePath }
  | { readonly kind: 'and'; readonly left: Filter; readonly right: Filter }
  | { readonly kind: 'or'; readonly left: Filter; readonly right: Filter }
  | { readonly kind: 'not'; readonly filter: Filter }
  /**
   * `emails[type eq "work"]`: true when any element of the multi-valued attribute matches `filter`,
   * whose paths are relative to the element (`type`, not `emails.type`).
   */
  | { readonly kind: 'valuePath'; readonly path: AttributePath; readonly filter: Filter };

/** A PATCH operation's `path` (RFC 7644 §3.5.2): `attrPath` or `valuePath [ "." subAttr ]`. */
export interface PatchPath {
  readonly path: AttributePath;
  /** The value filter of a `valuePath`, relative to the multi-valued attribute's elements. */
  readonly filter?: Filter;
  /** The sub-attribute after a value filter: `value` in `emails[type eq "work"].value`. */
  readonly subAttribute?: string;
}
