import { afterEach, describe, expect, it, vi } from 'vitest';

import { RosterError } from '../errors.js';
import type { ListPosition, Page, PageStart, WalkMark } from '../model/listing.js';
import { parseFilter } from '../scim/filter/parse.js';
import type { PagingWrites, Store, TransactionOptions } from '../store/store.js';
import { type ListRequest, Pager, type PagingScope } from './paging.js';

/** A store with only what the pager uses: the paging aggregate and transactions over it. */
class FakePagingStore implements PagingWrites {
  readonly marks: WalkMark[] = [];
  readonly purges: { siteId: string; before: number }[] = [];
  readonly transactions: (TransactionOptions | undefined)[] = [];
  secretReads = 0;
  /** Rejections the next secret reads meet, one each. */
  failSecretReads = 0;
  private readonly secrets = new Map<string, string>();

  findMark(
    siteId: string,
    tokenId: string,
    signature: string,
    nextIndex: number,
  ): Promise<WalkMark | undefined> {
    return Promise.resolve(
      this.marks.findLast(
        (mark) =>
          mark.siteId === siteId &&
          mark.tokenId === tokenId &&
          mark.signature === signature &&
          mark.nextIndex === nextIndex,
      ),
    );
  }

  secret(name: string, create: () => string): Promise<string> {
    this.secretReads++;
    if (this.failSecretReads > 0) {
      this.failSecretReads--;
      return Promise.reject(new RosterError('database-unavailable', 'The database is down.'));
    }
    let value = this.secrets.get(name);
    if (value === undefined) {
      value = create();
      this.secrets.set(name, value);
    }
    return Promise.resolve(value);
  }

  saveMark(mark: WalkMark): Promise<void> {
    this.marks.push(mark);
    return Promise.resolve();
  }

  purgeMarks(siteId: string, before: number): Promise<void> {
    this.purges.push({ siteId, before });
    return Promise.resolve();
  }

  asStore(): Store {
    const store: Pick<Store, 'paging' | 'transaction'> = {
      paging: this,
      transaction: (work, options) => {
        this.transactions.push(options);
        return work({ paging: this } as unknown as Parameters<typeof work>[0]);
      },
    };
    return store as Store;
  }
}

const HOUR = 60 * 60 * 1000;
const scope: PagingScope = { siteId: 'site-1', tokenId: 'token-1', resourceType: 'User' };

/** A list of `size` items in creation order; positions are their sort key and id. */
function listOf(size: number): { ids: string[]; positions: ListPosition[] } {
  const ids = Array.from({ length: size }, (_, i) => `u${String(i + 1).padStart(3, '0')}`);
  return { ids, positions: ids.map((id, i) => ({ key: i + 1, id })) };
}

/**
 * A fetch over that list that answers index, after and before starts as a store would, and
 * records each start it was asked for.
 */
function fetcher(size: number, count: number) {
  const { ids, positions } = listOf(size);
  const starts: PageStart[] = [];
  const fetch = (start: PageStart): Promise<Page<string>> => {
    starts.push(start);
    let from: number;
    let to: number;
    if ('index' in start) {
      from = start.index - 1;
      to = from + count;
    } else if ('after' in start) {
      from = positions.findIndex((position) => position.id === start.after.id) + 1;
      to = from + count;
    } else {
      to = positions.findIndex((position) => position.id === start.before.id);
      from = Math.max(0, to - count);
    }
    const more = 'before' in start ? from > 0 : to < size;
    return Promise.resolve({
      totalResults: size,
      items: ids.slice(from, to),
      positions: positions.slice(from, to),
      more,
    });
  };
  return { fetch, starts, ids, positions };
}

const indexRequest = (startIndex: number, extra: Partial<ListRequest> = {}): ListRequest => ({
  count: 2,
  paging: { kind: 'index', startIndex },
  ...extra,
});
const cursorRequest = (cursor: string, extra: Partial<ListRequest> = {}): ListRequest => ({
  count: 2,
  paging: { kind: 'cursor', cursor },
  ...extra,
});

