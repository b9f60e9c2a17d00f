import { describe, expect, it } from 'vitest';

import { commonAttributes } from './common.js';
import { ENTERPRISE_USER_SCHEMA_ID, enterpriseUserSchema } from './enterprise-user.js';
import { GROUP_SCHEMA_ID, groupSchema } from './group.js';
import { resourceTypeToScim, schemaToScim } from './to-scim.js';
import type { AttributeDefinition, SchemaDefinition } from './types.js';
import { USER_SCHEMA_ID, userSchema } from './user.js';

const schemas: readonly SchemaDefinition[] = [userSchema, enterpriseUserSchema, groupSchema];

/** Every attribute list to check: each schema's top level, and the common attributes. */
const attributeLists: readonly [string, readonly AttributeDefinition[]][] = [
  ...schemas.map((s): [string, readonly AttributeDefinition[]] => [s.id, s.attributes]),
  ['common', commonAttributes],
];

/** Every attribute with its path (`schema:attr.sub`), sub-attributes included. */
function walk(prefix: string, attrs: readonly AttributeDefinition[]): [string, AttributeDefinition][] {
  return attrs.flatMap((a): [string, AttributeDefinition][] => {
    const path = `${prefix}${a.name}`;
    return [[path, a], ...walk(`${path}.`, a.subAttributes ?? [])];
  });
}

const allAttributes = attributeLists.flatMap(([id, attrs]) => walk(`${id}:`, attrs));

function find(attrs: readonly AttributeDefinition[], path: string): AttributeDefinition {
  const [head, ...rest] = path.split('.');
  const attr = attrs.find((a) => a.name === head);
  if (!attr) throw new Error(`no attribute ${path}`);
  return rest.length === 0 ? attr : find(attr.subAttributes ?? [], rest.join('.'));
}

const user = (path: string) => find(userSchema.attributes, path);
const group = (path: string) => find(groupSchema.attributes, path);
const enterprise = (path: string) => find(enterpriseUserSchema.attributes, path);
const common = (path: string) => find(commonAttributes, path);

describe('schema definitions', () => {
  it('have the RFC schema URNs', () => {
    expect(userSchema.id).toBe('urn:ietf:params:scim:schemas:core:2.0:User');
    expect(USER_SCHEMA_ID).toBe(userSchema.id);
    expect(GROUP_SCHEMA_ID).toBe('urn:ietf:params:scim:schemas:core:2.0:Group');
    expect(groupSchema.id).toBe(GROUP_SCHEMA_ID);
    expect(ENTERPRISE_USER_SCHEMA_ID).toBe('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User');
    expect(enterpriseUserSchema.id).toBe(ENTERPRISE_USER_SCHEMA_ID);
  });

  it('give every attribute a name unique (case-insensitively) within its parent', () => {
    const check = (where: string, attrs: readonly AttributeDefinition[]): void => {
      const names = attrs.map((a) => a.name.toLowerCase());
      expect(new Set(names).size, `duplicate attribute name under ${where}`).toBe(names.length);
      for (const a of attrs) if (a.subAttributes) check(`${where}.${a.name}`, a.subAttributes);
    };
    for (const [id, attrs] of attributeLists) check(id, attrs);
  });

  it('give subAttributes to every complex attribute and to no other', () => {
    for (const [path, a] of allAttributes) {
      if (a.type === 'complex') {
        expect(a.subAttributes?.length ?? 0, path).toBeGreaterThan(0);
      } else {
        expect(a.subAttributes, path).toBeUndefined();
      }
    }
  });

  it('never nest a complex attribute inside another (RFC 7643 §2.3.8)', () => {
    for (const [path, a] of allAttributes) {
      for (const sub of a.subAttributes ?? []) expect(sub.type, `${path}.${sub.name}`).not.toBe('complex');
    }
  });

  it('give referenceTypes to every reference attribute and to no other', () => {
    for (const [path, a] of allAttributes) {
      if (a.type === 'reference') expect(a.referenceTypes?.length ?? 0, path).toBeGreaterThan(0);
      else expect(a.referenceTypes, path).toBeUndefined();
    }
  });

  it('leave id, externalId and meta out of the schemas', () => {
    for (const s of schemas) {
      const names = s.attributes.map((a) => a.name);
      expect(names).not.toContain('id');
      expect(names).not.toContain('externalId');
      expect(names).not.toContain('meta');
    }
  });

  it('list the User attributes in the RFC order', () => {
    expect(userSchema.attributes.map((a) => a.name)).toEqual([
      'userName',
      'name',
      'displayName',
      'nickName',
      'profileUrl',
      'title',
      'userType',
      'preferredLanguage',
      'locale',
      'timezone',
      'active',
      'password',
      'emails',
      'phoneNumbers',
      'ims',
      'photos',
      'addresses',
      'groups',
      'entitlements',
      'roles',
      'x509Certificates',
    ]);
    expect(user('name').subAttributes?.map((a) => a.name)).toEqual([
      'formatted',
      'familyName',
      'givenName',
      'middleName',
      'honorificPrefix',
      'honorificSuffix',
    ]);
    expect(user('addresses').subAttributes?.map((a) => a.name)).toEqual([
      'formatted',
      'streetAddress',
      'locality',
      'region',
      'postalCode',
      'country',
      'type',
      'primary',
    ]);
    expect(user('groups').subAttributes?.map((a) => a.name)).toEqual(['value', '$ref', 'display', 'type']);
  });
});

