import { describe, expect, it } from 'vitest';
import { planBulk } from './plan.js';
import { type BulkEndpoint, parseBulkRequest } from './request.js';

const ENDPOINTS: BulkEndpoint[] = [
  { type: 'User', endpoint: '/Users' },
  { type: 'Group', endpoint: '/Groups' },
];

/** A request of `POST /Groups` operations, each with its bulkId and the bulkIds of its members. */
function groups(...specs: [bulkId: string, members: string[]][]) {
  return parseBulkRequest(
    {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: specs.map(([bulkId, members]) => ({
        method: 'POST',
        path: '/Groups',
        bulkId,
        data: { displayName: bulkId, members: members.map((member) => ({ value: `bulkId:${member}` })) },
      })),
    },
    ENDPOINTS,
    { maxOperations: 100_000 },
  ).operations;
}

describe('the order of a bulk job (RFC 7644 §3.7, §3.7.1)', () => {
  it('keeps the request order when nothing refers forward', () => {
    const plan = planBulk(groups(['a', []], ['b', ['a']], ['c', ['a', 'b']]));
    expect(plan.order).toEqual([0, 1, 2]);
    expect(plan.circular.size).toBe(0);
    expect([...plan.creators]).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
  });

  it('runs a POST before the first operation that refers to it, and the rest in order', () => {
    // c refers to e and d; d refers to e: e, d, c — then the others as they came.
    const plan = planBulk(groups(['a', []], ['c', ['e', 'd']], ['b', []], ['d', ['e']], ['e', []]));
    expect(plan.order).toEqual([0, 4, 3, 1, 2]);
  });

  it('moves a POST referred to from a path, too', () => {
    const operations = parseBulkRequest(
      {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
        Operations: [
          { method: 'DELETE', path: '/Users/bulkId:u1' },
          { method: 'POST', path: '/Users', bulkId: 'u1', data: { userName: 'alice' } },
        ],
      },
      ENDPOINTS,
      { maxOperations: 10 },
    ).operations;
    expect(planBulk(operations).order).toEqual([1, 0]);
  });

  it('finds a circle, names its bulkIds, and still lists every operation once', () => {
    // RFC 7644 §3.7.1's example: two groups, each a member of the other.
    const plan = planBulk(groups(['qwerty', ['ytrewq']], ['ytrewq', ['qwerty']], ['after', ['qwerty']]));
    expect([...plan.circular.keys()].sort()).toEqual([0, 1]);
    expect(plan.circular.get(0)).toEqual(['qwerty', 'ytrewq']);
    expect([...plan.order].sort()).toEqual([0, 1, 2]);
    expect(plan.order.indexOf(2)).toBeGreaterThan(plan.order.indexOf(0));
  });

  it('finds a POST that refers to itself, and circles inside longer chains', () => {
    expect([...planBulk(groups(['self', ['self']])).circular.keys()]).toEqual([0]);
    const plan = planBulk(groups(['a', ['b']], ['b', ['c']], ['c', ['d']], ['d', ['b']]));
    expect([...plan.circular.keys()].sort()).toEqual([1, 2, 3]);
    expect(plan.circular.has(0)).toBe(false);
  });

  it('ignores references to bulkIds no POST gives (they fail when they run)', () => {
    const plan = planBulk(groups(['a', ['ghost']], ['b', []]));
    expect(plan.order).toEqual([0, 1]);
    expect(plan.circular.size).toBe(0);
  });

  it('plans a 10,000-long chain of forward references without recursion', () => {
    const count = 10_000;
    const specs: [string, string[]][] = Array.from({ length: count }, (_, i) => [
      `g${i}`,
      i + 1 < count ? [`g${i + 1}`] : [],
    ]);
    const plan = planBulk(groups(...specs));
    expect(plan.order[0]).toBe(count - 1);
    expect(plan.order[count - 1]).toBe(0);
    expect(plan.circular.size).toBe(0);
  });
});
