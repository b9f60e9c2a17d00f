import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { RosterError, type ScimType } from '../../errors.js';
import { normalizeResource, type ScimObject, type ScimValue } from '../resource.js';
import { ENTERPRISE_USER_SCHEMA_ID } from '../schema/enterprise-user.js';
import { userResourceSchema } from '../schema/resource-types.js';
import { USER_SCHEMA_ID } from '../schema/user.js';
import { applyPatch, type PatchResult } from './apply.js';
import { PATCH_OP_SCHEMA, parsePatchRequest } from './request.js';

const ENTERPRISE = ENTERPRISE_USER_SCHEMA_ID;
const CORE = USER_SCHEMA_ID;
const FOREIGN = 'urn:example:params:scim:schemas:extension:acme:2.0:User';
const schema = userResourceSchema;

function patch(document: ScimObject, operations: readonly unknown[]): PatchResult {
  return applyPatch(
    schema,
    document,
    parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: operations }),
  );
}

function thrown(fn: () => unknown): RosterError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RosterError) return error;
    throw error;
  }
  throw new Error('expected a RosterError, but nothing was thrown');
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

const WORK_EMAIL: ScimObject = { value: 'bjensen@example.com', type: 'work', primary: true };
const HOME_EMAIL: ScimObject = { value: 'babs@jensen.org', type: 'home' };
const WORK_ADDRESS: ScimObject = {
  formatted: '100 Universal City Plaza\nHollywood, CA 91608 US',
  streetAddress: '100 Universal City Plaza',
  locality: 'Hollywood',
  region: 'CA',
  postalCode: '91608',
  country: 'US',
  type: 'work',
  primary: true,
};
const HOME_ADDRESS: ScimObject = {
  formatted: '456 Hollywood Blvd\nHollywood, CA 91608 US',
  streetAddress: '456 Hollywood Blvd',
  locality: 'Hollywood',
  region: 'CA',
  postalCode: '91608',
  country: 'US',
  type: 'home',
};
const MANAGER_ID = '2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2';

/**
 * RFC 7643 §8.2's Barbara Jensen, trimmed to what these tests touch, as the server hands her to
 * PATCH. `changes` overrides attributes; `undefined` removes one.
 */
function bjensen(changes: Record<string, ScimValue | undefined> = {}): ScimObject {
  const user: ScimObject = {
    schemas: [CORE],
    id: '2819c223-7f76-453a-919d-413861904646',
    externalId: '701984',
    userName: 'bjensen@example.com',
    name: { formatted: 'Ms. Barbara J Jensen, III', familyName: 'Jensen', givenName: 'Barbara' },
    displayName: 'Babs Jensen',
    active: true,
    emails: [WORK_EMAIL],
    meta: {
      resourceType: 'User',
      created: '2010-01-23T04:56:22Z',
      lastModified: '2011-05-13T04:42:34Z',
      version: 'W/"3694e05e9dff591"',
      location: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646',
    },
  };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete user[key];
    else user[key] = value;
  }
  return structuredClone(user);
}

interface Case {
  readonly name: string;
  readonly before: ScimObject;
  readonly operations: readonly unknown[];
  readonly after: ScimObject;
}

