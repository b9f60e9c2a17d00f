import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type BenchRequest, runLoad } from './load.js';
import type { CeilingPhaseResult } from './report.js';
import { forEachLine, sampleProcess, stopProcess } from './server.js';

/**
 * The ceiling server: a bare `node:http` server that answers every SCIM request with a fixed body
 * and does no other work (see ../shared/bench/README.md). Run against it in the same run, its
 * requests per second are what this machine's Node HTTP stack and load generator can do at most,
 * so Roster's share of it can be compared from run to run and machine to machine where absolute
 * figures cannot.
 */
export const DEFAULT_CEILING = '../shared/bench/ceiling-server.mjs';

/** Where the ceiling server is, or why the comparison is skipped. */
export type CeilingLocation = { readonly path: string } | { readonly skipped: string };

/**
 * BENCH_CEILING: `off` skips the comparison; a path (relative to the checkout root, as the
 * default is) names the server; unset, the default beside the checkout. A missing file skips the
 * comparison rather than failing the bench: a fresh clone has no ../shared.
 */
export function locateCeiling(
  root: string,
  setting: string | undefined,
  exists: (path: string) => boolean = existsSync,
): CeilingLocation {
  const wanted = (setting ?? '').trim();
  if (wanted.toLowerCase() === 'off') return { skipped: 'BENCH_CEILING=off' };
  const path = resolve(root, wanted || DEFAULT_CEILING);
  if (!exists(path)) {
    const named = wanted ? `BENCH_CEILING names ${path}` : `the default ${DEFAULT_CEILING} is ${path}`;
    return { skipped: `${named}, which does not exist (set BENCH_CEILING to its path, or to off)` };
  }
  return { path };
}

/** Roster's requests per second as a percentage of the ceiling's in the same phase. */
export function shareOfCeiling(rosterPerSecond: number, ceilingPerSecond: number): number {
  return ceilingPerSecond > 0 ? (rosterPerSecond / ceilingPerSecond) * 100 : Number.NaN;
}

export interface CeilingLoad {
  readonly token: string;
  readonly connections: number;
  readonly seconds: number;
  readonly next: () => BenchRequest;
}

/** The ceiling server as a child process on a free port, measured as BenchServer is. */
export class CeilingServer {
  private constructor(
    private readonly child: ChildProcess,
    /** Origin only: the bench's paths carry /scim/v2 themselves. */
    readonly baseUrl: string,
    private readonly exited: Promise<number | null>,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  /** `total` is the `totalResults` its pages claim: the crud scenario's number of users. */
  static async start(path: string, total: number): Promise<CeilingServer> {
    const child = spawn(process.execPath, [path, '--port', '0', '--total', String(total)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => {
        resolve(code);
      });
    });
    const output: string[] = [];
    let onBanner: (address: string) => void = () => undefined;
    const onLine = (line: string): void => {
      if (output.length < 50) output.push(line);
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match?.[1]) onBanner(new URL(match[1]).origin);
    };
    forEachLine(child.stdout, onLine);
    forEachLine(child.stderr, onLine);
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`it printed no URL within 10 s: ${output.join(' / ')}`));
      }, 10_000);
      onBanner = (found) => {
        clearTimeout(timer);
        resolve(found);
      };
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`it exited with code ${code} before listening: ${output.join(' / ')}`));
      });
    });
    return new CeilingServer(child, address, exited);
  }

  /**
   * One phase, with the connections and length of Roster's, and server CPU read from /proc as for
   * Roster. Its answers are fixed, so nothing is checked. Unlike Roster it answers each request
   * at once, so nothing is left running when the load ends and no wait for idle is needed.
   */
  async measure(load: CeilingLoad): Promise<CeilingPhaseResult> {
    const cpuBefore = sampleProcess(this.pid).cpuMs;
    const result = await runLoad({ baseUrl: this.baseUrl, ...load });
    const cpuMs = sampleProcess(this.pid).cpuMs - cpuBefore;
    return {
      ...result,
      serverCpuUsPerRequest: result.requests > 0 ? (cpuMs * 1000) / result.requests : Number.NaN,
      serverCpuCores: cpuMs / (result.seconds * 1000),
    };
  }

  stop(): Promise<number | null> {
    return stopProcess(this.child, this.exited);
  }
}
