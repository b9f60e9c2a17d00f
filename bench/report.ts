import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release, totalmem } from 'node:os';
import type { BenchDialect } from './database.js';
import { type LoadResult, percentile } from './load.js';
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
  /** crud: the same phase against the ceiling server, run right after Roster's (absent when skipped). */
  readonly ceiling?: CeilingPhaseResult;
  /** crud: Roster's requests per second as a percentage of the ceiling's. */
  readonly shareOfCeilingPercent?: number;
}

/** A phase against the ceiling server (bench/ceiling.ts): a bare HTTP server, measured as Roster is. */
export interface CeilingPhaseResult extends LoadResult {
  /** The ceiling process's CPU (user + system) per request, microseconds. */
  readonly serverCpuUsPerRequest: number;
  readonly serverCpuCores: number;
}

export type PhaseName = 'create' | 'lookup' | 'get' | 'patch' | 'pages' | 'filter';

export interface WalkResult {
  /** By `startIndex`, or by RFC 9865 `cursor`. */
  readonly paging: 'index' | 'cursor';
  /** Distinct expected users the walk returned. */
  readonly users: number;
  /** Resources returned in all, duplicates included. */
  readonly returned: number;
  readonly pageSize: number;
  readonly pages: number;
  readonly seconds: number;
  readonly firstPageMs: number;
  readonly lastPageMs: number;
  /** Median of the first 10 pages, and of the last 10: steadier than single pages on a busy machine. */
  readonly firstPagesMs: number;
  readonly lastPagesMs: number;
  readonly medianPageMs: number;
  readonly slowestPageMs: number;
  /** Server CPU (user + system) per page, milliseconds; PostgreSQL's own CPU is not included. */
  readonly serverCpuMsPerPage: number;
  /** Every expected user came back exactly once, nothing else did, and every page answered 200. */
  readonly ok: boolean;
}

export interface MemoryResult {
  readonly beforeSeedingMiB: number;
  readonly afterSeedingMiB: number;
  readonly afterAllMiB: number;
  readonly peakMiB: number;
}

/** What every scenario reports for one database. */
export interface SessionResult {
  readonly dialect: BenchDialect;
  readonly engine: string;
  readonly settings: Record<string, string | number>;
  readonly users: number;
  readonly phases: PhaseResult[];
  readonly memory?: MemoryResult;
  /** Checks that failed and phases with errors: a bench with any is a failed bench. */
  readonly failures: string[];
  /** What the server logged at warning level or worse. */
  readonly serverProblems: string[];
  readonly profile?: { readonly file: string; readonly summaries: ProfileSummary[] };
}

/** The crud scenario's `POST /Bulk` of many creates. */
export interface BulkResult {
  /** Operations in each request. */
  readonly operations: number;
  /** Requests timed; the figures are their medians. */
  readonly runs: number;
  /** From the first byte sent to the last byte of the BulkResponse. */
  readonly seconds: number;
  /** Server CPU (user + system) per operation, microseconds; PostgreSQL's own CPU is not included. */
  readonly serverCpuUsPerOperation: number;
}

/** The crud scenario on one database. */
export interface DialectResult extends SessionResult {
  /** Every full walk; the report shows the median one. */
  readonly walks: WalkResult[];
  readonly bulk?: BulkResult;
}

/** The query scenario on one database. */
export interface QueryResult extends SessionResult {
  readonly seeding?: SeedingResult;
  /** Full walks by startIndex, then by cursor; the report shows the median of each figure. */
  readonly indexWalks: WalkResult[];
  readonly cursorWalks: WalkResult[];
  /** Users the complex filter matches, as the bench worked them out from what it sent. */
  readonly complexFilterMatches?: number;
}

export interface SeedingResult {
  readonly method: 'direct' | 'api';
  readonly users: number;
  readonly seconds: number;
  /** PostgreSQL only: the ANALYZE run after seeding. */
  readonly analyzeSeconds?: number;
}