const rfcCases: Case[] = [
  {
    name: '§3.5.2.1 add: a home email joins the work email',
    before: bjensen(),
    operations: [{ op: 'add', path: 'emails', value: [{ value: 'babs@jensen.org', type: 'home' }] }],
    after: bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] }),
  },
  {
    name: '§3.5.2.1 add without a path: emails and "nickname" (names are case-insensitive)',
    before: bjensen(),
    operations: [
      {
        op: 'add',
        value: { emails: [{ value: 'babs@jensen.org', type: 'home' }], nickname: 'Babs' },
      },
    ],
    after: bjensen({ emails: [WORK_EMAIL, HOME_EMAIL], nickName: 'Babs' }),
  },
  {
    name: '§3.5.2.1 add of a value already present changes nothing',
    before: bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] }),
    operations: [{ op: 'add', path: 'emails', value: [{ type: 'home', value: 'babs@jensen.org' }] }],
    after: bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] }),
  },
  {
    name: '§3.5.2.1 add to a single-valued attribute replaces its value',
    before: bjensen({ title: 'Tour Guide' }),
    operations: [{ op: 'add', path: 'title', value: 'Tour Lead' }],
    after: bjensen({ title: 'Tour Lead' }),
  },
  {
    name: '§3.5.2.1 add of sub-attributes to a complex attribute keeps the others',
    before: bjensen(),
    operations: [{ op: 'add', path: 'name', value: { middleName: 'Jane' } }],
    after: bjensen({
      name: {
        formatted: 'Ms. Barbara J Jensen, III',
        familyName: 'Jensen',
        givenName: 'Barbara',
        middleName: 'Jane',
      },
    }),
  },
  {
    name: '§3.5.2.2 remove: emails[type eq "work" and value ew "example.com"]',
    before: bjensen({
      emails: [WORK_EMAIL, HOME_EMAIL, { value: 'barbara@example.org', type: 'work' }],
    }),
    operations: [{ op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' }],
    after: bjensen({ emails: [HOME_EMAIL, { value: 'barbara@example.org', type: 'work' }] }),
  },
  {
    name: '§3.5.2.2 remove: a whole multi-valued attribute',
    before: bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] }),
    operations: [{ op: 'remove', path: 'emails' }],
    after: bjensen({ emails: undefined }),
  },
  {
    name: '§3.5.2.2 remove: a single-valued attribute',
    before: bjensen(),
    operations: [{ op: 'remove', path: 'displayName' }],
    after: bjensen({ displayName: undefined }),
  },
  {
    name: '§3.5.2.2 remove: a sub-attribute',
    before: bjensen(),
    operations: [{ op: 'remove', path: 'name.formatted' }],
    after: bjensen({ name: { familyName: 'Jensen', givenName: 'Barbara' } }),
  },
  {
    name: '§3.5.2.3 replace: addresses[type eq "work"] with a whole new address',
    before: bjensen({ addresses: [WORK_ADDRESS, HOME_ADDRESS] }),
    operations: [
      {
        op: 'replace',
        path: 'addresses[type eq "work"]',
        value: {
          type: 'work',
          streetAddress: '911 Universal City Plaza',
          locality: 'Hollywood',
          region: 'CA',
          postalCode: '91608',
          country: 'US',
          formatted: '911 Universal City Plaza\nHollywood, CA 91608 US',
          primary: true,
        },
      },
    ],
    after: bjensen({
      addresses: [
        {
          formatted: '911 Universal City Plaza\nHollywood, CA 91608 US',
          streetAddress: '911 Universal City Plaza',
          locality: 'Hollywood',
          region: 'CA',
          postalCode: '91608',
          country: 'US',
          type: 'work',
          primary: true,
        },
        HOME_ADDRESS,
      ],
    }),
  },
  {
    name: '§3.5.2.3 replace: addresses[type eq "work"].streetAddress',
    before: bjensen({ addresses: [WORK_ADDRESS, HOME_ADDRESS] }),
    operations: [
      { op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' },
    ],
    after: bjensen({
      addresses: [{ ...WORK_ADDRESS, streetAddress: '1010 Broadway Ave' }, HOME_ADDRESS],
    }),
  },
  {
    name: '§3.5.2.3 replace without a path: every email, and the nickname',
    before: bjensen({ emails: [{ value: 'old@example.com', type: 'other' }], nickName: 'B' }),
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
    after: bjensen({ emails: [WORK_EMAIL, HOME_EMAIL], nickName: 'Babs' }),
  },
  {
    name: '§3.5.2 replace: name.familyName (Figure 8 path)',
    before: bjensen(),
    operations: [{ op: 'replace', path: 'name.familyName', value: 'Jensen-Smith' }],
    after: bjensen({
      name: { formatted: 'Ms. Barbara J Jensen, III', familyName: 'Jensen-Smith', givenName: 'Barbara' },
    }),
  },
  {
    name: '§3.5.2.3 replace of a complex attribute leaves unnamed sub-attributes unchanged',
    before: bjensen(),
    operations: [{ op: 'replace', path: 'name', value: { givenName: 'Barb' } }],
    after: bjensen({
      name: { formatted: 'Ms. Barbara J Jensen, III', familyName: 'Jensen', givenName: 'Barb' },
    }),
  },
  {
    name: '§3.5.2.3 replace of an attribute the user lacks adds it',
    before: bjensen(),
    operations: [{ op: 'replace', path: 'title', value: 'Tour Guide' }],
    after: bjensen({ title: 'Tour Guide' }),
  },
  {
    name: '§3.10 a path qualified with the core schema URN',
    before: bjensen(),
    operations: [{ op: 'replace', path: `${CORE}:displayName`, value: 'Barbara' }],
    after: bjensen({ displayName: 'Barbara' }),
  },
];

const oktaCases: Case[] = [
  {
    name: 'Okta: path-less replace {"active": false} (okta.md §0 item 11)',
    before: bjensen(),
    operations: [{ op: 'replace', value: { active: false } }],
    after: bjensen({ active: false }),
  },
  {
    name: 'Okta: path-less replace {"active": true} re-enables',
    before: bjensen({ active: false }),
    operations: [{ op: 'replace', value: { active: true } }],
    after: bjensen({ active: true }),
  },
  {
    name: 'Okta: replace with "path": "active"',
    before: bjensen(),
    operations: [{ op: 'replace', path: 'active', value: false }],
    after: bjensen({ active: false }),
  },
];

