import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { RosterError, type ScimType } from '../../errors.js';
import type { AttributePath, CompareOperator, Filter, FilterValue, PatchPath } from './ast.js';
import { formatFilter } from './format.js';
import {
  COSTLY_OPERATORS,
  MAX_COSTLY_COMPARISONS,
  MAX_FILTER_COMPARISONS,
  MAX_FILTER_LENGTH,
  MAX_NESTING_DEPTH,
} from './filter-limits.js';
import { parseAttributePath, parseFilter, parsePatchPath } from './parse.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** `p('name.givenName')`, `p('manager.value', ENTERPRISE)` */
function p(dotted: string, schema?: string): AttributePath {
  const [attribute, subAttribute] = dotted.split('.') as [string, string?];
  return { ...(schema ? { schema } : {}), attribute, ...(subAttribute ? { subAttribute } : {}) };
}
const cmp = (path: string, op: CompareOperator, value: FilterValue, schema?: string): Filter => ({
  kind: 'compare',
  path: p(path, schema),
  op,
  value,
});
const pr = (path: string): Filter => ({ kind: 'present', path: p(path) });
const and = (left: Filter, right: Filter): Filter => ({ kind: 'and', left, right });
const or = (left: Filter, right: Filter): Filter => ({ kind: 'or', left, right });
const not = (filter: Filter): Filter => ({ kind: 'not', filter });
const vp = (path: string, filter: Filter): Filter => ({ kind: 'valuePath', path: p(path), filter });

function thrown(fn: () => unknown): RosterError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RosterError) return error;
    throw error;
  }
  throw new Error('expected a RosterError, but nothing was thrown');
}

/** Fuzzing oracle: anything but a ScimError of the expected type is a bug. */
function parsesOrRejects<T>(parse: (text: string) => T, text: string, scimType: ScimType): T | undefined {
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof RosterError && error.scimType === scimType && error.status === 400) return undefined;
    throw error;
  }
}

describe('parseFilter: RFC 7644 §3.4.2.2 examples', () => {
  const emailsWork = and(cmp('type', 'eq', 'work'), cmp('value', 'co', '@example.com'));
  const orEmails = or(cmp('emails', 'co', 'example.com'), cmp('emails.value', 'co', 'example.org'));
  it.each<[string, Filter]>([
    ['userName eq "bjensen"', cmp('userName', 'eq', 'bjensen')],
    [`name.familyName co "O'Malley"`, cmp('name.familyName', 'co', "O'Malley")],
    ['userName sw "J"', cmp('userName', 'sw', 'J')],
    [`${CORE}:userName sw "J"`, cmp('userName', 'sw', 'J', CORE)],
    ['title pr', pr('title')],
    ['meta.lastModified gt "2011-05-13T04:42:34Z"', cmp('meta.lastModified', 'gt', '2011-05-13T04:42:34Z')],
    ['meta.lastModified ge "2011-05-13T04:42:34Z"', cmp('meta.lastModified', 'ge', '2011-05-13T04:42:34Z')],
    ['meta.lastModified lt "2011-05-13T04:42:34Z"', cmp('meta.lastModified', 'lt', '2011-05-13T04:42:34Z')],
    ['meta.lastModified le "2011-05-13T04:42:34Z"', cmp('meta.lastModified', 'le', '2011-05-13T04:42:34Z')],
    ['title pr and userType eq "Employee"', and(pr('title'), cmp('userType', 'eq', 'Employee'))],
    ['title pr or userType eq "Intern"', or(pr('title'), cmp('userType', 'eq', 'Intern'))],
    [`schemas eq "${ENTERPRISE}"`, cmp('schemas', 'eq', ENTERPRISE)],
    [
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      and(cmp('userType', 'eq', 'Employee'), orEmails),
    ],
    [
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      and(cmp('userType', 'ne', 'Employee'), not(orEmails)),
    ],
    [
      'userType eq "Employee" and (emails.type eq "work")',
      and(cmp('userType', 'eq', 'Employee'), cmp('emails.type', 'eq', 'work')),
    ],
    [
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      and(cmp('userType', 'eq', 'Employee'), vp('emails', emailsWork)),
    ],
    [
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      or(vp('emails', emailsWork), vp('ims', and(cmp('type', 'eq', 'xmpp'), cmp('value', 'co', '@foo.com')))),
    ],
  ])('%s', (text, ast) => {
    expect(parseFilter(text)).toStrictEqual(ast);
  });
});

