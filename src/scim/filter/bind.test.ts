import { describe, expect, it } from 'vitest';

import { RosterError } from '../../errors.js';
import { commonAttributes } from '../schema/common.js';
import { userResourceSchema } from '../schema/resource-types.js';
import type { AttributeDefinition } from '../schema/types.js';
import { type BoundElementFilter, type BoundFilter, bindFilter } from './bind.js';
import type { ValueTest } from './bind-value.js';
import { parseFilter } from './parse.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

// The schema's own definitions, so a bound tree is compared with exactly what the binder resolves.
const schema = userResourceSchema;
const coreAttr = (name: string): AttributeDefinition => schema.core.get(name)!;
const coreSub = (parent: string, name: string): AttributeDefinition =>
  schema.core.sub(coreAttr(parent))!.get(name)!;
const commonAttr = (name: string): AttributeDefinition => schema.common.get(name)!;
const metaSub = (name: string): AttributeDefinition => schema.common.sub(commonAttr('meta'))!.get(name)!;
const enterprise = schema.extension(ENTERPRISE)!.index;
const entAttr = (name: string): AttributeDefinition => enterprise.get(name)!;
const entSub = (parent: string, name: string): AttributeDefinition =>
  enterprise.sub(entAttr(parent))!.get(name)!;

const bind = (text: string): BoundFilter => bindFilter(parseFilter(text), schema);

/** A singular value test: `test(['name', 'familyName'], definition, { op: 'pr' })`. */
const test = (path: string[], definition: AttributeDefinition, valueTest: ValueTest): BoundFilter => ({
  kind: 'test',
  attribute: { path, definition },
  test: valueTest,
});
const any = (list: string, element: BoundElementFilter): BoundFilter => ({
  kind: 'any',
  list: { path: [list], definition: coreAttr(list) },
  element,
});
const el = (list: string, sub: string, valueTest: ValueTest): BoundElementFilter => ({
  kind: 'test',
  sub: coreSub(list, sub),
  test: valueTest,
});
const and = <T extends BoundFilter | BoundElementFilter>(left: T, right: T): T =>
  ({ kind: 'and', left, right }) as T;
const or = <T extends BoundFilter | BoundElementFilter>(left: T, right: T): T =>
  ({ kind: 'or', left, right }) as T;
const not = <T extends BoundFilter | BoundElementFilter>(filter: T): T => ({ kind: 'not', filter }) as T;
const constant = (value: boolean): BoundFilter => ({ kind: 'constant', value });

const PR: ValueTest = { op: 'pr' };
const folded = (op: 'eq' | 'gt' | 'ge' | 'lt' | 'le' | 'co' | 'sw' | 'ew', value: string): ValueTest => ({
  op,
  kind: 'folded',
  value,
});
const exact = (op: 'eq' | 'gt' | 'ge' | 'lt' | 'le' | 'co' | 'sw' | 'ew', value: string): ValueTest => ({
  op,
  kind: 'string',
  value,
});
const instant = (op: 'eq' | 'gt' | 'ge' | 'lt' | 'le', iso: string): ValueTest => ({
  op,
  kind: 'instant',
  value: Date.parse(iso),
});
const bool = (value: boolean): ValueTest => ({ op: 'eq', kind: 'boolean', value });

const userName = (valueTest: ValueTest): BoundFilter => test(['userName'], coreAttr('userName'), valueTest);
const userType = (valueTest: ValueTest): BoundFilter => test(['userType'], coreAttr('userType'), valueTest);
const title = (valueTest: ValueTest): BoundFilter => test(['title'], coreAttr('title'), valueTest);
const lastModified = (valueTest: ValueTest): BoundFilter =>
  test(['meta', 'lastModified'], metaSub('lastModified'), valueTest);
const emailValue = (op: 'eq' | 'co', value: string): BoundFilter =>
  any('emails', el('emails', 'value', folded(op, value)));

/** 2011-05-13T04:42:34Z, the RFC's instant, in epoch milliseconds. */
const RFC_INSTANT = Date.UTC(2011, 4, 13, 4, 42, 34);

