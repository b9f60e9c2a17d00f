import { benchBulk } from './bulk.js';
import { CeilingServer } from './ceiling.js';
import type { BenchRequest } from './load.js';
import {
  type BulkResult,
  type DialectResult,
  type MemoryResult,
  ms,
  number,
  type WalkResult,
} from './report.js';
import {
  type CeilingComparison,
  cleanups,
  errorText,
  log,
  runSession,
  type Session,
  sleep,
} from './session.js';
import type { Settings } from './settings.js';
import { crudUserBody, PATCH_SCHEMA } from './users.js';
import { PAGE_SIZE, walkAllPages } from './walk.js';
import type { BenchDialect } from './database.js';

interface User {
  readonly id: string;
  readonly userName: string;
}

/**
 * The crud scenario: seeds BENCH_USERS users with POST /Users, then times userName lookups, gets
 * by id, PATCHes, full page walks by startIndex, random pages and 1,000 creates in one POST /Bulk,
 * checking the answers on the way. Each timed phase is followed by the same phase against the
 * ceiling server (bench/ceiling.ts) unless BENCH_CEILING skips it.
 */
export async function benchCrud(dialect: BenchDialect, settings: Settings): Promise<DialectResult> {
  log('');
  log(`# crud: ${dialect}, ${number(settings.users)} users`);
  const walks: WalkResult[] = [];
  let memory: MemoryResult | undefined;
  let bulk: BulkResult | undefined;
  const outcome = await runSession(dialect, settings, async (session) => {
    await withCeiling(settings, async (ceiling) => {
      memory = await crudPhases(session, ceiling, walks, (result) => {
        bulk = result;
      });
    });
  });
  return {
    dialect,
    engine: outcome.engine,
    settings: outcome.settings,
    users: settings.users,
    phases: outcome.phases,
    walks,
    ...(bulk ? { bulk } : {}),
    ...(memory ? { memory } : {}),
    failures: outcome.failures,
    serverProblems: outcome.serverProblems,
    ...(outcome.profile ? { profile: outcome.profile } : {}),
  };
}

/**
 * Runs `work` with the ceiling server started (one per session, so that each phase's comparison
 * runs next to it in time), or without it when it is skipped or will not start: the comparison
 * is worth having, but not worth failing Roster's figures for.
 */
async function withCeiling(
  settings: Settings,
  work: (ceiling: CeilingServer | undefined) => Promise<void>,
): Promise<void> {
  if (!('path' in settings.ceiling)) {
    await work(undefined);
    return;
  }
  let ceiling: CeilingServer;
  try {
    ceiling = await CeilingServer.start(settings.ceiling.path, settings.users);
  } catch (error) {
    log(`Ceiling comparison skipped: ${settings.ceiling.path} did not start: ${errorText(error)}`);
    await work(undefined);
    return;
  }
  const running = ceiling;
  cleanups.push(() => running.stop());
  log(`Ceiling: pid ${ceiling.pid} at ${ceiling.baseUrl}`);
  try {
    await work(ceiling);
  } finally {
    const code = await ceiling.stop();
    cleanups.pop();
    if (code !== 0) log(`the ceiling server exited with code ${code}`);
  }
}