export interface BenchResults {
  readonly date: string;
  readonly note: string | null;
  readonly ok: boolean;
  readonly machine: Machine;
  readonly options: {
    readonly scenarios: readonly string[];
    readonly connections: number;
    readonly seconds: number;
    readonly users: number;
    readonly queryUsers: number;
    readonly querySeed: 'direct' | 'api';
    readonly walks: number;
    readonly pageSize: number;
    readonly dialects: readonly BenchDialect[];
    /** The ceiling server the crud phases were compared with, relative to the checkout; null if skipped. */
    readonly ceiling: string | null;
  };
  /** The crud scenario. */
  readonly results: DialectResult[];
  /** The query scenario. */
  readonly query: QueryResult[];
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
    // BENCH_COMMIT names the code when it runs from a tree without git (an export, a tarball).
    commit: process.env.BENCH_COMMIT || commitOf(root),
  };
}

/** The commit measured, marked `+changes` when the working tree differs from it (read-only git). */
function commitOf(root: string): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
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
  const scenarios = [
    ...(bench.results.length > 0 ? [`crud at ${number(options.users)} users`] : []),
    ...(bench.query.length > 0 ? [`query at ${number(options.queryUsers)} users`] : []),
  ];
  lines.push(
    `Measured ${bench.date.slice(0, 10)} on ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ` +
      `Node ${machine.node}, Linux ${machine.kernel}, load average ${machine.loadAverage.join(' / ')} at the start; ` +
      `commit ${machine.commit}. ${options.connections} keep-alive connections, ${options.seconds} s a phase; ` +
      `${scenarios.join(', ')}; the load generator shares the machine's cores with the server` +
      ([...bench.results, ...bench.query].some((r) => r.dialect === 'postgres') ? ' and PostgreSQL' : '') +
      '.',
  );
  if (options.ceiling && bench.results.some((result) => result.phases.some((phase) => phase.ceiling))) {
    lines.push(
      '',
      `Share of ceiling: Roster's requests per second as a percentage of a bare \`node:http\` server's ` +
        `(\`${options.ceiling}\`, fixed answers, no work) in the same phase, run right after Roster's ` +
        'with the same connections and length.',
    );
  }
  if (bench.note) lines.push('', `**${bench.note}**`);
  if (bench.results.length > 0) crudTables(bench.results, lines);
  if (bench.query.length > 0) queryTables(bench.query, options, lines);
  return lines.join('\n');
}

function crudTables(results: readonly DialectResult[], lines: string[]): void {
  phaseTable(results, lines);
  lines.push(
    '',
    '| Database | Full page walk (count=100) | Pages | Seconds | First page ms | Last page ms | Median page ms |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const result of results) {
    const walk = medianWalk(result.walks);
    if (!walk) continue;
    lines.push(
      `| ${result.engine} | ${number(walk.users)} users, median of ${result.walks.length} | ${number(walk.pages)} | ` +
        `${walk.seconds.toFixed(2)} | ${ms(walk.firstPageMs)} | ${ms(walk.lastPageMs)} | ${ms(walk.medianPageMs)} |`,
    );
  }
  lines.push(
    '',
    '| Database | POST /Bulk | Seconds | Operations/s | Server CPU µs/operation |',
    '| --- | --- | ---: | ---: | ---: |',
  );
  for (const result of results) {
    const bulk = result.bulk;
    if (!bulk) continue;
    lines.push(
      `| ${result.engine} | ${number(bulk.operations)} creates, median of ${bulk.runs} | ${bulk.seconds.toFixed(2)} | ` +
        `${number(bulk.operations / bulk.seconds)} | ${number(bulk.serverCpuUsPerOperation)} |`,
    );
  }
  memoryTable(results, 'After all phases', lines);
}