describe('User schema characteristics', () => {
  it('userName is required, case-insensitive and unique per server', () => {
    expect(user('userName')).toMatchObject({
      type: 'string',
      multiValued: false,
      required: true,
      caseExact: false,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'server',
    });
    const required = allAttributes.filter(([, a]) => a.required).map(([p]) => p);
    expect(required).toEqual([`${USER_SCHEMA_ID}:userName`, `${GROUP_SCHEMA_ID}:displayName`]);
  });

  it('password is writeOnly and never returned', () => {
    expect(user('password')).toMatchObject({ type: 'string', mutability: 'writeOnly', returned: 'never' });
  });

  it('groups and all its sub-attributes are readOnly', () => {
    expect(user('groups')).toMatchObject({ type: 'complex', multiValued: true, mutability: 'readOnly' });
    for (const sub of user('groups').subAttributes ?? []) expect(sub.mutability, sub.name).toBe('readOnly');
    expect(user('groups.type').canonicalValues).toEqual(['direct', 'indirect']);
  });

  it('matches RFC 7643 §8.7.1 on spot checks', () => {
    expect(user('emails')).toMatchObject({ type: 'complex', multiValued: true });
    expect(user('emails.type').canonicalValues).toEqual(['work', 'home', 'other']);
    expect(user('phoneNumbers.type').canonicalValues).toEqual([
      'work',
      'home',
      'mobile',
      'fax',
      'pager',
      'other',
    ]);
    expect(user('ims.type').canonicalValues).toEqual([
      'aim',
      'gtalk',
      'icq',
      'xmpp',
      'msn',
      'skype',
      'qq',
      'yahoo',
    ]);
    expect(user('photos.type').canonicalValues).toEqual(['photo', 'thumbnail']);
    expect(user('addresses.type').canonicalValues).toEqual(['work', 'home', 'other']);
    expect(user('photos.value')).toMatchObject({ type: 'reference', referenceTypes: ['external'] });
    expect(user('profileUrl')).toMatchObject({ type: 'reference', referenceTypes: ['external'] });
    expect(user('groups.$ref').referenceTypes).toEqual(['User', 'Group']);
    expect(user('x509Certificates.value').type).toBe('binary');
    expect(user('active').type).toBe('boolean');
    expect(user('emails.primary').type).toBe('boolean');
    expect(user('name')).toMatchObject({ type: 'complex', multiValued: false });
    expect(user('entitlements.type').canonicalValues).toBeUndefined();
  });
});

describe('Enterprise User schema characteristics', () => {
  it('matches RFC 7643 §8.7.1', () => {
    expect(enterpriseUserSchema.attributes.map((a) => a.name)).toEqual([
      'employeeNumber',
      'costCenter',
      'organization',
      'division',
      'department',
      'manager',
    ]);
    expect(enterprise('manager')).toMatchObject({
      type: 'complex',
      multiValued: false,
      mutability: 'readWrite',
    });
    expect(enterprise('manager.value')).toMatchObject({ type: 'string', mutability: 'readWrite' });
    expect(enterprise('manager.$ref')).toMatchObject({ type: 'reference', referenceTypes: ['User'] });
    expect(enterprise('manager.displayName')).toMatchObject({ type: 'string', mutability: 'readOnly' });
  });
});

