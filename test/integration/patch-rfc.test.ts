/**
 * RFC 7644 §3.5.2 over HTTP: every PATCH example of §3.5.2.1 (add), §3.5.2.2 (remove) and §3.5.2.3
 * (replace) that applies to Users, and the rule each section states, as a table. Each case PATCHes a
 * user of its own, then asserts the STORED result by reading the user back; errors name the
 * operation (`Operation 1: …`) and carry the RFC's `scimType`, and a refused request changes
 * nothing (the version holds). Group examples come with the Groups resource. Both dialects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ENTERPRISE_USER_SCHEMA,
  ERROR_SCHEMA,
  type Json,
  PATCH_OP_SCHEMA,
  USER_SCHEMA,
} from '../fixtures/okta.js';
import {
  DIALECTS,
  type ScimResponse,
  startTestRoster,
  type TestRoster,
  type TestSite,
} from '../helpers/roster.js';

type Start = 'full' | 'minimal';

/** Barbara Jensen as RFC 7643 §8.2 has her, with the enterprise extension of §8.3 (in part). */
function fullUser(userName: string): Json {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    userName,
    externalId: '701984',
    name: {
      formatted: 'Ms. Barbara J Jensen, III',
      familyName: 'Jensen',
      givenName: 'Barbara',
      middleName: 'Jane',
      honorificPrefix: 'Ms.',
      honorificSuffix: 'III',
    },
    displayName: 'Babs Jensen',
    nickName: 'Babs',
    profileUrl: 'https://login.example.com/bjensen',
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    addresses: [
      {
        type: 'work',
        streetAddress: '100 Universal City Plaza',
        locality: 'Hollywood',
        region: 'CA',
        postalCode: '91608',
        country: 'USA',
        formatted: '100 Universal City Plaza\nHollywood, CA 91608 USA',
        primary: true,
      },
      {
        type: 'home',
        streetAddress: '456 Hollywood Blvd',
        locality: 'Hollywood',
        region: 'CA',
        postalCode: '91608',
        country: 'USA',
        formatted: '456 Hollywood Blvd\nHollywood, CA 91608 USA',
      },
    ],
    phoneNumbers: [
      { value: '555-555-5555', type: 'work' },
      { value: '555-555-4444', type: 'mobile' },
    ],
    userType: 'Employee',
    title: 'Tour Guide',
    preferredLanguage: 'en-US',
    locale: 'en-US',
    timezone: 'America/Los_Angeles',
    active: true,
    [ENTERPRISE_USER_SCHEMA]: { employeeNumber: '701984', costCenter: '4130', department: 'Tour Operations' },
  };
}

/** A user with little: a name and one work email, no nickName, no home email. */
function minimalUser(userName: string): Json {
  return {
    schemas: [USER_SCHEMA],
    userName,
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    emails: [{ value: 'barbara@old.example.com', type: 'work' }],
  };
}

const RFC_WORK_ADDRESS = {
  type: 'work',
  streetAddress: '911 Universal City Plaza',
  locality: 'Hollywood',
  region: 'CA',
  postalCode: '91608',
  country: 'US',
  formatted: '911 Universal City Plaza\nHollywood, CA 91608 US',
  primary: true,
};

interface SuccessCase {
  readonly name: string;
  readonly start: Start;
  readonly operations: Json[];
  /** Changes the user as read before the PATCH (no meta) into what must be stored after it. */
  readonly expect: (user: Json) => void;
  /** The RFC says nothing changes: the version and lastModified must hold. */
  readonly unchanged?: true;
}

