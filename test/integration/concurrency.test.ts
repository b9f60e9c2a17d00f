import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestRoster, type TestRoster } from '../helpers/roster.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** The same Logon in a different mix of letter cases for each seed (the bits of the seed pick). */
function caseVariant(logon: string, seed: number): string {
  return logon.replace(/[a-z]/gi, (character: string, offset: number) =>
    (seed >> (offset % 16)) & 1 ? character.toUpperCase() : character.toLowerCase(),
  );
}

// Requests are started together with Promise.all: on PostgreSQL they run on several pooled
// connections at once; on SQLite they interleave at every await before the single writer.
describe.each(DIALECTS)('concurrency (%s)', (dialect) => {
  let harness: TestRoster;
  beforeAll(async () => {
    harness = await startTestRoster(dialect);
  });
  afterAll(async () => harness.close());

  it('lets exactly one of 20 simultaneous creates of the same Logon win, whatever its letter case', async () => {
    const { site, scim } = await harness.newSite();
    const logons = Array.from({ length: 20 }, (_, i) => caseVariant('race.winner@okta.local', i * 2741 + 1));
    expect(new Set(logons).size).toBe(20);
    const responses = await Promise.all(
      logons.map((userName, i) =>
        scim('POST', '/Users', {
          schemas: [USER_SCHEMA],
          userName,
          name: { givenName: `Racer ${i}`, familyName: 'Same' },
        }),
      ),
    );
    const created = responses.filter((response) => response.status === 201);
    const refused = responses.filter((response) => response.status === 409);
    expect(created, responses.map((response) => response.raw).join('\n')).toHaveLength(1);
    expect(refused).toHaveLength(19);
    for (const response of refused) expect(response.body.scimType).toBe('uniqueness');

    const stored = await harness.roster.store.users.page(
      site.id,
      { start: { index: 1 }, count: 100 },
      { includeDeleted: true },
    );
    expect(stored.totalResults).toBe(1);
    expect(stored.items[0]!.id).toBe(created[0]!.body.id);

    const list = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "RACE.WINNER@okta.local"')}`,
    );
    expect(list.body.totalResults).toBe(1);

    // Every refusal is in the log too, and the log agrees with the data: one successful create.
    const events = await harness.roster.store.events.list(site.id, { limit: 100 });
    const creates = events.filter((event) => event.operation === 'create');
    expect(creates.filter((event) => event.outcome === 'success')).toHaveLength(1);
    expect(creates.filter((event) => event.outcome === 'failure' && event.httpStatus === 409)).toHaveLength(
      19,
    );
  });

  it('creates all of 20 simultaneous users with different Logons', async () => {
    const { site, scim } = await harness.newSite();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        scim('POST', '/Users', {
          schemas: [USER_SCHEMA],
          userName: `parallel.${i}@okta.local`,
          emails: [{ value: `parallel.${i}@okta.local`, primary: true, type: 'work' }],
        }),
      ),
    );
    expect(
      responses.map((response) => response.status),
      responses.map((r) => r.raw).join('\n'),
    ).toEqual(Array.from({ length: 20 }, () => 201));
    expect(new Set(responses.map((response) => response.body.id)).size).toBe(20);

    const list = await scim('GET', '/Users?count=100');
    expect(list.body.totalResults).toBe(20);
    const logons = (list.body.Resources as { userName: string }[]).map((user) => user.userName).sort();
    expect(logons).toEqual(Array.from({ length: 20 }, (_, i) => `parallel.${i}@okta.local`).sort());

    const stored = await harness.roster.store.users.page(site.id, { start: { index: 1 }, count: 100 });
    expect(stored.totalResults).toBe(20);
  });

  it('applies every one of 10 simultaneous PATCHes that each add a phone number', async () => {
    const { site, scim } = await harness.newSite();
    const created = await scim('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'many.phones@okta.local',
      phoneNumbers: [{ value: '+44 20 0000 0000', type: 'work' }],
    });
    expect(created.status, created.raw).toBe(201);
    const id = created.body.id as string;
    const numbers = Array.from({ length: 10 }, (_, i) => `+1 555 010 ${String(i).padStart(4, '0')}`);

    const responses = await Promise.all(
      numbers.map((value) =>
        scim('PATCH', `/Users/${id}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'add', path: 'phoneNumbers', value: [{ value, type: 'mobile' }] }],
        }),
      ),
    );
    expect(
      responses.map((response) => response.status),
      responses.map((r) => r.raw).join('\n'),
    ).toEqual(Array.from({ length: 10 }, () => 200));

    const got = await scim('GET', `/Users/${id}`);
    const stored = (got.body.phoneNumbers as { value: string }[]).map((phone) => phone.value).sort();
    expect(stored).toEqual(['+44 20 0000 0000', ...numbers].sort());
    // One version per write: no write was folded into another.
    expect(got.body.meta.version).toBe('W/"11"');

    const events = await harness.roster.store.events.list(site.id, { limit: 100 });
    expect(
      events.filter((event) => event.operation === 'update' && event.outcome === 'success'),
    ).toHaveLength(10);
  });

  it('keeps every change of simultaneous PATCHes to different attributes of one user', async () => {
    const { scim } = await harness.newSite();
    const created = await scim('POST', '/Users', {
      schemas: [USER_SCHEMA],
      userName: 'many.changes@okta.local',
      name: { givenName: 'Before', familyName: 'Before' },
    });
    expect(created.status, created.raw).toBe(201);
    const id = created.body.id as string;
    const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    const operations: object[] = [
      { op: 'replace', path: 'name.givenName', value: 'Given' },
      { op: 'replace', path: 'name.familyName', value: 'Family' },
      { op: 'replace', path: 'displayName', value: 'Display Name' },
      { op: 'replace', path: 'nickName', value: 'Nick' },
      { op: 'replace', path: 'title', value: 'Engineer' },
      { op: 'replace', path: 'locale', value: 'en-GB' },
      { op: 'replace', path: 'timezone', value: 'Europe/London' },
      { op: 'add', path: 'emails', value: [{ value: 'changes@okta.local', type: 'work', primary: true }] },
      { op: 'add', path: `${enterprise}:department`, value: 'Operations' },
      { op: 'replace', path: 'active', value: false },
    ];
    const responses = await Promise.all(
      operations.map((operation) =>
        scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [operation] }),
      ),
    );
    expect(
      responses.map((response) => response.status),
      responses.map((r) => r.raw).join('\n'),
    ).toEqual(Array.from({ length: operations.length }, () => 200));

    const got = await scim('GET', `/Users/${id}`);
    expect(got.body).toMatchObject({
      userName: 'many.changes@okta.local',
      name: { givenName: 'Given', familyName: 'Family' },
      displayName: 'Display Name',
      nickName: 'Nick',
      title: 'Engineer',
      locale: 'en-GB',
      timezone: 'Europe/London',
      emails: [{ value: 'changes@okta.local', type: 'work', primary: true }],
      [enterprise]: { department: 'Operations' },
      active: false,
    });
    expect(got.body.meta.version).toBe(`W/"${operations.length + 1}"`);
  });
});
