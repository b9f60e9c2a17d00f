/**
 * `npm run bench`: runs the real server as a child process against fresh SQLite and PostgreSQL
 * databases, drives it the way identity providers do with autocannon, and reports requests per
 * second, latency percentiles, errors, server CPU and server memory. Two scenarios (BENCH_SCENARIO):
 * `crud` (create, userName lookups, gets, PATCHes, paging at BENCH_USERS users, 1,000 creates in
 * one POST /Bulk) and `query` (lookups, a complex filter and full startIndex and cursor walks at
 * BENCH_QUERY_USERS users).
 * docs/benchmarks.md explains the phases and how to read the figures.
 *
 * Settings (environment): BENCH_SCENARIO (all = crud,query), BENCH_SECONDS (10), BENCH_USERS
 * (10000), BENCH_QUERY_USERS (100000), BENCH_QUERY_SEED (direct or api), BENCH_DIALECTS
 * (sqlite,postgres), BENCH_CONNECTIONS (16), BENCH_WALKS (3), BENCH_CPU_PROF (1 to profile the
 * server), BENCH_POSTGRES_URL (else ROSTER_TEST_POSTGRES_URL, else
 * postgres://postgres@127.0.0.1:5432/test), BENCH_NOTE (a line printed above the tables),
 * BENCH_CEILING (a bare HTTP server each crud phase is also run against, by default
 * ../shared/bench/ceiling-server.mjs from the checkout root; `off` skips it).
 * ROSTER_SQLITE_SYNCHRONOUS and ROSTER_PG_POOL_SIZE pass through to the server. BENCH_GROUPS=1 adds
 * the groups scenario (bench/groups.ts; alone: dist/bench/groups-run.js).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { benchCrud } from './crud.js';
import { benchGroups, groupsEnabled, type GroupsResult, readGroupSettings, reportGroups } from './groups.js';
import { benchQuery } from './query.js';
import {
  type BenchResults,
  type DialectResult,
  describeMachine,
  markdown,
  number,
  type QueryResult,
} from './report.js';
import { cleanups, errorText, log } from './session.js';
import { readSettings } from './settings.js';
import { reportCrudTargets, reportQueryTargets } from './targets.js';
import { PAGE_SIZE } from './walk.js';

/** Where runs write their raw figures; ignored by git (recorded runs live in bench/results/). */
const LOCAL_RESULTS = 'bench/results/local';

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
    `Settings: ${settings.scenarios.join(', ')} on ${settings.dialects.join(', ')}; ` +
      (settings.scenarios.includes('crud') ? `crud ${number(settings.users)} users; ` : '') +
      (settings.scenarios.includes('query')
        ? `query ${number(settings.queryUsers)} users (seeded ${settings.querySeed}); `
        : '') +
      `${settings.seconds} s a phase; ${settings.connections} connections${settings.cpuProfile ? '; CPU profile on' : ''}`,
  );

  const crud = settings.scenarios.includes('crud');
  const ceiling = crud && 'path' in settings.ceiling ? relative(settings.root, settings.ceiling.path) : null;
  if (ceiling) log(`Ceiling: ${ceiling}, each crud phase run against it too`);
  else if (crud && 'skipped' in settings.ceiling)
    log(`Ceiling comparison skipped: ${settings.ceiling.skipped}`);

  const results: DialectResult[] = [];
  const query: QueryResult[] = [];
  for (const scenario of settings.scenarios) {
    for (const dialect of settings.dialects) {
      if (scenario === 'crud') results.push(await benchCrud(dialect, settings));
      else query.push(await benchQuery(dialect, settings));
    }
  }

  const groups: GroupsResult[] = [];
  if (groupsEnabled(process.env)) {
    const groupSettings = readGroupSettings(process.env);
    for (const dialect of settings.dialects) groups.push(await benchGroups(dialect, settings, groupSettings));
  }

  const all = [...results, ...query];
  const bench: BenchResults = {
    date,
    note: settings.note,
    ok: all.every((result) => result.failures.length === 0),
    machine,
    options: {
      scenarios: settings.scenarios,
      connections: settings.connections,
      seconds: settings.seconds,
      users: settings.users,
      queryUsers: settings.queryUsers,
      querySeed: settings.querySeed,
      walks: settings.walks,
      pageSize: PAGE_SIZE,
      dialects: settings.dialects,
      // Null as well when the ceiling would not start: no phase was compared with it.
      ceiling: results.some((result) => result.phases.some((phase) => phase.ceiling)) ? ceiling : null,
    },
    results,
    query,
  };
  const table = (await format(markdown(bench), { parser: 'markdown', proseWrap: 'preserve' })).trimEnd();
  // Under an ignored folder: a run never rewrites the recorded runs that docs/benchmarks.md cites.
  // One file per run (running twice is how to tell a quiet machine), and latest.json for scripts.
  const folder = join(settings.root, LOCAL_RESULTS);
  const output = join(folder, `bench-${date.replace(/[:.]/g, '-')}.json`);
  mkdirSync(folder, { recursive: true });
  // Three decimals are plenty for milliseconds and rates, and keep the file readable.
  const json = JSON.stringify(
    bench,
    (_key, value: unknown) =>
      typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 1000) / 1000 : value,
    2,
  );
  const prettierConfig = await resolveConfig(output);
  const formatted = await format(json, { ...prettierConfig, filepath: output });
  writeFileSync(output, formatted);
  writeFileSync(join(folder, 'latest.json'), formatted);

  log('');
  log('## Results (Markdown, for docs/benchmarks.md)');
  log('');
  log(table);
  log('');
  log(`Raw results: ${relative(process.cwd(), output) || output}`);
  for (const result of results) {
    if (result.dialect === 'sqlite') reportCrudTargets(result);
  }
  for (const result of query) reportQueryTargets(result);
  reportGroups(groups);
  const groupsOk = groups.every((result) => result.failures.length === 0);
  for (const [scenario, list] of [
    ['crud', results],
    ['query', query],
  ] as const) {
    for (const result of list) {
      for (const failure of result.failures) log(`FAILED (${scenario}, ${result.engine}): ${failure}`);
    }
  }
  if (!bench.ok || !groupsOk) log('The bench FAILED: figures from a run with errors are not valid.');
  return bench.ok && groupsOk ? 0 : 1;
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