const entraCases: Case[] = [
  {
    name: 'Entra: {"op":"Replace","path":"active","value":"False"} stores boolean false',
    before: bjensen(),
    operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    after: bjensen({ active: false }),
  },
  {
    name: 'Keycloak: replace active with the string "true"',
    before: bjensen({ active: false }),
    operations: [{ op: 'replace', path: 'active', value: 'true' }],
    after: bjensen({ active: true }),
  },
  {
    name: 'Entra: "Add" nickName',
    before: bjensen(),
    operations: [{ op: 'Add', path: 'nickName', value: 'Babs' }],
    after: bjensen({ nickName: 'Babs' }),
  },
  {
    name: 'Entra: "Remove" displayName',
    before: bjensen(),
    operations: [{ op: 'Remove', path: 'displayName' }],
    after: bjensen({ displayName: undefined }),
  },
  {
    name: 'Entra: Replace emails[type eq "work"].value changes it and keeps the home email (SCIM-SDK#668)',
    before: bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] }),
    operations: [
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@microsoft.com' },
      { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
    ],
    after: bjensen({
      emails: [{ ...WORK_EMAIL, value: 'updatedEmail@microsoft.com' }, HOME_EMAIL],
      name: { formatted: 'Ms. Barbara J Jensen, III', familyName: 'updatedFamilyName', givenName: 'Barbara' },
    }),
  },
  {
    name: 'Entra: Replace emails[type eq "work"].value creates the work email when there is none',
    before: bjensen({ emails: [HOME_EMAIL] }),
    operations: [{ op: 'Replace', path: 'emails[type eq "work"].value', value: 'x@example.com' }],
    after: bjensen({ emails: [HOME_EMAIL, { type: 'work', value: 'x@example.com' }] }),
  },
  {
    name: 'Entra: Add emails[type eq "work"].value on a user without emails (SCIM-SDK#416)',
    before: bjensen({ emails: undefined }),
    operations: [{ op: 'add', path: 'emails[type eq "work"].value', value: 'x@example.com' }],
    after: bjensen({ emails: [{ type: 'work', value: 'x@example.com' }] }),
  },
  {
    name: 'Entra: three adds to addresses[type eq "work"].* make ONE work address (SCIM-SDK#680)',
    before: bjensen({ addresses: [HOME_ADDRESS] }),
    operations: [
      { op: 'Add', path: 'addresses[type eq "work"].formatted', value: '1 Main St\nSpringfield' },
      { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Springfield' },
      { op: 'Add', path: 'addresses[type eq "work"].region', value: 'IL' },
    ],
    after: bjensen({
      addresses: [
        HOME_ADDRESS,
        { type: 'work', formatted: '1 Main St\nSpringfield', locality: 'Springfield', region: 'IL' },
      ],
    }),
  },
  {
    name: 'Entra (aadOptscim062020): path-less replace with dotted and URN-qualified keys',
    before: bjensen(),
    operations: [
      {
        op: 'replace',
        value: {
          displayName: 'Bjfe',
          'name.givenName': 'Kkom',
          'name.familyName': 'Unua',
          [`${ENTERPRISE}:employeeNumber`]: 'Aklq',
        },
      },
    ],
    after: bjensen({
      displayName: 'Bjfe',
      name: { formatted: 'Ms. Barbara J Jensen, III', familyName: 'Unua', givenName: 'Kkom' },
      [ENTERPRISE]: { employeeNumber: 'Aklq' },
    }),
  },
  {
    name: 'Entra (default job): one Replace per path, a URN-qualified one among them',
    before: bjensen({ [ENTERPRISE]: { employeeNumber: '701984', department: 'Tours' } }),
    operations: [
      { op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: 'Aklq' },
      { op: 'Replace', path: 'externalId', value: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef' },
      { op: 'Replace', path: 'name.givenName', value: 'Kkom' },
    ],
    after: bjensen({
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      name: { formatted: 'Ms. Barbara J Jensen, III', familyName: 'Jensen', givenName: 'Kkom' },
      [ENTERPRISE]: { employeeNumber: 'Aklq', department: 'Tours' },
    }),
  },
  {
    name: 'Entra: manager by path as a bare id (SCIM-SDK#686) is stored as {value}',
    before: bjensen(),
    operations: [{ op: 'add', path: `${ENTERPRISE}:manager`, value: MANAGER_ID }],
    after: bjensen({ [ENTERPRISE]: { manager: { value: MANAGER_ID } } }),
  },
  {
    name: 'manager by path as a {value} object',
    before: bjensen(),
    operations: [{ op: 'Add', path: `${ENTERPRISE}:manager`, value: { value: MANAGER_ID } }],
    after: bjensen({ [ENTERPRISE]: { manager: { value: MANAGER_ID } } }),
  },
  {
    name: 'MS "SCIM Inbound" collection: replace urn:…:enterprise:2.0:User.manager (dot form)',
    before: bjensen({ [ENTERPRISE]: { employeeNumber: '1', manager: { value: 'old-manager' } } }),
    operations: [{ op: 'replace', path: `${ENTERPRISE}.manager`, value: MANAGER_ID }],
    after: bjensen({ [ENTERPRISE]: { employeeNumber: '1', manager: { value: MANAGER_ID } } }),
  },
  ...[
    ['"Replace" with ""', { op: 'Replace', path: `${ENTERPRISE}:manager`, value: '' }],
    ['"Replace" with null', { op: 'Replace', path: `${ENTERPRISE}:manager`, value: null }],
    ['"remove"', { op: 'remove', path: `${ENTERPRISE}:manager` }],
  ].map(([how, operation]): Case => ({
    name: `Entra validation suite: manager removed by ${how as string}`,
    before: bjensen({ [ENTERPRISE]: { employeeNumber: '1', manager: { value: MANAGER_ID } } }),
    operations: [operation],
    after: bjensen({ [ENTERPRISE]: { employeeNumber: '1' } }),
  })),
  {
    name: 'path-less replace of the whole extension object keeps its other attributes',
    before: bjensen({ [ENTERPRISE]: { employeeNumber: '1' } }),
    operations: [{ op: 'replace', value: { [ENTERPRISE]: { department: 'Sales', manager: MANAGER_ID } } }],
    after: bjensen({
      [ENTERPRISE]: { employeeNumber: '1', department: 'Sales', manager: { value: MANAGER_ID } },
    }),
  },
  {
    name: 'a path naming the whole extension',
    before: bjensen({ [ENTERPRISE]: { employeeNumber: '1' } }),
    operations: [{ op: 'add', path: ENTERPRISE, value: { department: 'Sales' } }],
    after: bjensen({ [ENTERPRISE]: { employeeNumber: '1', department: 'Sales' } }),
  },
  {
    name: 'remove of the whole extension',
    before: bjensen({ [ENTERPRISE]: { employeeNumber: '1' } }),
    operations: [{ op: 'remove', path: ENTERPRISE }],
    after: bjensen(),
  },
  {
    name: 'paths in any letter case resolve to canonical names',
    before: bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] }),
    operations: [
      { op: 'REPLACE', path: 'NAME.FAMILYNAME', value: 'J' },
      { op: 'replace', path: 'Emails[TYPE eq "work"].VALUE', value: 'b@example.com' },
      {
        op: 'add',
        path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:Department',
        value: 'X',
      },
    ],
    after: bjensen({
      name: { formatted: 'Ms. Barbara J Jensen, III', familyName: 'J', givenName: 'Barbara' },
      emails: [{ ...WORK_EMAIL, value: 'b@example.com' }, HOME_EMAIL],
      [ENTERPRISE]: { department: 'X' },
    }),
  },
];

