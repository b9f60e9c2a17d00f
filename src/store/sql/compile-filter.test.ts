import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { RosterError } from '../../errors.js';
import type { AttributePath, CompareOperator, FilterValue } from '../../scim/filter/ast.js';
import { bindFilter } from '../../scim/filter/bind.js';
import { bindSort } from '../../scim/filter/bind-sort.js';
import { parseFilter } from '../../scim/filter/parse.js';
import { ResourceSchema } from '../../scim/schema/registry.js';
import {
  groupResourceSchema,
  userResourceSchema,
  userResourceType,
} from '../../scim/schema/resource-types.js';
import { attribute } from '../../scim/schema/types.js';
import { userSchema } from '../../scim/schema/user.js';
import { enterpriseUserSchema } from '../../scim/schema/enterprise-user.js';
import { compileFilter } from './compile-filter.js';
import type { DialectName, SqlValue } from './connection.js';
import { dialects } from './dialect.js';
import { listStatements } from './list-page.js';
import { emit, isNull, sql, type SqlFragment } from './sql-expression.js';
import { GROUPS } from './groups-sql.js';
import { USERS } from './users-sql.js';

const SITE = 'site-1';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ACME = 'urn:example:params:scim:schemas:extension:acme:2.0:User';

/**
 * A site-declared extension as `site-extensions.ts` builds one: its attributes have no storage
 * mapping, so they live in the resource's JSON, the only place numbers and booleans are read from
 * JSON. `hired` is a date-time, which site extensions cannot declare: the compiler must refuse it
 * rather than compare date-times as text.
 */
const acmeUsers = new ResourceSchema(userResourceType, userSchema, [
  enterpriseUserSchema,
  {
    id: ACME,
    name: 'Acme',
    description: 'Acme extension of User',
    attributes: [
      attribute('level', 'integer'),
      attribute('ratio', 'decimal'),
      attribute('contractor', 'boolean'),
      attribute('hired', 'dateTime'),
    ],
  },
]);

const SCHEMAS = { user: userResourceSchema, acme: acmeUsers, group: groupResourceSchema } as const;
type SchemaName = keyof typeof SCHEMAS;

function compiled(
  schema: SchemaName,
  filter: string,
  dialect: DialectName,
  siteId: string | null = SITE,
): SqlFragment {
  const alias = schema === 'group' ? 'g' : 'u';
  const bound = bindFilter(parseFilter(filter), SCHEMAS[schema]);
  return emit(
    compileFilter(bound, { alias, ...(siteId !== null ? { siteId } : {}) }, dialects[dialect]),
    dialects[dialect],
  );
}

type PerDialect = Readonly<Record<DialectName, string>>;
const both = (text: string): PerDialect => ({ sqlite: text, postgres: text });

/** The JSON accessors each dialect reads a resource's attribute through, written out. */
const TITLE: PerDialect = {
  sqlite: `json_extract(u.resource, '$."title"')`,
  postgres: `(u.resource::json #>> '{"title"}')`,
};
const NICK_NAME: PerDialect = {
  sqlite: `json_extract(u.resource, '$."nickName"')`,
  postgres: `(u.resource::json #>> '{"nickName"}')`,
};
const MANAGER_VALUE: PerDialect = {
  sqlite: `json_extract(u.resource, '$."${ENTERPRISE}"."manager"."value"')`,
  postgres: `(u.resource::json #>> '{"${ENTERPRISE}","manager","value"}')`,
};
const acme = (key: string): PerDialect => ({
  sqlite: `json_extract(u.resource, '$."${ACME}"."${key}"')`,
  postgres: `(u.resource::json #>> '{"${ACME}","${key}"}')`,
});
const per = (make: (d: DialectName) => string): PerDialect => ({
  sqlite: make('sqlite'),
  postgres: make('postgres'),
});

const EMAIL_IN = (condition: string): string =>
  `(u.id IN (SELECT e.user_id FROM user_emails e WHERE ((e.site_id = ?) AND ${condition})))`;
const EMAIL_EXISTS = (condition: string): string =>
  `EXISTS (SELECT 1 FROM user_emails e WHERE (e.site_id = u.site_id AND e.user_id = u.id AND ${condition}))`;
const EMAIL_EXISTS_IN_SITE = (condition: string): string =>
  `EXISTS (SELECT 1 FROM user_emails e WHERE ((e.site_id = u.site_id AND e.user_id = u.id AND (e.site_id = ?)) AND ${condition}))`;
