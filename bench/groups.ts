/**
 * The groups scenario: what Group Push costs on a real server. On one site of BENCH_GROUP_SIZE
 * (50,000) users provisioned by POST /Users: one PATCH adding BENCH_GROUP_CHANGE (10,000) members
 * to a group and one removing them, GET of a group of BENCH_GROUP_SIZE members (time and size),
 * and a 10-member PATCH (add, then remove) on that group against the same on a 10-member group,
 * BENCH_GROUP_ROUNDS times each, interleaved: membership changes should cost what they name, not
 * what the group holds (DESIGN §6). Membership PATCHes ask for `excludedAttributes=members`, as
 * Entra ID does, so that what is timed is the change and not the serialisation of the group.
 *
 * Runs when BENCH_GROUPS is on (`npm run bench`), or alone: `npm run build && node dist/bench/groups-run.js`.
 */
import { performance } from 'node:perf_hooks';
import type { BenchDialect } from './database.js';
import { ms, number } from './report.js';
import { log, runSession, type Session } from './session.js';
import type { Settings } from './settings.js';
import { PATCH_SCHEMA, USER_SCHEMA } from './users.js';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
/** Members in the "small" group, and members a small PATCH changes. */
const SMALL = 10;
/** Reads of the large group; the median is reported. */
const READS = 5;

/** The issue's targets: a 10,000-member PATCH and a 50,000-member read, each within a second. */
export const GROUP_TARGETS = { changeMs: 1000, readMs: 1000 } as const;

export interface GroupSettings {
  /** Users in the site, and members of the large group. */
  readonly groupSize: number;
  /** Members one large PATCH adds, then removes. */
  readonly change: number;
  /** Rounds of the small PATCH on each group. */
  readonly rounds: number;
}

export interface Spread {
  readonly medianMs: number;
  readonly p90Ms: number;
  readonly minMs: number;
}

export interface GroupsResult {
  readonly dialect: BenchDialect;
  readonly engine: string;
  readonly settings: GroupSettings;
  /** Seeding by POST /Users with BENCH_CONNECTIONS requests in flight. */
  readonly seeding?: { readonly users: number; readonly seconds: number; readonly perSecond: number };
  /** One PATCH adding `change` members to an empty group. */
  readonly addMs?: number;
  /** One PATCH removing those `change` members (Entra's value-list form). */
  readonly removeMs?: number;
  /** The PATCHes that filled the large group, `change` members each. */
  readonly fillMs?: number[];
  /** GET /Groups/{id} of the large group. */
  readonly read?: Spread & { readonly firstMs: number; readonly bytes: number; readonly members: number };
  /** 10-member PATCHes: add and remove, on the large group and on the small one. */
  readonly small?: {
    readonly largeAdd: Spread;
    readonly largeRemove: Spread;
    readonly smallAdd: Spread;
    readonly smallRemove: Spread;
  };
  readonly failures: string[];
}

/** Whether `npm run bench` runs the groups scenario (BENCH_GROUPS=1; off by default, it seeds 50,000 users per database). */
export function groupsEnabled(env: Record<string, string | undefined>): boolean {
  return ['1', 'true', 'yes', 'on'].includes((env.BENCH_GROUPS ?? '').trim().toLowerCase());
}

export function readGroupSettings(env: Record<string, string | undefined>): GroupSettings {
  const whole = (name: string, fallback: number, minimum: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < minimum)
      throw new Error(`${name} must be a whole number of at least ${minimum}, got '${raw}'`);
    return value;
  };
  const groupSize = whole('BENCH_GROUP_SIZE', 50_000, SMALL * 2);
  const change = whole('BENCH_GROUP_CHANGE', 10_000, 1);
  if (change > groupSize) throw new Error('BENCH_GROUP_CHANGE must not exceed BENCH_GROUP_SIZE');
  return { groupSize, change, rounds: whole('BENCH_GROUP_ROUNDS', 30, 1) };
}

export async function benchGroups(
  dialect: BenchDialect,
  settings: Settings,
  groupSettings: GroupSettings,
): Promise<GroupsResult> {
  log('');
  log(
    `# groups: ${dialect}, ${number(groupSettings.groupSize)} users, PATCHes of ${number(groupSettings.change)} members`,
  );
  const data: Mutable<GroupsResult> = {
    dialect,
    engine: dialect,
    settings: groupSettings,
    failures: [],
  };
  const outcome = await runSession(dialect, settings, (session) => groupPhases(session, groupSettings, data));
  return { ...data, engine: outcome.engine, failures: outcome.failures };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly bytes: number;
  readonly ms: number;
}