async function rejection(promise: Promise<unknown>): Promise<RosterError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RosterError) return error;
    throw error;
  }
  throw new Error('expected a RosterError, but the promise resolved');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Pager: cursor paging (RFC 9865)', () => {
  it('walks a list with nextCursor, reading the cursor key once', async () => {
    const fake = new FakePagingStore();
    const pager = new Pager(fake.asStore(), HOUR);
    const { fetch, starts, ids, positions } = fetcher(5, 2);

    const seen: string[] = [];
    let cursor = '';
    for (let pages = 0; pages < 10; pages++) {
      const result = await pager.page(scope, cursorRequest(cursor), fetch);
      seen.push(...result.items);
      if (result.nextCursor === undefined) break;
      cursor = result.nextCursor;
    }
    expect(seen).toEqual(ids);
    expect(starts).toEqual([{ index: 1 }, { after: positions[1] }, { after: positions[3] }]);
    expect(fake.secretReads).toBe(1);
    // Cursor paging keeps its position in the cursor: nothing is written.
    expect(fake.transactions).toEqual([]);
  });

  it('previousCursor reads back from the first item of the page', async () => {
    const pager = new Pager(new FakePagingStore().asStore(), HOUR);
    const { fetch, starts, positions } = fetcher(5, 2);
    const first = await pager.page(scope, cursorRequest(''), fetch);
    expect(first.previousCursor).toBeUndefined();
    const second = await pager.page(scope, cursorRequest(first.nextCursor!), fetch);
    const back = await pager.page(scope, cursorRequest(second.previousCursor!), fetch);
    expect(starts.at(-1)).toEqual({ before: positions[2] });
    expect(back.items).toEqual(first.items);
  });

  // The old bug: the rejected promise was kept, and cursor paging failed until a restart.
  it('does not keep a failed read of the cursor key', async () => {
    const fake = new FakePagingStore();
    fake.failSecretReads = 1;
    const pager = new Pager(fake.asStore(), HOUR);
    const { fetch } = fetcher(5, 2);

    const error = await rejection(pager.page(scope, cursorRequest(''), fetch));
    expect(error.code).toBe('database-unavailable');

    const first = await pager.page(scope, cursorRequest(''), fetch);
    expect(first.nextCursor).toBeDefined();
    const second = await pager.page(scope, cursorRequest(first.nextCursor!), fetch);
    expect(second.items).toEqual(['u003', 'u004']);
    // Once read, the key is kept: one failed read, one good one.
    expect(fake.secretReads).toBe(2);
  });

  it('a cursor issued for another filter or sort is invalidCursor', async () => {
    const pager = new Pager(new FakePagingStore().asStore(), HOUR);
    const { fetch } = fetcher(5, 2);
    const filter = parseFilter('userName sw "a"');
    const first = await pager.page(scope, cursorRequest('', { filter }), fetch);
    const cursor = first.nextCursor!;

    for (const other of [
      {},
      { filter: parseFilter('userName sw "b"') },
      { filter, sortBy: 'userName' },
      { filter, sortOrder: 'descending' },
    ]) {
      const error = await rejection(pager.page(scope, cursorRequest(cursor, other), fetch));
      expect(error.code).toBe('invalid-cursor');
      expect(error.scimType).toBe('invalidCursor');
    }
    // The signature is the parsed query's: spacing is not part of it.
    const again = await pager.page(
      scope,
      cursorRequest(cursor, { filter: parseFilter('userName   sw "a"') }),
      fetch,
    );
    expect(again.items).toEqual(['u003', 'u004']);
  });

  it("a cursor another resource type's list issued is invalidCursor", async () => {
    const pager = new Pager(new FakePagingStore().asStore(), HOUR);
    const { fetch } = fetcher(5, 2);
    const { nextCursor } = await pager.page(scope, cursorRequest(''), fetch);
    const error = await rejection(
      pager.page({ ...scope, resourceType: 'Group' }, cursorRequest(nextCursor!), fetch),
    );
    expect(error.code).toBe('invalid-cursor');
  });

  it('an altered cursor, or one sealed under another key, is invalidCursor', async () => {
    const pager = new Pager(new FakePagingStore().asStore(), HOUR);
    const elsewhere = new Pager(new FakePagingStore().asStore(), HOUR);
    const { fetch } = fetcher(5, 2);
    const { nextCursor } = await pager.page(scope, cursorRequest(''), fetch);
    const foreign = (await elsewhere.page(scope, cursorRequest(''), fetch)).nextCursor!;
    const [body, mac] = nextCursor!.split('.');
    const altered = `${Buffer.from(Buffer.from(body!, 'base64url').toString().replace('u002', 'u004')).toString('base64url')}.${mac}`;

    for (const cursor of [foreign, altered, `${nextCursor}.x`, 'not-a-cursor', `${body}.`]) {
      const error = await rejection(pager.page(scope, cursorRequest(cursor), fetch));
      expect(error.code).toBe('invalid-cursor');
    }
  });

  it('a cursor older than the timeout is expiredCursor', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    // A whole second: cursors carry their issue time in seconds.
    const issued = Date.UTC(2026, 0, 31, 12, 0, 0);
    vi.setSystemTime(issued);
    const timeout = 10 * 60 * 1000;
    const pager = new Pager(new FakePagingStore().asStore(), timeout);
    const { fetch } = fetcher(5, 2);
    const { nextCursor } = await pager.page(scope, cursorRequest(''), fetch);

    vi.setSystemTime(issued + timeout);
    expect((await pager.page(scope, cursorRequest(nextCursor!), fetch)).items).toEqual(['u003', 'u004']);

    vi.setSystemTime(issued + timeout + 1);
    const error = await rejection(pager.page(scope, cursorRequest(nextCursor!), fetch));
    expect(error.code).toBe('expired-cursor');
    expect(error.scimType).toBe('expiredCursor');
  });
});

