import { type BulkEntry, isMalformed } from './request.js';

/** The order a BulkRequest's operations run in, and those that cannot run. */
export interface BulkPlan {
  /** Positions of the operations in the order they run: every operation, once. */
  readonly order: readonly number[];
  /** Operations that refer to each other in a circle, with the bulkIds of that circle. */
  readonly circular: ReadonlyMap<number, readonly string[]>;
  /** The position of the POST that creates each bulkId. */
  readonly creators: ReadonlyMap<string, number>;
}

/**
 * Request order, except that a POST runs before the first operation that refers to its bulkId
 * (RFC 7644 §3.7: the service provider may reorder as long as the result is the one the client
 * meant; §3.7.2: a group can be posted before the users it names). Operations that refer to each
 * other in a circle (§3.7.1) are found and left for the caller to refuse; the walk keeps its own
 * stack and marks every operation it has entered, so it ends on any request.
 */
export function planBulk(operations: readonly BulkEntry[]): BulkPlan {
  const creators = new Map<string, number>();
  for (const operation of operations) {
    if (!isMalformed(operation) && operation.method === 'POST' && operation.bulkId !== undefined) {
      creators.set(operation.bulkId, operation.index);
    }
  }
  const dependencies = operations.map((operation) =>
    isMalformed(operation)
      ? []
      : operation.references.flatMap((bulkId) => {
          const creator = creators.get(bulkId);
          return creator === undefined ? [] : [creator];
        }),
  );

  const NEW = 0;
  const ENTERED = 1;
  const DONE = 2;
  const state = new Uint8Array(operations.length);
  const order: number[] = [];
  const circular = new Map<number, readonly string[]>();
  for (let start = 0; start < operations.length; start++) {
    if (state[start] !== NEW) continue;
    state[start] = ENTERED;
    const stack: { index: number; next: number }[] = [{ index: start, next: 0 }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const needs = dependencies[frame.index]!;
      if (frame.next >= needs.length) {
        stack.pop();
        state[frame.index] = DONE;
        order.push(frame.index);
        continue;
      }
      const needed = needs[frame.next++]!;
      if (state[needed] === NEW) {
        state[needed] = ENTERED;
        stack.push({ index: needed, next: 0 });
      } else if (state[needed] === ENTERED) {
        // Every operation from the one needed to the top of the stack waits for the next: a circle.
        const members = stack.slice(stack.findIndex((entry) => entry.index === needed)).map((f) => f.index);
        const bulkIds = members.map((index) => operations[index]!.bulkId ?? '');
        for (const member of members) if (!circular.has(member)) circular.set(member, bulkIds);
      }
    }
  }
  return { order, circular, creators };
}