describe('Group schema characteristics', () => {
  it('displayName is required and unique per server, case-insensitively', () => {
    expect(group('displayName')).toMatchObject({
      type: 'string',
      required: true,
      caseExact: false,
      uniqueness: 'server',
    });
  });

  it('members match RFC 7643 §8.7.1', () => {
    expect(group('members')).toMatchObject({ type: 'complex', multiValued: true, mutability: 'readWrite' });
    expect(group('members').subAttributes?.map((a) => a.name)).toEqual(['value', '$ref', 'display', 'type']);
    expect(group('members.value')).toMatchObject({ type: 'string', mutability: 'immutable' });
    expect(group('members.$ref')).toMatchObject({
      type: 'reference',
      referenceTypes: ['User', 'Group'],
      mutability: 'immutable',
    });
    expect(group('members.display')).toMatchObject({
      type: 'string',
      mutability: 'readOnly',
      returned: 'default',
    });
    expect(group('members.type')).toMatchObject({
      canonicalValues: ['User', 'Group'],
      mutability: 'immutable',
    });
  });
});

describe('common attributes (RFC 7643 §3.1)', () => {
  it('are id, externalId and meta with the RFC characteristics', () => {
    expect(commonAttributes.map((a) => a.name)).toEqual(['id', 'externalId', 'meta']);
    expect(common('id')).toMatchObject({
      type: 'string',
      caseExact: true,
      mutability: 'readOnly',
      returned: 'always',
      uniqueness: 'server',
    });
    expect(common('externalId')).toMatchObject({ type: 'string', caseExact: true, mutability: 'readWrite' });
    expect(common('meta')).toMatchObject({ type: 'complex', multiValued: false, mutability: 'readOnly' });
    expect(common('meta').subAttributes?.map((a) => a.name)).toEqual([
      'resourceType',
      'created',
      'lastModified',
      'location',
      'version',
    ]);
    for (const sub of common('meta').subAttributes ?? []) expect(sub.mutability, sub.name).toBe('readOnly');
    expect(common('meta.created').type).toBe('dateTime');
    expect(common('meta.lastModified').type).toBe('dateTime');
    expect(common('meta.location')).toMatchObject({ type: 'reference', referenceTypes: ['uri'] });
    expect(common('meta.version')).toMatchObject({ type: 'string', caseExact: true });
  });
});

/** Every value reachable from `value`, with its JSON path. */
function* entries(value: unknown, path = '$'): Generator<[string, unknown]> {
  yield [path, value];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) yield* entries(v, `${path}[${i}]`);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) yield* entries(v, `${path}.${k}`);
  }
}

const ATTRIBUTE_KEY_ORDER = [
  'name',
  'type',
  'multiValued',
  'description',
  'required',
  'caseExact',
  'canonicalValues',
  'referenceTypes',
  'subAttributes',
  'mutability',
  'returned',
  'uniqueness',
];