describe('Pager: index paging continues a walk from its mark', () => {
  it('saves a mark after a page with more after it, and purges old marks on the first page', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const now = Date.UTC(2026, 0, 31, 12, 0, 0);
    vi.setSystemTime(now);
    const fake = new FakePagingStore();
    const pager = new Pager(fake.asStore(), HOUR);
    const { fetch, starts, positions } = fetcher(5, 2);

    const result = await pager.page(scope, indexRequest(1), fetch);
    expect(result).toEqual({ totalResults: 5, items: ['u001', 'u002'], startIndex: 1 });
    expect(starts).toEqual([{ index: 1 }]);
    expect(fake.purges).toEqual([{ siteId: 'site-1', before: now - HOUR }]);
    expect(fake.marks).toEqual([
      {
        siteId: 'site-1',
        tokenId: 'token-1',
        signature: expect.any(String),
        nextIndex: 3,
        position: positions[1],
        createdAt: now,
      },
    ]);
    // A mark is a hint: its commit need not wait for the disk.
    expect(fake.transactions).toEqual([{ relaxed: true }]);
  });

  it('continues from a fresh mark, and only a first page purges', async () => {
    const fake = new FakePagingStore();
    const pager = new Pager(fake.asStore(), HOUR);
    const { fetch, starts, positions } = fetcher(5, 2);

    await pager.page(scope, indexRequest(1), fetch);
    const second = await pager.page(scope, indexRequest(3), fetch);
    const third = await pager.page(scope, indexRequest(5), fetch);

    expect(starts).toEqual([{ index: 1 }, { after: positions[1] }, { after: positions[3] }]);
    expect(second.items).toEqual(['u003', 'u004']);
    expect(third).toEqual({ totalResults: 5, items: ['u005'], startIndex: 5 });
    expect(fake.purges).toHaveLength(1);
    // The last page has nothing after it: no mark for a page that will never be asked for.
    expect(fake.marks.map((mark) => [mark.nextIndex, mark.position])).toEqual([
      [3, positions[1]],
      [5, positions[3]],
    ]);
  });

  it('a mark older than an hour is not used', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.UTC(2026, 0, 31, 12, 0, 0);
    vi.setSystemTime(start);
    const fake = new FakePagingStore();
    const pager = new Pager(fake.asStore(), HOUR);
    const { fetch, starts } = fetcher(5, 2);
    await pager.page(scope, indexRequest(1), fetch);

    vi.setSystemTime(start + HOUR);
    await pager.page(scope, indexRequest(3), fetch);
    expect(starts.at(-1)).toEqual({ index: 3 });
  });

  it("a mark belongs to its token and its query: another's page starts by index", async () => {
    const fake = new FakePagingStore();
    const pager = new Pager(fake.asStore(), HOUR);
    const { fetch, starts } = fetcher(5, 2);
    await pager.page(scope, indexRequest(1), fetch);

    await pager.page({ ...scope, tokenId: 'token-2' }, indexRequest(3), fetch);
    await pager.page(scope, indexRequest(3, { filter: parseFilter('active eq true') }), fetch);
    await pager.page(scope, indexRequest(3, { sortBy: 'userName' }), fetch);
    await pager.page({ ...scope, resourceType: 'Group' }, indexRequest(3), fetch);
    expect(starts.slice(1)).toEqual([{ index: 3 }, { index: 3 }, { index: 3 }, { index: 3 }]);
  });

  it('a page without more after it, or with nothing in it, writes nothing', async () => {
    const fake = new FakePagingStore();
    const pager = new Pager(fake.asStore(), HOUR);
    // A lookup: a filter matching one item.
    await pager.page(scope, indexRequest(1), fetcher(1, 2).fetch);
    // Past the end.
    await pager.page(scope, indexRequest(9), fetcher(5, 2).fetch);
    expect(fake.transactions).toEqual([]);
    expect(fake.marks).toEqual([]);
  });

  it('a caller without a token (the CLI) neither reads nor writes marks', async () => {
    const fake = new FakePagingStore();
    const findMark = vi.spyOn(fake, 'findMark');
    const pager = new Pager(fake.asStore(), HOUR);
    const { fetch, starts } = fetcher(5, 2);
    const cli = { ...scope, tokenId: null };
    await pager.page(cli, indexRequest(1), fetch);
    await pager.page(cli, indexRequest(3), fetch);
    expect(starts).toEqual([{ index: 1 }, { index: 3 }]);
    expect(findMark).not.toHaveBeenCalled();
    expect(fake.transactions).toEqual([]);
  });
});
