import { describe, expect, it } from 'vitest';

import { RosterError } from '../../errors.js';
import type { ScimObject, ScimValue } from '../resource.js';
import { userResourceSchema } from '../schema/resource-types.js';
import { bindElementFilter } from './bind.js';
import { compareCodePoints, matchesElement } from './evaluate.js';
import { parseFilter } from './parse.js';

/** The sub-attributes of `emails` (RFC 7643 §4.1.2): value, display, type, primary; none caseExact. */
const emailIndex = userResourceSchema.core.sub(userResourceSchema.core.get('emails')!)!;

const WORK: ScimObject = { value: 'bjensen@example.com', type: 'work', primary: true };
const HOME: ScimObject = { value: 'babs@jensen.org', type: 'home' };
const OTHER: ScimObject = { value: 'B.Jensen@Example.ORG', type: 'other', primary: false, display: 'Old' };

/** The filter inside `emails[…]`, whose paths are relative to one email, bound and evaluated. */
const matches = (filter: string, element: ScimValue): boolean =>
  matchesElement(bindElementFilter(parseFilter(filter), emailIndex, 'emails'), element);

function thrown(fn: () => unknown): RosterError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RosterError) return error;
    throw error;
  }
  throw new Error('expected a RosterError, but nothing was thrown');
}

/** Each row: a filter and whether it matches WORK, HOME and OTHER. */
type Row = [filter: string, work: boolean, home: boolean, other: boolean];

describe('matchesElement: comparison operators (RFC 7644 §3.4.2.2)', () => {
  it.each<Row>([
    ['value eq "bjensen@example.com"', true, false, false],
    ['value ne "bjensen@example.com"', false, true, true],
    ['value co "jensen"', true, true, true],
    ['value co "@example."', true, false, true],
    ['value sw "b"', true, true, true],
    ['value sw "bjensen@"', true, false, false],
    ['value ew ".org"', false, true, true],
    ['value ew "example.com"', true, false, false],
    // Strings order lexicographically: "babs@…" < "bj" < "bjensen@…"; "b.jensen@…" < "babs@…".
    ['value gt "bj"', true, false, false],
    ['value lt "bj"', false, true, true],
    ['value ge "bjensen@example.com"', true, false, false],
    ['value le "babs@jensen.org"', false, true, true],
    ['type eq "work"', true, false, false],
    ['type ne "work"', false, true, true],
  ])('%s → work %s, home %s, other %s', (filter, work, home, other) => {
    expect([matches(filter, WORK), matches(filter, HOME), matches(filter, OTHER)]).toEqual([
      work,
      home,
      other,
    ]);
  });
});

describe('matchesElement: caseExact false (emails.value, emails.type)', () => {
  it.each<Row>([
    ['value eq "BJENSEN@EXAMPLE.COM"', true, false, false],
    ['value eq "b.jensen@example.org"', false, false, true],
    ['value co "JENSEN"', true, true, true],
    ['value sw "BABS"', false, true, false],
    ['value ew ".ORG"', false, true, true],
    ['value gt "BJ"', true, false, false],
    ['type eq "WORK"', true, false, false],
    ['type ne "Home"', true, false, true],
  ])('%s → work %s, home %s, other %s', (filter, work, home, other) => {
    expect([matches(filter, WORK), matches(filter, HOME), matches(filter, OTHER)]).toEqual([
      work,
      home,
      other,
    ]);
  });

  it('compares as the element stores it, whatever its case', () => {
    expect(matches('value eq "a@x.com"', { value: 'A@X.COM' })).toBe(true);
    expect(matches('value eq "A@X.COM"', { value: 'a@x.com' })).toBe(true);
  });
});

describe('matchesElement: presence', () => {
  it.each<Row>([
    ['value pr', true, true, true],
    ['primary pr', true, false, true],
    ['display pr', false, false, true],
    ['type pr', true, true, true],
  ])('%s → work %s, home %s, other %s', (filter, work, home, other) => {
    expect([matches(filter, WORK), matches(filter, HOME), matches(filter, OTHER)]).toEqual([
      work,
      home,
      other,
    ]);
  });

  it('does not count an empty string or null as present', () => {
    expect(matches('value pr', { value: '', type: 'work' })).toBe(false);
    expect(matches('value pr', { value: null, type: 'work' })).toBe(false);
  });
});