const filterCases: Case[] = [
  {
    name: 'remove on a value filter removes the matching element only',
    before: bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] }),
    operations: [{ op: 'remove', path: 'emails[type eq "home"]' }],
    after: bjensen({ emails: [WORK_EMAIL] }),
  },
  {
    name: 'remove of the last matching element leaves the attribute unassigned',
    before: bjensen(),
    operations: [{ op: 'remove', path: 'emails[value eq "BJENSEN@example.com"]' }],
    after: bjensen({ emails: undefined }),
  },
  {
    name: 'remove on a value filter that matches nothing is a no-op',
    before: bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] }),
    operations: [{ op: 'remove', path: 'emails[type eq "other"]' }],
    after: bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] }),
  },
  {
    name: 'remove on a value filter when the attribute is absent is a no-op',
    before: bjensen({ emails: undefined }),
    operations: [{ op: 'remove', path: 'emails[type eq "work"]' }],
    after: bjensen({ emails: undefined }),
  },
  {
    name: 'remove of a sub-attribute through a value filter',
    before: bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] }),
    operations: [{ op: 'remove', path: 'emails[type eq "work"].primary' }],
    after: bjensen({ emails: [{ value: 'bjensen@example.com', type: 'work' }, HOME_EMAIL] }),
  },
  {
    name: 'Entra: remove with path "emails" and the values to remove',
    before: bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] }),
    operations: [{ op: 'Remove', path: 'emails', value: [{ value: 'babs@jensen.org' }] }],
    after: bjensen({ emails: [WORK_EMAIL] }),
  },
  {
    name: 'primary: true on one email clears it on the others (RFC 7643 §2.4)',
    before: bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] }),
    operations: [{ op: 'replace', path: 'emails[value eq "babs@jensen.org"].primary', value: true }],
    after: bjensen({
      emails: [
        { ...WORK_EMAIL, primary: false },
        { ...HOME_EMAIL, primary: true },
      ],
    }),
  },
  {
    name: 'primary: the string "True" (Entra) counts as true',
    before: bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] }),
    operations: [{ op: 'Replace', path: 'emails[type eq "home"].primary', value: 'True' }],
    after: bjensen({
      emails: [
        { ...WORK_EMAIL, primary: false },
        { ...HOME_EMAIL, primary: true },
      ],
    }),
  },
  {
    name: 'primary: a new primary email added without a path clears the old one',
    before: bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] }),
    operations: [
      { op: 'add', value: { emails: [{ value: 'new@example.com', type: 'other', primary: true }] } },
    ],
    after: bjensen({
      emails: [
        { ...WORK_EMAIL, primary: false },
        HOME_EMAIL,
        { value: 'new@example.com', type: 'other', primary: true },
      ],
    }),
  },
  {
    name: 'primary: an element created through an equality filter clears the old one',
    before: bjensen(),
    operations: [
      { op: 'add', path: 'emails[type eq "other"]', value: { value: 'o@example.com', primary: true } },
    ],
    after: bjensen({
      emails: [
        { ...WORK_EMAIL, primary: false },
        { type: 'other', value: 'o@example.com', primary: true },
      ],
    }),
  },
  {
    name: 'add through a filter on primary sets the primary element',
    before: bjensen(),
    operations: [{ op: 'add', path: 'emails[primary eq true].value', value: 'p@example.com' }],
    after: bjensen({ emails: [{ ...WORK_EMAIL, value: 'p@example.com' }] }),
  },
  {
    name: 'emails.primary without a filter sets every element (false is fine on all)',
    before: bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] }),
    operations: [{ op: 'replace', path: 'emails.primary', value: false }],
    after: bjensen({
      emails: [
        { ...WORK_EMAIL, primary: false },
        { ...HOME_EMAIL, primary: false },
      ],
    }),
  },
  {
    name: 'emails.primary true without a filter is fine with a single email',
    before: bjensen({ emails: [HOME_EMAIL] }),
    operations: [{ op: 'replace', path: 'emails.primary', value: true }],
    after: bjensen({ emails: [{ ...HOME_EMAIL, primary: true }] }),
  },
  {
    name: 'add of an existing element written in another key order creates no duplicate',
    before: bjensen({ emails: [{ type: 'work', primary: true, value: 'bjensen@example.com' }] }),
    operations: [{ op: 'add', path: 'emails', value: [WORK_EMAIL] }],
    after: bjensen({ emails: [{ type: 'work', primary: true, value: 'bjensen@example.com' }] }),
  },
  {
    name: 'an add through a filter then the same element by value: still one element',
    before: bjensen({ emails: undefined }),
    operations: [
      { op: 'add', path: 'emails[type eq "work"].value', value: 'x@example.com' },
      { op: 'add', path: 'emails', value: [{ value: 'x@example.com', type: 'work' }] },
    ],
    after: bjensen({ emails: [{ type: 'work', value: 'x@example.com' }] }),
  },
  {
    name: 'a filtered replace of a whole element replaces it',
    before: bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] }),
    operations: [
      { op: 'replace', path: 'emails[type eq "home"]', value: { value: 'h@example.com', type: 'home' } },
    ],
    after: bjensen({ emails: [WORK_EMAIL, { value: 'h@example.com', type: 'home' }] }),
  },
];