describe('parseFilter: grammar', () => {
  const [a, b, c] = [pr('a'), pr('b'), pr('c')];
  it.each<[string, Filter]>([
    // precedence and associativity
    ['a pr or b pr and c pr', or(a, and(b, c))],
    ['a pr and b pr or c pr', or(and(a, b), c)],
    ['a pr and b pr and c pr', and(and(a, b), c)],
    ['a pr or b pr or c pr', or(or(a, b), c)],
    ['a pr and (b pr or c pr)', and(a, or(b, c))],
    ['a pr or (b pr or c pr)', or(a, or(b, c))],
    ['not (a pr) and b pr', and(not(a), b)],
    ['not (a pr) or not (b pr)', or(not(a), not(b))],
    ['not(a pr)', not(a)],
    ['NOT (not (a pr))', not(not(a))],
    ['((a pr))', a],
    [
      'emails[type eq "work"] and not (emails[primary eq true])',
      and(vp('emails', cmp('type', 'eq', 'work')), not(vp('emails', cmp('primary', 'eq', true)))),
    ],
    ['members[value eq "abc"]', vp('members', cmp('value', 'eq', 'abc'))],
    ['emails[not (type eq "work")]', vp('emails', not(cmp('type', 'eq', 'work')))],
    // case-insensitive operators and keywords; names kept as written
    ['username Eq "x"', cmp('username', 'eq', 'x')],
    ['userName EQ "x"', cmp('userName', 'eq', 'x')],
    ['a eq 1 AND b eq 2 Or c pr', or(and(cmp('a', 'eq', 1), cmp('b', 'eq', 2)), c)],
    ['title PR', pr('title')],
    [
      'x NE 1 and x Co "a" and x SW "a" and x eW "a"',
      and(and(and(cmp('x', 'ne', 1), cmp('x', 'co', 'a')), cmp('x', 'sw', 'a')), cmp('x', 'ew', 'a')),
    ],
    // whitespace
    ['  userName\teq\n"x"  ', cmp('userName', 'eq', 'x')],
    ['(  a pr  )and(b pr)', and(a, b)],
    ['userName eq"x"', cmp('userName', 'eq', 'x')],
    // paths
    [
      'members.$ref eq "https://example.com/Users/1"',
      cmp('members.$ref', 'eq', 'https://example.com/Users/1'),
    ],
    [`${ENTERPRISE}:employeeNumber eq "701984"`, cmp('employeeNumber', 'eq', '701984', ENTERPRISE)],
    [
      `${ENTERPRISE}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`,
      cmp('manager.value', 'eq', '26118915-6090-4610-87e4-49d8ca9f808d', ENTERPRISE),
    ],
    [`${CORE}:name.givenName pr`, { kind: 'present', path: p('name.givenName', CORE) }],
    [
      `${CORE}:emails[type eq "work"]`,
      { kind: 'valuePath', path: p('emails', CORE), filter: cmp('type', 'eq', 'work') },
    ],
    ['x-y_z9 pr', pr('x-y_z9')],
    // Entra ID's non-RFC `valuePath.subAttr op value`
    [
      'emails[type eq "work"].value eq "x"',
      vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'eq', 'x'))),
    ],
    ['emails[type eq "work"].value pr', vp('emails', and(cmp('type', 'eq', 'work'), pr('value')))],
    [
      'emails[type eq "work"].value eq "x" and active eq true',
      and(vp('emails', and(cmp('type', 'eq', 'work'), cmp('value', 'eq', 'x'))), cmp('active', 'eq', true)),
    ],
  ])('%s', (text, ast) => {
    expect(parseFilter(text)).toStrictEqual(ast);
  });
});

