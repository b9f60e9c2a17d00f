/**
 * The groups scenario alone: `npm run build && node dist/bench/groups-run.js`. Same settings as
 * `npm run bench` (BENCH_DIALECTS, BENCH_CONNECTIONS, BENCH_POSTGRES_URL, BENCH_CPU_PROF) plus
 * BENCH_GROUP_SIZE (50000), BENCH_GROUP_CHANGE (10000) and BENCH_GROUP_ROUNDS (30).
 */
import { benchGroups, type GroupsResult, readGroupSettings, reportGroups } from './groups.js';
import { describeMachine } from './report.js';
import { cleanups, errorText, log } from './session.js';
import { readSettings } from './settings.js';

async function main(): Promise<number> {
  const settings = readSettings(process.env);
  const groupSettings = readGroupSettings(process.env);
  const machine = describeMachine(settings.root);
  log(`Roster bench (groups), ${new Date().toISOString()}`);
  log(
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
      `Linux ${machine.kernel}, load average ${machine.loadAverage.join(' / ')}, commit ${machine.commit}`,
  );
  if (settings.note) log(settings.note);
  const results: GroupsResult[] = [];
  for (const dialect of settings.dialects) results.push(await benchGroups(dialect, settings, groupSettings));
  reportGroups(results);
  const ok = results.every((result) => result.failures.length === 0);
  if (!ok) log('The bench FAILED: figures from a run with errors are not valid.');
  return ok ? 0 : 1;
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