/** One request; `ms` until the whole body arrived (not parsed), `bytes` the body's size. */
function client(session: Session) {
  const base = `${session.server.baseUrl}/scim/v2`;
  return async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const started = performance.now();
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${session.token.token}`,
        accept: 'application/scim+json',
        ...(payload !== undefined ? { 'content-type': 'application/scim+json' } : {}),
      },
      ...(payload !== undefined ? { body: payload } : {}),
    });
    const buffer = Buffer.from(await response.arrayBuffer());
    const elapsed = performance.now() - started;
    return { status: response.status, text: buffer.toString('utf8'), bytes: buffer.length, ms: elapsed };
  };
}

async function groupPhases(
  session: Session,
  groupSettings: GroupSettings,
  data: Mutable<GroupsResult>,
): Promise<void> {
  const request = client(session);
  const { groupSize, change, rounds } = groupSettings;
  const expectOk = (what: string, answer: Answer, status = 200): void => {
    if (answer.status !== status) {
      throw new Error(`${what} answered ${answer.status}, not ${status}: ${answer.text.slice(0, 300)}`);
    }
  };

  // Users: the large group's members, plus SMALL more that belong to neither group at rest.
  const users = groupSize + SMALL;
  const ids = await session.window('seed users', () => seedUsers(session, request, users));
  const seedSeconds = ids.seconds;
  data.seeding = { users, seconds: seedSeconds, perSecond: users / seedSeconds };
  log(
    `Seeded ${number(users)} users by POST /Users in ${seedSeconds.toFixed(1)} s (${number(users / seedSeconds)}/s)`,
  );
  const memberIds = ids.ids.slice(0, groupSize);
  const extras = ids.ids.slice(groupSize);
  await session.database.analyze();

  const create = async (displayName: string, members: readonly string[]): Promise<string> => {
    const created = await request('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName,
      members: members.map((value) => ({ value })),
    });
    expectOk(`POST /Groups ${displayName}`, created, 201);
    return (JSON.parse(created.text) as { id: string }).id;
  };
  const patch = (groupId: string, ...operations: unknown[]): Promise<Answer> =>
    request('PATCH', `/Groups/${groupId}?excludedAttributes=members`, {
      schemas: [PATCH_SCHEMA],
      Operations: operations,
    });
  const memberCount = async (groupId: string): Promise<number> => {
    const read = await request('GET', `/Groups/${groupId}?attributes=members`);
    expectOk('GET /Groups/{id}', read);
    return ((JSON.parse(read.text) as { members?: unknown[] }).members ?? []).length;
  };
  const check = (name: string, test: () => Promise<boolean>) => session.check(name, test);

  // 1. One PATCH adding `change` members, one removing them.
  const changing = await create('Bench change', []);
  const changed = memberIds.slice(0, change);
  const added = await session.window(`PATCH add ${change}`, () =>
    patch(changing, { op: 'add', path: 'members', value: changed.map((value) => ({ value })) }),
  );
  expectOk(`PATCH add ${change} members`, added);
  data.addMs = added.ms;
  log(`PATCH adding ${number(change)} members: ${ms(added.ms)} ms`);
  await check(
    `the group holds ${number(change)} members`,
    async () => (await memberCount(changing)) === change,
  );
  const removed = await session.window(`PATCH remove ${change}`, () =>
    patch(changing, { op: 'remove', path: 'members', value: changed.map((value) => ({ value })) }),
  );
  expectOk(`PATCH remove ${change} members`, removed);
  data.removeMs = removed.ms;
  log(`PATCH removing ${number(change)} members: ${ms(removed.ms)} ms`);
  await check('the group is empty again', async () => (await memberCount(changing)) === 0);

  // 2. The large group, filled `change` members at a time (each a PATCH like the one above).
  const large = await create('Bench large', []);
  data.fillMs = [];
  for (let at = 0; at < groupSize; at += change) {
    const slice = memberIds.slice(at, at + change);
    const filled = await patch(large, {
      op: 'add',
      path: 'members',
      value: slice.map((value) => ({ value })),
    });
    expectOk('PATCH filling the large group', filled);
    data.fillMs.push(filled.ms);
  }
  log(
    `Filled a group of ${number(groupSize)} in ${data.fillMs.length} PATCHes: ${data.fillMs.map((t) => ms(t)).join(', ')} ms`,
  );
  await session.database.analyze();

  // 3. Reading it whole.
  const reads: Answer[] = [];
  await session.window(`GET group of ${groupSize}`, async () => {
    for (let i = 0; i < READS; i++) reads.push(await request('GET', `/Groups/${large}`));
  });
  for (const read of reads) expectOk('GET of the large group', read);
  const members = ((JSON.parse(reads[0]!.text) as { members?: unknown[] }).members ?? []).length;
  await check(`GET /Groups/{id} shows ${number(groupSize)} members`, () =>
    Promise.resolve(members === groupSize),
  );
  data.read = {
    ...spread(reads.map((read) => read.ms)),
    firstMs: reads[0]!.ms,
    bytes: reads[0]!.bytes,
    members,
  };
  log(
    `GET of a group of ${number(members)} members: median ${ms(data.read.medianMs)} ms (first ${ms(data.read.firstMs)} ms), ` +
      `${(data.read.bytes / 1024 / 1024).toFixed(2)} MiB`,
  );

  // 4. A 10-member PATCH on the large group against the same on a small one, interleaved.
  const small = await create('Bench small', memberIds.slice(0, SMALL));
  const addExtras = { op: 'add', path: 'members', value: extras.map((value) => ({ value })) };
  const removeExtras = {
    op: 'remove',
    path: `members[${extras.map((value) => `value eq "${value}"`).join(' or ')}]`,
  };
  const times = {
    largeAdd: [] as number[],
    largeRemove: [] as number[],
    smallAdd: [] as number[],
    smallRemove: [] as number[],
  };
  await session.window('10-member PATCHes', async () => {
    for (let round = 0; round < rounds; round++) {
      // Alternate which group goes first, so neither always follows the other.
      const order: [string, 'large' | 'small'][] =
        round % 2 === 0
          ? [
              [large, 'large'],
              [small, 'small'],
            ]
          : [
              [small, 'small'],
              [large, 'large'],
            ];
      for (const [groupId, size] of order) {
        const add = await patch(groupId, addExtras);
        expectOk(`PATCH adding ${SMALL} members to the ${size} group`, add);
        const remove = await patch(groupId, removeExtras);
        expectOk(`PATCH removing ${SMALL} members from the ${size} group`, remove);
        times[`${size}Add`].push(add.ms);
        times[`${size}Remove`].push(remove.ms);
      }
    }
  });
  await check(
    'the large group is whole after the small PATCHes',
    async () => (await memberCount(large)) === groupSize,
  );
  await check(
    'the small group is whole after the small PATCHes',
    async () => (await memberCount(small)) === SMALL,
  );
  data.small = {
    largeAdd: spread(times.largeAdd),
    largeRemove: spread(times.largeRemove),
    smallAdd: spread(times.smallAdd),
    smallRemove: spread(times.smallRemove),
  };
  log(
    `10-member PATCH, median over ${rounds}: add ${ms(data.small.largeAdd.medianMs)} ms on ${number(groupSize)} members ` +
      `vs ${ms(data.small.smallAdd.medianMs)} ms on ${SMALL}; remove ${ms(data.small.largeRemove.medianMs)} ms vs ` +
      `${ms(data.small.smallRemove.medianMs)} ms`,
  );
}

/**
 * POST /Users with BENCH_CONNECTIONS requests in flight, one transaction each: the way an
 * identity provider's assignment of a large group arrives. Returns the ids in creation order.
 */
async function seedUsers(
  session: Session,
  request: ReturnType<typeof client>,
  count: number,
): Promise<{ ids: string[]; seconds: number }> {
  const ids: string[] = new Array<string>(count);
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const n = next++;
      const userName = `group.member${n}@example.com`;
      const created = await request('POST', '/Users', {
        schemas: [USER_SCHEMA],
        userName,
        name: { givenName: `Given${n}`, familyName: `Family${n}` },
        emails: [{ value: userName, type: 'work', primary: true }],
        active: true,
      });
      if (created.status !== 201) {
        throw new Error(`POST /Users answered ${created.status}: ${created.text.slice(0, 300)}`);
      }
      ids[n] = (JSON.parse(created.text) as { id: string }).id;
    }
  };
  await Promise.all(Array.from({ length: session.settings.connections }, worker));
  return { ids, seconds: (performance.now() - started) / 1000 };
}

function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (fraction: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(fraction * (sorted.length - 1) + 0.5))] ?? Number.NaN;
  return { medianMs: at(0.5), p90Ms: at(0.9), minMs: sorted[0] ?? Number.NaN };
}

/** The figures as a Markdown table (for docs/benchmarks.md), then the targets. */
export function reportGroups(results: readonly GroupsResult[]): void {
  if (results.length === 0) return;
  const cell = (value: number | undefined): string => (value === undefined ? '–' : ms(value));
  const settings = results[0]!.settings;
  log('');
  log(
    `## Groups (${number(settings.groupSize)}-member group, PATCHes of ${number(settings.change)}; ` +
      `10-member PATCHes: median over ${settings.rounds} rounds)`,
  );
  log('');
  log(`| Measure | ${results.map((result) => result.engine).join(' | ')} |`);
  log(`| --- | ${results.map(() => '---:').join(' | ')} |`);
  const row = (label: string, value: (result: GroupsResult) => string): void => {
    log(`| ${label} | ${results.map(value).join(' | ')} |`);
  };
  row('Seeding by POST /Users (users/s)', (r) => (r.seeding ? number(r.seeding.perSecond) : '–'));
  row(`PATCH add ${number(settings.change)} members (ms)`, (r) => cell(r.addMs));
  row(`PATCH remove ${number(settings.change)} members (ms)`, (r) => cell(r.removeMs));
  row(`PATCH add ${number(settings.change)}, filling the large group (ms, each)`, (r) =>
    r.fillMs ? r.fillMs.map((t) => ms(t)).join(', ') : '–',
  );
  row(`GET group of ${number(settings.groupSize)}, median of ${READS} (ms)`, (r) => cell(r.read?.medianMs));
  row(`GET group of ${number(settings.groupSize)}, first (ms)`, (r) => cell(r.read?.firstMs));
  row(`GET group of ${number(settings.groupSize)}, body (MiB)`, (r) =>
    r.read ? (r.read.bytes / 1024 / 1024).toFixed(2) : '–',
  );
  row(`PATCH add ${SMALL} on ${number(settings.groupSize)} members, median / p90 (ms)`, (r) =>
    r.small ? `${ms(r.small.largeAdd.medianMs)} / ${ms(r.small.largeAdd.p90Ms)}` : '–',
  );
  row(`PATCH add ${SMALL} on ${SMALL} members, median / p90 (ms)`, (r) =>
    r.small ? `${ms(r.small.smallAdd.medianMs)} / ${ms(r.small.smallAdd.p90Ms)}` : '–',
  );
  row(`PATCH remove ${SMALL} on ${number(settings.groupSize)} members, median / p90 (ms)`, (r) =>
    r.small ? `${ms(r.small.largeRemove.medianMs)} / ${ms(r.small.largeRemove.p90Ms)}` : '–',
  );
  row(`PATCH remove ${SMALL} on ${SMALL} members, median / p90 (ms)`, (r) =>
    r.small ? `${ms(r.small.smallRemove.medianMs)} / ${ms(r.small.smallRemove.p90Ms)}` : '–',
  );

  for (const result of results) {
    const met = (ok: boolean): string => (ok ? 'met' : 'MISSED');
    log('');
    log(`Targets, groups (${result.engine}, informative on a busy machine):`);
    if (result.addMs !== undefined)
      log(
        `  PATCH add ${number(settings.change)}: ${ms(result.addMs)} ms (target ≤ ${GROUP_TARGETS.changeMs}) ${met(result.addMs <= GROUP_TARGETS.changeMs)}`,
      );
    if (result.removeMs !== undefined)
      log(
        `  PATCH remove ${number(settings.change)}: ${ms(result.removeMs)} ms (target ≤ ${GROUP_TARGETS.changeMs}) ${met(result.removeMs <= GROUP_TARGETS.changeMs)}`,
      );
    if (result.read)
      log(
        `  GET group of ${number(result.read.members)}: ${ms(result.read.medianMs)} ms (target ≤ ${GROUP_TARGETS.readMs}) ${met(result.read.medianMs <= GROUP_TARGETS.readMs)}`,
      );
    if (result.small) {
      const ratio = (large: Spread, smallOne: Spread): string =>
        (large.medianMs / smallOne.medianMs).toFixed(2);
      log(
        `  10-member PATCH on ${number(settings.groupSize)} vs ${SMALL} members: add ×${ratio(result.small.largeAdd, result.small.smallAdd)}, ` +
          `remove ×${ratio(result.small.largeRemove, result.small.smallRemove)} (should stay near ×1)`,
      );
    }
    for (const failure of result.failures) log(`  FAILED: ${failure}`);
  }
}
