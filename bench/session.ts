import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  type BenchDatabase,
  type BenchDialect,
  createPostgresDatabase,
  createSqliteDatabase,
} from './database.js';
import { type CeilingServer, shareOfCeiling } from './ceiling.js';
import { type BenchRequest, type LoadOptions, type LoadResult, runLoad } from './load.js';
import { monotonicMicros, type ProfileSummary, summarizeProfile, type TimeWindow } from './profile.js';
import { ms, number, percent, type PhaseName, type PhaseResult } from './report.js';
import { BenchServer, createToken, type IssuedToken } from './server.js';
import type { Settings } from './settings.js';

/** One request at a time; `ms` is the time until the whole body arrived (before parsing it). */
export type Scim = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: unknown; ms: number }>;

/** A fresh database and a server on it, for one scenario on one dialect. */
export interface Session {
  readonly dialect: BenchDialect;
  readonly database: BenchDatabase;
  readonly server: BenchServer;
  readonly token: IssuedToken;
  readonly scim: Scim;
  readonly settings: Settings;
  /** Checks that failed and phases with errors: a bench with any is a failed bench. */
  readonly failures: string[];
  /**
   * Runs a load phase with BENCH_CONNECTIONS connections, logs it and records it; with `compare`,
   * then runs the same phase against the ceiling server and records it beside Roster's.
   */
  measure(
    name: PhaseName,
    label: string,
    load: Omit<LoadOptions, 'baseUrl' | 'token' | 'connections'>,
    compare?: CeilingComparison,
  ): Promise<PhaseResult>;
  /** Runs `work` as a named window of the CPU profile. */
  window<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** Records a failure unless `test` resolves to true. */
  check(name: string, test: () => Promise<boolean>): Promise<void>;
}

/** The same phase against the ceiling server; its requests are built apart, as its answers mean nothing. */
export interface CeilingComparison {
  readonly ceiling: CeilingServer;
  readonly next: () => BenchRequest;
}

export interface SessionOutcome<T> {
  readonly engine: string;
  /** Server settings that shape the figures, as passed through from the environment. */
  readonly settings: Record<string, string | number>;
  readonly phases: PhaseResult[];
  readonly failures: string[];
  /** What the server logged at warning level or worse. */
  readonly serverProblems: string[];
  readonly profile?: { readonly file: string; readonly summaries: ProfileSummary[] };
  /** What the scenario returned; absent when it stopped on an error. */
  readonly data?: T;
}

/** Undo work (stop the server, drop the database) in reverse order, also on Ctrl-C. */
export const cleanups: (() => Promise<unknown>)[] = [];

/**
 * Creates a database of its own, starts the real server on it with a SCIM token, runs the
 * scenario, then stops the server, drops the database and (with BENCH_CPU_PROF) summarises the
 * server's CPU profile by the scenario's windows.
 */