const ignoreCases: Case[] = [
  {
    name: 'the identity keys id, meta and schemas in a path-less value are skipped (authentik)',
    before: bjensen(),
    operations: [
      {
        op: 'replace',
        value: {
          id: 'someone-else',
          meta: { resourceType: 'Group' },
          schemas: [PATCH_OP_SCHEMA],
          displayName: 'Barbara',
        },
      },
    ],
    after: bjensen({ displayName: 'Barbara' }),
  },
];

describe('applyPatch: the resulting document', () => {
  it.each([...rfcCases, ...oktaCases, ...entraCases, ...filterCases, ...ignoreCases].map((c) => [c.name, c]))(
    '%s',
    (_name, { before, operations, after }) => {
      const result = patch(before, operations);
      expect(result.document).toStrictEqual(after);
      expect(result.ignored).toEqual([]);
    },
  );

  it('reads a path-less key as a PATCH path: a value filter, or the dotted extension form of older Entra jobs', () => {
    const result = patch(bjensen(), [
      {
        op: 'replace',
        value: {
          'emails[type eq "work"].value': 'new@example.com',
          'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department': 'Sales',
        },
      },
    ]);
    expect(result.ignored).toEqual([]);
    expect((result.document.emails as ScimObject[]).find((email) => email.type === 'work')?.value).toBe(
      'new@example.com',
    );
    expect(result.document['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']).toMatchObject({
      department: 'Sales',
    });
  });

  it('leaves boolean false after Entra\'s "False", also once normalised for storage', () => {
    const result = patch(bjensen(), [{ op: 'Replace', path: 'active', value: 'False' }]);
    expect(normalizeResource(schema, result.document).attributes.active).toBe(false);
  });
});

