import { performance } from 'node:perf_hooks';
import { percentile } from './load.js';
import type { WalkResult } from './report.js';
import type { Scim } from './session.js';

export const PAGE_SIZE = 100;

/**
 * `index`: startIndex=1, 101, 201, … as RFC 7644 §3.4.2.4 clients page. `cursor`: `cursor=` for
 * the first page, then each page's `nextCursor` until a page has none (RFC 9865).
 */
export type Paging = 'index' | 'cursor';

/** How many pages at each end of a walk the steadier first/last figures take the median of. */
const EDGE_PAGES = 10;

interface Page {
  readonly totalResults?: number;
  readonly Resources?: { id: string }[];
  readonly nextCursor?: string;
}

/**
 * Walks every page of `/Users` with count=100, one request at a time as a provisioning import
 * does, and checks that every user in `expected` comes back exactly once and nothing else does.
 * Page latency runs from sending the request to receiving the whole body.
 */
export async function walkAllPages(
  scim: Scim,
  paging: Paging,
  expected: ReadonlySet<string>,
  serverCpuMs: () => number,
): Promise<{ result: WalkResult; problem?: string }> {
  const seen = new Set<string>();
  const pageMs: number[] = [];
  const problems: string[] = [];
  let returned = 0;
  let duplicates = 0;
  let unexpected = 0;
  // A walk that goes on past this has lost its way (a cursor that never ends, say).
  const maxPages = Math.ceil(expected.size / PAGE_SIZE) + 10;
  const started = performance.now();
  const cpuBefore = serverCpuMs();
  let startIndex = 1;
  let cursor = '';
  for (;;) {
    const path =
      paging === 'index'
        ? `/Users?startIndex=${startIndex}&count=${PAGE_SIZE}`
        : `/Users?cursor=${encodeURIComponent(cursor)}&count=${PAGE_SIZE}`;
    const page = await scim('GET', path);
    pageMs.push(page.ms);
    if (page.status !== 200) {
      problems.push(`page ${pageMs.length} (${path}) answered ${page.status}`);
      break;
    }
    const body = page.body as Page;
    if (body.totalResults !== expected.size && problems.length < 3)
      problems.push(
        `page ${pageMs.length} says totalResults ${body.totalResults}, expected ${expected.size}`,
      );
    const resources = body.Resources ?? [];
    for (const resource of resources) {
      returned++;
      if (seen.has(resource.id)) duplicates++;
      else if (!expected.has(resource.id)) unexpected++;
      seen.add(resource.id);
    }
    if (paging === 'index') {
      if (resources.length === 0 || startIndex + PAGE_SIZE > (body.totalResults ?? 0)) break;
      startIndex += PAGE_SIZE;
    } else {
      if (body.nextCursor === undefined) break;
      cursor = body.nextCursor;
    }
    if (pageMs.length >= maxPages) {
      problems.push(`the walk did not end after ${maxPages} pages`);
      break;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = serverCpuMs() - cpuBefore;
  const found = seen.size - unexpected;
  if (duplicates > 0) problems.push(`${duplicates} users came back more than once`);
  if (unexpected > 0) problems.push(`${unexpected} users came back that should not be listed`);
  if (found !== expected.size)
    problems.push(`${expected.size - found} of ${expected.size} users never came back`);
  const sorted = Float64Array.from(pageMs).sort();
  return {
    result: {
      paging,
      users: found,
      returned,
      pageSize: PAGE_SIZE,
      pages: pageMs.length,
      seconds,
      firstPageMs: pageMs[0] ?? Number.NaN,
      lastPageMs: pageMs[pageMs.length - 1] ?? Number.NaN,
      firstPagesMs: medianOf(pageMs.slice(0, EDGE_PAGES)),
      lastPagesMs: medianOf(pageMs.slice(-EDGE_PAGES)),
      medianPageMs: percentile(sorted, 0.5),
      slowestPageMs: sorted[sorted.length - 1] ?? Number.NaN,
      serverCpuMsPerPage: pageMs.length > 0 ? cpuMs / pageMs.length : Number.NaN,
      ok: problems.length === 0,
    },
    ...(problems.length > 0 ? { problem: problems.join('; ') } : {}),
  };
}

function medianOf(values: readonly number[]): number {
  return percentile(Float64Array.from(values).sort(), 0.5);
}
