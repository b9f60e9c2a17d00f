import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

/** One request a load phase sends; `body` is JSON text. */
export interface BenchRequest {
  readonly method: 'GET' | 'POST' | 'PATCH';
  readonly path: string;
  readonly body?: string;
}

export interface LoadOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly connections: number;
  /** Run for this many seconds… */
  readonly seconds?: number;
  /** …or until this many requests have been answered. */
  readonly amount?: number;
  /** Builds each request: called once per request, so paths and bodies can vary. */
  readonly next: () => BenchRequest;
  /** Sees every response body (costs client CPU: only for phases that must read them). */
  readonly onResponse?: (status: number, body: string) => void;
}

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly max: number;
  };
  /** Connection errors, timeouts included. */
  readonly errors: number;
  readonly non2xx: number;
  readonly statusCodes: Record<string, number>;
  /** CPU the load generator itself used, as a share of one core. */
  readonly clientCpuCores: number;
}

/**
 * Drives the server with autocannon: `connections` keep-alive connections, one request in flight
 * on each (no pipelining, as identity providers do not pipeline). Latency percentiles are computed
 * here from every response's time in fractional milliseconds, because autocannon's own histogram
 * records whole milliseconds and our reads take less than one.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.baseUrl,
        connections: options.connections,
        pipelining: 1,
        ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.seconds ?? 10 }),
        timeout: 30,
        headers: {
          authorization: `Bearer ${options.token}`,
          'content-type': 'application/scim+json',
          accept: 'application/scim+json',
        },
        requests: [
          {
            setupRequest: (request) => {
              const next = options.next();
              return {
                ...request,
                method: next.method,
                path: next.path,
                ...(next.body !== undefined ? { body: next.body } : {}),
              };
            },
            ...(options.onResponse
              ? {
                  onResponse: (status: number, body: string) => {
                    options.onResponse!(status, body);
                  },
                }
              : {}),
          },
        ],
      },
      (error: unknown, done: autocannon.Result) => {
        if (error) reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }));
        else resolve(done);
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const sorted = Float64Array.from(latencies).sort();
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = stats.count ?? 0;
  }
  return {
    requests: latencies.length,
    seconds,
    requestsPerSecond: latencies.length / seconds,
    latencyMs: {
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      p99: percentile(sorted, 0.99),
      max: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
    },
    errors: result.errors,
    non2xx: result.non2xx + result.mismatches,
    statusCodes,
    clientCpuCores: (cpu.user + cpu.system) / 1000 / (seconds * 1000),
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank]!;
}