describe('applyPatch: attributes no schema of ours defines are ignored', () => {
  it.each<[string, unknown, string[]]>([
    ['a foreign extension path', { op: 'add', path: `${FOREIGN}:badge`, value: '7' }, [`${FOREIGN}:badge`]],
    [
      'a path-less value with unknown and foreign keys',
      { op: 'replace', value: { favouriteColour: 'blue', [`${FOREIGN}:badge`]: '7', [FOREIGN]: { x: 1 } } },
      ['favouriteColour', `${FOREIGN}:badge`, FOREIGN],
    ],
    ['a remove in a foreign extension', { op: 'remove', path: `${FOREIGN}:badge` }, [`${FOREIGN}:badge`]],
    [
      // A path-less value's keys are read as PATCH paths (a superset of attribute paths, RFC 7644
      // §3.5.2.1), as Entra ID writes them; what is neither is ignored.
      'path-less keys that are no attribute path',
      {
        op: 'replace',
        value: { 'name.givenName.first': 'B', '1st': 'x' },
      },
      ['name.givenName.first', '1st'],
    ],
  ])('%s', (_name, operation, ignored) => {
    const result = patch(bjensen(), [operation]);
    expect(result.document).toStrictEqual(bjensen());
    expect([...result.ignored].sort()).toEqual([...ignored].sort());
  });
});

describe('applyPatch: refusals (RFC 7644 §3.5.2, §3.12)', () => {
  it.each<[string, ScimObject, unknown[], ScimType]>([
    ['remove without a path', bjensen(), [{ op: 'remove' }], 'noTarget'],
    ['"Remove" with an empty path', bjensen(), [{ op: 'Remove', path: ' ' }], 'noTarget'],
    [
      'replace through a non-equality filter that matches nothing',
      bjensen(),
      [{ op: 'replace', path: 'emails[value co "nowhere"].value', value: 'x' }],
      'noTarget',
    ],
    [
      'replace through an "or" filter that matches nothing',
      bjensen(),
      [{ op: 'replace', path: 'emails[type eq "home" or type eq "other"]', value: { value: 'x' } }],
      'noTarget',
    ],
    ['replace of id', bjensen(), [{ op: 'replace', path: 'id', value: 'x' }], 'mutability'],
    ['remove of id', bjensen(), [{ op: 'remove', path: 'id' }], 'mutability'],
    ['add of meta', bjensen(), [{ op: 'add', path: 'meta', value: { resourceType: 'User' } }], 'mutability'],
    [
      'replace of meta.lastModified',
      bjensen(),
      [{ op: 'replace', path: 'meta.lastModified', value: '2020-01-01T00:00:00Z' }],
      'mutability',
    ],
    ['add to groups', bjensen(), [{ op: 'add', path: 'groups', value: [{ value: 'g1' }] }], 'mutability'],
    ['remove of groups', bjensen(), [{ op: 'remove', path: 'groups' }], 'mutability'],
    [
      'remove through a filter on groups',
      bjensen(),
      [{ op: 'remove', path: 'groups[value eq "g1"]' }],
      'mutability',
    ],
    [
      'replace of core-qualified groups',
      bjensen(),
      [{ op: 'replace', path: `${CORE}:groups`, value: [] }],
      'mutability',
    ],
    [
      'replace of the readOnly manager.displayName',
      bjensen(),
      [{ op: 'replace', path: `${ENTERPRISE}:manager.displayName`, value: 'Boss' }],
      'mutability',
    ],
    [
      'an unknown core attribute',
      bjensen(),
      [{ op: 'add', path: 'favouriteColour', value: 'blue' }],
      'invalidPath',
    ],
    [
      'an unknown core attribute, URN-qualified',
      bjensen(),
      [{ op: 'add', path: `${CORE}:favouriteColour`, value: 'blue' }],
      'invalidPath',
    ],
    [
      'an unknown sub-attribute',
      bjensen(),
      [{ op: 'replace', path: 'name.nickName', value: 'B' }],
      'invalidPath',
    ],
    [
      'an unknown enterprise attribute',
      bjensen(),
      [{ op: 'add', path: `${ENTERPRISE}:badge`, value: '7' }],
      'invalidPath',
    ],
    [
      'an unknown sub-attribute after a value filter',
      bjensen(),
      [{ op: 'replace', path: 'emails[type eq "work"].colour', value: 'red' }],
      'invalidPath',
    ],
    [
      'an unknown sub-attribute inside a value filter, the user having emails',
      bjensen(),
      [{ op: 'replace', path: 'emails[colour eq "red"].value', value: 'x' }],
      'invalidPath',
    ],
    [
      'an unknown sub-attribute inside a value filter, the user having no emails',
      bjensen({ emails: undefined }),
      [{ op: 'add', path: 'emails[colour eq "red"].value', value: 'x' }],
      'invalidPath',
    ],
    [
      'a value filter on a single-valued attribute',
      bjensen(),
      [{ op: 'replace', path: 'name[givenName eq "Barbara"].familyName', value: 'J' }],
      'invalidPath',
    ],
    [
      'a malformed path',
      bjensen(),
      [{ op: 'add', path: 'emails[type eq "work"', value: 'x' }],
      'invalidPath',
    ],
    ['a path that is not a string', bjensen(), [{ op: 'add', path: 42, value: 'x' }], 'invalidPath'],
    ['a non-boolean active', bjensen(), [{ op: 'replace', path: 'active', value: 'maybe' }], 'invalidValue'],
    [
      'primary true on every email at once (RFC 7643 §2.4)',
      bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] }),
      [{ op: 'replace', path: 'emails.primary', value: 'True' }],
      'invalidValue',
    ],
    ['a string for name', bjensen(), [{ op: 'replace', path: 'name', value: 'Babs' }], 'invalidValue'],
    ['add without a value', bjensen(), [{ op: 'add', path: 'title' }], 'invalidValue'],
    [
      'a path-less replace whose value is not an object',
      bjensen(),
      [{ op: 'replace', value: false }],
      'invalidValue',
    ],
    ['an unknown op', bjensen(), [{ op: 'move', path: 'title', value: 'x' }], 'invalidSyntax'],
    ['an op that is not a string', bjensen(), [{ op: 1, path: 'title', value: 'x' }], 'invalidSyntax'],
    ['an operation that is not an object', bjensen(), ['replace'], 'invalidSyntax'],
  ])('%s', (_name, before, operations, scimType) => {
    const error = thrown(() => patch(before, operations));
    expect(error.status).toBe(400);
    expect(error.scimType).toBe(scimType);
    expect(error.detail).toMatch(/^Operation 0: /);
  });

  it.each<[string, unknown]>([
    ['not an object', [{ op: 'add', path: 'title', value: 'x' }]],
    ['without Operations', { schemas: [PATCH_OP_SCHEMA] }],
    ['with an empty Operations list', { schemas: [PATCH_OP_SCHEMA], Operations: [] }],
    ['with Operations that is not a list', { schemas: [PATCH_OP_SCHEMA], Operations: { op: 'add' } }],
  ])('refuses a PatchOp body %s with 400 invalidSyntax', (_name, body) => {
    const error = thrown(() => parsePatchRequest(body));
    expect(error.status).toBe(400);
    expect(error.scimType).toBe('invalidSyntax');
  });
});

