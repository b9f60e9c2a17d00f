import {
  type DialectResult,
  medianOfWalks,
  medianWalk,
  ms,
  number,
  type PhaseName,
  type PhaseResult,
  type QueryResult,
} from './report.js';
import { log } from './session.js';

/** The crud targets from the issue, for SQLite; a busy machine can miss them, so they only inform. */
export function reportCrudTargets(result: DialectResult): void {
  const phase = (name: PhaseName): PhaseResult | undefined => result.phases.find((p) => p.name === name);
  const lines: string[] = [];
  const rate = (name: PhaseName, target: number): void => {
    const found = phase(name);
    if (!found) return;
    lines.push(
      `${found.label}: ${number(found.requestsPerSecond)} req/s (target ≥ ${number(target)}) ` +
        `${metOrMissed(found.requestsPerSecond >= target)}; p99 ${ms(found.latencyMs.p99)} ms (target < 10) ` +
        metOrMissed(found.latencyMs.p99 < 10),
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
  log(`Targets, crud (${result.engine}, informative on a busy machine):`);
  for (const line of lines) log(`  ${line}`);
}

/** The full walk target is for this many users. */
const TARGET_USERS = 100_000;

/**
 * The query-engine targets from the issue, for both databases: userName lookup p99 under 10 ms at
 * 100,000 users; the last page of a walk no slower than twice the first (judged on the median of
 * the last 10 pages against that of the first 10, as single pages are noisy); a full walk of
 * 100,000 users under 10 s. Walk figures are the median over BENCH_WALKS walks.
 */
export function reportQueryTargets(result: QueryResult): void {
  const lines: string[] = [];
  const scaled = result.users === TARGET_USERS ? '' : ` (the target is for ${number(TARGET_USERS)} users)`;
  const lookup = result.phases.find((phase) => phase.name === 'lookup');
  if (lookup) {
    lines.push(
      `userName lookup at ${number(result.users)} users: p99 ${ms(lookup.latencyMs.p99)} ms (target < 10) ` +
        `${metOrMissed(lookup.latencyMs.p99 < 10)}${scaled}`,
    );
  }
  for (const [kind, walks] of [
    ['startIndex', result.indexWalks],
    ['cursor', result.cursorWalks],
  ] as const) {
    const walk = medianOfWalks(walks);
    if (!walk) continue;
    lines.push(
      `${kind} walk: last 10 pages ${ms(walk.lastPagesMs)} ms vs first 10 ${ms(walk.firstPagesMs)} ms (median page; ` +
        `single pages ${ms(walk.lastPageMs)} vs ${ms(walk.firstPageMs)} ms) (target ≤ 2× the first) ` +
        metOrMissed(walk.lastPagesMs <= 2 * walk.firstPagesMs),
    );
    lines.push(
      `${kind} walk: ${number(walk.users)} users in ${walk.seconds.toFixed(2)} s (target < 10 s) ` +
        `${metOrMissed(walk.seconds < 10)}${scaled}`,
    );
  }
  if (result.memory) {
    const { beforeSeedingMiB, afterSeedingMiB, afterAllMiB } = result.memory;
    lines.push(
      `RSS ${beforeSeedingMiB.toFixed(0)} → ${afterSeedingMiB.toFixed(0)} → ${afterAllMiB.toFixed(0)} MiB ` +
        '(before seeding → after seeding → after query phases)',
    );
  }
  log('');
  log(`Targets, query (${result.engine}, informative on a busy machine):`);
  for (const line of lines) log(`  ${line}`);
}

function metOrMissed(met: boolean): string {
  return met ? 'met' : 'MISSED';
}
