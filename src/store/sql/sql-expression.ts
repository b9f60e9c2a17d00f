import type { SqlValue } from './connection.js';
import type { Dialect } from './dialect.js';

/**
 * A small SQL expression tree. Filters, keyset conditions and sort keys are built as trees and
 * turned into text in one place, `emit`, where values always become bound parameters and the
 * dialect decides what differs (collations for ordering).
 */
export type SqlExpression =
  /** Trusted SQL written by Roster (column names, JSON accessors); never user input. */
  | { readonly kind: 'sql'; readonly text: string }
  | { readonly kind: 'param'; readonly value: SqlValue }
  | { readonly kind: 'and' | 'or'; readonly items: readonly SqlExpression[] }
  | { readonly kind: 'not'; readonly item: SqlExpression }
  | {
      readonly kind: 'compare';
      readonly left: SqlExpression;
      readonly op: ComparisonOperator;
      readonly right: SqlExpression;
      /** Strings ordered by code point (UTF-8 byte order) whatever the database's collation. */
      readonly binary?: boolean;
    }
  | { readonly kind: 'like'; readonly left: SqlExpression; readonly pattern: string }
  | { readonly kind: 'null'; readonly item: SqlExpression; readonly negated: boolean }
  | { readonly kind: 'lower'; readonly item: SqlExpression }
  | { readonly kind: 'exists'; readonly from: string; readonly where: SqlExpression }
  /** `item IN (SELECT column FROM from WHERE where)`; the column must be NOT NULL, so never NULL. */
  | {
      readonly kind: 'in';
      readonly item: SqlExpression;
      readonly column: string;
      readonly from: string;
      readonly where: SqlExpression;
    }
  | { readonly kind: 'constant'; readonly value: boolean };

export type ComparisonOperator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export interface SqlFragment {
  readonly text: string;
  readonly values: readonly SqlValue[];
}

export const sql = (text: string): SqlExpression => ({ kind: 'sql', text });
export const param = (value: SqlValue): SqlExpression => ({ kind: 'param', value });
export const and = (...items: SqlExpression[]): SqlExpression => ({ kind: 'and', items });
export const or = (...items: SqlExpression[]): SqlExpression => ({ kind: 'or', items });
export const not = (item: SqlExpression): SqlExpression => ({ kind: 'not', item });
export const isNull = (item: SqlExpression): SqlExpression => ({ kind: 'null', item, negated: false });
export const isNotNull = (item: SqlExpression): SqlExpression => ({ kind: 'null', item, negated: true });
export const lower = (item: SqlExpression): SqlExpression => ({ kind: 'lower', item });
export const constant = (value: boolean): SqlExpression => ({ kind: 'constant', value });
export const compare = (
  left: SqlExpression,
  op: ComparisonOperator,
  right: SqlExpression,
  binary = false,
): SqlExpression => ({
  kind: 'compare',
  left,
  op,
  right,
  binary,
});
export const like = (left: SqlExpression, pattern: string): SqlExpression => ({
  kind: 'like',
  left,
  pattern,
});
export const exists = (from: string, where: SqlExpression): SqlExpression => ({
  kind: 'exists',
  from,
  where,
});
export const inSubquery = (
  item: SqlExpression,
  column: string,
  from: string,
  where: SqlExpression,
): SqlExpression => ({ kind: 'in', item, column, from, where });

/** Escapes `%`, `_` and the escape character itself for a LIKE pattern (ESCAPE '\'). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** Renders an expression with `?` placeholders; the connection numbers them for PostgreSQL. */
export function emit(expression: SqlExpression, dialect: Dialect): SqlFragment {
  const values: SqlValue[] = [];
  const render = (node: SqlExpression): string => {
    switch (node.kind) {
      case 'sql':
        return node.text;
      case 'param':
        values.push(node.value);
        return '?';
      case 'and':
      case 'or': {
        if (node.items.length === 0) return node.kind === 'and' ? '(1 = 1)' : '(1 = 0)';
        return `(${node.items.map(render).join(node.kind === 'and' ? ' AND ' : ' OR ')})`;
      }
      case 'not':
        return `(NOT ${render(node.item)})`;
      case 'compare': {
        const left = render(node.left);
        const right = render(node.right);
        return node.binary
          ? `(${dialect.binaryOrder(left)} ${node.op} ${dialect.binaryOrder(right)})`
          : `(${left} ${node.op} ${right})`;
      }
      case 'like': {
        const left = render(node.left);
        values.push(node.pattern);
        return `(${left} LIKE ? ESCAPE '\\')`;
      }
      case 'null':
        return `(${render(node.item)} IS ${node.negated ? 'NOT ' : ''}NULL)`;
      case 'lower':
        return `lower(${render(node.item)})`;
      case 'exists':
        return `EXISTS (SELECT 1 FROM ${node.from} WHERE ${render(node.where)})`;
      case 'in': {
        const item = render(node.item);
        return `(${item} IN (SELECT ${node.column} FROM ${node.from} WHERE ${render(node.where)}))`;
      }
      case 'constant':
        return node.value ? '(1 = 1)' : '(1 = 0)';
    }
  };
  const text = render(expression);
  return { text, values };
}
