import { createHash, randomBytes } from 'node:crypto';
import type { ListPosition, Page, PageStart } from '../model/listing.js';
import type { Filter } from '../scim/filter/ast.js';
import { formatFilter } from '../scim/filter/format.js';
import type { Store } from '../store/store.js';
import { decodeCursor, encodeCursor } from './list-cursor.js';

/** How long an index walk's continuation is remembered; also the default cursor lifetime. */
const WALK_MARK_LIFETIME_MS = 60 * 60 * 1000;
export const DEFAULT_CURSOR_TIMEOUT_MS = 60 * 60 * 1000;

export interface ListRequest {
  readonly filter?: Filter;
  readonly sortBy?: string;
  readonly sortOrder?: string;
  readonly count: number;
  /** Index paging (RFC 7644 §3.4.2.4) or cursor paging (RFC 9865; `''` asks for the first page). */
  readonly paging:
    | { readonly kind: 'index'; readonly startIndex: number }
    | { readonly kind: 'cursor'; readonly cursor: string };
}

export interface ListResult<T> {
  readonly totalResults: number;
  readonly items: T[];
  readonly startIndex?: number;
  readonly nextCursor?: string;
  readonly previousCursor?: string;
}

export interface PagingScope {
  readonly siteId: string;
  readonly tokenId: string | null;
  readonly resourceType: string;
}

/**
 * Pages through a list for one client. Index paging continues a walk from where its previous page
 * ended when it can (a mark per site, token and query), so a walk costs the same per page at the
 * end as at the start and never repeats or skips an item that existed throughout, even while
 * others are created and deleted. Cursor paging (RFC 9865) carries its position in the cursor.
 */
export class Pager {
  private cursorKeyPromise: Promise<string> | undefined;

  constructor(
    private readonly store: Store,
    private readonly cursorTimeoutMs: number,
  ) {}

  async page<T>(
    scope: PagingScope,
    request: ListRequest,
    fetch: (start: PageStart) => Promise<Page<T>>,
  ): Promise<ListResult<T>> {
    const signature = querySignature(scope.resourceType, request);
    if (request.paging.kind === 'cursor') return this.cursorPage(request.paging.cursor, signature, fetch);

    const startIndex = request.paging.startIndex;
    const { siteId, tokenId } = scope;
    const mark =
      startIndex > 1 && tokenId
        ? await this.store.paging.findMark(siteId, tokenId, signature, startIndex)
        : undefined;
    const fresh = mark && Date.now() - mark.createdAt < WALK_MARK_LIFETIME_MS ? mark : undefined;
    const page = await fetch(fresh ? { after: fresh.position } : { index: startIndex });
    const last = page.positions[page.positions.length - 1];
    // Only a page with more after it starts or continues a walk worth remembering; lookups (a
    // filter matching one item or none) write nothing.
    if (tokenId && last && page.more) {
      const now = Date.now();
      await this.store.transaction(
        async (tx) => {
          // A walk's first page clears the site's marks that are too old to be used (those of
          // expired and revoked tokens among them).
          if (startIndex === 1) await tx.paging.purgeMarks(siteId, now - WALK_MARK_LIFETIME_MS);
          await tx.paging.saveMark({
            siteId,
            tokenId,
            signature,
            nextIndex: startIndex + page.items.length,
            position: last,
            createdAt: now,
          });
        },
        // A mark is a hint (a lost one only means the next page is found by OFFSET): its commit
        // need not wait for the disk; on PostgreSQL that wait was a third of a walk's page time.
        { relaxed: true },
      );
    }
    return { totalResults: page.totalResults, items: page.items, startIndex };
  }

  private async cursorPage<T>(
    cursor: string,
    signature: string,
    fetch: (start: PageStart) => Promise<Page<T>>,
  ): Promise<ListResult<T>> {
    const key = await this.cursorKey();
    const now = Date.now();
    const state = cursor === '' ? undefined : decodeCursor(cursor, key, signature, now, this.cursorTimeoutMs);
    const start: PageStart = !state
      ? { index: 1 }
      : state.direction === 'after'
        ? { after: state.position }
        : { before: state.position };
    const page = await fetch(start);
    const first = page.positions[0];
    const last = page.positions[page.positions.length - 1];
    const seal = (direction: 'after' | 'before', position: ListPosition): string =>
      encodeCursor({ direction, position, query: signature, issuedAt: now }, key);
    const hasNext = state?.direction === 'before' ? page.items.length > 0 : page.more;
    const hasPrevious =
      state === undefined ? false : state.direction === 'before' ? page.more : page.items.length > 0;
    return {
      totalResults: page.totalResults,
      items: page.items,
      ...(hasNext && last ? { nextCursor: seal('after', last) } : {}),
      ...(hasPrevious && first ? { previousCursor: seal('before', first) } : {}),
    };
  }

  /** The deployment-wide cursor key, read once; a failed read is tried again on the next request. */
  private cursorKey(): Promise<string> {
    this.cursorKeyPromise ??= this.store.paging
      .secret('cursor-hmac-key', () => randomBytes(32).toString('hex'))
      .catch((error: unknown) => {
        this.cursorKeyPromise = undefined;
        throw error;
      });
    return this.cursorKeyPromise;
  }
}

/** Identifies a query (resource type, filter and sort — not the page) for walk marks and cursors. */
function querySignature(resourceType: string, request: ListRequest): string {
  const text = JSON.stringify([
    resourceType,
    request.filter ? formatFilter(request.filter) : '',
    request.sortBy?.toLowerCase() ?? '',
    request.sortOrder?.toLowerCase() ?? '',
  ]);
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}