describe('parseFilter: values', () => {
  it.each<[string, FilterValue]>([
    // JSON strings with every escape
    ['"\\" \\\\ \\/ \\b \\f \\n \\r \\t"', '" \\ / \b \f \n \r \t'],
    ['"caf\\u00e9 \\u00E9"', 'café é'],
    ['"\\uD83D\\uDE00"', '😀'],
    ['"\\ud800"', '\ud800'],
    ['""', ''],
    ['"and"', 'and'],
    ['"true"', 'true'],
    ['"42"', '42'],
    // numbers
    ['0', 0],
    ['42', 42],
    ['-1', -1],
    ['1.5', 1.5],
    ['-1.5e3', -1500],
    ['1E+2', 100],
    ['2e-2', 0.02],
    // booleans and null, case-insensitive
    ['true', true],
    ['True', true],
    ['FALSE', false],
    ['null', null],
    ['NULL', null],
    // unquoted words that are not JSON literals are strings (lenient, for Microsoft's clients)
    ['O', 'O'],
    ['Employee', 'Employee'],
    ['jyoung', 'jyoung'],
    ['2015-10-10T14:38:21.86-07:00', '2015-10-10T14:38:21.86-07:00'],
    ['01', '01'],
    ['1.', '1.'],
    ['-', '-'],
    ['truex', 'truex'],
    ["O'Malley", "O'Malley"],
  ])('x eq %s', (text, value) => {
    expect(parseFilter(`x eq ${text}`)).toStrictEqual(cmp('x', 'eq', value));
  });

  it.each<[string, Filter]>([
    ['userName sw O', cmp('userName', 'sw', 'O')],
    ['name.FamilyName eq Employee', cmp('name.FamilyName', 'eq', 'Employee')],
    [
      'meta.Created gt 2015-10-10T14:38:21.86-07:00',
      cmp('meta.Created', 'gt', '2015-10-10T14:38:21.86-07:00'),
    ],
    ['externalId eq jyoung', cmp('externalId', 'eq', 'jyoung')],
    ['(externalId eq jyoung)', cmp('externalId', 'eq', 'jyoung')],
    ['emails[value eq jyoung]', vp('emails', cmp('value', 'eq', 'jyoung'))],
    [
      'externalId eq jyoung and active eq TRUE',
      and(cmp('externalId', 'eq', 'jyoung'), cmp('active', 'eq', true)),
    ],
  ])('lenient: %s', (text, ast) => {
    expect(parseFilter(text)).toStrictEqual(ast);
  });
});