function thrown(fn: () => unknown): RosterError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RosterError) return error;
    throw error;
  }
  throw new Error('expected a RosterError, but nothing was thrown');
}

describe('bindFilter: every filter example of RFC 7644 §3.4.2.2', () => {
  it.each<[string, BoundFilter]>([
    // userName is caseExact false (RFC 7643 §4.1.1): the literal is folded once, here.
    ['userName eq "bjensen"', userName(folded('eq', 'bjensen'))],
    [
      `name.familyName co "O'Malley"`,
      test(['name', 'familyName'], coreSub('name', 'familyName'), folded('co', "o'malley")),
    ],
    ['userName sw "J"', userName(folded('sw', 'j'))],
    // The core schema URN qualifies nothing: the canonical path is the same as without it.
    [`${CORE}:userName sw "J"`, userName(folded('sw', 'j'))],
    ['title pr', title(PR)],
    [
      'meta.lastModified gt "2011-05-13T04:42:34Z"',
      lastModified({ op: 'gt', kind: 'instant', value: RFC_INSTANT }),
    ],
    [
      'meta.lastModified ge "2011-05-13T04:42:34Z"',
      lastModified({ op: 'ge', kind: 'instant', value: RFC_INSTANT }),
    ],
    [
      'meta.lastModified lt "2011-05-13T04:42:34Z"',
      lastModified({ op: 'lt', kind: 'instant', value: RFC_INSTANT }),
    ],
    [
      'meta.lastModified le "2011-05-13T04:42:34Z"',
      lastModified({ op: 'le', kind: 'instant', value: RFC_INSTANT }),
    ],
    ['title pr and userType eq "Employee"', and(title(PR), userType(folded('eq', 'employee')))],
    ['title pr or userType eq "Intern"', or(title(PR), userType(folded('eq', 'intern')))],
    [`schemas eq "${ENTERPRISE}"`, { kind: 'hasSchema', urn: ENTERPRISE }],
    // `emails co "x"` means the `value` sub-attribute of any element.
    [
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      and(
        userType(folded('eq', 'employee')),
        or(emailValue('co', 'example.com'), emailValue('co', 'example.org')),
      ),
    ],
    // `ne` is `not (eq)`, so an absent userType is "not equal".
    [
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      and(
        not(userType(folded('eq', 'employee'))),
        not(or(emailValue('co', 'example.com'), emailValue('co', 'example.org'))),
      ),
    ],
    [
      'userType eq "Employee" and (emails.type eq "work")',
      and(userType(folded('eq', 'employee')), any('emails', el('emails', 'type', folded('eq', 'work')))),
    ],
    [
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      and(
        userType(folded('eq', 'employee')),
        any(
          'emails',
          and(
            el('emails', 'type', folded('eq', 'work')),
            el('emails', 'value', folded('co', '@example.com')),
          ),
        ),
      ),
    ],
    [
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      or(
        any(
          'emails',
          and(
            el('emails', 'type', folded('eq', 'work')),
            el('emails', 'value', folded('co', '@example.com')),
          ),
        ),
        any(
          'ims',
          and(el('ims', 'type', folded('eq', 'xmpp')), el('ims', 'value', folded('co', '@foo.com'))),
        ),
      ),
    ],
  ])('%s', (text, expected) => {
    expect(bind(text)).toEqual(expected);
  });
});

