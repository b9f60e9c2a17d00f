import { describe, expect, it } from 'vitest';

import { RosterError } from '../../errors.js';
import type { SiteExtension } from '../../model/site.js';
import { ENTERPRISE_USER_SCHEMA_ID } from '../../scim/schema/enterprise-user.js';
import { GROUP_SCHEMA_ID } from '../../scim/schema/group.js';
import { USER_SCHEMA_ID } from '../../scim/schema/user.js';
import {
  declareExtension,
  type ExtensionInput,
  extensionSchema,
  MAX_ATTRIBUTES_PER_EXTENSION,
  MAX_EXTENSIONS_PER_SITE,
} from './site-extensions.js';

const RESOURCE_TYPES = ['User', 'Group'];
const RESERVED = [USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID, GROUP_SCHEMA_ID];
const ACME = 'urn:ietf:params:scim:schemas:extension:acme:2.0:User';

const input = (overrides: Partial<ExtensionInput> = {}): ExtensionInput => ({
  urn: ACME,
  resourceType: 'User',
  attributes: [{ name: 'costCenter', type: 'string' }],
  ...overrides,
});

const declare = (given: ExtensionInput, existing: readonly SiteExtension[] = []): SiteExtension =>
  declareExtension(given, RESOURCE_TYPES, RESERVED, existing);

function thrown(fn: () => unknown): RosterError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RosterError) return error;
    throw error;
  }
  throw new Error('expected a RosterError, but nothing was thrown');
}

const extensionNumber = (n: number): SiteExtension =>
  declare(input({ urn: `urn:ietf:params:scim:schemas:extension:site${n}:2.0:User` }));

describe('declareExtension refuses', () => {
  it.each<[why: string, urn: string]>([
    ['no urn: prefix', 'acme:2.0:User'],
    ['an upper-case URN: prefix', 'URN:acme:2.0:User'],
    ['a bare namespace', 'urn:acme'],
    ['a trailing colon', 'urn:acme:2.0:User:'],
    ['an empty segment', 'urn:acme::User'],
    ['a space', 'urn:acme:cost center'],
    ['a quote, which would end a filter string', 'urn:acme:"x":User'],
    ['a bracket, which would open a value filter', 'urn:acme:x[y]:User'],
    ['a slash', 'urn:acme/x:User'],
    ['more than 200 characters', `urn:acme:${'x'.repeat(192)}`],
    ['nothing', ''],
  ])('a URN with %s', (_why, urn) => {
    const error = thrown(() => declare(input({ urn })));
    expect(error.code).toBe('invalid-schema');
    expect(error.status).toBe(400);
  });

  it('a URN of 200 characters is accepted', () => {
    const urn = `urn:acme:${'x'.repeat(191)}`;
    expect(urn).toHaveLength(200);
    expect(declare(input({ urn })).urn).toBe(urn);
  });

  it.each(RESERVED.flatMap((urn) => [urn, urn.toLowerCase()]))('the reserved schema %s', (urn) => {
    const error = thrown(() => declare(input({ urn, resourceType: 'Group' })));
    expect(error.code).toBe('invalid-schema');
    expect(error.detail).toContain('Roster defines itself');
  });

  it.each([
    'urn:ietf:params:scim:schemas:core:2.0:User:emails',
    'urn:ietf:params:scim:schemas:core:2.0',
    'urn:ietf:params:scim:schemas:core:2.0:Device',
    'urn:ietf:params:scim:api:messages:2.0:Custom',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:extra',
  ])('a URN under or above one of Roster’s, or in the RFC’s own namespaces: %s', (urn) => {
    const error = thrown(() => declare(input({ urn })));
    expect(error.code).toBe('invalid-schema');
    expect(error.detail).toContain('Roster defines itself');
  });

  it('a URN the site already has, in any letter case, as schema-exists', () => {
    const existing = [declare(input())];
    for (const urn of [ACME, ACME.toUpperCase().replace('URN:', 'urn:')]) {
      const error = thrown(() => declare(input({ urn, resourceType: 'Group' }), existing));
      expect(error.code).toBe('schema-exists');
      expect(error.kind).toBe('conflict');
    }
  });

  it(`more than ${MAX_EXTENSIONS_PER_SITE} extensions in a site`, () => {
    const existing = Array.from({ length: MAX_EXTENSIONS_PER_SITE - 1 }, (_, n) => extensionNumber(n));
    const last = declare(input(), existing);
    const error = thrown(() =>
      declare(input({ urn: 'urn:ietf:params:scim:schemas:extension:one-more:2.0:User' }), [
        ...existing,
        last,
      ]),
    );
    expect(error.code).toBe('invalid-schema');
  });

  it('an extension without attributes', () => {
    expect(thrown(() => declare(input({ attributes: [] }))).code).toBe('invalid-schema');
  });

  it(`more than ${MAX_ATTRIBUTES_PER_EXTENSION} attributes`, () => {
    const attributes = (count: number) =>
      Array.from({ length: count }, (_, i) => ({ name: `a${i}`, type: 'string' }));
    expect(declare(input({ attributes: attributes(MAX_ATTRIBUTES_PER_EXTENSION) })).attributes).toHaveLength(
      MAX_ATTRIBUTES_PER_EXTENSION,
    );
    const error = thrown(() => declare(input({ attributes: attributes(MAX_ATTRIBUTES_PER_EXTENSION + 1) })));
    expect(error.code).toBe('invalid-schema');
  });

  // RFC 7643 §2.1 ATTRNAME = ALPHA *(nameChar); a dot or a colon would change what a path means.
  it.each([
    '',
    '1st',
    '_x',
    '-x',
    'cost center',
    'cost.center',
    'cost:center',
    '$ref',
    'kostenstelle€',
    'a'.repeat(65),
  ])('the attribute name %j', (name) => {
    const error = thrown(() => declare(input({ attributes: [{ name, type: 'string' }] })));
    expect(error.code).toBe('invalid-schema');
  });

  it('an attribute declared twice, in any letter case', () => {
    const error = thrown(() =>
      declare(
        input({
          attributes: [
            { name: 'costCenter', type: 'string' },
            { name: 'division', type: 'string' },
            { name: 'COSTCENTER', type: 'integer' },
          ],
        }),
      ),
    );
    expect(error.code).toBe('invalid-schema');
    expect(error.detail).toContain('COSTCENTER');
  });

  // Only simple types: a complex attribute would need sub-attributes, and the others are not stored.
  it.each(['complex', 'dateTime', 'binary', 'text', 'int', ''])('the type %j', (type) => {
    const error = thrown(() => declare(input({ attributes: [{ name: 'x', type }] })));
    expect(error.code).toBe('invalid-schema');
    expect(error.detail).toContain('string, boolean, integer, decimal, reference');
  });

  it.each(['Device', 'Users', ''])('the resource type %j', (resourceType) => {
    const error = thrown(() => declare(input({ resourceType })));
    expect(error.code).toBe('invalid-schema');
    expect(error.detail).toContain('User or Group');
  });
});

