import { describe, expect, it } from 'vitest';

import { RosterError } from '../errors.js';
import { parseProjection } from './project.js';
import type { ScimObject } from './resource.js';
import { ENTERPRISE_USER_SCHEMA_ID, enterpriseUserSchema } from './schema/enterprise-user.js';
import { ResourceSchema } from './schema/registry.js';
import { userResourceSchema, userResourceType } from './schema/resource-types.js';
import { attribute, type SchemaDefinition } from './schema/types.js';
import { USER_SCHEMA_ID, userSchema } from './schema/user.js';

const ENTERPRISE = ENTERPRISE_USER_SCHEMA_ID;
const CORE = USER_SCHEMA_ID;
const schema = userResourceSchema;
const ID = '2819c223-7f76-453a-919d-413861904646';

/** RFC 7643 §8.3's enterprise Barbara Jensen, trimmed, as the server returns her. */
function bjensen(): ScimObject {
  return {
    schemas: [CORE, ENTERPRISE],
    id: ID,
    externalId: '701984',
    userName: 'bjensen@example.com',
    name: { formatted: 'Ms. Barbara J Jensen, III', familyName: 'Jensen', givenName: 'Barbara' },
    displayName: 'Babs Jensen',
    active: true,
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    groups: [
      { value: 'e9e30dba-f08f-4109-8486-d5c6a331660a', $ref: '../Groups/e9e30dba', display: 'Tour Guides' },
    ],
    [ENTERPRISE]: {
      employeeNumber: '701984',
      department: 'Tour Operations',
      manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d', displayName: 'John Smith' },
    },
    meta: {
      resourceType: 'User',
      created: '2010-01-23T04:56:22Z',
      lastModified: '2011-05-13T04:42:34Z',
      version: 'W/"3694e05e9dff591"',
      location: `https://example.com/v2/Users/${ID}`,
    },
  };
}

function without(resource: ScimObject, ...keys: string[]): ScimObject {
  const copy = structuredClone(resource);
  for (const key of keys) delete copy[key];
  return copy;
}

const project = (attributes: string | undefined, excluded: string | undefined, resource = bjensen()) =>
  parseProjection(schema, attributes, excluded).apply(resource);

function thrown(fn: () => unknown): RosterError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RosterError) return error;
    throw error;
  }
  throw new Error('expected a RosterError, but nothing was thrown');
}

describe('parseProjection: attributes (RFC 7644 §3.4.2.5)', () => {
  it.each<[string, string, ScimObject]>([
    [
      'one attribute: id and schemas come too, meta does not',
      'userName',
      { schemas: [CORE], id: ID, userName: 'bjensen@example.com' },
    ],
    ['names in any case', 'USERNAME', { schemas: [CORE], id: ID, userName: 'bjensen@example.com' }],
    [
      'a core-URN-qualified name',
      `${CORE}:userName`,
      { schemas: [CORE], id: ID, userName: 'bjensen@example.com' },
    ],
    ['a sub-attribute', 'name.givenName', { schemas: [CORE], id: ID, name: { givenName: 'Barbara' } }],
    [
      'a sub-attribute in any case',
      'Name.GivenName',
      { schemas: [CORE], id: ID, name: { givenName: 'Barbara' } },
    ],
    [
      'a sub-attribute of a multi-valued attribute',
      'emails.value',
      { schemas: [CORE], id: ID, emails: [{ value: 'bjensen@example.com' }, { value: 'babs@jensen.org' }] },
    ],
    [
      'two sub-attributes of one attribute, and a whole one',
      'name.givenName,name.familyName,displayName',
      {
        schemas: [CORE],
        id: ID,
        name: { familyName: 'Jensen', givenName: 'Barbara' },
        displayName: 'Babs Jensen',
      },
    ],
    [
      'a whole attribute wins over one of its sub-attributes',
      'name.givenName,name',
      {
        schemas: [CORE],
        id: ID,
        name: { formatted: 'Ms. Barbara J Jensen, III', familyName: 'Jensen', givenName: 'Barbara' },
      },
    ],
    [
      'spaces around the names',
      ' userName , active ',
      { schemas: [CORE], id: ID, userName: 'bjensen@example.com', active: true },
    ],
    [
      'meta when asked for',
      'meta.created',
      { schemas: [CORE], id: ID, meta: { created: '2010-01-23T04:56:22Z' } },
    ],
    [
      'unknown names are ignored',
      'userName,favouriteColour,name.nickName,urn:example:params:scim:schemas:extension:acme:2.0:User:badge',
      { schemas: [CORE], id: ID, userName: 'bjensen@example.com' },
    ],
    [
      'the extension URN: the whole extension object, listed in schemas',
      ENTERPRISE,
      { schemas: [CORE, ENTERPRISE], id: ID, [ENTERPRISE]: bjensen()[ENTERPRISE]! },
    ],
    [
      'an extension URN in another case',
      ENTERPRISE.toUpperCase(),
      { schemas: [CORE, ENTERPRISE], id: ID, [ENTERPRISE]: bjensen()[ENTERPRISE]! },
    ],
    [
      'one extension attribute',
      `userName,${ENTERPRISE}:department`,
      {
        schemas: [CORE, ENTERPRISE],
        id: ID,
        userName: 'bjensen@example.com',
        [ENTERPRISE]: { department: 'Tour Operations' },
      },
    ],
    [
      'one extension sub-attribute',
      `${ENTERPRISE}:manager.value`,
      {
        schemas: [CORE, ENTERPRISE],
        id: ID,
        [ENTERPRISE]: { manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } },
      },
    ],
    [
      'an extension attribute the user lacks: the extension leaves schemas',
      `userName,${ENTERPRISE}:costCenter`,
      { schemas: [CORE], id: ID, userName: 'bjensen@example.com' },
    ],
    ['only id', 'id', { schemas: [CORE], id: ID }],
    [
      'names that are no attribute path are ignored (RFC 7644 §3.9)',
      'userName,name.givenName.first,1st,emails[type eq "work"],name.',
      { schemas: [CORE], id: ID, userName: 'bjensen@example.com' },
    ],
  ])('%s', (_label, attributes, expected) => {
    expect(project(attributes, undefined)).toStrictEqual(expected);
  });
});