describe('applyPatch: errors name the operation, 0-based', () => {
  const ok = { op: 'replace', path: 'displayName', value: 'B' };
  it.each<[string, unknown, ScimType]>([
    ['an unknown op', { op: 'move', path: 'title' }, 'invalidSyntax'],
    ['a malformed path', { op: 'add', path: 'emails[', value: 'x' }, 'invalidPath'],
    ['a remove without path', { op: 'remove' }, 'noTarget'],
    ['a readOnly target', { op: 'replace', path: 'id', value: 'x' }, 'mutability'],
    ['an unknown attribute', { op: 'replace', path: 'colour', value: 'x' }, 'invalidPath'],
    ['a bad value', { op: 'replace', path: 'active', value: 'maybe' }, 'invalidValue'],
    ['a bad value in a path-less op', { op: 'replace', value: { active: 'maybe' } }, 'invalidValue'],
  ])('%s in the second operation: "Operation 1: …"', (_name, second, scimType) => {
    const error = thrown(() => patch(bjensen(), [ok, second, ok]));
    expect(error.scimType).toBe(scimType);
    expect(error.detail).toMatch(/^Operation 1: /);
  });
});

describe('applyPatch: all or nothing', () => {
  it('never modifies the document it is given', () => {
    const before = deepFreeze(bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] }));
    const result = patch(before, [
      { op: 'replace', path: 'emails[type eq "home"].primary', value: true },
      { op: 'add', path: 'addresses[type eq "work"].locality', value: 'Hollywood' },
      { op: 'remove', path: 'name.formatted' },
      { op: 'add', path: `${ENTERPRISE}:manager`, value: MANAGER_ID },
    ]);
    expect(before).toStrictEqual(bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] }));
    expect(result.document).not.toStrictEqual(before);
  });

  it('leaves the input untouched when a later operation fails', () => {
    const before = bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] });
    const error = thrown(() =>
      patch(before, [
        { op: 'replace', path: 'displayName', value: 'Changed' },
        { op: 'remove', path: 'emails[type eq "home"]' },
        { op: 'replace', path: 'meta.version', value: 'W/"1"' },
      ]),
    );
    expect(error.scimType).toBe('mutability');
    expect(error.detail).toMatch(/^Operation 2: /);
    expect(before).toStrictEqual(bjensen({ emails: [WORK_EMAIL, HOME_EMAIL] }));
  });

  it('lets later operations see the effect of earlier ones', () => {
    const result = patch(bjensen({ emails: undefined }), [
      { op: 'add', path: 'emails[type eq "work"].value', value: 'a@example.com' },
      { op: 'replace', path: 'emails[value eq "a@example.com"].primary', value: true },
      { op: 'replace', path: 'displayName', value: 'A' },
      { op: 'replace', path: 'displayName', value: 'B' },
    ]);
    expect(result.document.emails).toStrictEqual([{ type: 'work', value: 'a@example.com', primary: true }]);
    expect(result.document.displayName).toBe('B');
  });
});

