import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { RosterError } from '../../errors.js';
import { bindFilter } from '../filter/bind.js';
import { matchesResource } from '../filter/evaluate.js';
import { parseFilter } from '../filter/parse.js';
import type { ScimObject } from '../resource.js';
import { userResourceSchema } from '../schema/resource-types.js';
import { USER_SCHEMA_ID } from '../schema/user.js';
import { applyPatch } from './apply.js';
import { PATCH_OP_SCHEMA, parsePatchRequest } from './request.js';

const schema = userResourceSchema;

/**
 * Emails chosen where comparisons can go wrong: one above U+FFFF (JavaScript's `<` orders it by
 * its surrogates, below U+FFFD), mixed case in values that are not caseExact, absent sub-attributes.
 */
const EMAILS: readonly ScimObject[] = [
  { value: '\u{1F600}@example.com', type: 'work' },
  { value: '\uFFFD@example.com', type: 'Home', display: 'Replacement' },
  { value: 'BJensen@Example.com', type: 'other', primary: true },
];

/** What `filter=emails[…]` selects: the list filter's bound tree, evaluated as the oracle does. */
function listFilterMatches(valueFilter: string, element: ScimObject): boolean {
  const bound = bindFilter(parseFilter(`emails[${valueFilter}]`), schema);
  return matchesResource(bound, { schemas: [USER_SCHEMA_ID], emails: [element] });
}

/** What `{"op": "remove", "path": "emails[…]"}` leaves of `emails`. */
function patchKeeps(valueFilter: string, emails: readonly ScimObject[]): ScimObject[] {
  const operations = parsePatchRequest({
    schemas: [PATCH_OP_SCHEMA],
    Operations: [{ op: 'remove', path: `emails[${valueFilter}]` }],
  });
  const { document } = applyPatch(schema, { schemas: [USER_SCHEMA_ID], emails: [...emails] }, operations);
  return (document.emails ?? []) as ScimObject[];
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

describe('a PATCH value filter selects what the same list filter matches (RFC 7644 §3.4.2.2, §3.5.2)', () => {
  it.each<[filter: string, matched: number[]]>([
    // By code point, U+1F600 sorts above U+FFFD, as UTF-8 bytes and both databases order it.
    ['value gt "\uFFFD"', [0, 1]],
    ['value lt "\uFFFD"', [2]],
    ['value ge "\u{1F600}"', [0]],
    // emails.value and emails.type are not caseExact: both sides fold.
    ['value eq "bjensen@example.com"', [2]],
    ['value sw "BJ"', [2]],
    ['type eq "HOME"', [1]],
    ['not (type eq "work") and value co "@EXAMPLE."', [1, 2]],
    // An absent sub-attribute is "not equal", and equal to null.
    ['display ne "Replacement"', [0, 2]],
    ['display eq null', [0, 2]],
    ['primary ne true', [0, 1]],
  ])('%s → elements %j', (filter, matched) => {
    const byList = EMAILS.map((element) => listFilterMatches(filter, element));
    expect(byList).toEqual(EMAILS.map((_, i) => matched.includes(i)));
    expect(patchKeeps(filter, EMAILS)).toEqual(EMAILS.filter((_, i) => !matched.includes(i)));
  });

  it('agrees on random values and literals, astral characters and case included', () => {
    const text = fc
      .array(fc.constantFrom('a', 'B', 'z', 'é', 'É', 'ß', '\uFFFD', '\u{1F600}', '@'), { maxLength: 4 })
      .map((chars) => chars.join(''));
    const email = fc.record(
      { value: text, type: text, display: text },
      { requiredKeys: [] },
    ) as fc.Arbitrary<ScimObject>;
    const filter = fc
      .tuple(
        fc.constantFrom('value', 'type', 'display'),
        fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'),
        text,
      )
      .map(([name, op, literal]) => `${name} ${op} ${JSON.stringify(literal)}`);
    fc.assert(
      fc.property(filter, fc.array(email, { maxLength: 4 }), (valueFilter, emails) => {
        const kept = emails.filter((element) => !listFilterMatches(valueFilter, element));
        expect(patchKeeps(valueFilter, emails)).toEqual(kept);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an operator the sub-attribute cannot take whatever the data, as a list filter does', () => {
    for (const emails of [EMAILS, []]) {
      const error = thrown(() => patchKeeps('primary gt true', emails));
      expect(error.scimType).toBe('invalidFilter');
      expect(error.detail).toMatch(/^Operation 0: /);
    }
    expect(thrown(() => listFilterMatches('primary gt true', EMAILS[0]!)).scimType).toBe('invalidFilter');
  });

  it('reports a name the elements do not have as invalidPath, even with no elements', () => {
    for (const emails of [EMAILS, []]) {
      const error = thrown(() => patchKeeps('colour eq "red"', emails));
      expect(error.scimType).toBe('invalidPath');
      expect(error.detail).toMatch(/^Operation 0: 'emails\[colour eq "red"\]': .*colour/);
    }
  });

  it('refuses a value filter past the filter limits with filter-too-complex, naming the operation', () => {
    const terms = Array.from({ length: 11 }, () => 'value co "x"').join(' or ');
    const error = thrown(() =>
      parsePatchRequest({
        schemas: [PATCH_OP_SCHEMA],
        Operations: [
          { op: 'replace', path: 'title', value: 'x' },
          { op: 'remove', path: `emails[${terms}]` },
        ],
      }),
    );
    expect(error.code).toBe('filter-too-complex');
    expect(error.scimType).toBe('invalidFilter');
    expect(error.detail).toMatch(/^Operation 1: The path has 11 comparisons with co/);
  });
});