describe('matchesElement: booleans, including the strings Entra ID sends', () => {
  it.each<Row>([
    ['primary eq true', true, false, false],
    ['primary eq "true"', true, false, false],
    ['primary eq "True"', true, false, false],
    ['primary eq TRUE', true, false, false],
    ['primary eq false', false, false, true],
    ['primary eq "False"', false, false, true],
    // An absent value matches only `ne`.
    ['primary ne true', false, true, true],
    ['primary ne "True"', false, true, true],
    ['primary ne false', true, true, false],
  ])('%s → work %s, home %s, other %s', (filter, work, home, other) => {
    expect([matches(filter, WORK), matches(filter, HOME), matches(filter, OTHER)]).toEqual([
      work,
      home,
      other,
    ]);
  });

  it.each(['gt', 'ge', 'lt', 'le', 'co', 'sw', 'ew'])('refuses %s on a boolean with invalidFilter', (op) => {
    const error = thrown(() => matches(`primary ${op} true`, WORK));
    expect(error.status).toBe(400);
    expect(error.scimType).toBe('invalidFilter');
  });
});

describe('matchesElement: and, or, not (RFC 7644 §3.4.2.2)', () => {
  it.each<Row>([
    ['type eq "work" and value co "example.com"', true, false, false],
    ['type eq "work" and primary eq false', false, false, false],
    ['type eq "work" or type eq "home"', true, true, false],
    ['type eq "home" or primary eq true', true, true, false],
    ['not (type eq "work")', false, true, true],
    ['not (type eq "work" or type eq "home")', false, false, true],
    ['not (primary pr) and value ew ".org"', false, true, false],
    // `and` binds tighter than `or`.
    ['type eq "other" or type eq "work" and primary eq false', false, false, true],
    ['(type eq "other" or type eq "work") and primary eq true', true, false, false],
    ['TYPE EQ "work" AND Value Co "EXAMPLE"', true, false, false],
  ])('%s → work %s, home %s, other %s', (filter, work, home, other) => {
    expect([matches(filter, WORK), matches(filter, HOME), matches(filter, OTHER)]).toEqual([
      work,
      home,
      other,
    ]);
  });
});

describe('matchesElement: names that are not sub-attributes of an email', () => {
  it.each([
    ['an unknown sub-attribute', 'colour eq "red"'],
    ['an unknown sub-attribute under not', 'not (colour pr)'],
    ['an unknown sub-attribute on the evaluated side of and', 'type eq "work" and colour eq "red"'],
    ['a dotted path', 'emails.value eq "bjensen@example.com"'],
    ['a URN-qualified path', 'urn:ietf:params:scim:schemas:core:2.0:User:value eq "bjensen@example.com"'],
    ['a nested value filter', 'emails[type eq "work"]'],
  ])('refuses %s with 400 invalidFilter', (_label, filter) => {
    const error = thrown(() => matches(filter, WORK));
    expect(error.status).toBe(400);
    expect(error.scimType).toBe('invalidFilter');
  });

  it('names the unknown sub-attribute', () => {
    expect(thrown(() => matches('colour eq "red"', WORK)).detail).toContain('colour');
  });
});

describe('compareCodePoints', () => {
  it.each<[string, string, number]>([
    ['a', 'b', -1],
    ['b', 'a', 1],
    ['abc', 'abc', 0],
    ['', '', 0],
    ['ab', 'abc', -1],
    ['abc', 'ab', 1],
    ['Z', 'a', -1],
    ['z', 'é', -1],
    ['ß', 'é', -1],
    // U+FFFD is one UTF-16 unit above the surrogates that encode U+1F600, yet below it as a code point.
    ['\uFFFD', '😀', -1],
    ['😀', '\uFFFD', 1],
    ['a😀', 'a😀', 0],
  ])('%j vs %j → %i', (a, b, expected) => {
    expect(compareCodePoints(a, b)).toBe(expected);
  });

  it('orders as UTF-8 bytes do', () => {
    const words = ['\uFFFD', '😀', 'é', 'e', 'E', '', 'ß', 'SS', '%', '_', '\\', ' ', 'z', 'Ö'];
    const byBytes = [...words].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect([...words].sort(compareCodePoints)).toEqual(byBytes);
  });
});
