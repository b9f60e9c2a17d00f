import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';
import type { BenchDialect } from './database.js';
import type { LoadResult } from './load.js';
import type { ProfileSummary } from './profile.js';

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly kernel: string;
  /** 1, 5 and 15 minute load averages when the bench started: a busy machine shows here. */
  readonly loadAverage: readonly number[];
  readonly commit: string;
}

export interface PhaseResult extends LoadResult {
  readonly name: PhaseName;
  readonly label: string;
  /** Server CPU (user + system) per request, microseconds; PostgreSQL's own CPU is not included. */
  readonly serverCpuUsPerRequest: number;
  /** Server CPU as a share of one core over the phase. */
  readonly serverCpuCores: number;
}

export type PhaseName = 'create' | 'lookup' | 'get' | 'patch' | 'pages';

export interface WalkResult {
  readonly users: number;
  readonly pageSize: number;
  readonly pages: number;
  readonly seconds: number;
  readonly firstPageMs: number;
  readonly lastPageMs: number;
  readonly medianPageMs: number;
  readonly slowestPageMs: number;
}

export interface MemoryResult {
  readonly beforeSeedingMiB: number;
  readonly afterSeedingMiB: number;
  readonly afterAllMiB: number;
  readonly peakMiB: number;
}

export interface DialectResult {
  readonly dialect: BenchDialect;
  readonly engine: string;
  readonly settings: Record<string, string | number>;
  readonly users: number;
  readonly phases: PhaseResult[];
  /** Every full walk; the report shows the median one. */
  readonly walks: WalkResult[];
  readonly memory?: MemoryResult;
  /** Checks that failed and phases with errors: a bench with any is a failed bench. */
  readonly failures: string[];
  /** What the server logged at warning level or worse. */
  readonly serverProblems: string[];
  readonly profile?: { readonly file: string; readonly summaries: ProfileSummary[] };
}

export interface BenchResults {
  readonly date: string;
  readonly note: string | null;
  readonly ok: boolean;
  readonly machine: Machine;
  readonly options: {
    readonly connections: number;
    readonly seconds: number;
    readonly users: number;
    readonly pageSize: number;
    readonly dialects: readonly BenchDialect[];
  };
  readonly results: DialectResult[];
}

export function describeMachine(root: string): Machine {
  let cpuModel = 'unknown';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match?.[1]) cpuModel = match[1].trim();
  } catch {
    // Not Linux: the model stays unknown.
  }
  return {
    cpus: availableParallelism(),
    cpuModel,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    kernel: release(),
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
    commit: commitOf(root),
  };
}

/** The commit measured, marked `+changes` when the working tree differs from it (read-only git). */
function commitOf(root: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
        cwd: root,
        encoding: 'utf8',
      }).trim() !== '';
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}

/** The tables for docs/benchmarks.md. */
export function markdown(bench: BenchResults): string {
  const { machine, options } = bench;
  const lines: string[] = [];
  lines.push(
    `Measured ${bench.date.slice(0, 10)} on ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ` +
      `Node ${machine.node}, Linux ${machine.kernel}, load average ${machine.loadAverage.join(' / ')} at the start; ` +
      `commit ${machine.commit}. ${options.connections} keep-alive connections, ${options.seconds} s a phase, ` +
      `${number(options.users)} users; the load generator shares the machine's cores with the server` +
      (bench.results.some((r) => r.dialect === 'postgres') ? ' and PostgreSQL' : '') +
      '.',
  );
  if (bench.note) lines.push('', `**${bench.note}**`);
  lines.push(
    '',
    '| Database | Phase | Requests | Req/s | p50 ms | p99 ms | Errors | Server CPU µs/req |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const result of bench.results) {
    for (const phase of result.phases) {
      lines.push(
        `| ${result.engine} | ${phase.label} | ${number(phase.requests)} | ${number(phase.requestsPerSecond)} | ` +
          `${ms(phase.latencyMs.p50)} | ${ms(phase.latencyMs.p99)} | ${phase.errors + phase.non2xx} | ` +
          `${number(phase.serverCpuUsPerRequest)} |`,
      );
    }
  }
  lines.push(
    '',
    '| Database | Full page walk (count=100) | Pages | Seconds | First page ms | Last page ms | Median page ms |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const result of bench.results) {
    const walk = medianWalk(result.walks);
    if (!walk) continue;
    lines.push(
      `| ${result.engine} | ${number(walk.users)} users, median of ${result.walks.length} | ${number(walk.pages)} | ` +
        `${walk.seconds.toFixed(2)} | ${ms(walk.firstPageMs)} | ${ms(walk.lastPageMs)} | ${ms(walk.medianPageMs)} |`,
    );
  }
  lines.push(
    '',
    '| Database | Server RSS before seeding | After seeding | After all phases | Peak |',
    '| --- | ---: | ---: | ---: | ---: |',
  );
  for (const result of bench.results) {
    const memory = result.memory;
    if (!memory) continue;
    lines.push(
      `| ${result.engine} | ${mib(memory.beforeSeedingMiB)} | ${mib(memory.afterSeedingMiB)} | ` +
        `${mib(memory.afterAllMiB)} | ${mib(memory.peakMiB)} |`,
    );
  }
  return lines.join('\n');
}

export function medianWalk(walks: readonly WalkResult[]): WalkResult | undefined {
  const sorted = [...walks].sort((a, b) => a.seconds - b.seconds);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export function number(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return Math.round(value).toLocaleString('en-US');
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

function mib(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(0)} MiB` : '–';
}
