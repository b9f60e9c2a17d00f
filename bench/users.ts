/** The users the bench provisions: SCIM bodies, and what the query scenario expects of them. */

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** The crud scenario's user, as Okta provisions one: core attributes, a work email, the enterprise extension. */
export function crudUserBody(n: number): string {
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

/**
 * The query scenario's complex filter: an `or` of a value path (two conditions on the same email)
 * and a `sw` on a column, under an `and`. No index answers it: `co` and the `or` rule them out.
 */
export const COMPLEX_FILTER =
  '(emails[type eq "work" and value co "@example.org"] or name.familyName sw "Sm") and active eq true';

const GIVEN_NAMES = words(
  'Ada Alan Barbara Claude Donald Edsger Frances Grace Hedy Ivan John Katherine Leslie Margaret Niklaus Radia Shafi Tim Whitfield Yukihiro',
);
/** 4 of 50 start with "Sm": about 8% of users match `name.familyName sw "Sm"`. */
const FAMILY_NAMES = words(
  'Smith Smythe Small Smart Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez ' +
    'Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark ' +
    'Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson ' +
    'Baker Hall Rivera Campbell',
);
/**
 * Work email domains, 30% example.org. `eu.example.org` contains "example.org" but not
 * "@example.org", and a third of home emails are at example.org: neither may match the value path.
 */
const WORK_DOMAINS = words(
  'example.org example.org example.org example.com example.com example.com example.com example.com eu.example.org eu.example.org',
);
const HOME_DOMAINS = words('example.org mail.example.net mail.example.net');
const DEPARTMENTS = words('Engineering Sales Marketing Finance Support Research');
const TITLES = ['Engineer', 'Senior Engineer', 'Account Executive', 'Analyst', 'Manager', 'Designer'];
const TIME_ZONES = words(
  'Europe/London America/New_York Europe/Berlin Asia/Tokyo America/Los_Angeles Australia/Sydney',
);

export interface QueryUser {
  readonly userName: string;
  /** The POST /Users body. */
  readonly body: Record<string, unknown>;
  /** Whether COMPLEX_FILTER matches the user, worked out here from what was sent. */
  readonly matchesComplexFilter: boolean;
}

/**
 * User `n` of the query scenario, the same on every run: about 3% without emails, 50% with a
 * home email too, 40% with a work phone (15% a mobile as well), 60% with an enterprise
 * department, 10% inactive. About 31% match COMPLEX_FILTER.
 */
export function queryUser(n: number): QueryUser {
  const random = generator(n);
  const given = pick(GIVEN_NAMES, random());
  const family = pick(FAMILY_NAMES, random());
  const local = `${given}.${family}.${n}`.toLowerCase();
  const userName = `${local}@corp.example.com`;
  const emails: { value: string; type: string; primary?: boolean }[] = [];
  let workAtExampleOrg = false;
  if (random() >= 0.03) {
    const domain = pick(WORK_DOMAINS, random());
    workAtExampleOrg = domain === 'example.org';
    emails.push({ value: `${local}@${domain}`, type: 'work', primary: true });
    if (random() < 0.5) emails.push({ value: `${local}.home@${pick(HOME_DOMAINS, random())}`, type: 'home' });
  }
  const phones: { value: string; type: string }[] = [];
  if (random() < 0.4) {
    phones.push({ value: `+1 555 01${String(n % 10000).padStart(4, '0')}`, type: 'work' });
    if (random() < 0.375)
      phones.push({ value: `+44 7700 9${String(n % 100000).padStart(5, '0')}`, type: 'mobile' });
  }
  const department = random() < 0.6 ? pick(DEPARTMENTS, random()) : undefined;
  const active = random() >= 0.1;
  const body: Record<string, unknown> = {
    schemas: department ? [USER_SCHEMA, ENTERPRISE_SCHEMA] : [USER_SCHEMA],
    userName,
    externalId: `00q${n.toString(36).padStart(8, '0')}`,
    name: { givenName: given, familyName: family },
    displayName: `${given} ${family}`,
    ...(emails.length > 0 ? { emails } : {}),
    ...(phones.length > 0 ? { phoneNumbers: phones } : {}),
    title: pick(TITLES, random()),
    timezone: pick(TIME_ZONES, random()),
    active,
    ...(department ? { [ENTERPRISE_SCHEMA]: { department, employeeNumber: String(n) } } : {}),
  };
  return {
    userName,
    body,
    matchesComplexFilter: active && (workAtExampleOrg || family.toLowerCase().startsWith('sm')),
  };
}

function words(text: string): string[] {
  return text.split(' ');
}

function pick<T>(values: readonly T[], at: number): T {
  return values[Math.floor(at * values.length)]!;
}

/** mulberry32, seeded by the user's number: the same users on every run. */
function generator(seed: number): () => number {
  let state = (Math.imul(seed, 2654435761) ^ 0x5eed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