const MEMBER_IN = (condition: string): string =>
  `(g.id IN (SELECT m.group_id FROM group_members m WHERE ((m.site_id = ?) AND ${condition})))`;
const MEMBER_EXISTS = (condition: string): string =>
  `EXISTS (SELECT 1 FROM group_members m WHERE (m.site_id = g.site_id AND m.group_id = g.id AND ${condition}))`;
const EMAIL_VALUE_EQ = '((e.value_lower IS NOT NULL) AND (e.value_lower = ?))';
// Member and group ids are lower-case: the literal is folded, the column read as it is (its index usable).
const MEMBER_VALUE_EQ = '((m.member_id IS NOT NULL) AND (m.member_id = ?))';

interface Case {
  readonly name: string;
  readonly schema: SchemaName;
  readonly filter: string;
  /** Compiled without a site id (as a correlated EXISTS) instead of with SITE. */
  readonly noSite?: boolean;
  readonly text: PerDialect;
  readonly values: readonly SqlValue[];
}

const CASES: readonly Case[] = [
  // Columns: the storage mapping names them; folded columns are compared with the literal lowered.
  {
    name: 'userName eq reads the folded column and lowers only the literal',
    schema: 'user',
    filter: 'userName eq "Ann.Smith"',
    text: both('((u.logon_lower IS NOT NULL) AND (u.logon_lower = ?))'),
    values: ['ann.smith'],
  },
  {
    name: 'userName sw escapes the LIKE metacharacters of the literal',
    schema: 'user',
    filter: 'userName sw "A_n%"',
    text: both("((u.logon_lower IS NOT NULL) AND (u.logon_lower LIKE ? ESCAPE '\\'))"),
    values: ['a\\_n\\%%'],
  },
  {
    name: 'a caseExact column (externalId) keeps the literal as written',
    schema: 'user',
    filter: 'externalId eq "Ext-1"',
    text: both('((u.external_id IS NOT NULL) AND (u.external_id = ?))'),
    values: ['Ext-1'],
  },
  {
    name: 'an ordering on a column that is not folded lowers the column and orders by code point',
    schema: 'user',
    filter: 'name.familyName gt "Müller"',
    text: {
      sqlite: '((u.last_name IS NOT NULL) AND (lower(u.last_name) > ?))',
      postgres: '((u.last_name IS NOT NULL) AND (lower(u.last_name) COLLATE "C" > ? COLLATE "C"))',
    },
    values: ['müller'],
  },
  {
    name: 'active eq true compares the boolean column with a bound boolean',
    schema: 'user',
    filter: 'active eq true',
    text: both('((u.active IS NOT NULL) AND (u.active = ?))'),
    values: [true],
  },
  {
    name: 'meta.created gt compares the instant column with epoch milliseconds',
    schema: 'user',
    filter: 'meta.created gt "2026-01-01T00:00:00Z"',
    text: both('((u.created_at IS NOT NULL) AND (u.created_at > ?))'),
    values: [Date.UTC(2026, 0, 1)],
  },
  {
    name: 'meta.lastModified le reads the offset of the literal',
    schema: 'user',
    filter: 'meta.lastModified le "2026-01-01T01:00:00+01:00"',
    text: both('((u.updated_at IS NOT NULL) AND (u.updated_at <= ?))'),
    values: [Date.UTC(2026, 0, 1)],
  },
  // JSON: everything without a mapping.
  {
    name: 'title eq reads the JSON and lowers both sides',
    schema: 'user',
    filter: 'title eq "Boss"',
    text: per((d) => `((${TITLE[d]} IS NOT NULL) AND (lower(${TITLE[d]}) = ?))`),
    values: ['boss'],
  },
  {
    name: 'nickName co wraps the escaped literal in %',
    schema: 'user',
    filter: 'nickName co "5%_\\\\X"',
    text: per((d) => `((${NICK_NAME[d]} IS NOT NULL) AND (lower(${NICK_NAME[d]}) LIKE ? ESCAPE '\\'))`),
    values: ['%5\\%\\_\\\\x%'],
  },
  {
    name: 'nickName ew puts % first',
    schema: 'user',
    filter: 'nickName ew "Y"',
    text: per((d) => `((${NICK_NAME[d]} IS NOT NULL) AND (lower(${NICK_NAME[d]}) LIKE ? ESCAPE '\\'))`),
    values: ['%y'],
  },
  {
    name: 'an extension path quotes the URN (dots and colons included) as one JSON key',
    schema: 'user',
    filter: `${ENTERPRISE}:manager.value eq "M-1"`,
    text: per((d) => `((${MANAGER_VALUE[d]} IS NOT NULL) AND (lower(${MANAGER_VALUE[d]}) = ?))`),
    values: ['m-1'],
  },
  {
    name: 'an integer in the JSON is cast to a number in PostgreSQL',
    schema: 'acme',
    filter: `${ACME}:level ge 3`,
    text: {
      sqlite: `((${acme('level').sqlite} IS NOT NULL) AND (${acme('level').sqlite} >= ?))`,
      postgres: `((${acme('level').postgres} IS NOT NULL) AND ((${acme('level').postgres})::numeric >= ?))`,
    },
    values: [3],
  },
  {
    name: 'a decimal in the JSON (unqualified: only one extension defines it)',
    schema: 'acme',
    filter: 'ratio lt 0.5',
    text: {
      sqlite: `((${acme('ratio').sqlite} IS NOT NULL) AND (${acme('ratio').sqlite} < ?))`,
      postgres: `((${acme('ratio').postgres} IS NOT NULL) AND ((${acme('ratio').postgres})::numeric < ?))`,
    },
    values: [0.5],
  },
  {
    name: 'a boolean in the JSON is cast to boolean in PostgreSQL (SQLite reads JSON true as 1)',
    schema: 'acme',
    filter: `${ACME}:contractor eq "True"`,
    text: {
      sqlite: `((${acme('contractor').sqlite} IS NOT NULL) AND (${acme('contractor').sqlite} = ?))`,
      postgres: `((${acme('contractor').postgres} IS NOT NULL) AND ((${acme('contractor').postgres})::boolean = ?))`,
    },
    values: [true],
  },
  // Multi-valued attributes in a side table, a relation or the JSON.
  {
    name: 'emails.value eq, given the site, is a set of owners read from the side table index',
    schema: 'user',
    filter: 'emails.value eq "Ann@Example.COM"',
    text: both(EMAIL_IN(EMAIL_VALUE_EQ)),
    values: [SITE, 'ann@example.com'],
  },
  {
    name: 'emails.value eq without a site is a correlated EXISTS',
    schema: 'user',
    filter: 'emails.value eq "Ann@Example.COM"',
    noSite: true,
    text: both(EMAIL_EXISTS(EMAIL_VALUE_EQ)),
    values: ['ann@example.com'],
  },
  {
    name: 'emails eq means emails.value eq (RFC 7644 §3.4.2.2)',
    schema: 'user',
    filter: 'emails eq "a@b.c"',
    text: both(EMAIL_IN(EMAIL_VALUE_EQ)),
    values: [SITE, 'a@b.c'],
  },
  {
    name: 'Entra\'s emails[type eq "work"].value eq is one element matching both',
    schema: 'user',
    filter: 'emails[type eq "Work"].value eq "a@b.c"',
    text: both(EMAIL_IN(`(((e.type IS NOT NULL) AND (lower(e.type) = ?)) AND ${EMAIL_VALUE_EQ})`)),
    values: [SITE, 'work', 'a@b.c'],
  },
  {
    name: 'a value filter that fixes no indexed value stays an EXISTS, bounded to the site',
    schema: 'user',
    filter: 'emails[type eq "work"]',
    text: both(EMAIL_EXISTS_IN_SITE('((e.type IS NOT NULL) AND (lower(e.type) = ?))')),
    values: [SITE, 'work'],
  },
  {
    name: 'emails ne is "no email equals" (RFC 7644 §3.4.2.2)',
    schema: 'user',
    filter: 'emails.value ne "a@b.c"',
    text: both(`(NOT ${EMAIL_IN(EMAIL_VALUE_EQ)})`),
    values: [SITE, 'a@b.c'],
  },
  {
    name: 'emails pr is a non-empty side table',
    schema: 'user',
    filter: 'emails pr',
    text: both(EMAIL_EXISTS_IN_SITE('(1 = 1)')),
    values: [SITE],
  },
  {
    name: 'emails[… primary …] reads the JSON: the is_primary column cannot tell absent from false',
    schema: 'user',
    filter: 'emails[type eq "work" and primary eq true]',
    text: {
      sqlite:
        `EXISTS (SELECT 1 FROM json_each(u.resource, '$."emails"') AS j0 WHERE ` +
        `(((json_extract(j0.value, '$."type"') IS NOT NULL) AND (lower(json_extract(j0.value, '$."type"')) = ?)) AND ` +
        `((json_extract(j0.value, '$."primary"') IS NOT NULL) AND (json_extract(j0.value, '$."primary"') = ?))))`,
      postgres:
        `EXISTS (SELECT 1 FROM json_array_elements(u.resource::json #> '{"emails"}') AS j0(value) WHERE ` +
        `((((j0.value ->> 'type') IS NOT NULL) AND (lower((j0.value ->> 'type')) = ?)) AND ` +
        `(((j0.value ->> 'primary') IS NOT NULL) AND (((j0.value ->> 'primary'))::boolean = ?))))`,
    },
    values: ['work', true],
  },
  {
    name: 'two JSON lists in one filter get their own aliases',
    schema: 'user',
    filter: 'emails.primary eq false or phoneNumbers[type eq "mobile"]',
    text: {
      sqlite:
        `(EXISTS (SELECT 1 FROM json_each(u.resource, '$."emails"') AS j0 WHERE ` +
        `((json_extract(j0.value, '$."primary"') IS NOT NULL) AND (json_extract(j0.value, '$."primary"') = ?))) OR ` +
        `EXISTS (SELECT 1 FROM json_each(u.resource, '$."phoneNumbers"') AS j1 WHERE ` +
        `((json_extract(j1.value, '$."type"') IS NOT NULL) AND (lower(json_extract(j1.value, '$."type"')) = ?))))`,
      postgres:
        `(EXISTS (SELECT 1 FROM json_array_elements(u.resource::json #> '{"emails"}') AS j0(value) WHERE ` +
        `(((j0.value ->> 'primary') IS NOT NULL) AND (((j0.value ->> 'primary'))::boolean = ?))) OR ` +
        `EXISTS (SELECT 1 FROM json_array_elements(u.resource::json #> '{"phoneNumbers"}') AS j1(value) WHERE ` +
        `(((j1.value ->> 'type') IS NOT NULL) AND (lower((j1.value ->> 'type')) = ?))))`,
    },
    values: [false, 'mobile'],
  },
  {
    name: "groups.value eq is an EXISTS over the memberships joined to the groups' names",
    schema: 'user',
    filter: 'groups.value eq "G-1"',
    text: both(
      'EXISTS (SELECT 1 FROM group_members gm JOIN groups gg ON gg.site_id = gm.site_id AND gg.id = gm.group_id ' +
        'WHERE ((gm.site_id = u.site_id AND gm.member_id = u.id AND (gm.site_id = ?)) AND ' +
        '((gm.group_id IS NOT NULL) AND (gm.group_id = ?))))',
    ),
    values: [SITE, 'g-1'],
  },
  {
    name: 'groups.display reads the joined group name',
    schema: 'user',
    filter: 'groups.display sw "Adm"',
    noSite: true,
    text: both(
      'EXISTS (SELECT 1 FROM group_members gm JOIN groups gg ON gg.site_id = gm.site_id AND gg.id = gm.group_id ' +
        "WHERE (gm.site_id = u.site_id AND gm.member_id = u.id AND ((gg.display_name IS NOT NULL) AND (lower(gg.display_name) LIKE ? ESCAPE '\\'))))",
    ),
    values: ['adm%'],
  },
  // Normal forms (bind.ts): ne is not (eq), eq null is not (pr), and `not` stays exact.
  {
    name: 'pr is IS NOT NULL',
    schema: 'user',
    filter: 'title pr',
    text: per((d) => `(${TITLE[d]} IS NOT NULL)`),
    values: [],
  },
  {
    name: 'not (pr)',
    schema: 'user',
    filter: 'not (title pr)',
    text: per((d) => `(NOT (${TITLE[d]} IS NOT NULL))`),
    values: [],
  },
  {
    name: 'eq null is not (pr)',
    schema: 'user',
    filter: 'title eq null',
    text: per((d) => `(NOT (${TITLE[d]} IS NOT NULL))`),
    values: [],
  },
  {
    name: 'ne null is pr',
    schema: 'user',
    filter: 'userName ne null',
    text: both('(u.logon_lower IS NOT NULL)'),
    values: [],
  },
  {
    name: 'ne is not (present and equal), so an absent title is "not equal"',
    schema: 'user',
    filter: 'title ne "Boss"',
    text: per((d) => `(NOT ((${TITLE[d]} IS NOT NULL) AND (lower(${TITLE[d]}) = ?)))`),
    values: ['boss'],
  },
  {
    name: 'and, or and not keep their grouping and bind values left to right',
    schema: 'user',
    filter: 'userName eq "A" or (title co "B" and not (active eq false))',
    text: per(
      (d) =>
        '(((u.logon_lower IS NOT NULL) AND (u.logon_lower = ?)) OR ' +
        `(((${TITLE[d]} IS NOT NULL) AND (lower(${TITLE[d]}) LIKE ? ESCAPE '\\')) AND ` +
        '(NOT ((u.active IS NOT NULL) AND (u.active = ?)))))',
    ),
    values: ['a', '%b%', false],
  },
  {
    name: 'schemas eq an extension URN asks whether the resource holds its object',
    schema: 'user',
    filter: `schemas eq "${ENTERPRISE.toUpperCase()}"`,
    text: {
      sqlite: `(json_type(u.resource, '$."${ENTERPRISE}"') IS NOT NULL)`,
      postgres: `((u.resource::json -> '${ENTERPRISE}') IS NOT NULL)`,
    },
    values: [],
  },
  {
    name: 'meta.resourceType is the same for every user: a constant',
    schema: 'user',
    filter: 'meta.resourceType eq "User" and not (meta.resourceType eq "Group")',
    text: both('((1 = 1) AND (NOT (1 = 0)))'),
    values: [],
  },
  // Groups.
  {
    name: 'group displayName eq reads the folded, indexed column',
    schema: 'group',
    filter: 'displayName eq "Admins"',
    text: both('((g.display_name_lower IS NOT NULL) AND (g.display_name_lower = ?))'),
    values: ['admins'],
  },
  {
    name: 'group externalId sw',
    schema: 'group',
    filter: 'externalId sw "E_"',
    text: both("((g.external_id IS NOT NULL) AND (g.external_id LIKE ? ESCAPE '\\'))"),
    values: ['E\\_%'],
  },
  {
    name: 'members.value eq, given the site, is a set of groups read from the membership table',
    schema: 'group',
    filter: 'members.value eq "U-1"',
    text: both(MEMBER_IN(MEMBER_VALUE_EQ)),
    values: [SITE, 'u-1'],
  },
  {
    name: 'members.value eq without a site is a correlated EXISTS',
    schema: 'group',
    filter: 'members.value eq "U-1"',
    noSite: true,
    text: both(MEMBER_EXISTS(MEMBER_VALUE_EQ)),
    values: ['u-1'],
  },
  {
    name: 'members[type eq "User"] reads the membership rows (always a set lookup)',
    schema: 'group',
    filter: 'members[type eq "User"]',
    text: both(MEMBER_IN('((m.member_type IS NOT NULL) AND (lower(m.member_type) = ?))')),
    values: [SITE, 'user'],
  },
  {
    name: 'not (members.value eq …) and members pr',
    schema: 'group',
    filter: 'not (members.value eq "u-1") and members pr',
    text: both(`((NOT ${MEMBER_IN(MEMBER_VALUE_EQ)}) AND ${MEMBER_IN('(1 = 1)')})`),
    values: [SITE, 'u-1', SITE],
  },
  {
    name: 'members.display co',
    schema: 'group',
    filter: 'members.display co "ann"',
    text: both(MEMBER_IN("((m.display IS NOT NULL) AND (lower(m.display) LIKE ? ESCAPE '\\'))")),
    values: [SITE, '%ann%'],
  },
];

