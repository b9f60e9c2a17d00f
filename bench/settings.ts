import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CeilingLocation, locateCeiling } from './ceiling.js';
import { type BenchDialect, DEFAULT_POSTGRES_URL } from './database.js';

/**
 * `crud`: create, lookup, get, PATCH and paging at BENCH_USERS users. `query`: lookups, a complex
 * filter and full walks (startIndex and cursor) at BENCH_QUERY_USERS users.
 */
export type ScenarioName = 'crud' | 'query';
export const SCENARIOS: readonly ScenarioName[] = ['crud', 'query'];

/**
 * How the query scenario fills its directory. `direct`: every user goes through the directory
 * service's own create (validation, fields, emails, provisioning event, counter) and the store's
 * own INSERT statements, grouped into multi-row statements, 1,000 users per transaction. `api`:
 * POST /Users over HTTP with BENCH_CONNECTIONS connections, one transaction per user.
 */
export type SeedMethod = 'direct' | 'api';

export interface Settings {
  readonly root: string;
  readonly scenarios: readonly ScenarioName[];
  readonly seconds: number;
  readonly users: number;
  readonly queryUsers: number;
  readonly querySeed: SeedMethod;
  readonly connections: number;
  readonly walks: number;
  readonly dialects: readonly BenchDialect[];
  readonly cpuProfile: boolean;
  readonly postgresUrl: string;
  readonly note: string | null;
  /** crud: the ceiling server its phases are compared with (BENCH_CEILING), or why not. */
  readonly ceiling: CeilingLocation;
}

export function readSettings(env: Record<string, string | undefined>): Settings {
  const dialects = list(env.BENCH_DIALECTS || 'sqlite,postgres');
  for (const name of dialects) {
    if (name !== 'sqlite' && name !== 'postgres')
      throw new Error(`BENCH_DIALECTS: unknown '${name}'; use sqlite, postgres or both`);
  }
  const scenarioNames = list(env.BENCH_SCENARIO || 'all');
  const scenarios = scenarioNames.includes('all')
    ? SCENARIOS
    : SCENARIOS.filter((scenario) => scenarioNames.includes(scenario));
  for (const name of scenarioNames) {
    if (name !== 'all' && !SCENARIOS.includes(name as ScenarioName))
      throw new Error(`BENCH_SCENARIO: unknown '${name}'; use crud, query or all`);
  }
  const seed = (env.BENCH_QUERY_SEED || 'direct').trim().toLowerCase();
  if (seed !== 'direct' && seed !== 'api')
    throw new Error(`BENCH_QUERY_SEED: unknown '${seed}'; use direct or api`);
  const connections = positive(env, 'BENCH_CONNECTIONS', 16, true);
  const users = positive(env, 'BENCH_USERS', 10_000, true);
  if (users < connections) throw new Error('BENCH_USERS must be at least BENCH_CONNECTIONS');
  const queryUsers = positive(env, 'BENCH_QUERY_USERS', 100_000, true);
  if (queryUsers < connections) throw new Error('BENCH_QUERY_USERS must be at least BENCH_CONNECTIONS');
  const root = repositoryRoot();
  return {
    root,
    scenarios,
    seconds: positive(env, 'BENCH_SECONDS', 10, false),
    users,
    queryUsers,
    querySeed: seed,
    connections,
    walks: positive(env, 'BENCH_WALKS', 3, true),
    dialects: dialects as BenchDialect[],
    cpuProfile: ['1', 'true', 'yes', 'on'].includes((env.BENCH_CPU_PROF ?? '').toLowerCase()),
    postgresUrl: env.BENCH_POSTGRES_URL || env.ROSTER_TEST_POSTGRES_URL || DEFAULT_POSTGRES_URL,
    note: env.BENCH_NOTE || null,
    ceiling: locateCeiling(root, env.BENCH_CEILING),
  };
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
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

/** The folder holding package.json, above this file (dist/bench/settings.js when built). */
function repositoryRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the repository root (package.json)');
    dir = parent;
  }
  return dir;
}
