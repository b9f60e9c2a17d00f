import { performance } from 'node:perf_hooks';
import { lookupQuery } from './crud.js';
import type { BenchDialect } from './database.js';
import {
  type MemoryResult,
  ms,
  number,
  type QueryResult,
  type SeedingResult,
  type WalkResult,
} from './report.js';
import { seedDirect } from './seed.js';
import { log, runSession, type Session, sleep } from './session.js';
import type { Settings } from './settings.js';
import { COMPLEX_FILTER, queryUser } from './users.js';
import { PAGE_SIZE, type Paging, walkAllPages } from './walk.js';

/** The seeded directory as the bench knows it. */
interface Seeded {
  readonly ids: string[];
  readonly userNames: string[];
  /** Ids of the users COMPLEX_FILTER should match. */
  readonly matching: Set<string>;
}

interface QueryData {
  seeding?: SeedingResult;
  memory?: MemoryResult;
  complexFilterMatches?: number;
  readonly indexWalks: WalkResult[];
  readonly cursorWalks: WalkResult[];
}

/**
 * The query scenario: one site with BENCH_QUERY_USERS varied users; userName lookups and a complex
 * filter under 16 connections; full walks by startIndex and by cursor, one request at a time,
 * each checked to return every user exactly once.
 */
export async function benchQuery(dialect: BenchDialect, settings: Settings): Promise<QueryResult> {
  log('');
  log(`# query: ${dialect}, ${number(settings.queryUsers)} users`);
  const data: QueryData = { indexWalks: [], cursorWalks: [] };
  const outcome = await runSession(dialect, settings, (session) => queryPhases(session, data));
  return {
    dialect,
    engine: outcome.engine,
    settings: outcome.settings,
    users: settings.queryUsers,
    phases: outcome.phases,
    ...(data.seeding ? { seeding: data.seeding } : {}),
    indexWalks: data.indexWalks,
    cursorWalks: data.cursorWalks,
    ...(data.complexFilterMatches !== undefined ? { complexFilterMatches: data.complexFilterMatches } : {}),
    ...(data.memory ? { memory: data.memory } : {}),
    failures: outcome.failures,
    serverProblems: outcome.serverProblems,
    ...(outcome.profile ? { profile: outcome.profile } : {}),
  };
}

async function queryPhases(session: Session, data: QueryData): Promise<void> {
  const { scim, server, settings, failures } = session;
  const count = settings.queryUsers;
  await sleep(500);
  const beforeSeeding = server.sample();
  log(`RSS before seeding: ${beforeSeeding.rssMiB.toFixed(1)} MiB`);

  const seeded = await seed(session, data);
  const analyzeSeconds = await session.database.analyze();
  if (analyzeSeconds !== undefined) {
    data.seeding = { ...data.seeding!, analyzeSeconds };
    log(`ANALYZE after seeding: ${analyzeSeconds.toFixed(1)} s`);
  }
  data.complexFilterMatches = seeded.matching.size;
  await sleep(500);
  const afterSeeding = server.sample();
  log(`RSS after seeding: ${afterSeeding.rssMiB.toFixed(1)} MiB`);

  await session.check(`the server lists ${number(count)} users`, async () => {
    const listed = await scim('GET', '/Users?count=0');
    return listed.status === 200 && (listed.body as { totalResults?: number }).totalResults === count;
  });
  if (seeded.ids.length !== count) throw new Error(`${seeded.ids.length} of ${count} users were created`);
  const pick = (): number => Math.floor(Math.random() * count);

  await session.check('userName lookup', async () => {
    const i = pick();
    const found = await scim('GET', lookupQuery(seeded.userNames[i]!));
    const body = found.body as { totalResults?: number; Resources?: { id?: string }[] };
    return found.status === 200 && body.totalResults === 1 && body.Resources?.[0]?.id === seeded.ids[i];
  });
  await session.measure('lookup', `GET /Users?filter=userName eq`, {
    seconds: settings.seconds,
    next: () => ({ method: 'GET', path: `/scim/v2${lookupQuery(seeded.userNames[pick()]!)}` }),
  });

  const complexPath = `/Users?filter=${encodeURIComponent(COMPLEX_FILTER)}&startIndex=1&count=${PAGE_SIZE}`;
  await session.check(
    `complex filter matches the ${number(seeded.matching.size)} users it should`,
    async () => {
      const found = await scim('GET', complexPath);
      const body = found.body as { totalResults?: number; Resources?: { id: string }[] };
      const resources = body.Resources ?? [];
      const ok =
        found.status === 200 &&
        body.totalResults === seeded.matching.size &&
        resources.length === Math.min(PAGE_SIZE, seeded.matching.size) &&
        resources.every((resource) => seeded.matching.has(resource.id));
      if (!ok)
        log(
          `  complex filter answered ${found.status}, totalResults ${body.totalResults} ` +
            `(expected ${seeded.matching.size}), ${resources.length} resources`,
        );
      return ok;
    },
  );
  await session.measure('filter', `GET /Users?filter=complex (count=${PAGE_SIZE})`, {
    seconds: settings.seconds,
    next: () => ({ method: 'GET', path: `/scim/v2${complexPath}` }),
  });

  const ids = new Set(seeded.ids);
  for (const paging of ['index', 'cursor'] as const) {
    for (let i = 0; i < settings.walks; i++) {
      const name = `${paging === 'index' ? 'startIndex' : 'cursor'} walk ${i + 1}`;
      const walk = await session.window(name, () =>
        walkAllPages(scim, paging, ids, () => server.sample().cpuMs),
      );
      walksOf(data, paging).push(walk.result);
      log(
        `${name}: ${number(walk.result.pages)} pages, ${number(walk.result.returned)} users in ${walk.result.seconds.toFixed(2)} s, ` +
          `first page ${ms(walk.result.firstPageMs)} ms, last page ${ms(walk.result.lastPageMs)} ms, ` +
          `first 10 ${ms(walk.result.firstPagesMs)} ms, last 10 ${ms(walk.result.lastPagesMs)} ms, ` +
          `median ${ms(walk.result.medianPageMs)} ms, slowest ${ms(walk.result.slowestPageMs)} ms, ` +
          `server CPU ${ms(walk.result.serverCpuMsPerPage)} ms/page` +
          (walk.result.ok ? '; each user exactly once' : ''),
      );
      if (walk.problem) failures.push(`${name}: ${walk.problem}`);
    }
  }

  await sleep(500);
  const afterAll = server.sample();
  log(`RSS after query phases: ${afterAll.rssMiB.toFixed(1)} MiB (peak ${afterAll.hwmMiB.toFixed(1)} MiB)`);
  data.memory = {
    beforeSeedingMiB: beforeSeeding.rssMiB,
    afterSeedingMiB: afterSeeding.rssMiB,
    afterAllMiB: afterAll.rssMiB,
    peakMiB: afterAll.hwmMiB,
  };
}

