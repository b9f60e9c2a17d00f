import type { BulkResult } from './report.js';
import { percentile } from './load.js';
import { log, type Session } from './session.js';
import { crudUserBody } from './users.js';
import { number } from './report.js';

/** Operations in each timed BulkRequest: the server's default `bulk.maxOperations`. */
export const BULK_OPERATIONS = 1000;
/** Timed requests; the report shows the median. */
const BULK_RUNS = 3;

/**
 * The crud scenario's Bulk phase: one `POST /Bulk` of BULK_OPERATIONS creates at a time, the way
 * a client that loads a directory in bulk sends it, timed from the first byte sent to the last
 * byte received, with the server's CPU for it. Each operation runs in its own transaction, so the
 * figure is the per-create cost without the per-request HTTP and token cost. Checks that every
 * operation was answered 201, in order, and that the directory grew by as many users.
 */
export async function benchBulk(session: Session, firstUser: number): Promise<BulkResult> {
  const { scim, server, failures } = session;
  const seconds: number[] = [];
  const cpuMs: number[] = [];
  let next = firstUser;
  const before = await countUsers(session);
  for (let run = 1; run <= BULK_RUNS; run++) {
    const operations = Array.from({ length: BULK_OPERATIONS }, () => {
      const n = next++;
      return {
        method: 'POST',
        path: '/Users',
        bulkId: `b${n}`,
        data: JSON.parse(crudUserBody(n)) as unknown,
      };
    });
    const body = { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: operations };
    const cpuBefore = server.sample().cpuMs;
    const response = await session.window(`bulk ${run}`, () => scim('POST', '/Bulk', body));
    cpuMs.push(server.sample().cpuMs - cpuBefore);
    seconds.push(response.ms / 1000);
    const answered =
      (response.body as { Operations?: { status?: string; bulkId?: string }[] }).Operations ?? [];
    const created = answered.filter(
      (entry, i) => entry.status === '201' && entry.bulkId === operations[i]!.bulkId,
    );
    if (response.status !== 200 || created.length !== BULK_OPERATIONS) {
      failures.push(
        `POST /Bulk ${run}: status ${response.status}, ${created.length} of ${BULK_OPERATIONS} operations created`,
      );
    }
    log(
      `POST /Bulk (${number(BULK_OPERATIONS)} creates) ${run}: ${seconds[run - 1]!.toFixed(2)} s, ` +
        `${number(BULK_OPERATIONS / seconds[run - 1]!)} operations/s, server CPU ${number(cpuMs[run - 1]!)} ms ` +
        `(${number((cpuMs[run - 1]! * 1000) / BULK_OPERATIONS)} µs/operation)`,
    );
  }
  const after = await countUsers(session);
  if (after - before !== BULK_OPERATIONS * BULK_RUNS) {
    failures.push(
      `after the Bulk phase the server lists ${after - before} more users, expected ${BULK_OPERATIONS * BULK_RUNS}`,
    );
  }
  const median = (values: number[]) => percentile(Float64Array.from(values).sort(), 0.5);
  return {
    operations: BULK_OPERATIONS,
    runs: BULK_RUNS,
    seconds: median(seconds),
    serverCpuUsPerOperation: (median(cpuMs) * 1000) / BULK_OPERATIONS,
  };
}

async function countUsers(session: Session): Promise<number> {
  const listed = await session.scim('GET', '/Users?count=0');
  return (listed.body as { totalResults?: number }).totalResults ?? Number.NaN;
}
