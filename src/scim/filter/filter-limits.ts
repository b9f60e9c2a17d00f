/**
 * The bounds on the work one filter or PATCH path can ask for, the same for list filters and PATCH
 * value filters: its length, its nesting, and how many comparisons it holds. Every comparison
 * becomes a condition the database evaluates for every candidate resource.
 */

import { RosterError } from '../../errors.js';
import type { CompareOperator } from './ast.js';

/** Longer input is refused before lexing, which bounds the work done for any request. */
export const MAX_FILTER_LENGTH = 10_000;
/** Parentheses and value-path brackets nest at most this deep, so recursion stays shallow. */
export const MAX_NESTING_DEPTH = 64;
/**
 * Comparisons (`pr` included) one filter or PATCH path may hold. Each becomes a condition the
 * database evaluates for every candidate user; real clients send one to a handful.
 */
export const MAX_FILTER_COMPARISONS = 100;
/**
 * Comparisons with a costly operator one filter may hold: `co`, `sw` and `ew` become LIKE patterns
 * and `gt`, `ge`, `lt`, `le` ranges, which no index answers for most attributes.
 */
export const MAX_COSTLY_COMPARISONS = 10;
export const COSTLY_OPERATORS: ReadonlySet<CompareOperator> = new Set([
  'co',
  'sw',
  'ew',
  'gt',
  'ge',
  'lt',
  'le',
]);

/** The comparisons of one filter, counted as the parser reads them. */
export class ComparisonBudget {
  private comparisons = 0;
  private costlyComparisons = 0;

  count(op: CompareOperator | 'pr'): void {
    this.comparisons++;
    if (op !== 'pr' && COSTLY_OPERATORS.has(op)) this.costlyComparisons++;
  }

  /**
   * Refuses a filter past the limits once it has been read whole, so the detail can say how many
   * comparisons it has; reading is already bounded by MAX_FILTER_LENGTH. The code is the same for
   * filters and PATCH paths (`filter-too-complex`, scimType invalidFilter, which RFC 7644 §3.12
   * also names for PATCH path filters), so clients and logs see one limit.
   */
  check(subject: 'filter' | 'path'): void {
    const count = (n: number): string => n.toLocaleString('en-US');
    if (this.comparisons > MAX_FILTER_COMPARISONS) {
      throw new RosterError(
        'filter-too-complex',
        `The ${subject} has ${count(this.comparisons)} comparisons: at most ${count(MAX_FILTER_COMPARISONS)} are allowed in one filter.`,
      );
    }
    if (this.costlyComparisons > MAX_COSTLY_COMPARISONS) {
      throw new RosterError(
        'filter-too-complex',
        `The ${subject} has ${count(this.costlyComparisons)} comparisons with co, sw, ew, gt, ge, lt or le: at most ${count(MAX_COSTLY_COMPARISONS)} are allowed in one filter.`,
      );
    }
  }
}