describe('bindFilter: filters identity providers send (../shared/idp)', () => {
  it.each<[string, string, BoundFilter]>([
    ['Okta lookup', 'userName eq "test.user@okta.local"', userName(folded('eq', 'test.user@okta.local'))],
    [
      'Okta case-sensitivity check (value in capitals)',
      'userName eq "TEST.User@OKTA.local"',
      userName(folded('eq', 'test.user@okta.local')),
    ],
    [
      'Okta optional id lookup (caseExact)',
      'id eq "0190AbCd"',
      test(['id'], commonAttr('id'), exact('eq', '0190AbCd')),
    ],
    ['Okta optional emails lookup', 'emails eq "Jane@Example.com"', emailValue('eq', 'jane@example.com')],
    [
      'Entra test user lookup',
      'userName eq "Test_User_00aa00aa-bb11"',
      userName(folded('eq', 'test_user_00aa00aa-bb11')),
    ],
    // Not RFC 7644: the same element must match both, a value filter with the comparison and-ed in.
    [
      'Entra matching on a work email',
      'emails[type eq "work"].value eq "user@contoso.com"',
      any(
        'emails',
        and(
          el('emails', 'type', folded('eq', 'work')),
          el('emails', 'value', folded('eq', 'user@contoso.com')),
        ),
      ),
    ],
    // externalId is caseExact (RFC 7643 §3.1): the unquoted literal is kept as written.
    [
      'Entra externalId, unquoted',
      'externalId eq jyoung',
      test(['externalId'], commonAttr('externalId'), exact('eq', 'jyoung')),
    ],
    [
      'Entra externalId keeps its case',
      'externalId eq "JYoung"',
      test(['externalId'], commonAttr('externalId'), exact('eq', 'JYoung')),
    ],
    ['PingOne template', 'username Eq "x"', userName(folded('eq', 'x'))],
    ['MS suite, unquoted sw', 'userName sw O', userName(folded('sw', 'o'))],
    [
      'MS suite, attribute name in another case',
      'name.FamilyName eq Employee',
      test(['name', 'familyName'], coreSub('name', 'familyName'), folded('eq', 'employee')),
    ],
    [
      'MS suite, unquoted date-time with an offset',
      'meta.Created gt 2015-10-10T14:38:21.86-07:00',
      test(['meta', 'created'], metaSub('created'), {
        op: 'gt',
        kind: 'instant',
        value: Date.UTC(2015, 9, 10, 21, 38, 21, 860),
      }),
    ],
    [
      'mixed-case names and operators',
      'emails.Value cO "X" Or NOT (meta.lastmodified Lt "2011-05-13T04:42:34Z")',
      or(emailValue('co', 'x'), not(lastModified({ op: 'lt', kind: 'instant', value: RFC_INSTANT }))),
    ],
    // Entra maps roles with `primary eq "True"`: the string is read as the boolean.
    [
      'Entra boolean as a string',
      'roles[primary eq "True"]',
      any('roles', el('roles', 'primary', bool(true))),
    ],
    [
      'Okta Groups lookup on a User attribute',
      'displayName eq "Test SCIMv2"',
      test(['displayName'], coreAttr('displayName'), folded('eq', 'test scimv2')),
    ],
  ])('%s: %s', (_who, text, expected) => {
    expect(bind(text)).toEqual(expected);
  });
});

