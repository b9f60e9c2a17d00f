import { describe, expect, it } from 'vitest';

import { RosterError } from '../errors.js';
import { normalizeResource } from './resource.js';
import { ENTERPRISE_USER_SCHEMA_ID, enterpriseUserSchema } from './schema/enterprise-user.js';
import { ResourceSchema } from './schema/registry.js';
import { userResourceSchema, userResourceType } from './schema/resource-types.js';
import { attribute, type SchemaDefinition } from './schema/types.js';
import { USER_SCHEMA_ID, userSchema } from './schema/user.js';

const ENTERPRISE = ENTERPRISE_USER_SCHEMA_ID;
const schema = userResourceSchema;

function thrown(fn: () => unknown): RosterError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RosterError) return error;
    throw error;
  }
  throw new Error('expected a RosterError, but nothing was thrown');
}

/** okta.md §3.2, step 2b: the body Okta POSTs on assignment, verbatim. */
const oktaCreate = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: 'test.user@okta.local',
  name: {
    givenName: 'Test',
    familyName: 'User',
  },
  emails: [
    {
      primary: true,
      value: 'test.user@okta.local',
      type: 'work',
    },
  ],
  displayName: 'Test User',
  locale: 'en-US',
  externalId: '00ujl29u0le5T6Aj10h7',
  groups: [],
  password: '1mz050nq',
  active: true,
};

describe('normalizeResource: what Okta sends', () => {
  it('turns the create body (okta.md §3.2) into canonical attributes, in schema order', () => {
    const result = normalizeResource(schema, oktaCreate);
    expect(result.attributes).toEqual({
      externalId: '00ujl29u0le5T6Aj10h7',
      userName: 'test.user@okta.local',
      name: { familyName: 'User', givenName: 'Test' },
      displayName: 'Test User',
      locale: 'en-US',
      active: true,
      emails: [{ value: 'test.user@okta.local', type: 'work', primary: true }],
    });
    // Common attributes first, then the core schema's order (RFC 7643 §4.1), at every level.
    expect(Object.keys(result.attributes)).toEqual([
      'externalId',
      'userName',
      'name',
      'displayName',
      'locale',
      'active',
      'emails',
    ]);
    expect(Object.keys(result.attributes.name as object)).toEqual(['familyName', 'givenName']);
    expect(Object.keys((result.attributes.emails as object[])[0]!)).toEqual(['value', 'type', 'primary']);
  });

  it('extracts the password and keeps it out of the attributes', () => {
    const result = normalizeResource(schema, oktaCreate);
    expect(result.password).toBe('1mz050nq');
    expect(result.attributes).not.toHaveProperty('password');
  });

  it('reports nothing as ignored: every key of the body is a known attribute', () => {
    expect(normalizeResource(schema, oktaCreate).ignored).toEqual([]);
  });

  it('drops groups, id, meta and schemas from a PUT body (okta.md §0 item 8, RFC 7643 §2.2 readOnly)', () => {
    const put = {
      ...oktaCreate,
      id: '23a35c27-23d3-4c03-b4c5-6443c09e7173',
      groups: [{ value: 'g1', display: 'Sales', $ref: '../Groups/g1', type: 'direct' }],
      meta: {
        resourceType: 'User',
        created: '2019-09-10T02:02:58Z',
        lastModified: '2019-09-10T02:02:58Z',
        location: 'https://example.com/scim/v2/Users/23a35c27-23d3-4c03-b4c5-6443c09e7173',
      },
    };
    const result = normalizeResource(schema, put);
    for (const key of ['id', 'meta', 'groups', 'schemas', 'password']) {
      expect(result.attributes).not.toHaveProperty(key);
    }
    expect(result.ignored).toEqual([]);
  });

  it('has no password when the body carries none', () => {
    const { password: _password, ...body } = oktaCreate;
    expect(normalizeResource(schema, body)).not.toHaveProperty('password');
  });

  it('keeps a mapped enterprise extension object under its URN, after the core attributes', () => {
    const body = {
      ...oktaCreate,
      schemas: [USER_SCHEMA_ID, ENTERPRISE],
      [ENTERPRISE]: { department: 'Sales' },
    };
    const result = normalizeResource(schema, body);
    expect(result.attributes[ENTERPRISE]).toEqual({ department: 'Sales' });
    expect(Object.keys(result.attributes).at(-1)).toBe(ENTERPRISE);
    expect(result.ignored).toEqual([]);
  });
});