describe('parseFilter: errors', () => {
  const ops = 'eq, ne, co, sw, ew, gt, ge, lt, le, pr';
  it.each<[string, string]>([
    ['', 'Unexpected end of filter at column 1: the filter is empty'],
    ['   ', 'Unexpected end of filter at column 4: the filter is empty'],
    ['userName eq "abc', `Unterminated string at column 13: missing the closing '"'`],
    ['userName eq "abc\\"', `Unterminated string at column 13: missing the closing '"'`],
    [
      'userName eq "a\\xb"',
      `Invalid escape '\\x' at column 15: expected one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX`,
    ],
    [
      'userName eq "\\u12G4"',
      `Invalid escape '\\u12G4' at column 14: expected one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX`,
    ],
    ['userName eq', "Unexpected end of filter at column 12: expected a value after 'eq'"],
    ['userName eq and title pr', "Unexpected 'and' at column 13: expected a value after 'eq'"],
    ['(userName eq)', "Unexpected ')' at column 13: expected a value after 'eq'"],
    ['title pr "x"', `Unexpected '"x"' at column 10: 'pr' takes no value`],
    ['title pr x', "Unexpected 'x' at column 10: 'pr' takes no value"],
    [
      '(title pr',
      "Unexpected end of filter at column 10: expected 'and', 'or' or ')' to close the '(' at column 1",
    ],
    ['(title pr userName eq "x")', "Unexpected 'userName' at column 11: 'pr' takes no value"],
    [
      '(a eq 1 b eq 2)',
      "Unexpected 'b' at column 9: expected 'and', 'or' or ')' to close the '(' at column 1",
    ],
    ['title pr)', "Unexpected ')' at column 9: there is no matching '('"],
    [
      'emails[type eq "work"',
      "Unexpected end of filter at column 22: expected 'and', 'or' or ']' to close the '[' at column 7",
    ],
    [
      'emails[type eq "work")',
      "Unexpected ')' at column 22: expected 'and', 'or' or ']' to close the '[' at column 7",
    ],
    ['emails[type eq "work"]]', "Unexpected ']' at column 23: there is no matching '['"],
    ['userName eq "x" y', "Unexpected 'y' at column 17: expected 'and', 'or' or end of filter"],
    ['userName eq "x" (a pr)', "Unexpected '(' at column 17: expected 'and', 'or' or end of filter"],
    ['userName eq "x" and and a pr', "Unexpected 'and' at column 21: expected an attribute path"],
    ['title pr and', 'Unexpected end of filter at column 13: expected an attribute path'],
    ['()', "Unexpected ')' at column 2: expected an attribute path"],
    ['"x" eq userName', `Unexpected '"x"' at column 1: expected an attribute path`],
    ['userName xx "a"', `Unknown operator 'xx' at column 10: expected one of ${ops}`],
    ['userName "a"', `Unexpected '"a"' at column 10: expected an operator (${ops}) after 'userName'`],
    ['userName', `Unexpected end of filter at column 9: expected an operator (${ops}) after 'userName'`],
    ['not userName eq "x"', "Unexpected 'userName' at column 5: expected '(' after 'not'"],
    ['emails[type[value eq "x"] eq "y"]', "Unexpected '[' at column 12: value filters cannot be nested"],
    [
      'name.givenName[value eq "x"]',
      "Unexpected '[' at column 15: a value filter cannot follow the sub-attribute 'name.givenName'",
    ],
    [
      'a.b.c pr',
      "Unexpected 'a.b.c' at column 1: expected an attribute path: at most one sub-attribute is allowed",
    ],
    [
      '1abc pr',
      "Unexpected '1abc' at column 1: expected an attribute path: '1abc' is not a valid attribute name",
    ],
    ['name. pr', "Unexpected 'name.' at column 1: expected an attribute path: an attribute name is missing"],
    ['foo:bar pr', "Unexpected 'foo:bar' at column 1: expected an attribute path: 'foo' is not a schema URI"],
    [
      `${CORE}: pr`,
      `Unexpected '${CORE.slice(0, 37)}...' at column 1: expected an attribute path: an attribute name is missing`,
    ],
    ['x eq 1e999', "Unexpected '1e999' at column 6: the number is out of range"],
    [
      'emails[type eq "work"].value',
      `Unexpected end of filter at column 29: expected an operator (${ops}) after '.value'`,
    ],
    [
      'emails[type eq "work"].value.x eq 1',
      "Unexpected '.value.x' at column 23: expected an attribute path: 'value.x' is not a valid attribute name",
    ],
    [
      'emails[type eq "work"]value eq 1',
      "Unexpected 'value' at column 23: expected 'and', 'or' or end of filter",
    ],
  ])('%j', (text, detail) => {
    const error = thrown(() => parseFilter(text));
    expect(error.scimType).toBe('invalidFilter');
    expect(error.status).toBe(400);
    expect(error.detail).toBe(detail);
  });

  it('caps nesting depth instead of overflowing the stack', () => {
    const nested = (n: number) => `${'('.repeat(n)}a pr${')'.repeat(n)}`;
    expect(parseFilter(nested(MAX_NESTING_DEPTH))).toStrictEqual(pr('a'));
    expect(thrown(() => parseFilter(nested(MAX_NESTING_DEPTH + 1))).detail).toBe(
      `Nesting too deep at column ${MAX_NESTING_DEPTH + 1}: at most 64 levels of parentheses and brackets are allowed`,
    );
    expect(thrown(() => parseFilter(nested(4_990))).scimType).toBe('invalidFilter');
    expect(thrown(() => parseFilter('not ('.repeat(2_000))).detail).toMatch(
      /^Nesting too deep at column 325:/,
    );
  });

  it('caps filter length', () => {
    const long = `userName eq "${'x'.repeat(MAX_FILTER_LENGTH)}"`;
    expect(thrown(() => parseFilter(long)).detail).toBe(
      'The filter is too long at column 10001: at most 10000 characters are allowed',
    );
    expect(thrown(() => parseFilter('('.repeat(10_000) + ')'.repeat(10_000))).scimType).toBe('invalidFilter');
  });

  it('parses long flat chains without deep recursion', () => {
    const text = chain(MAX_FILTER_COMPARISONS, 'a pr', 'and');
    expect(parseFilter(parseFilterRoundTrip(text))).toStrictEqual(parseFilter(text));
    // Past the comparison limit the chain is still read iteratively, then refused.
    expect(thrown(() => parseFilter(chain(1_000, 'a pr', 'and'))).code).toBe('filter-too-complex');
  });

  it('rejects input that is not a string with a ScimError', () => {
    expect(thrown(() => parseFilter(['a pr'] as unknown as string)).scimType).toBe('invalidFilter');
    expect(thrown(() => parsePatchPath(undefined as unknown as string)).scimType).toBe('invalidPath');
  });
});