export async function runSession<T>(
  dialect: BenchDialect,
  settings: Settings,
  scenario: (session: Session) => Promise<T>,
): Promise<SessionOutcome<T>> {
  const failures: string[] = [];
  const phases: PhaseResult[] = [];
  const windows: TimeWindow[] = [];
  let database: BenchDatabase;
  try {
    database =
      dialect === 'sqlite' ? createSqliteDatabase() : await createPostgresDatabase(settings.postgresUrl);
  } catch (error) {
    const message = `could not create the ${dialect} database: ${errorText(error)}`;
    log(message);
    return { engine: dialect, settings: {}, phases, failures: [message], serverProblems: [] };
  }
  cleanups.push(() => database.drop());
  log(`Database: ${database.engine} (${database.url})`);
  const serverSettings: Record<string, string | number> =
    dialect === 'sqlite'
      ? { ROSTER_SQLITE_SYNCHRONOUS: (process.env.ROSTER_SQLITE_SYNCHRONOUS || 'NORMAL').toUpperCase() }
      : { ROSTER_PG_POOL_SIZE: Number(process.env.ROSTER_PG_POOL_SIZE || 10) };

  const profileDir = join(settings.root, 'bench/profiles');
  const profilesBefore = settings.cpuProfile ? listProfiles(profileDir) : new Set<string>();
  let server: BenchServer | undefined;
  let data: T | undefined;
  let serverProblems: string[] = [];
  try {
    if (settings.cpuProfile) mkdirSync(profileDir, { recursive: true });
    server = await BenchServer.start({
      root: settings.root,
      databaseUrl: database.url,
      logLevel: 'warn',
      ...(settings.cpuProfile ? { cpuProfileDir: profileDir } : {}),
    });
    const running = server;
    cleanups.push(() => running.stop());
    const token = await createToken(settings.root, database.url);
    const scim = scimClient(server.baseUrl, token.token);
    log(`Server: pid ${server.pid} at ${server.baseUrl}`);
    const config = await scim('GET', '/ServiceProviderConfig');
    if (config.status !== 200) throw new Error(`GET /ServiceProviderConfig answered ${config.status}`);

    const session: Session = {
      dialect,
      database,
      server: running,
      token,
      scim,
      settings,
      failures,
      measure: async (name, label, load, compare) => {
        const cpuBefore = running.sample().cpuMs;
        const startUs = monotonicMicros();
        const result = await runLoad({
          baseUrl: running.baseUrl,
          token: token.token,
          connections: settings.connections,
          ...load,
        });
        windows.push({ name: label, startUs, endUs: monotonicMicros() });
        const cpuMs = running.sample().cpuMs - cpuBefore;
        const phase: PhaseResult = {
          name,
          label,
          ...result,
          serverCpuUsPerRequest: result.requests > 0 ? (cpuMs * 1000) / result.requests : Number.NaN,
          serverCpuCores: cpuMs / (result.seconds * 1000),
        };
        log(phaseLine(label, phase));
        const backlog = await waitUntilIdle(running, database);
        if (backlog > 0.5)
          log(
            `  the server was still busy ${backlog.toFixed(1)} s after the phase, with requests the load generator had given up on`,
          );
        if (phase.errors + phase.non2xx > 0) {
          failures.push(
            `${label}: ${phase.errors} connection errors, ${phase.non2xx} non-2xx responses ` +
              `(status codes ${JSON.stringify(phase.statusCodes)})`,
          );
        }
        if (!compare) {
          phases.push(phase);
          return phase;
        }
        // As long as Roster's phase: the same seconds for timed phases, Roster's time for counted
        // ones (the create), in whole seconds as autocannon only stops on its once-a-second tick.
        const ceiling = await compare.ceiling.measure({
          token: token.token,
          connections: settings.connections,
          seconds: load.seconds ?? Math.max(1, Math.round(phase.seconds)),
          next: compare.next,
        });
        const share = shareOfCeiling(phase.requestsPerSecond, ceiling.requestsPerSecond);
        log(`${phaseLine('  ceiling', ceiling)}; Roster ${percent(share)} of it`);
        // Not failures: the ceiling's figures only scale Roster's, but they mean little with errors.
        if (ceiling.errors + ceiling.non2xx > 0) log('  the ceiling had errors: its figures are doubtful');
        const compared: PhaseResult = { ...phase, ceiling, shareOfCeilingPercent: share };
        phases.push(compared);
        return compared;
      },
      window: async (name, work) => {
        const startUs = monotonicMicros();
        try {
          return await work();
        } finally {
          windows.push({ name, startUs, endUs: monotonicMicros() });
        }
      },
      check: async (name, test) => {
        try {
          if (!(await test())) failures.push(`check failed: ${name}`);
        } catch (error) {
          failures.push(`check failed: ${name}: ${errorText(error)}`);
        }
      },
    };
    data = await scenario(session);
  } catch (error) {
    failures.push(errorText(error));
    log(`ERROR: ${errorText(error)}`);
  } finally {
    if (server) {
      serverProblems = server.problems();
      const code = await server.stop();
      cleanups.pop();
      if (code !== 0) failures.push(`the server exited with code ${code}`);
      for (const line of serverProblems.slice(0, 10)) log(`server: ${line}`);
      if (serverProblems.length > 0)
        failures.push(`the server logged ${serverProblems.length} warnings or errors`);
    }
    await database.drop().catch((error: unknown) => {
      log(`could not drop the ${dialect} database: ${errorText(error)}`);
    });
    cleanups.pop();
  }

  let profile: SessionOutcome<T>['profile'];
  if (settings.cpuProfile) {
    const file = [...listProfiles(profileDir)].find((name) => !profilesBefore.has(name));
    if (file) {
      const path = join(profileDir, file);
      const summaries = summarizeProfile(path, windows);
      profile = { file: relative(settings.root, path), summaries };
      printProfile(profile.file, summaries);
    } else {
      log('No CPU profile was written.');
    }
  }

  return {
    engine: database.engine,
    settings: serverSettings,
    phases,
    failures,
    serverProblems,
    ...(profile ? { profile } : {}),
    ...(data !== undefined ? { data } : {}),
  };
}