describe('schemaToScim', () => {
  const location = 'https://example.com/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User';
  const rendered = schemaToScim(userSchema, location) as Record<string, unknown>;
  const renderedAttributes = [...entries(rendered)].filter(
    ([path, v]) => /\.(attributes|subAttributes)\[\d+\]$/.test(path) && typeof v === 'object',
  ) as [string, Record<string, unknown>][];

  it('renders the /Schemas resource envelope', () => {
    expect(Object.keys(rendered)).toEqual(['schemas', 'id', 'name', 'description', 'attributes', 'meta']);
    expect(rendered).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
      id: USER_SCHEMA_ID,
      name: 'User',
      description: 'User Account',
      meta: { resourceType: 'Schema', location },
    });
    expect(renderedAttributes.length).toBe(walk('', userSchema.attributes).length);
  });

  it('never emits null or undefined', () => {
    for (const [path, v] of entries(rendered)) {
      expect(v, path).not.toBeNull();
      expect(v, path).not.toBeUndefined();
    }
    const json = JSON.stringify(rendered);
    expect(json).not.toContain('null');
    expect(JSON.parse(json)).toEqual(rendered);
  });

  it('emits attribute keys in the RFC order, omitting absent optional ones', () => {
    for (const [path, attr] of renderedAttributes) {
      const keys = Object.keys(attr);
      expect(keys, path).toEqual(ATTRIBUTE_KEY_ORDER.filter((k) => k in attr));
      for (const k of ['name', 'type', 'multiValued', 'description', 'required', 'caseExact']) {
        expect(keys, `${path}.${k}`).toContain(k);
      }
      for (const k of ['mutability', 'returned', 'uniqueness']) expect(keys, `${path}.${k}`).toContain(k);
    }
    const userName = (rendered.attributes as Record<string, unknown>[])[0];
    expect(userName && Object.keys(userName)).toEqual([
      'name',
      'type',
      'multiValued',
      'description',
      'required',
      'caseExact',
      'mutability',
      'returned',
      'uniqueness',
    ]);
  });

  it('uses the RFC camelCase characteristic values', () => {
    const types = new Set([
      'string',
      'boolean',
      'decimal',
      'integer',
      'dateTime',
      'reference',
      'complex',
      'binary',
    ]);
    const mutabilities = new Set(['readOnly', 'readWrite', 'immutable', 'writeOnly']);
    const returneds = new Set(['always', 'never', 'default', 'request']);
    const uniquenesses = new Set(['none', 'server', 'global']);
    for (const [path, attr] of renderedAttributes) {
      expect(types.has(attr.type as string), `${path}.type = ${String(attr.type)}`).toBe(true);
      expect(mutabilities.has(attr.mutability as string), `${path}.mutability`).toBe(true);
      expect(returneds.has(attr.returned as string), `${path}.returned`).toBe(true);
      expect(uniquenesses.has(attr.uniqueness as string), `${path}.uniqueness`).toBe(true);
      expect(typeof attr.multiValued, path).toBe('boolean');
      expect(typeof attr.required, path).toBe('boolean');
      expect(typeof attr.caseExact, path).toBe('boolean');
    }
    const password = renderedAttributes.find(([p]) => p === '$.attributes[11]')?.[1];
    expect(password).toMatchObject({ name: 'password', mutability: 'writeOnly', returned: 'never' });
  });

  it('renders sub-attributes and their characteristics', () => {
    const emails = (rendered.attributes as Record<string, unknown>[]).find((a) => a.name === 'emails');
    expect(emails).toMatchObject({
      type: 'complex',
      multiValued: true,
      subAttributes: expect.arrayContaining([
        expect.objectContaining({ name: 'type', canonicalValues: ['work', 'home', 'other'] }),
      ]),
    });
  });

  it('does not share arrays with the definitions', () => {
    const again = schemaToScim(userSchema, location) as { attributes: { subAttributes?: unknown[] }[] };
    again.attributes[1]?.subAttributes?.pop();
    expect(user('name').subAttributes).toHaveLength(6);
  });

  it('renders every schema without null', () => {
    for (const s of schemas) {
      const out = schemaToScim(s, `https://example.com/v2/Schemas/${s.id}`);
      expect(JSON.stringify(out)).not.toContain('null');
    }
  });
});

describe('resourceTypeToScim', () => {
  it('renders the /ResourceTypes resource (RFC 7643 §8.6)', () => {
    const location = 'https://example.com/v2/ResourceTypes/User';
    const out = resourceTypeToScim(
      {
        id: 'User',
        name: 'User',
        endpoint: '/Users',
        description: 'User Account',
        schema: USER_SCHEMA_ID,
        schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA_ID, required: true }],
      },
      location,
    );
    expect(Object.keys(out)).toEqual([
      'schemas',
      'id',
      'name',
      'endpoint',
      'description',
      'schema',
      'schemaExtensions',
      'meta',
    ]);
    expect(out).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: USER_SCHEMA_ID,
      schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA_ID, required: true }],
      meta: { resourceType: 'ResourceType', location },
    });
  });

  it('omits schemaExtensions when there are none', () => {
    const out = resourceTypeToScim(
      {
        id: 'Group',
        name: 'Group',
        endpoint: '/Groups',
        description: 'Group',
        schema: GROUP_SCHEMA_ID,
        schemaExtensions: [],
      },
      'https://example.com/v2/ResourceTypes/Group',
    );
    expect(out).not.toHaveProperty('schemaExtensions');
    expect(JSON.stringify(out)).not.toContain('null');
  });
});
