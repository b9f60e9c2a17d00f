/**
 * One comparison bound to the type of the value it compares (RFC 7643 §2.3, RFC 7644 §3.4.2.2):
 * the operator checked against the type, and the literal converted to what it is compared with,
 * so that the SQL compiler and the in-memory evaluator compare alike. Strings of attributes that
 * are not caseExact are folded to lower case; date-times become epoch milliseconds.
 */

import { ScimError } from '../errors.js';
import type { AttributeDefinition } from '../schema/types.js';
import type { CompareOperator, FilterValue } from './ast.js';

export type OrderedOperator = 'gt' | 'ge' | 'lt' | 'le';

/** What a value is compared as. Strings of attributes that are not caseExact are folded to lower case. */
export type ValueKind = 'string' | 'folded' | 'boolean' | 'number' | 'instant';

export type ValueTest =
  | { readonly op: 'pr' }
  | {
      readonly op: 'eq' | OrderedOperator;
      readonly kind: ValueKind;
      readonly value: string | number | boolean;
    }
  | { readonly op: 'co' | 'sw' | 'ew'; readonly kind: 'string' | 'folded'; readonly value: string };

/** A comparison, its negation (`ne`, `eq null`), or a result known without looking at the value. */
export type BoundTest =
  | { readonly kind: 'test'; readonly test: ValueTest }
  | { readonly kind: 'not'; readonly test: ValueTest }
  | { readonly kind: 'constant'; readonly value: boolean };

/** The comparison of one value of `definition` (undefined: a simple list element, compared as a string). */
export function bindTest(
  definition: AttributeDefinition | undefined,
  op: CompareOperator | 'pr',
  value: FilterValue | undefined,
  where: string,
): BoundTest {
  if (op === 'pr') return { kind: 'test', test: { op: 'pr' } };
  if (value === null || value === undefined) {
    if (op === 'eq') return { kind: 'not', test: { op: 'pr' } };
    if (op === 'ne') return { kind: 'test', test: { op: 'pr' } };
    throw ScimError.invalidFilter(`'${op}' cannot compare '${where}' with null.`);
  }
  const type = definition?.type ?? 'string';
  const positive = op === 'ne' ? 'eq' : op;
  const wrap = (test: ValueTest): BoundTest => (op === 'ne' ? { kind: 'not', test } : { kind: 'test', test });

  switch (type) {
    case 'boolean': {
      if (positive !== 'eq')
        throw ScimError.invalidFilter(`'${op}' cannot compare the boolean '${where}'; use eq or ne.`);
      return wrap({ op: 'eq', kind: 'boolean', value: booleanLiteral(value, where) });
    }
    case 'integer':
    case 'decimal': {
      if (positive === 'co' || positive === 'sw' || positive === 'ew') {
        throw ScimError.invalidFilter(`'${op}' only applies to strings, not to the number '${where}'.`);
      }
      if (typeof value !== 'number')
        throw ScimError.invalidFilter(`'${where}' compares with a number, got ${JSON.stringify(value)}.`);
      return wrap({ op: positive, kind: 'number', value });
    }
    case 'dateTime': {
      if (positive === 'co' || positive === 'sw' || positive === 'ew') {
        throw ScimError.invalidFilter(`'${op}' only applies to strings, not to the date-time '${where}'.`);
      }
      const instant = typeof value === 'string' ? Date.parse(value) : Number.NaN;
      if (Number.isNaN(instant)) {
        throw ScimError.invalidFilter(
          `'${where}' compares with a date-time such as "2026-01-31T12:00:00Z", got ${JSON.stringify(value)}.`,
        );
      }
      return wrap({ op: positive, kind: 'instant', value: instant });
    }
    case 'binary':
      throw ScimError.invalidFilter(`'${where}' is binary and cannot be used in a filter.`);
    case 'complex':
      throw ScimError.invalidFilter(`'${where}' is complex and cannot be compared.`);
    case 'string':
    case 'reference': {
      const caseExact = definition?.caseExact ?? false;
      const text = String(value);
      // PostgreSQL text cannot hold U+0000, so no stored value has it; refusing it keeps both dialects alike.
      if (text.includes('\u0000'))
        throw ScimError.invalidFilter(`'${where}' cannot be compared with text that contains U+0000.`);
      const kind = caseExact ? 'string' : 'folded';
      return wrap({ op: positive, kind, value: caseExact ? text : text.toLowerCase() });
    }
  }
}

function booleanLiteral(value: FilterValue, where: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw ScimError.invalidFilter(`'${where}' compares with true or false, got ${JSON.stringify(value)}.`);
}