describe('parseProjection: excludedAttributes (RFC 7644 §3.4.2.5)', () => {
  it.each<[string, string, ScimObject]>([
    ['two attributes', 'emails,meta', without(bjensen(), 'emails', 'meta')],
    ['names in any case', 'EMAILS,Meta', without(bjensen(), 'emails', 'meta')],
    ['id cannot be excluded (returned "always")', 'id', bjensen()],
    ['id among others', 'id,groups', without(bjensen(), 'groups')],
    ['schemas is always returned', 'schemas', bjensen()],
    ['unknown names are ignored', 'favouriteColour,emails.colour', bjensen()],
    [
      'a sub-attribute',
      'name.formatted',
      { ...bjensen(), name: { familyName: 'Jensen', givenName: 'Barbara' } },
    ],
    [
      'a sub-attribute of a multi-valued attribute',
      'emails.primary,emails.type',
      { ...bjensen(), emails: [{ value: 'bjensen@example.com' }, { value: 'babs@jensen.org' }] },
    ],
    [
      'one extension attribute',
      `${ENTERPRISE}:manager`,
      {
        ...bjensen(),
        [ENTERPRISE]: { employeeNumber: '701984', department: 'Tour Operations' },
      },
    ],
    [
      'the whole extension, which then leaves schemas too',
      ENTERPRISE,
      { ...without(bjensen(), ENTERPRISE), schemas: [CORE] },
    ],
    [
      'every attribute of the extension, which then leaves schemas too',
      `${ENTERPRISE}:employeeNumber,${ENTERPRISE}:department,${ENTERPRISE}:manager`,
      { ...without(bjensen(), ENTERPRISE), schemas: [CORE] },
    ],
  ])('%s', (_label, excluded, expected) => {
    expect(project(undefined, excluded)).toStrictEqual(expected);
  });
});

describe('parseProjection: rules that hold whatever is asked', () => {
  it('returns the resource as it is when neither parameter is given', () => {
    expect(project(undefined, undefined)).toStrictEqual(bjensen());
    expect(project('', '')).toStrictEqual(bjensen());
  });

  it.each<[string | undefined, string | undefined]>([
    ['password', undefined],
    ['userName,password', undefined],
    [`${CORE}:password`, undefined],
    ['PASSWORD', undefined],
    [undefined, 'emails'],
    [undefined, 'id'],
  ])(
    'never returns password (returned "never"): attributes=%s excludedAttributes=%s',
    (attributes, excluded) => {
      const resource = { ...bjensen(), password: 't1meMa$heen' };
      const result = project(attributes, excluded, resource);
      expect(result).not.toHaveProperty('password');
      expect(JSON.stringify(result)).not.toContain('t1meMa$heen');
      expect(result.id).toBe(ID);
    },
  );

  it('refuses attributes and excludedAttributes together with 400', () => {
    const error = thrown(() => parseProjection(schema, 'userName', 'emails'));
    expect(error.status).toBe(400);
  });

  it('never modifies the resource it is given', () => {
    const resource = bjensen();
    project('name.givenName', undefined, resource);
    project(undefined, `emails,${ENTERPRISE}`, resource);
    expect(resource).toStrictEqual(bjensen());
  });

  it('applies one parsed projection to many resources alike', () => {
    const projection = parseProjection(schema, 'userName', undefined);
    const other = { ...bjensen(), id: 'other-id', userName: 'other@example.com' };
    expect(projection.apply(bjensen())).toStrictEqual({
      schemas: [CORE],
      id: ID,
      userName: 'bjensen@example.com',
    });
    expect(projection.apply(other)).toStrictEqual({
      schemas: [CORE],
      id: 'other-id',
      userName: 'other@example.com',
    });
  });
});

describe('parseProjection: attributes returned only on request (RFC 7643 §7 "returned")', () => {
  const BADGE = 'urn:example:params:scim:schemas:extension:badge:2.0:User';
  const badgeExtension: SchemaDefinition = {
    id: BADGE,
    name: 'Badge',
    description: 'A site extension with a sub-attribute returned only when asked for',
    attributes: [
      attribute('badge', 'complex', {
        subAttributes: [attribute('number', 'string'), attribute('pin', 'string', { returned: 'request' })],
      }),
    ],
  };
  const withBadge = new ResourceSchema(userResourceType, userSchema, [enterpriseUserSchema, badgeExtension]);
  const badged = (): ScimObject => ({
    ...bjensen(),
    schemas: [CORE, ENTERPRISE, BADGE],
    [BADGE]: { badge: { number: '7', pin: '1234' } },
  });

  it('is known per schema, however deep the attribute is', () => {
    expect(userResourceSchema.hasRequestOnlyAttributes).toBe(false);
    expect(withBadge.hasRequestOnlyAttributes).toBe(true);
  });

  it('leaves them out unless asked for, even without attributes or excludedAttributes', () => {
    const plain = parseProjection(withBadge, undefined, undefined).apply(badged());
    expect(plain[BADGE]).toStrictEqual({ badge: { number: '7' } });
    const asked = parseProjection(withBadge, `${BADGE}:badge.pin`, undefined).apply(badged());
    expect(asked[BADGE]).toStrictEqual({ badge: { pin: '1234' } });
  });
});