function parseFilterRoundTrip(text: string): string {
  return formatFilter(parseFilter(text));
}

/** `count` copies of `term` joined by `joiner`: `a pr and a pr and …`. */
function chain(count: number, term: string, joiner: 'and' | 'or'): string {
  return Array.from({ length: count }, () => term).join(` ${joiner} `);
}

/** How many comparisons a filter has, and how many of them with a costly operator. */
function comparisonsIn(filter: Filter): { all: number; costly: number } {
  switch (filter.kind) {
    case 'and':
    case 'or': {
      const left = comparisonsIn(filter.left);
      const right = comparisonsIn(filter.right);
      return { all: left.all + right.all, costly: left.costly + right.costly };
    }
    case 'not':
    case 'valuePath':
      return comparisonsIn(filter.filter);
    case 'present':
      return { all: 1, costly: 0 };
    case 'compare':
      return { all: 1, costly: COSTLY_OPERATORS.has(filter.op) ? 1 : 0 };
  }
}

describe('filter size and complexity limits (the same for filters and PATCH paths)', () => {
  const tooComplex = (fn: () => unknown): RosterError => {
    const error = thrown(fn);
    expect(error.code).toBe('filter-too-complex');
    expect(error.scimType).toBe('invalidFilter');
    expect(error.status).toBe(400);
    return error;
  };

  it('refuses a 1,000-term or filter, naming the limit and the count', () => {
    const text = chain(1_000, 'x eq 1', 'or');
    expect(text.length).toBeLessThanOrEqual(MAX_FILTER_LENGTH);
    expect(tooComplex(() => parseFilter(text)).detail).toBe(
      'The filter has 1,000 comparisons: at most 100 are allowed in one filter.',
    );
  });

  it('allows 100 eq terms and refuses 101', () => {
    expect(MAX_FILTER_COMPARISONS).toBe(100);
    expect(comparisonsIn(parseFilter(chain(100, 'userName eq "x"', 'or'))).all).toBe(100);
    tooComplex(() => parseFilter(chain(101, 'userName eq "x"', 'or')));
  });

  it("counts pr, terms inside value filters and under not, and Entra ID's trailing comparison", () => {
    tooComplex(() => parseFilter(chain(101, 'title pr', 'and')));
    const inValueFilter = `emails[${chain(100, 'type eq "work"', 'or')}] and userName eq "x"`;
    tooComplex(() => parseFilter(inValueFilter));
    tooComplex(() => parseFilter(`not (${chain(101, 'title pr', 'or')})`));
    const entra = chain(50, 'emails[type eq "work"].value eq "x"', 'or');
    expect(comparisonsIn(parseFilter(entra)).all).toBe(100);
    tooComplex(() => parseFilter(`${entra} or title pr`));
  });

  it('allows 10 co terms and refuses 11, and counts every costly operator alike', () => {
    expect(MAX_COSTLY_COMPARISONS).toBe(10);
    expect(parseFilter(chain(10, 'userName co "x"', 'or'))).toBeDefined();
    expect(tooComplex(() => parseFilter(chain(11, 'userName co "x"', 'or'))).detail).toBe(
      'The filter has 11 comparisons with co, sw, ew, gt, ge, lt or le: at most 10 are allowed in one filter.',
    );
    const mixed = ['co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'co', 'sw', 'ew', 'gt']
      .map((op) => `title ${op} "m"`)
      .join(' and ');
    tooComplex(() => parseFilter(mixed));
    // eq, ne and pr are not costly.
    expect(
      parseFilter(`${chain(10, 'title sw "m"', 'or')} or title eq "a" or title ne "b" or title pr`),
    ).toBeDefined();
  });

  it('applies to PATCH paths too', () => {
    expect(parsePatchPath(`emails[${chain(10, 'value co "x"', 'or')}].type`)).toBeDefined();
    expect(tooComplex(() => parsePatchPath(`emails[${chain(11, 'value co "x"', 'or')}].type`)).detail).toBe(
      'The path has 11 comparisons with co, sw, ew, gt, ge, lt or le: at most 10 are allowed in one filter.',
    );
    tooComplex(() => parsePatchPath(`members[${chain(101, 'value eq "x"', 'or')}]`));
  });
});

describe('parsePatchPath: RFC 7644 §3.5.2', () => {
  it.each<[string, PatchPath]>([
    ['active', { path: p('active') }],
    ['name.givenName', { path: p('name.givenName') }],
    [
      'emails[type eq "work"].value',
      { path: p('emails'), filter: cmp('type', 'eq', 'work'), subAttribute: 'value' },
    ],
    [
      'members[value eq "2819c223-7f76-453a-919d-413861904646"]',
      { path: p('members'), filter: cmp('value', 'eq', '2819c223-7f76-453a-919d-413861904646') },
    ],
    [`${ENTERPRISE}:manager`, { path: p('manager', ENTERPRISE) }],
    [`${ENTERPRISE}:manager.value`, { path: p('manager.value', ENTERPRISE) }],
    [`${CORE}:userName`, { path: p('userName', CORE) }],
    [
      'addresses[type eq "work"].streetAddress',
      { path: p('addresses'), filter: cmp('type', 'eq', 'work'), subAttribute: 'streetAddress' },
    ],
    [
      'roles[primary eq "True"].value',
      { path: p('roles'), filter: cmp('primary', 'eq', 'True'), subAttribute: 'value' },
    ],
    [
      'members[value eq "a" or value eq "b"]',
      { path: p('members'), filter: or(cmp('value', 'eq', 'a'), cmp('value', 'eq', 'b')) },
    ],
    ['emails[type eq work]', { path: p('emails'), filter: cmp('type', 'eq', 'work') }],
    [' active ', { path: p('active') }],
    // Microsoft's `…:User.manager`: the dot after the resource type name stands for a colon
    [`${ENTERPRISE}.manager`, { path: p('manager', ENTERPRISE) }],
    [`${ENTERPRISE}.manager.value`, { path: p('manager.value', ENTERPRISE) }],
    ['urn:example:schemas:2.0:Group.members', { path: p('members', 'urn:example:schemas:2.0:Group') }],
  ])('%s', (text, path) => {
    expect(parsePatchPath(text)).toStrictEqual(path);
  });

  it('keeps the RFC reading of a dotted URN segment in filters', () => {
    expect(parseFilter(`${ENTERPRISE}.manager pr`)).toStrictEqual({
      kind: 'present',
      path: {
        schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0',
        attribute: 'User',
        subAttribute: 'manager',
      },
    });
  });

  it.each<[string, string]>([
    ['', 'Unexpected end of path at column 1: the path is empty'],
    ['active extra', "Unexpected 'extra' at column 8: expected end of path"],
    ['userName eq "x"', "Unexpected 'eq' at column 10: expected end of path"],
    [
      'emails[type eq "work"',
      "Unexpected end of path at column 22: expected 'and', 'or' or ']' to close the '[' at column 7",
    ],
    ['emails[type eq "work"]]', "Unexpected ']' at column 23: there is no matching '['"],
    [
      'emails[type eq "work"].value.x',
      "Unexpected '.value.x' at column 23: expected an attribute path: 'value.x' is not a valid attribute name",
    ],
    [
      'emails[type eq "work"].',
      "Unexpected '.' at column 23: expected an attribute path: an attribute name is missing",
    ],
    [
      'name.givenName[type eq "x"]',
      "Unexpected '[' at column 15: a value filter cannot follow the sub-attribute 'name.givenName'",
    ],
    [
      'emails[type xx "work"]',
      "Unknown operator 'xx' at column 13: expected one of eq, ne, co, sw, ew, gt, ge, lt, le, pr",
    ],
    [
      'emails[type eq "\\q"]',
      `Invalid escape '\\q' at column 17: expected one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX`,
    ],
    [
      'a.b.c',
      "Unexpected 'a.b.c' at column 1: expected an attribute path: at most one sub-attribute is allowed",
    ],
    ['(active)', "Unexpected '(' at column 1: expected an attribute path"],
  ])('%j', (text, detail) => {
    const error = thrown(() => parsePatchPath(text));
    expect(error.scimType).toBe('invalidPath');
    expect(error.detail).toBe(detail);
  });
});

describe('parseAttributePath: a filter attrPath on its own (RFC 7644 §3.4.2.2)', () => {
  it.each<[string, AttributePath]>([
    ['userName', p('userName')],
    ['Name.GivenName', p('Name.GivenName')],
    [' title ', p('title')],
    ['members.$ref', p('members.$ref')],
    [`${CORE}:userName`, p('userName', CORE)],
    [`${ENTERPRISE}:manager.value`, p('manager.value', ENTERPRISE)],
    // A whole extension reads as its last segment; callers look `${schema}:${attribute}` up.
    [ENTERPRISE, p('User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0')],
    // Microsoft's dot after the resource type is a PATCH path form only; here it is the RFC reading.
    [`${ENTERPRISE}.manager`, p('User.manager', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0')],
  ])('%s', (text, path) => {
    expect(parseAttributePath(text)).toStrictEqual(path);
  });

  it.each<[string, string]>([
    ['', 'Unexpected end of path at column 1: the path is empty'],
    [
      'name.givenName.first',
      "Unexpected 'name.givenName.first' at column 1: expected an attribute path: at most one sub-attribute is allowed",
    ],
    ['name.', "Unexpected 'name.' at column 1: expected an attribute path: an attribute name is missing"],
    ['1st', "Unexpected '1st' at column 1: expected an attribute path: '1st' is not a valid attribute name"],
    [':userName', "Unexpected ':userName' at column 1: expected an attribute path: '' is not a schema URI"],
    ['emails[type eq "work"].value', "Unexpected '[' at column 7: expected end of path"],
    ['userName eq "x"', "Unexpected 'eq' at column 10: expected end of path"],
    ['"userName"', `Unexpected '"userName"' at column 1: expected an attribute path`],
  ])('%j', (text, detail) => {
    const error = thrown(() => parseAttributePath(text));
    expect(error.scimType).toBe('invalidValue');
    expect(error.detail).toBe(detail);
  });
});

describe('properties', () => {
  const FILTERISH = [
    'userName',
    'emails',
    'name.givenName',
    `${ENTERPRISE}:manager.value`,
    `${ENTERPRISE}.manager`,
    '.value',
    'members.$ref',
    'eq',
    'EQ',
    'pr',
    'co',
    'gt',
    'xx',
    'and',
    'or',
    'not',
    'AND',
    'Or',
    '(',
    ')',
    '[',
    ']',
    '].value',
    '"x"',
    '"',
    '\\',
    '"\\u00e9"',
    '"\\q"',
    '"\\u12"',
    '1',
    '-1.5e3',
    '1e999',
    'true',
    'null',
    'jyoung',
    '2015-10-10T14:38:21.86-07:00',
    ':',
    '.',
    '$ref',
    ' ',
    '\t',
    '\n',
    '\u2028',
    '😀',
    '\ud800',
  ];
  const filterish = fc
    .tuple(fc.array(fc.constantFrom(...FILTERISH), { maxLength: 40 }), fc.constantFrom(' ', ''))
    .map(([parts, separator]) => parts.join(separator));
  const anyText = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme' }),
    filterish,
  );

  it('only ever throws ScimError, and whatever parses survives a format round trip', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const filter = parsesOrRejects(parseFilter, text, 'invalidFilter');
        if (filter !== undefined) expect(parseFilter(formatFilter(filter))).toStrictEqual(filter);
        try {
          parsesOrRejects(parsePatchPath, text, 'invalidPath');
        } catch (error) {
          // A PATCH path's value filter has the filters' limits and their error.
          if (!(error instanceof RosterError) || error.code !== 'filter-too-complex') throw error;
        }
        parsesOrRejects(parseAttributePath, text, 'invalidValue');
      }),
      { numRuns: 2_000 },
    );
  });

  // fc.record builds null-prototype objects; the parser builds plain ones, and toStrictEqual sees it.
  const record = <T extends object>(arbitrary: fc.Arbitrary<T>) => arbitrary.map((r): T => ({ ...r }));
  const RESERVED = new Set(['and', 'or', 'not']);
  const name = fc.oneof(
    {
      weight: 9,
      arbitrary: fc
        .stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,8}$/)
        .filter((n) => !RESERVED.has(n.toLowerCase())),
    },
    { weight: 1, arbitrary: fc.constant('$ref') },
  );
  const schema = fc.constantFrom(CORE, ENTERPRISE, 'urn:example:a.b:c', 'urn:x');
  const path = record(
    fc.record({ schema, attribute: name, subAttribute: name }, { requiredKeys: ['attribute'] }),
  );
  const utf16 = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });
  const value = fc.oneof(
    utf16,
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
  );
  const operator = fc.constantFrom<CompareOperator>('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le');
  const comparison: fc.Arbitrary<Filter> = fc.oneof(
    record(fc.record({ kind: fc.constant('compare' as const), path, op: operator, value })),
    record(fc.record({ kind: fc.constant('present' as const), path })),
  );
  /** Random trees of and/or/not over `leaves`. */
  const trees = (leaves: fc.Arbitrary<Filter>): fc.Arbitrary<Filter> =>
    fc.letrec<{ filter: Filter }>((tie) => ({
      filter: fc.oneof(
        { depthSize: 'small', maxDepth: 8 },
        leaves,
        record(fc.record({ kind: fc.constant('and' as const), left: tie('filter'), right: tie('filter') })),
        record(fc.record({ kind: fc.constant('or' as const), left: tie('filter'), right: tie('filter') })),
        record(fc.record({ kind: fc.constant('not' as const), filter: tie('filter') })),
      ),
    })).filter;
  const valuePath = record(
    fc.record({
      kind: fc.constant('valuePath' as const),
      path: record(fc.record({ schema, attribute: name }, { requiredKeys: ['attribute'] })),
      filter: trees(comparison),
    }),
  );
  const filter = trees(fc.oneof(comparison, valuePath));

  it('parseFilter(formatFilter(ast)) deep-equals ast', () => {
    fc.assert(
      fc.property(filter, (ast) => {
        const text = formatFilter(ast);
        if (text.length > MAX_FILTER_LENGTH) return;
        const { all, costly } = comparisonsIn(ast);
        if (all > MAX_FILTER_COMPARISONS || costly > MAX_COSTLY_COMPARISONS) {
          expect(thrown(() => parseFilter(text)).code).toBe('filter-too-complex');
          return;
        }
        expect(parseFilter(text)).toStrictEqual(ast);
      }),
      { numRuns: 1_000 },
    );
  });
});