async function crudPhases(
  session: Session,
  ceiling: CeilingServer | undefined,
  walks: WalkResult[],
  onBulk: (result: BulkResult) => void,
): Promise<MemoryResult> {
  const { scim, server, settings, failures } = session;
  const against = (next: () => BenchRequest): CeilingComparison | undefined =>
    ceiling ? { ceiling, next } : undefined;
  await sleep(500);
  const beforeSeeding = server.sample();
  log(`RSS before seeding: ${beforeSeeding.rssMiB.toFixed(1)} MiB`);

  // Create: seeds the directory, one unique user per request, until `users` exist.
  const users: User[] = [];
  const rejected: string[] = [];
  let sequence = 0;
  await session.measure(
    'create',
    `POST /Users (seed ${number(settings.users)})`,
    {
      amount: settings.users,
      next: () => ({ method: 'POST', path: '/scim/v2/Users', body: crudUserBody(++sequence) }),
      onResponse: (status, body) => {
        if (status === 201) {
          const created = JSON.parse(body) as { id: string; userName: string };
          users.push({ id: created.id, userName: created.userName });
        } else if (rejected.length < 5) {
          rejected.push(`${status} ${body.slice(0, 300)}`);
        }
      },
    },
    against(createRequests()),
  );
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
  await session.check('userName lookup', async () => {
    const user = pick();
    const found = await scim('GET', lookupQuery(user.userName));
    const body = found.body as { totalResults?: number; Resources?: { id?: string }[] };
    return found.status === 200 && body.totalResults === 1 && body.Resources?.[0]?.id === user.id;
  });
  // The ceiling answers any URL holding `count=` with a page of 100 users, so it is sent the
  // filter alone, and answers it as Roster does: a ListResponse of one user.
  await session.measure(
    'lookup',
    'GET /Users?filter=userName eq',
    {
      seconds: settings.seconds,
      next: () => ({ method: 'GET', path: `/scim/v2${lookupQuery(pick().userName)}` }),
    },
    against(() => ({
      method: 'GET',
      path: `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${pick().userName}"`)}`,
    })),
  );

  // Get by id.
  await session.check('get by id', async () => {
    const user = pick();
    const found = await scim('GET', `/Users/${user.id}`);
    return found.status === 200 && (found.body as { userName?: string }).userName === user.userName;
  });
  const nextGet = (): BenchRequest => ({ method: 'GET', path: `/scim/v2/Users/${pick().id}` });
  await session.measure(
    'get',
    'GET /Users/{id}',
    { seconds: settings.seconds, next: nextGet },
    against(nextGet),
  );

  // PATCH: path-less replaces, as Entra ID sends them: a new givenName, or `active` toggled.
  await session.measure(
    'patch',
    'PATCH /Users/{id}',
    { seconds: settings.seconds, next: patchRequests(pick) },
    against(patchRequests(pick)),
  );
  await session.check('PATCH applied', async () => {
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
  const ids = new Set(users.map((user) => user.id));
  for (let i = 0; i < settings.walks; i++) {
    const walk = await session.window(`page walk ${i + 1}`, () =>
      walkAllPages(scim, 'index', ids, () => server.sample().cpuMs),
    );
    walks.push(walk.result);
    log(
      `Page walk ${i + 1}: ${number(walk.result.pages)} pages in ${walk.result.seconds.toFixed(2)} s, ` +
        `first page ${ms(walk.result.firstPageMs)} ms, last page ${ms(walk.result.lastPageMs)} ms, ` +
        `median ${ms(walk.result.medianPageMs)} ms, slowest ${ms(walk.result.slowestPageMs)} ms`,
    );
    if (walk.problem) failures.push(`page walk ${i + 1}: ${walk.problem}`);
  }
  const pageCount = Math.ceil(users.length / PAGE_SIZE);
  const nextPage = (): BenchRequest => ({
    method: 'GET',
    path: `/scim/v2/Users?startIndex=${Math.floor(Math.random() * pageCount) * PAGE_SIZE + 1}&count=${PAGE_SIZE}`,
  });
  await session.measure(
    'pages',
    `GET /Users random page (count=${PAGE_SIZE})`,
    { seconds: settings.seconds, next: nextPage },
    against(nextPage),
  );

  // Last, so the users it adds change no earlier phase: Bulk creates, 1,000 to a request.
  onBulk(await benchBulk(session, sequence + 1));

  await sleep(500);
  const afterAll = server.sample();
  log(`RSS after all phases: ${afterAll.rssMiB.toFixed(1)} MiB (peak ${afterAll.hwmMiB.toFixed(1)} MiB)`);
  return {
    beforeSeedingMiB: beforeSeeding.rssMiB,
    afterSeedingMiB: afterSeeding.rssMiB,
    afterAllMiB: afterAll.rssMiB,
    peakMiB: afterAll.hwmMiB,
  };
}

/** Creates for the ceiling, numbered apart from Roster's (whose numbers the Bulk phase continues). */
function createRequests(): () => BenchRequest {
  let sequence = 0;
  return () => ({ method: 'POST', path: '/scim/v2/Users', body: crudUserBody(++sequence) });
}

/**
 * PATCHes of random users, alternating a new `name.givenName` and a toggled `active`. Each call
 * keeps its own record of what it set, so the ceiling's phase leaves Roster's untouched.
 */
function patchRequests(pick: () => User): () => BenchRequest {
  const active = new Map<string, boolean>();
  let sequence = 0;
  return () => {
    const user = pick();
    sequence++;
    let value: Record<string, unknown>;
    if (sequence % 2 === 0) {
      value = { 'name.givenName': `Given ${sequence}` };
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
  };
}

/** The lookup an identity provider makes before it creates or links a user (relative to /scim/v2). */
export function lookupQuery(userName: string): string {
  return `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}&startIndex=1&count=100`;
}