describe('normalizeResource: attribute names are case-insensitive (RFC 7643 §2.1)', () => {
  it('maps names in any letter case to their canonical spelling', () => {
    const result = normalizeResource(schema, {
      SCHEMAS: [USER_SCHEMA_ID],
      USERNAME: 'bjensen',
      Name: { GivenName: 'Barbara', FAMILYNAME: 'Jensen' },
      DisplayName: 'Babs',
      externalID: 'x-1',
      Emails: [{ VALUE: 'bjensen@example.com', Type: 'work', PRIMARY: true }],
      'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER': { EmployeeNumber: '701984' },
    });
    expect(result.attributes).toEqual({
      externalId: 'x-1',
      userName: 'bjensen',
      name: { familyName: 'Jensen', givenName: 'Barbara' },
      displayName: 'Babs',
      emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
      [ENTERPRISE]: { employeeNumber: '701984' },
    });
    expect(result.ignored).toEqual([]);
  });

  it('keeps values exactly as sent (only names are canonicalised)', () => {
    const result = normalizeResource(schema, { userName: ' BJensen@Example.COM ', title: 'VP' });
    expect(result.attributes.userName).toBe(' BJensen@Example.COM ');
  });
});

describe('normalizeResource: what no schema defines is ignored, never rejected', () => {
  it('reports unknown attributes, unknown sub-attributes and foreign URNs in `ignored`', () => {
    const body = {
      schemas: ['urn:scim:schemas:core:2.0', 'urn:scim:schemas:extension:enterprise:2.0'],
      userName: 'bjensen',
      favouriteColour: 'blue',
      name: { givenName: 'Barbara', preferredName: 'Babs' },
      emails: [{ value: 'bjensen@example.com', kind: 'office' }],
      // OneLogin (other-clients.md §0 item 7): the SCIM 1.1-style URNs as keys.
      'urn:scim:schemas:core:2.0': { userName: 'someone-else' },
      'urn:scim:schemas:extension:enterprise:2.0': { department: 'Nowhere' },
      // Entra's extra schema (other-clients.md §1.2).
      'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/User': { flag: true },
      [ENTERPRISE]: { department: 'Tour Operations', badgeColour: 'green' },
    };
    const result = normalizeResource(schema, body);
    expect(result.attributes).toEqual({
      userName: 'bjensen',
      name: { givenName: 'Barbara' },
      emails: [{ value: 'bjensen@example.com' }],
      [ENTERPRISE]: { department: 'Tour Operations' },
    });
    const extensionKey = result.ignored.find((key) => key.startsWith(ENTERPRISE));
    expect(extensionKey).toMatch(/badgeColour$/);
    expect(result.ignored.filter((key) => key !== extensionKey).sort()).toEqual(
      [
        'favouriteColour',
        'name.preferredName',
        'emails.kind',
        'urn:scim:schemas:core:2.0',
        'urn:scim:schemas:extension:enterprise:2.0',
        'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/User',
      ].sort(),
    );
  });

  it('ignores an extension the resource type does not have, even one that looks like ours', () => {
    const result = normalizeResource(schema, {
      userName: 'bjensen',
      'urn:ietf:params:scim:schemas:extension:acme:2.0:User': { badge: '7' },
    });
    expect(result.attributes).toEqual({ userName: 'bjensen' });
    expect(result.ignored).toEqual(['urn:ietf:params:scim:schemas:extension:acme:2.0:User']);
  });
});