function queryTables(
  results: readonly QueryResult[],
  options: BenchResults['options'],
  lines: string[],
): void {
  lines.push(
    '',
    `Query scenario: ${number(options.queryUsers)} users in one site.`,
    '',
    '| Database | Seeding | Users | Seconds | Users/s | ANALYZE s |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  );
  for (const result of results) {
    const seeding = result.seeding;
    if (!seeding) continue;
    lines.push(
      `| ${result.engine} | ${seeding.method === 'direct' ? 'direct (directory service, batched)' : 'POST /Users'} | ` +
        `${number(seeding.users)} | ${seeding.seconds.toFixed(1)} | ${number(seeding.users / seeding.seconds)} | ` +
        `${seeding.analyzeSeconds !== undefined ? seeding.analyzeSeconds.toFixed(1) : '–'} |`,
    );
  }
  phaseTable(results, lines);
  lines.push(
    '',
    '| Database | Full walk (count=100) | Pages | Seconds | First page ms | Last page ms | First 10 ms | Last 10 ms | Median page ms | Slowest page ms | Server CPU ms/page |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const result of results) {
    for (const [kind, walks] of [
      ['startIndex', result.indexWalks],
      ['cursor', result.cursorWalks],
    ] as const) {
      const walk = medianOfWalks(walks);
      if (!walk) continue;
      lines.push(
        `| ${result.engine} | ${kind}, median of ${walks.length} | ${number(walk.pages)} | ${walk.seconds.toFixed(2)} | ` +
          `${ms(walk.firstPageMs)} | ${ms(walk.lastPageMs)} | ${ms(walk.firstPagesMs)} | ${ms(walk.lastPagesMs)} | ` +
          `${ms(walk.medianPageMs)} | ${ms(walk.slowestPageMs)} | ${ms(walk.serverCpuMsPerPage)} |`,
      );
    }
  }
  memoryTable(results, 'After query phases', lines);
}

/** With the ceiling's columns when any phase was compared with it (the crud scenario). */
function phaseTable(results: readonly SessionResult[], lines: string[]): void {
  const ceiling = results.some((result) => result.phases.some((phase) => phase.ceiling));
  lines.push(
    '',
    '| Database | Phase | Requests | Req/s | p50 ms | p99 ms | Errors | Server CPU µs/req |' +
      (ceiling ? ' Ceiling req/s | Ceiling CPU µs/req | Share of ceiling |' : ''),
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |' + (ceiling ? ' ---: | ---: | ---: |' : ''),
  );
  for (const result of results) {
    for (const phase of result.phases) {
      lines.push(
        `| ${result.engine} | ${phase.label} | ${number(phase.requests)} | ${number(phase.requestsPerSecond)} | ` +
          `${ms(phase.latencyMs.p50)} | ${ms(phase.latencyMs.p99)} | ${phase.errors + phase.non2xx} | ` +
          `${number(phase.serverCpuUsPerRequest)} |` +
          (ceiling
            ? ` ${phase.ceiling ? number(phase.ceiling.requestsPerSecond) : '–'} | ` +
              `${phase.ceiling ? number(phase.ceiling.serverCpuUsPerRequest) : '–'} | ` +
              `${percent(phase.shareOfCeilingPercent ?? Number.NaN)} |`
            : ''),
      );
    }
  }
}

function memoryTable(results: readonly SessionResult[], after: string, lines: string[]): void {
  lines.push(
    '',
    `| Database | Server RSS before seeding | After seeding | ${after} | Peak |`,
    '| --- | ---: | ---: | ---: | ---: |',
  );
  for (const result of results) {
    const memory = result.memory;
    if (!memory) continue;
    lines.push(
      `| ${result.engine} | ${mib(memory.beforeSeedingMiB)} | ${mib(memory.afterSeedingMiB)} | ` +
        `${mib(memory.afterAllMiB)} | ${mib(memory.peakMiB)} |`,
    );
  }
}

/** Each figure the median over the walks (pages and users are the same in every walk that worked). */
export function medianOfWalks(walks: readonly WalkResult[]): WalkResult | undefined {
  const first = walks[0];
  if (!first) return undefined;
  const median = (pick: (walk: WalkResult) => number): number =>
    percentile(Float64Array.from(walks, pick).sort(), 0.5);
  return {
    ...first,
    pages: median((walk) => walk.pages),
    seconds: median((walk) => walk.seconds),
    firstPageMs: median((walk) => walk.firstPageMs),
    lastPageMs: median((walk) => walk.lastPageMs),
    firstPagesMs: median((walk) => walk.firstPagesMs),
    lastPagesMs: median((walk) => walk.lastPagesMs),
    medianPageMs: median((walk) => walk.medianPageMs),
    slowestPageMs: median((walk) => walk.slowestPageMs),
    serverCpuMsPerPage: median((walk) => walk.serverCpuMsPerPage),
    ok: walks.every((walk) => walk.ok),
  };
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

/** Whole percent, one decimal under 10%. */
export function percent(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)}%`;
}

function mib(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(0)} MiB` : '–';
}