describe('bindFilter: normal forms', () => {
  it.each<[string, BoundFilter]>([
    ['title ne "Boss"', not(title(folded('eq', 'boss')))],
    ['title eq null', not(title(PR))],
    ['title ne null', title(PR)],
    ['title EQ NULL', not(title(PR))],
    // On a list, `ne` means no element is equal; `eq null` means no element has a value.
    ['emails.value ne "a@b.c"', not(emailValue('eq', 'a@b.c'))],
    ['emails ne "a@b.c"', not(emailValue('eq', 'a@b.c'))],
    ['emails.type eq null', not(any('emails', el('emails', 'type', PR)))],
    ['emails.display ne null', any('emails', el('emails', 'display', PR))],
    ['emails eq null', not(any('emails', el('emails', 'value', PR)))],
    // A list is present when it has an element.
    ['emails pr', any('emails', { kind: 'constant', value: true })],
    ['addresses pr', any('addresses', { kind: 'constant', value: true })],
    ['emails[type ne "work"]', any('emails', not(el('emails', 'type', folded('eq', 'work'))))],
    ['emails[primary eq true]', any('emails', el('emails', 'primary', bool(true)))],
    ['emails[not (primary eq false)]', any('emails', not(el('emails', 'primary', bool(false))))],
    ['emails[display eq null]', any('emails', not(el('emails', 'display', PR)))],
    [
      'phoneNumbers[type eq "Mobile" or value sw "+1"]',
      any(
        'phoneNumbers',
        or(
          el('phoneNumbers', 'type', folded('eq', 'mobile')),
          el('phoneNumbers', 'value', folded('sw', '+1')),
        ),
      ),
    ],
    [
      'ADDRESSES[Locality co "Zürich" and postalCode pr]',
      any(
        'addresses',
        and(el('addresses', 'locality', folded('co', 'zürich')), el('addresses', 'postalCode', PR)),
      ),
    ],
    ['addresses.locality ew "Ö"', any('addresses', el('addresses', 'locality', folded('ew', 'ö')))],
    // Folding is JavaScript's toLowerCase, as the stored lower-cased columns are.
    [
      'name.givenName eq "ÉLODIE"',
      test(['name', 'givenName'], coreSub('name', 'givenName'), folded('eq', 'élodie')),
    ],
    ['userName gt "B"', userName(folded('gt', 'b'))],
    ['userName le "%_\\\\"', userName(folded('le', '%_\\'))],
    // Booleans, from JSON or from the strings clients send.
    ['active eq true', test(['active'], coreAttr('active'), bool(true))],
    ['active eq "False"', test(['active'], coreAttr('active'), bool(false))],
    ['active ne false', not(test(['active'], coreAttr('active'), bool(false)))],
    ['active pr', test(['active'], coreAttr('active'), PR)],
    // Date-times become epoch milliseconds, whatever offset they were written with.
    [
      'meta.created eq "2026-01-31T13:00:00+01:00"',
      test(['meta', 'created'], metaSub('created'), instant('eq', '2026-01-31T12:00:00Z')),
    ],
    [
      'meta.created ne "2026-01-31T12:00:00.5Z"',
      not(test(['meta', 'created'], metaSub('created'), instant('eq', '2026-01-31T12:00:00.500Z'))),
    ],
    // Complex singular attributes can only be tested for presence.
    ['name pr', test(['name'], coreAttr('name'), PR)],
    [`${ENTERPRISE}:manager pr`, test([ENTERPRISE, 'manager'], entAttr('manager'), PR)],
    // Extension attributes live under their URN, canonically spelled, whatever case the filter used.
    [
      `${ENTERPRISE}:department eq "R&D"`,
      test([ENTERPRISE, 'department'], entAttr('department'), folded('eq', 'r&d')),
    ],
    [
      `${ENTERPRISE.toUpperCase()}:EmployeeNumber sw "0"`,
      test([ENTERPRISE, 'employeeNumber'], entAttr('employeeNumber'), folded('sw', '0')),
    ],
    [
      `${ENTERPRISE}:manager.value eq "AbC"`,
      test([ENTERPRISE, 'manager', 'value'], entSub('manager', 'value'), folded('eq', 'abc')),
    ],
    [
      `${CORE.toLowerCase()}:NAME.givenName pr`,
      test(['name', 'givenName'], coreSub('name', 'givenName'), PR),
    ],
    // `$ref` is a name like any other: case-insensitive (RFC 7643 §2.1).
    [`${ENTERPRISE}:manager.$REF pr`, test([ENTERPRISE, 'manager', '$ref'], entSub('manager', '$ref'), PR)],
    // What is the same for every User becomes a constant.
    ['meta.resourceType eq "User"', constant(true)],
    ['meta.resourceType eq "Group"', constant(false)],
    ['meta.resourceType eq "user"', constant(false)],
    ['meta.resourceType ne "User"', constant(false)],
    ['meta.resourceType pr', constant(true)],
    ['meta.resourceType eq null', constant(false)],
    ['meta.resourceType sw "Us"', constant(true)],
    [`schemas eq "${CORE}"`, constant(true)],
    [`schemas eq "${CORE.toUpperCase()}"`, constant(true)],
    ['schemas eq "urn:example:other"', constant(false)],
    [`schemas ne "${ENTERPRISE}"`, not({ kind: 'hasSchema', urn: ENTERPRISE })],
    [`schemas eq "${ENTERPRISE.toLowerCase()}"`, { kind: 'hasSchema', urn: ENTERPRISE }],
    ['schemas pr', constant(true)],
  ])('%s', (text, expected) => {
    expect(bind(text)).toEqual(expected);
  });
});