describe.each(['sqlite', 'postgres'] as const)('compileFilter (%s)', (dialect) => {
  it.each(CASES)('$name: $filter', ({ schema, filter, noSite, text, values }) => {
    expect(compiled(schema, filter, dialect, noSite ? null : SITE)).toEqual({
      text: text[dialect],
      values,
    });
  });

  it('refuses to compare a date-time kept in the JSON, which would compare as text', () => {
    const attempt = (): unknown => compiled('acme', `${ACME}:hired gt "2026-01-01T00:00:00Z"`, dialect);
    expect(attempt).toThrow(RosterError);
    expect(attempt).toThrow(/cannot be compared as a date-time/);
    // Presence needs no comparison.
    expect(compiled('acme', `${ACME}:hired pr`, dialect).values).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// No literal reaches the text: every value a client writes is a bound parameter (DESIGN §1).
// ---------------------------------------------------------------------------------------------

/** Paths of every storage kind, each with the operators its type allows. */
const LITERAL_TARGETS: readonly {
  readonly schema: SchemaName;
  readonly path: string;
  readonly ops: readonly CompareOperator[];
  readonly valuePath?: string;
}[] = [
  { schema: 'user', path: 'userName', ops: ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'le'] },
  { schema: 'user', path: 'externalId', ops: ['eq', 'co', 'lt'] },
  { schema: 'user', path: 'name.givenName', ops: ['eq', 'ew', 'ge'] },
  { schema: 'user', path: 'title', ops: ['eq', 'ne', 'co', 'gt'] },
  { schema: 'user', path: `${ENTERPRISE}:manager.value`, ops: ['eq', 'sw'] },
  { schema: 'user', path: 'emails.value', ops: ['eq', 'ne', 'co', 'lt'] },
  { schema: 'user', path: 'emails.display', ops: ['eq', 'sw'] },
  { schema: 'user', path: 'phoneNumbers.value', ops: ['eq', 'co'] },
  { schema: 'user', path: 'groups.display', ops: ['eq', 'ew'] },
  { schema: 'user', path: 'emails', valuePath: 'type', ops: ['eq', 'co', 'gt'] },
  { schema: 'user', path: 'addresses', valuePath: 'locality', ops: ['eq', 'sw'] },
  { schema: 'group', path: 'displayName', ops: ['eq', 'ne', 'co', 'ge'] },
  { schema: 'group', path: 'members.value', ops: ['eq', 'co', 'gt'] },
  { schema: 'group', path: 'members', valuePath: 'display', ops: ['eq', 'ew'] },
];

function toPath(text: string): AttributePath {
  const colon = text.lastIndexOf(':');
  const [attribute, subAttribute] = text.slice(colon + 1).split('.') as [string, string?];
  return {
    ...(colon >= 0 ? { schema: text.slice(0, colon) } : {}),
    attribute,
    ...(subAttribute !== undefined ? { subAttribute } : {}),
  };
}

/** A marker no SQL Roster writes contains, followed by any text: quotes, backslashes, SQL, NUL-free. */
const MARK = '\u2603';
const hostile = fc
  .oneof(
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.constantFrom("'; DROP TABLE users; --", "O'Brien", '"', '\\', "\\'", '$1', '?', '%_', '*/'),
  )
  .filter((text) => !text.includes('\u0000'))
  .map((text) => `${MARK}${text}`);

describe.each(['sqlite', 'postgres'] as const)('compiled text holds no literal (%s)', (dialect) => {
  it('binds every string literal, on every storage kind, whatever it contains', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...LITERAL_TARGETS),
        fc.nat(),
        hostile,
        fc.boolean(),
        (target, opIndex, value, withSite) => {
          const op = target.ops[opIndex % target.ops.length]!;
          const comparison = { kind: 'compare' as const, op, value: value as FilterValue };
          const filter =
            target.valuePath === undefined
              ? { ...comparison, path: toPath(target.path) }
              : {
                  kind: 'valuePath' as const,
                  path: toPath(target.path),
                  filter: { ...comparison, path: { attribute: target.valuePath } },
                };
          const bound = bindFilter(filter, SCHEMAS[target.schema]);
          const alias = target.schema === 'group' ? 'g' : 'u';
          const { text, values } = emit(
            compileFilter(bound, { alias, ...(withSite ? { siteId: SITE } : {}) }, dialects[dialect]),
            dialects[dialect],
          );
          expect(text).not.toContain(MARK);
          expect(text.split('?').length - 1, text).toBe(values.length);
          expect(values.some((bound) => typeof bound === 'string' && bound.includes(MARK))).toBe(true);
        },
      ),
      { seed: 20_260_131, numRuns: 400 },
    );
  });

  it('binds numbers, booleans and instants too', () => {
    for (const [schema, filter, value] of [
      ['acme', `${ACME}:level gt 987654321`, 987654321],
      ['acme', `${ACME}:ratio eq 0.123456789`, 0.123456789],
      ['acme', `${ACME}:contractor eq false`, false],
      ['user', 'active eq true', true],
      ['user', 'meta.created ge "2031-07-04T12:34:56.789Z"', Date.UTC(2031, 6, 4, 12, 34, 56, 789)],
    ] as const) {
      const { text, values } = compiled(schema, filter, dialect);
      expect(values, filter).toContain(value);
      expect(text, filter).not.toMatch(/987654321|0\.123456789|\bfalse\b|\btrue\b/i);
      expect(text, filter).not.toContain(String(Date.UTC(2031, 6, 4, 12, 34, 56, 789)));
    }
  });
});

