import type { BoundFilter } from '../scim/filter/bind.js';
import type { BoundSort } from '../scim/filter/bind-sort.js';

/** Where a list page starts or ends: the sort key of a row and its id (the tie-break). */
export interface ListPosition {
  readonly key: string | number | boolean | null;
  readonly id: string;
}

/**
 * Where a page starts: after or before a known position (keyset, cost independent of depth), or at
 * a 1-based index (skipping rows). `before` reads backwards and returns rows in order.
 */
export type PageStart =
  { readonly after: ListPosition } | { readonly before: ListPosition } | { readonly index: number };

export interface ListQuery {
  readonly filter?: BoundFilter;
  /** Absent: creation order (ids are time-ordered). */
  readonly sort?: BoundSort;
  readonly start: PageStart;
  readonly count: number;
}

export interface Page<T> {
  readonly totalResults: number;
  readonly items: T[];
  /** The position of each item in the list's order, for continuing from it. */
  readonly positions: ListPosition[];
  /** Whether more rows follow in the direction read (after the last, or before the first for `before`). */
  readonly more: boolean;
}

/** A remembered continuation of an index walk: page `nextIndex` starts after `position`. */
export interface WalkMark {
  readonly siteId: string;
  readonly tokenId: string;
  readonly signature: string;
  readonly nextIndex: number;
  readonly position: ListPosition;
  readonly createdAt: number;
}