const SUCCESS: SuccessCase[] = [
  // §3.5.2.1 Add Operation
  {
    name: '§3.5.2.1 example: add without a path; the value holds attributes (note "nickname")',
    start: 'minimal',
    operations: [
      { op: 'add', value: { emails: [{ value: 'babs@jensen.org', type: 'home' }], nickname: 'Babs' } },
    ],
    expect: (user) => {
      user.emails.push({ value: 'babs@jensen.org', type: 'home' });
      user.nickName = 'Babs';
    },
  },
  {
    name: '§3.5.2.1 example, again: the target already holds the value, so nothing changes',
    start: 'full',
    operations: [
      { op: 'add', value: { emails: [{ value: 'babs@jensen.org', type: 'home' }], nickname: 'Babs' } },
    ],
    expect: () => undefined,
    unchanged: true,
  },
  {
    name: '§3.5.2.1: a single-valued attribute is replaced',
    start: 'full',
    operations: [{ op: 'add', path: 'title', value: 'Senior Tour Guide' }],
    expect: (user) => {
      user.title = 'Senior Tour Guide';
    },
  },
  {
    name: '§3.5.2.1: an attribute with no value is added',
    start: 'minimal',
    operations: [{ op: 'add', path: 'nickName', value: 'Babs' }],
    expect: (user) => {
      user.nickName = 'Babs';
    },
  },
  {
    name: '§3.5.2.1: a complex attribute takes the sub-attributes given; the others stay',
    start: 'full',
    operations: [{ op: 'add', path: 'name', value: { middleName: 'J.', honorificPrefix: 'Dr.' } }],
    expect: (user) => {
      user.name.middleName = 'J.';
      user.name.honorificPrefix = 'Dr.';
    },
  },
  {
    name: '§3.5.2.1: a multi-valued attribute gets a new value',
    start: 'full',
    operations: [{ op: 'add', path: 'phoneNumbers', value: [{ value: '555-555-1111', type: 'home' }] }],
    expect: (user) => {
      user.phoneNumbers.push({ value: '555-555-1111', type: 'home' });
    },
  },
  {
    name: '§3.5.2.1: a value the multi-valued attribute already holds is not duplicated',
    start: 'full',
    operations: [{ op: 'add', path: 'emails', value: [{ type: 'home', value: 'babs@jensen.org' }] }],
    expect: () => undefined,
    unchanged: true,
  },
  {
    name: '§3.5.2.1 with §3.10: an extension attribute by its URN-qualified path',
    start: 'minimal',
    operations: [{ op: 'add', path: `${ENTERPRISE_USER_SCHEMA}:department`, value: 'Tour Operations' }],
    expect: (user) => {
      user.schemas = [USER_SCHEMA, ENTERPRISE_USER_SCHEMA];
      user[ENTERPRISE_USER_SCHEMA] = { department: 'Tour Operations' };
    },
  },
  // §3.5.2.2 Remove Operation
  {
    name: '§3.5.2.2: a single-valued attribute is removed',
    start: 'full',
    operations: [{ op: 'remove', path: 'title' }],
    expect: (user) => {
      delete user.title;
    },
  },
  {
    name: '§3.5.2.2: a multi-valued attribute without a filter loses all its values',
    start: 'full',
    operations: [{ op: 'remove', path: 'phoneNumbers' }],
    expect: (user) => {
      delete user.phoneNumbers;
    },
  },
  {
    name: '§3.5.2.2 example: remove the values a complex filter matches',
    start: 'full',
    operations: [{ op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' }],
    expect: (user) => {
      user.emails = [{ value: 'babs@jensen.org', type: 'home' }];
    },
  },
  {
    name: '§3.5.2.2: when the filter removes the last value, the attribute is unassigned',
    start: 'minimal',
    operations: [{ op: 'remove', path: 'emails[type eq "work"]' }],
    expect: (user) => {
      delete user.emails;
    },
  },
  {
    name: '§3.5.2.2: a sub-attribute of the matched values is removed',
    start: 'full',
    operations: [{ op: 'remove', path: 'addresses[type eq "work"].streetAddress' }],
    expect: (user) => {
      delete user.addresses[0].streetAddress;
    },
  },
  {
    name: '§3.5.2.2: a sub-attribute of a complex attribute is removed',
    start: 'full',
    operations: [{ op: 'remove', path: 'name.middleName' }],
    expect: (user) => {
      delete user.name.middleName;
    },
  },
  {
    name: '§3.5.2.2: an extension attribute by URN path; the extension goes when it is empty',
    start: 'full',
    operations: [
      { op: 'remove', path: `${ENTERPRISE_USER_SCHEMA}:employeeNumber` },
      { op: 'remove', path: `${ENTERPRISE_USER_SCHEMA}:costCenter` },
      { op: 'remove', path: `${ENTERPRISE_USER_SCHEMA}:department` },
    ],
    expect: (user) => {
      delete user[ENTERPRISE_USER_SCHEMA];
      user.schemas = [USER_SCHEMA];
    },
  },
  {
    name: '§3.5.2.2 example pattern: remove all, then add new values, in one request',
    start: 'full',
    operations: [
      { op: 'remove', path: 'emails' },
      {
        op: 'add',
        path: 'emails',
        value: [{ value: 'barbara@new.example.com', type: 'work', primary: true }],
      },
    ],
    expect: (user) => {
      user.emails = [{ value: 'barbara@new.example.com', type: 'work', primary: true }];
    },
  },
  // §3.5.2.3 Replace Operation
  {
    name: '§3.5.2.3 example: replace the whole work address through a valuePath filter',
    start: 'full',
    operations: [{ op: 'replace', path: 'addresses[type eq "work"]', value: RFC_WORK_ADDRESS }],
    expect: (user) => {
      user.addresses[0] = RFC_WORK_ADDRESS;
    },
  },
  {
    name: '§3.5.2.3 example: replace one sub-attribute of the filtered address',
    start: 'full',
    operations: [
      { op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' },
    ],
    expect: (user) => {
      user.addresses[0].streetAddress = '1010 Broadway Ave';
    },
  },
  {
    name: '§3.5.2.3 example: replace without a path; emails is replaced whole',
    start: 'minimal',
    operations: [
      {
        op: 'replace',
        value: {
          emails: [
            { value: 'bjensen@example.com', type: 'work', primary: true },
            { value: 'babs@jensen.org', type: 'home' },
          ],
          nickname: 'Babs',
        },
      },
    ],
    expect: (user) => {
      user.emails = [
        { value: 'bjensen@example.com', type: 'work', primary: true },
        { value: 'babs@jensen.org', type: 'home' },
      ];
      user.nickName = 'Babs';
    },
  },
  {
    name: '§3.5.2.3: a multi-valued attribute without a filter has all its values replaced',
    start: 'full',
    operations: [{ op: 'replace', path: 'phoneNumbers', value: [{ value: '555-555-0000', type: 'other' }] }],
    expect: (user) => {
      user.phoneNumbers = [{ value: '555-555-0000', type: 'other' }];
    },
  },
  {
    name: '§3.5.2.3: a single-valued attribute is replaced',
    start: 'full',
    operations: [{ op: 'replace', path: 'displayName', value: 'Barbara Jensen' }],
    expect: (user) => {
      user.displayName = 'Barbara Jensen';
    },
  },
  {
    name: '§3.5.2.3: an attribute that has no value is treated as an add',
    start: 'minimal',
    operations: [{ op: 'replace', path: 'title', value: 'Tour Guide' }],
    expect: (user) => {
      user.title = 'Tour Guide';
    },
  },
  {
    name: '§3.5.2.3: a complex attribute gets the sub-attributes given; the others are left unchanged',
    start: 'full',
    operations: [{ op: 'replace', path: 'name', value: { familyName: 'Jensen-Smith' } }],
    expect: (user) => {
      user.name.familyName = 'Jensen-Smith';
    },
  },
  {
    name: '§3.5.2.3: the sub-attribute of every matching value is replaced',
    start: 'full',
    operations: [{ op: 'replace', path: 'phoneNumbers[value sw "555"].display', value: 'Office' }],
    expect: (user) => {
      for (const phone of user.phoneNumbers) phone.display = 'Office';
    },
  },
  {
    name: '§3.5.2.3 with §3.10: a core attribute by its URN-qualified path',
    start: 'full',
    operations: [{ op: 'replace', path: `${USER_SCHEMA}:displayName`, value: 'B. Jensen' }],
    expect: (user) => {
      user.displayName = 'B. Jensen';
    },
  },
  {
    name: '§3.5.2: operations apply in order; a later one sees an earlier one',
    start: 'full',
    operations: [
      { op: 'replace', path: 'title', value: 'First' },
      { op: 'replace', path: 'title', value: 'Tour Guide' },
    ],
    expect: () => undefined,
    unchanged: true,
  },
];

interface ErrorCase {
  readonly name: string;
  readonly scimType: 'invalidPath' | 'noTarget' | 'mutability' | 'invalidValue' | 'invalidSyntax';
  /** Operation 0 is always valid, so the failing one is operation 1. */
  readonly failing: Json;
}

const ERRORS: ErrorCase[] = [
  // §3.5.2: "If the path is invalid … invalidPath"
  {
    name: 'an unclosed value filter',
    scimType: 'invalidPath',
    failing: { op: 'replace', path: 'emails[type eq "work"', value: 'x' },
  },
  {
    name: 'a value filter on a single-valued attribute',
    scimType: 'invalidPath',
    failing: { op: 'replace', path: 'userName[value eq "x"]', value: 'x' },
  },
  {
    name: 'a value filter naming no sub-attribute of the elements',
    scimType: 'invalidPath',
    failing: { op: 'replace', path: 'emails[color eq "blue"].value', value: 'x' },
  },
  {
    name: 'a sub-attribute the complex attribute does not have',
    scimType: 'invalidPath',
    failing: { op: 'replace', path: 'emails[type eq "work"].colour', value: 'x' },
  },
  {
    name: 'two sub-attributes',
    scimType: 'invalidPath',
    failing: { op: 'replace', path: 'name.givenName.first', value: 'x' },
  },
  // §3.5.2.2: remove without a path; §3.5.2.3: a valuePath that matches nothing
  { name: 'remove without a path', scimType: 'noTarget', failing: { op: 'remove' } },
  {
    name: 'replace through a filter that matches no value',
    scimType: 'noTarget',
    failing: { op: 'replace', path: 'emails[value ew "nowhere.example"].type', value: 'other' },
  },
  // RFC 7643 §2.2 and RFC 7644 §3.5.2: read-only targets; §3.5.2.2: a required attribute removed
  { name: 'replace id', scimType: 'mutability', failing: { op: 'replace', path: 'id', value: 'x' } },
  {
    name: 'replace meta.lastModified',
    scimType: 'mutability',
    failing: { op: 'replace', path: 'meta.lastModified', value: '2020-01-01T00:00:00Z' },
  },
  {
    name: 'add to groups (read-only on User)',
    scimType: 'mutability',
    failing: { op: 'add', path: 'groups', value: [{ value: 'g1' }] },
  },
  {
    name: "replace the manager's displayName (read-only)",
    scimType: 'mutability',
    failing: { op: 'replace', path: `${ENTERPRISE_USER_SCHEMA}:manager.displayName`, value: 'Boss' },
  },
  { name: 'remove userName (required)', scimType: 'mutability', failing: { op: 'remove', path: 'userName' } },
  {
    name: 'replace userName with null (required)',
    scimType: 'mutability',
    failing: { op: 'replace', path: 'userName', value: null },
  },
  // Values of the wrong type
  {
    name: 'a boolean that is no boolean',
    scimType: 'invalidValue',
    failing: { op: 'replace', path: 'active', value: 'maybe' },
  },
  {
    name: 'a string for a complex attribute',
    scimType: 'invalidValue',
    failing: { op: 'replace', path: 'name', value: 'Barbara Jensen' },
  },
  {
    name: 'a list for a single-valued attribute',
    scimType: 'invalidValue',
    failing: { op: 'replace', path: 'title', value: ['a', 'b'] },
  },
  { name: 'add without a value', scimType: 'invalidValue', failing: { op: 'add', path: 'title' } },
  {
    name: 'a path-less replace whose value is no object',
    scimType: 'invalidValue',
    failing: { op: 'replace', value: 'Babs' },
  },
  // The PatchOp message itself
  {
    name: 'an op RFC 7644 does not define',
    scimType: 'invalidSyntax',
    failing: { op: 'move', path: 'title' },
  },
  {
    name: 'an operation that is no object',
    scimType: 'invalidSyntax',
    failing: 'replace title' as unknown as Json,
  },
];

describe.each(DIALECTS)('PATCH per RFC 7644 §3.5.2 (%s)', (dialect) => {
  let harness: TestRoster;
  let site: TestSite;
  let counter = 0;
  beforeAll(async () => {
    harness = await startTestRoster(dialect);
    site = await harness.newSite();
  });
  afterAll(async () => harness.close());

  async function newUser(start: Start): Promise<Json> {
    const userName = `rfc-${++counter}@example.com`;
    const created = await site.scim(
      'POST',
      '/Users',
      start === 'full' ? fullUser(userName) : minimalUser(userName),
    );
    expect(created.status, created.raw).toBe(201);
    return readUser(created.body.id as string);
  }

  async function readUser(id: string): Promise<Json> {
    const response = await site.scim('GET', `/Users/${id}`);
    expect(response.status, response.raw).toBe(200);
    expect(response.headers.etag).toBe(response.body.meta.version);
    return response.body;
  }

  const patch = (id: string, operations: Json[]) =>
    site.scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP_SCHEMA], Operations: operations });

  it.each(SUCCESS)('$name', async (testCase) => {
    const before = await newUser(testCase.start);
    const { meta: beforeMeta, ...expected } = structuredClone(before);
    testCase.expect(expected);

    const response = await patch(before.id as string, testCase.operations);
    expect(response.status, response.raw).toBe(200);
    const after = await readUser(before.id as string);
    expect(response.body).toEqual(after);
    const { meta: afterMeta, ...stored } = after;
    expect(stored).toEqual(expected);
    if (testCase.unchanged) {
      expect(afterMeta).toEqual(beforeMeta);
    } else {
      expect(afterMeta.version).not.toBe(beforeMeta.version);
      expect(afterMeta.created).toBe(beforeMeta.created);
    }
  });

  it.each(ERRORS)('Operation 1 fails ($scimType): $name — and nothing changes', async (testCase) => {
    const before = await newUser('full');
    const response = await patch(before.id as string, [
      { op: 'replace', path: 'title', value: 'Changed by operation 0' },
      testCase.failing,
    ]);
    expectScimError(response, 400, testCase.scimType);
    expect(response.body.detail).toMatch(/^Operation 1: /);
    // Atomic (§3.5.2): operation 0 is not applied either; the version holds.
    expect(await readUser(before.id as string)).toEqual(before);
    const record = await harness.roster.store.users.get(site.site.id, before.id as string);
    expect(`W/"${record?.version}"`).toBe(before.meta.version);
    expect(record?.resource.title).toBe('Tour Guide');
  });

  it('atomicity: three operations touching several attributes, the third failing, change nothing', async () => {
    const before = await newUser('full');
    const response = await patch(before.id as string, [
      { op: 'replace', path: 'name.familyName', value: 'Changed' },
      { op: 'add', path: 'emails[type eq "other"].value', value: 'other@example.com' },
      { op: 'replace', path: 'active', value: 'perhaps' },
    ]);
    expectScimError(response, 400, 'invalidValue');
    expect(response.body.detail).toMatch(/^Operation 2: /);
    expect(await readUser(before.id as string)).toEqual(before);
    const events = await harness.roster.store.events.list(site.site.id, { limit: 1 });
    expect(events[0]).toMatchObject({ resourceId: before.id, outcome: 'failure', httpStatus: 400 });
    expect(events[0]?.detail).toMatch(/^Operation 2: /);
  });

  it('a body that is no PatchOp is invalidSyntax, and an unknown id is 404', async () => {
    const before = await newUser('minimal');
    for (const body of [{ Operations: [] }, { Operations: 'replace' }, ['replace'], {}]) {
      const response = await site.scim('PATCH', `/Users/${before.id}`, body);
      expectScimError(response, 400, 'invalidSyntax');
    }
    expect(await readUser(before.id as string)).toEqual(before);
    const missing = await patch('01a00000-0000-7000-8000-000000000000', [
      { op: 'replace', path: 'title', value: 'x' },
    ]);
    expectScimError(missing, 404);
  });
});

function expectScimError(response: ScimResponse, status: number, scimType?: string): void {
  expect(response.status, response.raw).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/scim\+json/);
  expect(response.body.schemas).toEqual([ERROR_SCHEMA]);
  expect(response.body.status).toBe(String(status));
  expect(typeof response.body.detail).toBe('string');
  if (scimType === undefined) expect(response.body).not.toHaveProperty('scimType');
  else expect(response.body.scimType).toBe(scimType);
}
