/**
 * Prints a filter AST back as canonical RFC 7644 §3.4.2.2 filter text: lower-case operators, JSON
 * values, single spaces, and parentheses only where precedence needs them. For any AST the parser
 * can produce, `parseFilter(formatFilter(ast))` deep-equals `ast`, so the text can be stored (in a
 * cursor, a log line) and read back.
 */

import type { AttributePath, Filter, FilterValue } from './ast.js';

/** `[URI ":"] ATTRNAME ["." subAttr]` */
export function formatAttributePath(path: AttributePath): string {
  const name = path.subAttribute === undefined ? path.attribute : `${path.attribute}.${path.subAttribute}`;
  return path.schema === undefined ? name : `${path.schema}:${name}`;
}

/** A compValue as JSON; numbers are expected to be finite, as the parser produces them. */
export function formatValue(value: FilterValue): string {
  // JSON.stringify(-0) is "0", which would read back as a different number.
  if (typeof value === 'number' && Object.is(value, -0)) return '-0';
  return JSON.stringify(value);
}

export function formatFilter(filter: Filter): string {
  switch (filter.kind) {
    case 'compare':
      return `${formatAttributePath(filter.path)} ${filter.op} ${formatValue(filter.value)}`;
    case 'present':
      return `${formatAttributePath(filter.path)} pr`;
    case 'not':
      return `not (${formatFilter(filter.filter)})`;
    case 'valuePath':
      return `${formatAttributePath(filter.path)}[${formatFilter(filter.filter)}]`;
    // Both are left-associative and `and` binds tighter, so only these operands need parentheses.
    case 'and':
      return `${operand(filter.left, ['or'])} and ${operand(filter.right, ['or', 'and'])}`;
    case 'or':
      return `${formatFilter(filter.left)} or ${operand(filter.right, ['or'])}`;
  }
}

function operand(filter: Filter, needsParentheses: readonly Filter['kind'][]): string {
  const text = formatFilter(filter);
  return needsParentheses.includes(filter.kind) ? `(${text})` : text;
}