describe('bindFilter: what cannot be filtered is 400 invalidFilter', () => {
  it.each<[string, string]>([
    ['an unknown attribute', 'nickname2 eq "x"'],
    ['an unknown sub-attribute', 'name.nickName eq "x"'],
    ['an unknown sub-attribute of a list', 'emails.kind eq "work"'],
    ['an unknown extension', 'urn:example:params:scim:schemas:extension:acme:2.0:User:badge eq "x"'],
    ['an attribute of another schema', `${ENTERPRISE}:userName eq "x"`],
    ['password (returned never)', 'password eq "secret"'],
    ['password presence', 'password pr'],
    ['password by its URN', `${CORE}:password sw "a"`],
    ['a boolean with gt', 'active gt true'],
    ['a boolean with le', 'emails[primary le true]'],
    ['a boolean with co', 'active co "tr"'],
    ['a boolean with a non-boolean literal', 'active eq "yes"'],
    ['a boolean with a number', 'active eq 1'],
    ['a date-time with a non-date', 'meta.created gt "yesterday"'],
    ['a date-time with a number', 'meta.lastModified lt 1700000000000'],
    ['a date-time with co', 'meta.created co "2026"'],
    ['a date-time with sw', 'meta.lastModified sw "2026-01"'],
    ['meta.location', 'meta.location eq "https://example.com/scim/v2/Users/1"'],
    ['meta.location presence', 'meta.location pr'],
    // A user's groups' $ref is built from the request's URL too.
    ['groups.$ref', 'groups.$ref eq "https://example.com/scim/v2/Groups/g1"'],
    ['groups.$ref in a value filter, in any case', 'groups[$Ref ew "/g1"]'],
    ['meta.version', 'meta.version eq "W/\\"1\\""'],
    ['meta without a sub-attribute', 'meta pr'],
    ['a complex attribute without a sub-attribute', 'name eq "Barbara"'],
    ['a complex attribute with co', 'name co "Bar"'],
    ['an extension complex attribute without a sub-attribute', `${ENTERPRISE}:manager eq "0190"`],
    ['a multi-valued complex attribute without a value sub-attribute', 'addresses eq "Main St"'],
    ['a value filter on a singular attribute', 'name[givenName eq "x"]'],
    ['a value filter on a simple attribute', 'userName[value eq "x"]'],
    ['a value filter naming an unknown sub-attribute', 'emails[kind eq "work"]'],
    ['a value filter naming a qualified path', 'emails[emails.type eq "work"]'],
    ['a binary value', 'x509Certificates.value eq "MIIB"'],
    ['a binary value in a value filter', 'x509Certificates[value eq "MIIB"]'],
    ['ordering against null', 'userName gt null'],
    ['co with null', 'title co null'],
    // No stored value can contain U+0000 (PostgreSQL text cannot hold it).
    ['U+0000 in a string literal', 'userName eq "a\\u0000b"'],
    ['U+0000 in an unquoted literal', 'title sw a\u0000'],
    ['schemas with an ordering operator', `schemas gt "${CORE}"`],
    ['schemas with a number', 'schemas eq 2'],
  ])('%s: %s', (_why, text) => {
    const error = thrown(() => bind(text));
    expect(error.status).toBe(400);
    expect(error.scimType).toBe('invalidFilter');
    expect(error.detail.length).toBeGreaterThan(0);
  });
});

describe('the binder covers the common attributes', () => {
  it('binds id, externalId and meta by their definitions in common.ts', () => {
    expect(commonAttributes.map((attribute) => attribute.name)).toEqual(['id', 'externalId', 'meta']);
    expect(bind('id pr')).toEqual(test(['id'], commonAttr('id'), PR));
    expect(bind('EXTERNALID sw "A"')).toEqual(
      test(['externalId'], commonAttr('externalId'), exact('sw', 'A')),
    );
  });
});