// ---------------------------------------------------------------------------------------------
// List pages: the sort, the keyset start and the count, as the store runs them.
// ---------------------------------------------------------------------------------------------

const EMAIL_SORT =
  '(SELECT e.value_lower FROM user_emails e WHERE e.site_id = u.site_id AND e.user_id = u.id ' +
  'ORDER BY e.is_primary DESC, e.position LIMIT 1)';
const USER_COLUMNS =
  'u.site_id, u.id, u.logon, u.external_id, u.first_name, u.last_name, u.email, u.time_zone, u.privilege, ' +
  'u.active, u.source, u.resource, u.password_hash, u.password_changed_at, u.version, u.created_at, ' +
  'u.updated_at, u.deleted_at';
const GROUP_COLUMNS =
  'g.site_id, g.id, g.display_name, g.external_id, g.resource, g.privilege, g.version, g.created_at, g.updated_at';
const NOT_DELETED = isNull(sql('u.deleted_at'));

describe('listStatements', () => {
  it('sortBy=emails: by the primary email, else the first, code-point order in PostgreSQL', () => {
    const query = {
      sort: bindSort(userResourceSchema, 'emails', undefined),
      start: { index: 1 },
      count: 10,
    };
    const sqlite = listStatements(USERS, SITE, query, [NOT_DELETED], dialects.sqlite);
    expect(sqlite).toEqual({
      page: {
        text:
          `SELECT ${USER_COLUMNS}, ${EMAIL_SORT} AS sort_key FROM users u ` +
          'WHERE ((u.site_id = ?) AND (u.deleted_at IS NULL)) ' +
          `ORDER BY (${EMAIL_SORT} IS NULL) ASC, ${EMAIL_SORT} ASC, u.id ASC LIMIT 11 OFFSET 0`,
        values: [SITE],
      },
      count: {
        text: 'SELECT COUNT(*) AS total FROM users u WHERE ((u.site_id = ?) AND (u.deleted_at IS NULL))',
        values: [SITE],
      },
      reversed: false,
    });
    const postgres = listStatements(USERS, SITE, query, [NOT_DELETED], dialects.postgres);
    const collated = `${EMAIL_SORT} COLLATE "C"`;
    expect(postgres).toEqual({
      page: {
        text:
          `SELECT ${USER_COLUMNS}, ${EMAIL_SORT} AS sort_key FROM users u ` +
          'WHERE ((u.site_id = ?) AND (u.deleted_at IS NULL)) ' +
          `ORDER BY (${collated} IS NULL) ASC, ${collated} ASC, u.id ASC LIMIT ? OFFSET ?`,
        values: [SITE, 11, 0],
      },
      count: sqlite.count,
      reversed: false,
    });
  });

  it('sortBy=name.familyName descending, after a position: strictly before it in ascending order', () => {
    const query = {
      sort: bindSort(userResourceSchema, 'name.familyName', 'descending'),
      start: { after: { key: 'smith', id: 'id-7' } },
      count: 10,
    };
    const sqliteWhere =
      '(((u.site_id = ?)) AND (((lower(u.last_name) IS NOT NULL) AND (lower(u.last_name) < ?)) OR ' +
      '((lower(u.last_name) IS NOT NULL) AND (lower(u.last_name) = ?) AND (u.id < ?))))';
    expect(listStatements(USERS, SITE, query, [], dialects.sqlite)).toEqual({
      page: {
        text:
          `SELECT ${USER_COLUMNS}, lower(u.last_name) AS sort_key FROM users u WHERE ${sqliteWhere} ` +
          'ORDER BY (lower(u.last_name) IS NULL) DESC, lower(u.last_name) DESC, u.id DESC LIMIT 11 OFFSET 0',
        values: [SITE, 'smith', 'smith', 'id-7'],
      },
      count: { text: 'SELECT COUNT(*) AS total FROM users u WHERE ((u.site_id = ?))', values: [SITE] },
      reversed: false,
    });
    // PostgreSQL compares the key in the collation it orders by, so "strictly after" agrees with ORDER BY.
    const postgresWhere =
      '(((u.site_id = ?)) AND (((lower(u.last_name) IS NOT NULL) AND (lower(u.last_name) COLLATE "C" < ? COLLATE "C")) OR ' +
      '((lower(u.last_name) IS NOT NULL) AND (lower(u.last_name) COLLATE "C" = ? COLLATE "C") AND (u.id < ?))))';
    expect(listStatements(USERS, SITE, query, [], dialects.postgres)).toEqual({
      page: {
        text:
          `SELECT ${USER_COLUMNS}, lower(u.last_name) AS sort_key FROM users u WHERE ${postgresWhere} ` +
          'ORDER BY (lower(u.last_name) COLLATE "C" IS NULL) DESC, lower(u.last_name) COLLATE "C" DESC, u.id DESC LIMIT ? OFFSET ?',
        values: [SITE, 'smith', 'smith', 'id-7', 11, 0],
      },
      count: { text: 'SELECT COUNT(*) AS total FROM users u WHERE ((u.site_id = ?))', values: [SITE] },
      reversed: false,
    });
  });

  it('after a position without a value, ascending: only the rows without one, after its id', () => {
    const query = {
      sort: bindSort(userResourceSchema, 'name.familyName', undefined),
      start: { after: { key: null, id: 'id-7' } },
      count: 10,
    };
    for (const name of ['sqlite', 'postgres'] as const) {
      const { page } = listStatements(USERS, SITE, query, [], dialects[name]);
      expect(page.text).toContain(
        'WHERE (((u.site_id = ?)) AND ((lower(u.last_name) IS NULL) AND (u.id > ?)))',
      );
      expect(page.values.slice(0, 2)).toEqual([SITE, 'id-7']);
    }
  });

  it('a filtered page without a sort continues after the id; the count ignores the start', () => {
    const query = {
      filter: bindFilter(parseFilter('userName sw "Ann"'), userResourceSchema),
      start: { after: { key: null, id: 'id-7' } },
      count: 25,
    };
    const where =
      "((u.site_id = ?) AND ((u.logon_lower IS NOT NULL) AND (u.logon_lower LIKE ? ESCAPE '\\')))";
    for (const name of ['sqlite', 'postgres'] as const) {
      const { page, count, reversed } = listStatements(USERS, SITE, query, [], dialects[name]);
      expect(page.text).toBe(
        `SELECT ${USER_COLUMNS}, NULL AS sort_key FROM users u WHERE (${where} AND (u.id > ?)) ` +
          `ORDER BY u.id ASC ${name === 'sqlite' ? 'LIMIT 26 OFFSET 0' : 'LIMIT ? OFFSET ?'}`,
      );
      expect(page.values).toEqual([SITE, 'ann%', 'id-7', ...(name === 'sqlite' ? [] : [26, 0])]);
      expect(count).toEqual({
        text: `SELECT COUNT(*) AS total FROM users u WHERE ${where}`,
        values: [SITE, 'ann%'],
      });
      expect(reversed).toBe(false);
    }
  });

  it('groups before a position read backwards and are flipped; an index start is an offset', () => {
    const before = {
      sort: bindSort(groupResourceSchema, 'displayName', undefined),
      start: { before: { key: 'admins', id: 'g-3' } },
      count: 5,
    };
    const sqlite = listStatements(GROUPS, SITE, before, [], dialects.sqlite);
    expect(sqlite.reversed).toBe(true);
    expect(sqlite.page).toEqual({
      text:
        `SELECT ${GROUP_COLUMNS}, g.display_name_lower AS sort_key FROM groups g WHERE (((g.site_id = ?)) AND ` +
        '(((g.display_name_lower IS NOT NULL) AND (g.display_name_lower < ?)) OR ' +
        '((g.display_name_lower IS NOT NULL) AND (g.display_name_lower = ?) AND (g.id < ?)))) ' +
        'ORDER BY (g.display_name_lower IS NULL) DESC, g.display_name_lower DESC, g.id DESC LIMIT 6 OFFSET 0',
      values: [SITE, 'admins', 'admins', 'g-3'],
    });
    const indexed = { start: { index: 21 }, count: 5 };
    expect(listStatements(GROUPS, SITE, indexed, [], dialects.sqlite).page).toEqual({
      text: `SELECT ${GROUP_COLUMNS}, NULL AS sort_key FROM groups g WHERE ((g.site_id = ?)) ORDER BY g.id ASC LIMIT 6 OFFSET 20`,
      values: [SITE],
    });
    expect(listStatements(GROUPS, SITE, indexed, [], dialects.postgres).page).toEqual({
      text: `SELECT ${GROUP_COLUMNS}, NULL AS sort_key FROM groups g WHERE ((g.site_id = ?)) ORDER BY g.id ASC LIMIT ? OFFSET ?`,
      values: [SITE, 6, 20],
    });
  });
});
