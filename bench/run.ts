/**
 * `npm run bench`: runs the real server as a child process against a fresh SQLite file and a fresh
 * PostgreSQL database, drives it the way identity providers do (create, userName lookups, gets,
 * PATCHes, paging) with autocannon, and reports requests per second, latency percentiles, errors,
 * server CPU and server memory. docs/benchmarks.md explains the phases and how to read the figures.
 *
 * Settings (environment): BENCH_SECONDS (10), BENCH_USERS (10000), BENCH_DIALECTS (sqlite,postgres),
 * BENCH_CONNECTIONS (16), BENCH_WALKS (3), BENCH_CPU_PROF (1 to profile the server),
 * BENCH_POSTGRES_URL (else ROSTER_TEST_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/test),
 * BENCH_NOTE (a line printed above the tables). ROSTER_SQLITE_SYNCHRONOUS and ROSTER_PG_POOL_SIZE
 * pass through to the server.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { format, resolveConfig } from 'prettier';
import {
  type BenchDatabase,
  type BenchDialect,
  createPostgresDatabase,
  createSqliteDatabase,
  DEFAULT_POSTGRES_URL,
} from './database.js';
import { type BenchRequest, percentile, runLoad } from './load.js';
import { monotonicMicros, summarizeProfile, type TimeWindow } from './profile.js';
import {
  type BenchResults,
  type DialectResult,
  describeMachine,
  markdown,
  medianWalk,
  ms,
  number,
  type PhaseName,
  type PhaseResult,
  type WalkResult,
} from './report.js';
import { BenchServer, createToken } from './server.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const PAGE_SIZE = 100;

interface Settings {
  readonly root: string;
  readonly seconds: number;
  readonly users: number;
  readonly connections: number;
  readonly walks: number;
  readonly dialects: readonly BenchDialect[];
  readonly cpuProfile: boolean;
  readonly postgresUrl: string;
  readonly note: string | null;
}

interface User {
  readonly id: string;
  readonly userName: string;
}

/** Undo work (stop the server, drop the database) in reverse order, also on Ctrl-C. */
const cleanups: (() => Promise<unknown>)[] = [];

async function main(): Promise<number> {
  const settings = readSettings(process.env);
  const machine = describeMachine(settings.root);
  const date = new Date().toISOString();
  log(`Roster bench, ${date}`);
  log(
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
      `Linux ${machine.kernel}, load average ${machine.loadAverage.join(' / ')}, commit ${machine.commit}`,
  );
  log(
    `Settings: ${settings.dialects.join(', ')}; ${number(settings.users)} users; ${settings.seconds} s a phase; ` +
      `${settings.connections} connections${settings.cpuProfile ? '; CPU profile on' : ''}`,
  );

  const results: DialectResult[] = [];
  for (const dialect of settings.dialects) {
    results.push(await benchDialect(dialect, settings));
  }

  const bench: BenchResults = {
    date,
    note: settings.note,
    ok: results.every((result) => result.failures.length === 0),
    machine,
    options: {
      connections: settings.connections,
      seconds: settings.seconds,
      users: settings.users,
      pageSize: PAGE_SIZE,
      dialects: settings.dialects,
    },
    results,
  };
  const table = (await format(markdown(bench), { parser: 'markdown', proseWrap: 'preserve' })).trimEnd();
  const output = join(settings.root, 'bench/results/latest.json');
  mkdirSync(dirname(output), { recursive: true });
  // Three decimals are plenty for milliseconds and rates, and keep the file readable.
  const json = JSON.stringify(
    bench,
    (_key, value: unknown) =>
      typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 1000) / 1000 : value,
    2,
  );
  const prettierConfig = await resolveConfig(output);
  writeFileSync(output, await format(json, { ...prettierConfig, filepath: output }));

  log('');
  log('## Results (Markdown, for docs/benchmarks.md)');
  log('');
  log(table);
  log('');
  log(`Raw results: ${relative(process.cwd(), output) || output}`);
  for (const result of results) {
    if (result.dialect === 'sqlite') reportTargets(result);
  }
  for (const result of results) {
    for (const failure of result.failures) log(`FAILED (${result.engine}): ${failure}`);
  }
  if (!bench.ok) log('The bench FAILED: figures from a run with errors are not valid.');
  return bench.ok ? 0 : 1;
}