describe('normalizeResource: values are coerced to their declared types', () => {
  it('keeps the enterprise extension (RFC 7643 §8.3), dropping the readOnly manager.displayName', () => {
    const manager = {
      value: '26118915-6090-4610-87e4-49d8ca9f808d',
      $ref: '../Users/26118915-6090-4610-87e4-49d8ca9f808d',
      displayName: 'John Smith',
    };
    const result = normalizeResource(schema, {
      schemas: [USER_SCHEMA_ID, ENTERPRISE],
      userName: 'bjensen@example.com',
      [ENTERPRISE]: {
        employeeNumber: '701984',
        costCenter: '4130',
        organization: 'Universal Studios',
        division: 'Theme Park',
        department: 'Tour Operations',
        manager,
      },
    });
    expect(result.attributes[ENTERPRISE]).toEqual({
      employeeNumber: '701984',
      costCenter: '4130',
      organization: 'Universal Studios',
      division: 'Theme Park',
      department: 'Tour Operations',
      manager: { value: manager.value, $ref: manager.$ref },
    });
    expect(result.ignored).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['a bare id (Entra, other-clients.md §1.2)', '2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2'],
    ['a {value} object', { value: '2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2' }],
  ])('stores a manager given as %s as {value}', (_label, manager) => {
    const result = normalizeResource(schema, { userName: 'u', [ENTERPRISE]: { manager } });
    expect(result.attributes[ENTERPRISE]).toEqual({
      manager: { value: '2c2f6fb8-254f-492e-b7fe-c09c5a61c8a2' },
    });
  });

  it.each<[unknown, boolean]>([
    [true, true],
    [false, false],
    ['True', true],
    ['False', false],
    ['true', true],
    ['false', false],
    ['TRUE', true],
  ])('reads active %j as %s, and emails.primary the same way', (raw, expected) => {
    const result = normalizeResource(schema, {
      userName: 'u',
      active: raw,
      emails: [{ value: 'u@example.com', primary: raw }],
    });
    expect(result.attributes.active).toBe(expected);
    expect(result.attributes.emails).toEqual([{ value: 'u@example.com', primary: expected }]);
  });

  it('wraps a single object given for a multi-valued attribute in a list', () => {
    const result = normalizeResource(schema, {
      userName: 'u',
      emails: { value: 'u@example.com', type: 'work' },
      phoneNumbers: { value: 'tel:+1-201-555-0123', type: 'work' },
    });
    expect(result.attributes.emails).toEqual([{ value: 'u@example.com', type: 'work' }]);
    expect(result.attributes.phoneNumbers).toEqual([{ value: 'tel:+1-201-555-0123', type: 'work' }]);
  });

  it('unwraps a one-element list given for a single-valued complex attribute', () => {
    const result = normalizeResource(schema, { userName: 'u', name: [{ givenName: 'A' }] });
    expect(result.attributes.name).toEqual({ givenName: 'A' });
  });
});