/**
 * When a timed phase ends, autocannon closes its connections, but the server goes on with the
 * requests it had started; slow ones would run into the next phase. This waits until the server
 * uses under a tenth of a core and the database runs none of its statements, and says how long
 * that took (seconds).
 */
async function waitUntilIdle(server: BenchServer, database: BenchDatabase): Promise<number> {
  const started = performance.now();
  const interval = 200;
  while (performance.now() - started < 120_000) {
    const before = server.sample().cpuMs;
    await sleep(interval);
    const used = server.sample().cpuMs - before;
    if (used < interval / 10 && !(await database.busy())) break;
  }
  return (performance.now() - started - interval) / 1000;
}

/** One request at a time, for checks and walks (fetch keeps its connection alive). */
function scimClient(baseUrl: string, token: string): Scim {
  return async (method, path, body) => {
    const started = performance.now();
    const response = await fetch(`${baseUrl}/scim/v2${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/scim+json',
        ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    const elapsed = performance.now() - started;
    return {
      status: response.status,
      body: text === '' ? undefined : (JSON.parse(text) as unknown),
      ms: elapsed,
    };
  };
}

/** One phase's figures on one line, as each phase ends. */
function phaseLine(
  label: string,
  phase: LoadResult & { readonly serverCpuUsPerRequest: number; readonly serverCpuCores: number },
): string {
  return (
    `${label.padEnd(30)} ${number(phase.requests).padStart(8)} req ${number(phase.requestsPerSecond).padStart(7)} req/s` +
    `  p50 ${ms(phase.latencyMs.p50).padStart(6)} ms  p99 ${ms(phase.latencyMs.p99).padStart(6)} ms` +
    `  errors ${phase.errors + phase.non2xx}  server CPU ${number(phase.serverCpuUsPerRequest)} µs/req` +
    ` (${phase.serverCpuCores.toFixed(2)} cores), client ${phase.clientCpuCores.toFixed(2)} cores`
  );
}

function printProfile(file: string, summaries: ProfileSummary[]): void {
  log(`CPU profile: ${file}`);
  for (const summary of summaries) {
    log(`  ${summary.window}: ${number(summary.busyMs)} ms busy, ${number(summary.idleMs)} ms idle`);
    log(
      `    by area: ${summary.areas
        .slice(0, 8)
        .map((area) => `${area.name} ${(area.share * 100).toFixed(0)}%`)
        .join(', ')}`,
    );
    for (const fn of summary.functions.slice(0, 8)) {
      log(`    ${(fn.share * 100).toFixed(1).padStart(5)}%  ${fn.name}`);
    }
  }
}

function listProfiles(dir: string): Set<string> {
  if (!existsSync(dir)) return new Set();
  return new Set(readdirSync(dir).filter((name) => name.endsWith('.cpuprofile')));
}

export function sleep(msToWait: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, msToWait));
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function log(line: string): void {
  process.stdout.write(`${line}\n`);
}