async function benchDialect(dialect: BenchDialect, settings: Settings): Promise<DialectResult> {
  log('');
  log(`# ${dialect}`);
  const failures: string[] = [];
  const phases: PhaseResult[] = [];
  const walks: WalkResult[] = [];
  const windows: TimeWindow[] = [];
  let database: BenchDatabase;
  try {
    database =
      dialect === 'sqlite' ? createSqliteDatabase() : await createPostgresDatabase(settings.postgresUrl);
  } catch (error) {
    const message = `could not create the ${dialect} database: ${errorText(error)}`;
    log(message);
    return {
      dialect,
      engine: dialect,
      settings: {},
      users: 0,
      phases,
      walks,
      failures: [message],
      serverProblems: [],
    };
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
  let memory: DialectResult['memory'];
  let profile: DialectResult['profile'];
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
    const scim = scimClient(server.baseUrl, token);
    log(`Server: pid ${server.pid} at ${server.baseUrl}`);
    const config = await scim('GET', '/ServiceProviderConfig');
    if (config.status !== 200) throw new Error(`GET /ServiceProviderConfig answered ${config.status}`);
    await sleep(500);
    const beforeSeeding = server.sample();
    log(`RSS before seeding: ${beforeSeeding.rssMiB.toFixed(1)} MiB`);

    const measure = async (
      name: PhaseName,
      label: string,
      load: Omit<Parameters<typeof runLoad>[0], 'baseUrl' | 'token' | 'connections'>,
    ): Promise<PhaseResult> => {
      const cpuBefore = running.sample().cpuMs;
      const startUs = monotonicMicros();
      const result = await runLoad({
        baseUrl: running.baseUrl,
        token,
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
      phases.push(phase);
      log(
        `${label.padEnd(30)} ${number(phase.requests).padStart(8)} req ${number(phase.requestsPerSecond).padStart(7)} req/s` +
          `  p50 ${ms(phase.latencyMs.p50).padStart(6)} ms  p99 ${ms(phase.latencyMs.p99).padStart(6)} ms` +
          `  errors ${phase.errors + phase.non2xx}  server CPU ${number(phase.serverCpuUsPerRequest)} µs/req` +
          ` (${phase.serverCpuCores.toFixed(2)} cores), client ${phase.clientCpuCores.toFixed(2)} cores`,
      );
      if (phase.errors + phase.non2xx > 0) {
        failures.push(
          `${label}: ${phase.errors} connection errors, ${phase.non2xx} non-2xx responses ` +
            `(status codes ${JSON.stringify(phase.statusCodes)})`,
        );
      }
      return phase;
    };

    // Create: seeds the directory, one unique user per request, until `users` exist.
    const users: User[] = [];
    const rejected: string[] = [];
    let sequence = 0;
    await measure('create', `POST /Users (seed ${number(settings.users)})`, {
      amount: settings.users,
      next: () => ({ method: 'POST', path: '/scim/v2/Users', body: newUserBody(++sequence) }),
      onResponse: (status, body) => {
        if (status === 201) {
          const created = JSON.parse(body) as { id: string; userName: string };
          users.push({ id: created.id, userName: created.userName });
        } else if (rejected.length < 5) {
          rejected.push(`${status} ${body.slice(0, 300)}`);
        }
      },
    });
    for (const body of rejected) log(`  rejected create: ${body}`);
    const listed = await scim('GET', '/Users?count=0');
    const total = (listed.body as { totalResults?: number }).totalResults;
    if (total !== settings.users || users.length !== settings.users) {
      failures.push(
        `after seeding, the server lists ${total} users and ${users.length} creates succeeded; expected ${settings.users}`,
      );
    }
    if (users.length === 0) throw new Error('no user was created');
    await sleep(500);
    const afterSeeding = server.sample();
    log(`RSS after seeding: ${afterSeeding.rssMiB.toFixed(1)} MiB`);

    const pick = (): User => users[Math.floor(Math.random() * users.length)]!;

    // Lookup by userName: what an identity provider sends before creating or linking a user.
    await check(failures, 'userName lookup', async () => {
      const user = pick();
      const found = await scim('GET', lookupQuery(user.userName));
      const body = found.body as { totalResults?: number; Resources?: { id?: string }[] };
      return found.status === 200 && body.totalResults === 1 && body.Resources?.[0]?.id === user.id;
    });
    await measure('lookup', 'GET /Users?filter=userName eq', {
      seconds: settings.seconds,
      next: () => ({ method: 'GET', path: `/scim/v2${lookupQuery(pick().userName)}` }),
    });

    // Get by id.
    await check(failures, 'get by id', async () => {
      const user = pick();
      const found = await scim('GET', `/Users/${user.id}`);
      return found.status === 200 && (found.body as { userName?: string }).userName === user.userName;
    });
    await measure('get', 'GET /Users/{id}', {
      seconds: settings.seconds,
      next: () => ({ method: 'GET', path: `/scim/v2/Users/${pick().id}` }),
    });

    // PATCH: path-less replaces, as Entra ID sends them: a new givenName, or `active` toggled.
    const active = new Map<string, boolean>();
    let patchSequence = 0;
    await measure('patch', 'PATCH /Users/{id}', {
      seconds: settings.seconds,
      next: (): BenchRequest => {
        const user = pick();
        patchSequence++;
        let value: Record<string, unknown>;
        if (patchSequence % 2 === 0) {
          value = { 'name.givenName': `Given ${patchSequence}` };
        } else {
          const next = !(active.get(user.id) ?? true);
          active.set(user.id, next);
          value = { active: next };
        }
        return {
          method: 'PATCH',
          path: `/scim/v2/Users/${user.id}`,
          body: JSON.stringify({ schemas: [PATCH_SCHEMA], Operations: [{ op: 'replace', value }] }),
        };
      },
    });
    await check(failures, 'PATCH applied', async () => {
      const user = pick();
      const patched = await scim('PATCH', `/Users/${user.id}`, {
        schemas: [PATCH_SCHEMA],
        Operations: [{ op: 'replace', value: { 'name.givenName': 'Checked' } }],
      });
      const read = await scim('GET', `/Users/${user.id}`);
      const givenName = (read.body as { name?: { givenName?: string } }).name?.givenName;
      return patched.status === 200 && read.status === 200 && givenName === 'Checked';
    });

    // Paging: full walks by startIndex, one request at a time as a provisioning import does.
    for (let i = 0; i < settings.walks; i++) {
      const startUs = monotonicMicros();
      const walk = await walkAllPages(scim, users.length);
      windows.push({ name: `page walk ${i + 1}`, startUs, endUs: monotonicMicros() });
      walks.push(walk.result);
      log(
        `Page walk ${i + 1}: ${number(walk.result.pages)} pages in ${walk.result.seconds.toFixed(2)} s, ` +
          `first page ${ms(walk.result.firstPageMs)} ms, last page ${ms(walk.result.lastPageMs)} ms, ` +
          `median ${ms(walk.result.medianPageMs)} ms, slowest ${ms(walk.result.slowestPageMs)} ms`,
      );
      if (walk.problem) failures.push(`page walk ${i + 1}: ${walk.problem}`);
    }
    const pageCount = Math.ceil(users.length / PAGE_SIZE);
    await measure('pages', `GET /Users random page (count=${PAGE_SIZE})`, {
      seconds: settings.seconds,
      next: () => ({
        method: 'GET',
        path: `/scim/v2/Users?startIndex=${Math.floor(Math.random() * pageCount) * PAGE_SIZE + 1}&count=${PAGE_SIZE}`,
      }),
    });

    await sleep(500);
    const afterAll = server.sample();
    log(`RSS after all phases: ${afterAll.rssMiB.toFixed(1)} MiB (peak ${afterAll.hwmMiB.toFixed(1)} MiB)`);
    memory = {
      beforeSeedingMiB: beforeSeeding.rssMiB,
      afterSeedingMiB: afterSeeding.rssMiB,
      afterAllMiB: afterAll.rssMiB,
      peakMiB: afterAll.hwmMiB,
    };
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
    dialect,
    engine: database.engine,
    settings: serverSettings,
    users: settings.users,
    phases,
    walks,
    ...(memory ? { memory } : {}),
    failures,
    serverProblems,
    ...(profile ? { profile } : {}),
  };
}

type Scim = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown }>;

/** One request at a time, for checks and walks (fetch keeps its connection alive). */
function scimClient(baseUrl: string, token: string): Scim {
  return async (method, path, body) => {
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
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
}

/** Every page with count=100 by startIndex; every user must come back exactly once. */
async function walkAllPages(scim: Scim, expected: number): Promise<{ result: WalkResult; problem?: string }> {
  const seen = new Set<string>();
  const pageMs: number[] = [];
  let problem: string | undefined;
  const started = performance.now();
  for (let startIndex = 1; ; startIndex += PAGE_SIZE) {
    const before = performance.now();
    const page = await scim('GET', `/Users?startIndex=${startIndex}&count=${PAGE_SIZE}`);
    pageMs.push(performance.now() - before);
    const body = page.body as { totalResults?: number; Resources?: { id: string }[] };
    if (page.status !== 200) {
      problem = `page at startIndex ${startIndex} answered ${page.status}`;
      break;
    }
    for (const resource of body.Resources ?? []) seen.add(resource.id);
    if (startIndex + PAGE_SIZE > (body.totalResults ?? 0)) break;
  }
  const seconds = (performance.now() - started) / 1000;
  if (!problem && seen.size !== expected)
    problem = `the walk returned ${seen.size} distinct users, expected ${expected}`;
  const sorted = Float64Array.from(pageMs).sort();
  return {
    result: {
      users: seen.size,
      pageSize: PAGE_SIZE,
      pages: pageMs.length,
      seconds,
      firstPageMs: pageMs[0] ?? Number.NaN,
      lastPageMs: pageMs[pageMs.length - 1] ?? Number.NaN,
      medianPageMs: percentile(sorted, 0.5),
      slowestPageMs: sorted[sorted.length - 1] ?? Number.NaN,
    },
    ...(problem ? { problem } : {}),
  };
}

/** A user as Okta provisions one: core attributes, a work email and the enterprise extension. */
function newUserBody(n: number): string {
  const userName = `bench.user${n}@example.com`;
  return JSON.stringify({
    schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
    userName,
    externalId: `00u${n.toString(36).padStart(8, '0')}`,
    name: { givenName: `Given${n}`, familyName: `Family${n}` },
    displayName: `Given${n} Family${n}`,
    emails: [{ value: userName, type: 'work', primary: true }],
    title: 'Engineer',
    timezone: 'Europe/London',
    active: true,
    [ENTERPRISE_SCHEMA]: { department: 'Research', employeeNumber: String(n) },
  });
}

/** The lookup an identity provider makes before it creates or links a user (relative to /scim/v2). */
function lookupQuery(userName: string): string {
  return `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`;
}

async function check(failures: string[], name: string, test: () => Promise<boolean>): Promise<void> {
  try {
    if (!(await test())) failures.push(`check failed: ${name}`);
  } catch (error) {
    failures.push(`check failed: ${name}: ${errorText(error)}`);
  }
}

/** The targets from the issue, for SQLite; a busy machine can miss them, so they only inform. */
function reportTargets(result: DialectResult): void {
  const phase = (name: PhaseName): PhaseResult | undefined => result.phases.find((p) => p.name === name);
  const lines: string[] = [];
  const rate = (name: PhaseName, target: number): void => {
    const found = phase(name);
    if (!found) return;
    lines.push(
      `${found.label}: ${number(found.requestsPerSecond)} req/s (target ≥ ${number(target)}) ` +
        `${found.requestsPerSecond >= target ? 'met' : 'MISSED'}; p99 ${ms(found.latencyMs.p99)} ms (target < 10) ` +
        (found.latencyMs.p99 < 10 ? 'met' : 'MISSED'),
    );
  };
  rate('create', 4000);
  rate('lookup', 10000);
  rate('get', 10000);
  if (result.memory) {
    const { beforeSeedingMiB, afterSeedingMiB, afterAllMiB } = result.memory;
    lines.push(
      `RSS ${beforeSeedingMiB.toFixed(0)} → ${afterSeedingMiB.toFixed(0)} → ${afterAllMiB.toFixed(0)} MiB ` +
        '(before seeding → after seeding → after all phases; should not grow with users)',
    );
  }
  const walk = medianWalk(result.walks);
  if (walk) {
    lines.push(
      `page walk: last page ${ms(walk.lastPageMs)} ms vs first ${ms(walk.firstPageMs)} ms (should stay flat)`,
    );
  }
  log('');
  log(`Targets (${result.engine}, informative on a busy machine):`);
  for (const line of lines) log(`  ${line}`);
}

function printProfile(file: string, summaries: ReturnType<typeof summarizeProfile>): void {
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

function readSettings(env: Record<string, string | undefined>): Settings {
  const dialects = (env.BENCH_DIALECTS || 'sqlite,postgres')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  for (const name of dialects) {
    if (name !== 'sqlite' && name !== 'postgres')
      throw new Error(`BENCH_DIALECTS: unknown '${name}'; use sqlite, postgres or both`);
  }
  const connections = positive(env, 'BENCH_CONNECTIONS', 16, true);
  const users = positive(env, 'BENCH_USERS', 10_000, true);
  if (users < connections) throw new Error('BENCH_USERS must be at least BENCH_CONNECTIONS');
  return {
    root: repositoryRoot(),
    seconds: positive(env, 'BENCH_SECONDS', 10, false),
    users,
    connections,
    walks: positive(env, 'BENCH_WALKS', 3, true),
    dialects: dialects as BenchDialect[],
    cpuProfile: ['1', 'true', 'yes', 'on'].includes((env.BENCH_CPU_PROF ?? '').toLowerCase()),
    postgresUrl: env.BENCH_POSTGRES_URL || env.ROSTER_TEST_POSTGRES_URL || DEFAULT_POSTGRES_URL,
    note: env.BENCH_NOTE || null,
  };
}

function positive(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  whole: boolean,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!(value > 0) || (whole && !Number.isInteger(value)))
    throw new Error(`${name} must be a positive ${whole ? 'whole ' : ''}number, got '${raw}'`);
  return value;
}

/** The folder holding package.json, above this file (dist/bench/run.js when built). */
function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (package.json)');
    dir = parent;
  }
  return dir;
}

function listProfiles(dir: string): Set<string> {
  if (!existsSync(dir)) return new Set();
  return new Set(readdirSync(dir).filter((name) => name.endsWith('.cpuprofile')));
}

function sleep(msToWait: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, msToWait));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

process.once('SIGINT', () => {
  log('Interrupted: stopping the server and dropping the bench database…');
  void (async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    process.exit(130);
  })();
});

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    log(`bench: ${errorText(error)}`);
    process.exitCode = 1;
  },
);