describe('declareExtension accepts', () => {
  it('a declaration, canonical and with its defaults', () => {
    const extension = declare(
      input({
        urn: `  ${ACME} `,
        resourceType: 'user',
        attributes: [
          { name: 'costCenter', type: 'STRING' },
          { name: 'badges', type: 'Integer', multiValued: true, required: true, caseExact: true },
          { name: 'a'.repeat(64), type: 'decimal', description: '  Weight in kg.  ' },
          { name: 'x-Ref_2', type: 'reference' },
          { name: 'remote', type: 'boolean', multiValued: false, required: false, caseExact: false },
        ],
      }),
    );
    expect(extension).toEqual({
      urn: ACME,
      resourceType: 'User',
      name: 'acme',
      description: 'acme extension of User',
      attributes: [
        {
          name: 'costCenter',
          type: 'string',
          multiValued: false,
          required: false,
          caseExact: false,
          description: '',
        },
        {
          name: 'badges',
          type: 'integer',
          multiValued: true,
          required: true,
          caseExact: true,
          description: '',
        },
        {
          name: 'a'.repeat(64),
          type: 'decimal',
          multiValued: false,
          required: false,
          caseExact: false,
          description: 'Weight in kg.',
        },
        {
          name: 'x-Ref_2',
          type: 'reference',
          multiValued: false,
          required: false,
          caseExact: false,
          description: '',
        },
        {
          name: 'remote',
          type: 'boolean',
          multiValued: false,
          required: false,
          caseExact: false,
          description: '',
        },
      ],
    });
  });

  it('a name and description as given, trimmed; blank ones are derived', () => {
    expect(declare(input({ name: ' Acme HR ', description: ' Cost centres. ' }))).toMatchObject({
      name: 'Acme HR',
      description: 'Cost centres.',
    });
    expect(declare(input({ name: '  ', description: '' }))).toMatchObject({
      name: 'acme',
      description: 'acme extension of User',
    });
    // Without the RFC's `…:<name>:<version>:<type>` pattern, the last segment names it.
    expect(declare(input({ urn: 'urn:acme:costs' })).name).toBe('costs');
    expect(declare(input({ urn: 'urn:acme:2.0:User' })).name).toBe('acme');
  });
});

describe('extensionSchema', () => {
  it('is an RFC 7643 §7 schema whose attributes are read-write and kept in the JSON', () => {
    const extension = declare(
      input({
        name: 'Acme',
        description: 'Acme attributes',
        attributes: [
          { name: 'costCenter', type: 'string', caseExact: true, description: 'Where costs go.' },
          { name: 'badges', type: 'integer', multiValued: true, required: true },
        ],
      }),
    );
    expect(extensionSchema(extension)).toEqual({
      id: ACME,
      name: 'Acme',
      description: 'Acme attributes',
      attributes: [
        {
          name: 'costCenter',
          type: 'string',
          multiValued: false,
          description: 'Where costs go.',
          required: false,
          caseExact: true,
          mutability: 'readWrite',
          returned: 'default',
          uniqueness: 'none',
        },
        {
          name: 'badges',
          type: 'integer',
          multiValued: true,
          description: '',
          required: true,
          caseExact: false,
          mutability: 'readWrite',
          returned: 'default',
          uniqueness: 'none',
        },
      ],
    });
  });

  it('keeps the declared order and every type', () => {
    const types = ['string', 'boolean', 'integer', 'decimal', 'reference'];
    const schema = extensionSchema(
      declare(input({ attributes: types.map((type) => ({ name: `the${type}`, type })) })),
    );
    expect(schema.attributes.map((attribute) => [attribute.name, attribute.type])).toEqual(
      types.map((type) => [`the${type}`, type]),
    );
  });
});