describe('applyPatch: property — random valid operations', () => {
  const text = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('', null, 'example', 'work', 'home'));
  const nonEmpty = fc.string({ minLength: 1, maxLength: 6 });
  const bool = fc.oneof(fc.boolean(), fc.constantFrom('True', 'False', 'true', 'false'), fc.constant(null));
  const type = fc.constantFrom('work', 'home', 'other', 'WORK');
  const email = fc.record(
    { value: fc.oneof(nonEmpty, fc.constantFrom('x@example.com', 'y@example.org')), type, primary: bool },
    { requiredKeys: [] },
  );
  const address = fc.record({ locality: text, region: text, type }, { requiredKeys: [] });
  const manager = fc.oneof(nonEmpty, fc.record({ value: nonEmpty }), fc.constant(''), fc.constant(null));
  const listOf = <T>(item: fc.Arbitrary<T>) => fc.array(item, { maxLength: 3 });

  /** Paths with values each could take; none removes userName, which the schema requires. */
  const vocabulary: [string, fc.Arbitrary<unknown>][] = [
    ['displayName', text],
    ['nickName', text],
    ['title', text],
    ['externalId', text],
    ['active', bool],
    ['name', fc.record({ givenName: text, familyName: text }, { requiredKeys: [] })],
    ['name.givenName', text],
    ['Name.FamilyName', text],
    ['emails', fc.oneof(listOf(email), email)],
    ['emails.display', text],
    ['emails.primary', bool],
    ['emails[type eq "work"]', email],
    ['emails[type eq "work"].value', nonEmpty],
    ['emails[type eq "home"].primary', bool],
    ['emails[type eq "home" and value co "example"]', email],
    ['emails[value co "example"].type', type],
    ['emails[primary eq true].display', text],
    ['addresses', listOf(address)],
    ['addresses[type eq "work"].locality', text],
    ['addresses[type eq "work"].region', text],
    [`${ENTERPRISE}:employeeNumber`, text],
    [`${ENTERPRISE}:manager`, manager],
    [`${ENTERPRISE}.manager`, manager],
    [ENTERPRISE, fc.record({ department: text, manager }, { requiredKeys: [] })],
    [`${FOREIGN}:badge`, text],
  ];
  const opName = fc.constantFrom('add', 'replace', 'remove', 'Add', 'Replace', 'Remove');
  const withPath = fc
    .tuple(opName, fc.constantFrom(...vocabulary))
    .chain(([op, [path, value]]) => value.map((v) => ({ op, path, value: v })));
  const renameUser = fc.record({
    op: fc.constantFrom('replace', 'Add'),
    path: fc.constant('userName'),
    value: nonEmpty,
  });
  const pathless = fc.record({
    op: fc.constantFrom('add', 'replace', 'Replace'),
    value: fc.record(
      {
        active: bool,
        displayName: text,
        'name.givenName': text,
        emails: listOf(email),
        [`${ENTERPRISE}:employeeNumber`]: text,
        [ENTERPRISE]: fc.record({ department: text }, { requiredKeys: [] }),
        userName: nonEmpty,
        id: fc.constant('other-id'),
      },
      { requiredKeys: [] },
    ),
  });
  const operation = fc.oneof(withPath, withPath, renameUser, pathless);
  const start = fc.constantFrom(
    bjensen(),
    bjensen({ emails: [WORK_EMAIL, HOME_EMAIL], addresses: [WORK_ADDRESS, HOME_ADDRESS] }),
    bjensen({ emails: undefined, name: undefined, active: false }),
    bjensen({ [ENTERPRISE]: { employeeNumber: '1', manager: { value: MANAGER_ID } } }),
  );

  it('never throws anything but a 400 ScimError, and a success passes normalizeResource', () => {
    fc.assert(
      fc.property(start, fc.array(operation, { minLength: 1, maxLength: 6 }), (before, operations) => {
        const snapshot = structuredClone(before);
        let result: PatchResult;
        try {
          result = patch(before, operations);
        } catch (error) {
          if (error instanceof RosterError && error.status === 400) return;
          throw error;
        }
        expect(before).toStrictEqual(snapshot);
        const normalized = normalizeResource(schema, result.document);
        const emails = (normalized.attributes.emails ?? []) as ScimObject[];
        // RFC 7643 §2.4: "The primary attribute value 'true' MUST appear no more than once."
        expect(emails.filter((element) => element.primary === true).length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 2000 },
    );
  });
});