function walksOf(data: QueryData, paging: Paging): WalkResult[] {
  return paging === 'index' ? data.indexWalks : data.cursorWalks;
}

/** Fills the site with users 1…N of `queryUser`, directly or through POST /Users (BENCH_QUERY_SEED). */
async function seed(session: Session, data: QueryData): Promise<Seeded> {
  const { settings, failures } = session;
  const count = settings.queryUsers;
  const seeded: Seeded = { ids: [], userNames: [], matching: new Set() };
  const add = (n: number, id: string): void => {
    const user = queryUser(n);
    seeded.ids.push(id);
    seeded.userNames.push(user.userName);
    if (user.matchesComplexFilter) seeded.matching.add(id);
  };
  const started = performance.now();
  if (settings.querySeed === 'direct') {
    await session.window('seeding', () =>
      seedDirect({
        databaseUrl: session.database.url,
        dialect: session.dialect,
        site: 'default',
        tokenId: session.token.id,
        count,
        body: (n) => queryUser(n).body,
        created: add,
      }),
    );
  } else {
    const rejected: string[] = [];
    let sequence = 0;
    await session.measure('create', `POST /Users (seed ${number(count)})`, {
      amount: count,
      next: () => ({
        method: 'POST',
        path: '/scim/v2/Users',
        body: JSON.stringify(queryUser(++sequence).body),
      }),
      onResponse: (status, body) => {
        if (status === 201) {
          const created = JSON.parse(body) as { id: string; userName: string };
          add(Number(/\.(\d+)@/.exec(created.userName)?.[1]), created.id);
        } else if (rejected.length < 5) {
          rejected.push(`${status} ${body.slice(0, 300)}`);
        }
      },
    });
    for (const body of rejected) log(`  rejected create: ${body}`);
    if (rejected.length > 0) failures.push('seeding: some creates were refused');
  }
  const seconds = (performance.now() - started) / 1000;
  data.seeding = { method: settings.querySeed, users: seeded.ids.length, seconds };
  log(
    `Seeded ${number(seeded.ids.length)} users (${settings.querySeed}) in ${seconds.toFixed(1)} s, ` +
      `${number(seeded.ids.length / seconds)} users/s; the complex filter should match ${number(seeded.matching.size)}`,
  );
  return seeded;
}