describe('normalizeResource: null, "" and [] mean unassigned (RFC 7643 §2.5)', () => {
  it.each<[string, Record<string, unknown>]>([
    ['null strings', { displayName: null, title: null, externalId: null }],
    ['empty strings', { displayName: '', title: '', externalId: '', locale: '' }],
    ['null complex and multi-valued attributes', { name: null, emails: null, addresses: null }],
    ['empty lists (Entra sends "roles": [])', { roles: [], emails: [], phoneNumbers: [] }],
    ['empty objects and elements', { name: {}, emails: [{}, null], addresses: [{ formatted: '' }] }],
    ['sub-attributes that are null or empty', { name: { givenName: null, familyName: '' } }],
    ['a null boolean', { active: null }],
    ['an empty string for a boolean', { active: '' }],
    ['an empty string for a complex attribute', { name: '' }],
    ['a null extension', { [ENTERPRISE]: null }],
    ['an empty extension', { [ENTERPRISE]: {} }],
    ['an emptied manager', { [ENTERPRISE]: { manager: '', department: null } }],
    ['a manager with an empty value', { [ENTERPRISE]: { manager: { value: '' } } }],
  ])('%s', (_label, extra) => {
    const result = normalizeResource(schema, { userName: 'bjensen', ...extra });
    expect(result.attributes).toEqual({ userName: 'bjensen' });
  });

  it("is lenient with the nulls of Entra ID's older create sample (other-clients.md §1.2)", () => {
    const result = normalizeResource(schema, {
      schemas: [USER_SCHEMA_ID, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User'],
      userName: 'Test_User_00aa00aa',
      active: true,
      addresses: null,
      phoneNumbers: null,
      title: null,
      department: null,
      manager: null,
      meta: { resourceType: 'User' },
      roles: [],
    });
    expect(result.attributes).toEqual({ userName: 'Test_User_00aa00aa', active: true });
  });
});

/** A test-only extension with a writable dateTime, which neither User schema has. */
const TEST_EXTENSION = 'urn:example:params:scim:schemas:extension:roster-test:2.0:User';
const testExtension: SchemaDefinition = {
  id: TEST_EXTENSION,
  name: 'RosterTest',
  description: 'Attributes of types the User schemas lack',
  attributes: [attribute('hireDate', 'dateTime'), attribute('badgeNumber', 'integer')],
};
const withTestExtension = new ResourceSchema(userResourceType, userSchema, [
  enterpriseUserSchema,
  testExtension,
]);

describe('normalizeResource: values of the wrong shape are a 400 invalidValue naming them', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['an object for userName', { userName: { value: 'bjensen' } }, 'userName'],
    ['a list of two for userName', { userName: ['a', 'b'] }, 'userName'],
    ['a string for name', { name: 'Barbara Jensen' }, 'name'],
    ['a list for name.givenName', { name: { givenName: ['A', 'B'] } }, 'name.givenName'],
    ['a non-boolean string for active', { active: 'yes' }, 'active'],
    ['a number for active', { active: 1 }, 'active'],
    ['a non-boolean emails.primary', { emails: [{ value: 'a@x', primary: 'maybe' }] }, 'emails.primary'],
    ['an object for emails.value', { emails: [{ value: { address: 'a@x' } }] }, 'emails.value'],
    ['a list for the enterprise extension', { [ENTERPRISE]: [{ department: 'x' }] }, ENTERPRISE],
    ['a string for the enterprise extension', { [ENTERPRISE]: 'Sales' }, ENTERPRISE],
    ['a boolean for manager', { [ENTERPRISE]: { manager: true } }, 'manager'],
    ['an object for department', { [ENTERPRISE]: { department: { name: 'x' } } }, 'department'],
  ])('%s', (_label, extra, named) => {
    const error = thrown(() => normalizeResource(schema, { userName: 'bjensen', ...extra }));
    expect(error.status).toBe(400);
    expect(error.scimType).toBe('invalidValue');
    expect(error.detail).toContain(named);
  });

  it.each([
    'yesterday',
    'tomorrow 5',
    '12',
    '2024-13-01T00:00:00Z',
    '2024-02-29 12:00',
    'March 7, 2020',
    '1 2 3',
  ])('rejects the dateTime %j (RFC 7643 §2.3.5: xsd:dateTime)', (text) => {
    const error = thrown(() =>
      normalizeResource(withTestExtension, { userName: 'u', [TEST_EXTENSION]: { hireDate: text } }),
    );
    expect(error.status).toBe(400);
    expect(error.scimType).toBe('invalidValue');
    expect(error.detail).toContain('hireDate');
  });

  it.each([
    '2008-01-23T04:56:22Z',
    '2011-05-13T04:42:34.123Z',
    '2015-10-10T14:38:21.86-07:00',
    '2008-01-23t04:56:22z',
    '2008-01-23T04:56:22',
  ])('accepts the dateTime %j as sent', (text) => {
    const result = normalizeResource(withTestExtension, {
      userName: 'u',
      [TEST_EXTENSION]: { hireDate: text },
    });
    expect(result.attributes[TEST_EXTENSION]).toEqual({ hireDate: text });
  });

  it.each<[unknown, number | undefined]>([
    [42, 42],
    // A number sent as text is a client's mistake of type (issue 9): refused, not read.
    ['42', undefined],
    [4.5, undefined],
    ['forty-two', undefined],
    [true, undefined],
  ])('reads the integer %j, or refuses it', (raw, expected) => {
    const body = { userName: 'u', [TEST_EXTENSION]: { badgeNumber: raw } };
    if (expected === undefined) {
      const error = thrown(() => normalizeResource(withTestExtension, body));
      expect(error.scimType).toBe('invalidValue');
      expect(error.detail).toContain('badgeNumber');
    } else {
      expect(normalizeResource(withTestExtension, body).attributes[TEST_EXTENSION]).toEqual({
        badgeNumber: expected,
      });
    }
  });
});

describe('normalizeResource: the body as a whole', () => {
  it.each<[string, Record<string, unknown>]>([
    ['absent', { name: { givenName: 'A' } }],
    ['null', { userName: null }],
    ['empty', { userName: '' }],
    ['only in a foreign schema', { 'urn:scim:schemas:core:2.0': { userName: 'bjensen' } }],
  ])('refuses a userName that is %s with 400 (RFC 7643 §4.1.1: required)', (_label, body) => {
    const error = thrown(() => normalizeResource(schema, body));
    expect(error.status).toBe(400);
    expect(error.scimType).toBe('invalidValue');
    expect(error.detail).toContain('userName');
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['a list', [{ userName: 'bjensen' }]],
    ['a string', '{"userName":"bjensen"}'],
    ['a number', 42],
    ['a boolean', true],
  ])('refuses a body that is %s with 400 invalidSyntax', (_label, body) => {
    const error = thrown(() => normalizeResource(schema, body));
    expect(error.status).toBe(400);
    expect(error.scimType).toBe('invalidSyntax');
  });

  it('does not modify the body it is given', () => {
    const body = structuredClone(oktaCreate);
    normalizeResource(schema, body);
    expect(body).toEqual(oktaCreate);
  });
});
