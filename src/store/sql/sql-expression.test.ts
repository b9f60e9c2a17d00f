import { describe, expect, it } from 'vitest';

import type { SqlValue } from './connection.js';
import { dialects } from './dialect.js';
import {
  and,
  compare,
  constant,
  emit,
  escapeLike,
  exists,
  inSubquery,
  isNotNull,
  isNull,
  like,
  lower,
  not,
  or,
  param,
  sql,
  type SqlExpression,
} from './sql-expression.js';

/**
 * `emit` is the one place SQL text is made (DESIGN §1), so these cases pin its exact output: a
 * change of parenthesisation or of the order values are bound in breaks every statement built on it.
 * A case gives one text when both dialects agree, or one per dialect.
 */
interface Case {
  readonly name: string;
  readonly expression: SqlExpression;
  readonly text: string | { readonly sqlite: string; readonly postgres: string };
  readonly values: readonly SqlValue[];
}

const CASES: readonly Case[] = [
  { name: 'trusted text as written', expression: sql('u.active'), text: 'u.active', values: [] },
  { name: 'a parameter', expression: param('ann'), text: '?', values: ['ann'] },
  {
    name: 'null, false and 0 are bound like any value',
    expression: and(param(null), param(false), param(0)),
    text: '(? AND ? AND ?)',
    values: [null, false, 0],
  },
  { name: 'an empty and is true', expression: and(), text: '(1 = 1)', values: [] },
  { name: 'an empty or is false', expression: or(), text: '(1 = 0)', values: [] },
  { name: 'an and of one item', expression: and(sql('a')), text: '(a)', values: [] },
  {
    name: 'and joins its items',
    expression: and(sql('a'), sql('b'), sql('c')),
    text: '(a AND b AND c)',
    values: [],
  },
  { name: 'or joins its items', expression: or(sql('a'), sql('b')), text: '(a OR b)', values: [] },
  {
    name: 'or inside and keeps its parentheses',
    expression: and(or(sql('a'), sql('b')), sql('c')),
    text: '((a OR b) AND c)',
    values: [],
  },
  { name: 'not', expression: not(sql('a')), text: '(NOT a)', values: [] },
  {
    name: 'not of an empty or',
    expression: not(or()),
    text: '(NOT (1 = 0))',
    values: [],
  },
  ...(['=', '<>', '<', '<=', '>', '>='] as const).map((op): Case => ({
    name: `compare ${op}`,
    expression: compare(sql('u.first_name'), op, param('Ann')),
    text: `(u.first_name ${op} ?)`,
    values: ['Ann'],
  })),
  {
    name: 'a binary comparison orders by code point: plain in SQLite, COLLATE "C" in PostgreSQL',
    expression: compare(sql('u.last_name'), '>', param('Zoë'), true),
    text: {
      sqlite: '(u.last_name > ?)',
      postgres: '(u.last_name COLLATE "C" > ? COLLATE "C")',
    },
    values: ['Zoë'],
  },
  {
    name: 'a binary equality collates both sides too',
    expression: compare(lower(sql('u.last_name')), '=', param('zoë'), true),
    text: {
      sqlite: '(lower(u.last_name) = ?)',
      postgres: '(lower(u.last_name) COLLATE "C" = ? COLLATE "C")',
    },
    values: ['zoë'],
  },
  {
    name: 'like binds its pattern and names the escape character',
    expression: like(sql('u.logon_lower'), `%${escapeLike('ann')}%`),
    text: "(u.logon_lower LIKE ? ESCAPE '\\')",
    values: ['%ann%'],
  },
  {
    name: 'like escapes %, _ and the escape character itself',
    expression: like(sql('t.v'), `${escapeLike('5%_a\\b')}%`),
    text: "(t.v LIKE ? ESCAPE '\\')",
    values: ['5\\%\\_a\\\\b%'],
  },
  { name: 'is null', expression: isNull(sql('u.deleted_at')), text: '(u.deleted_at IS NULL)', values: [] },
  {
    name: 'is not null',
    expression: isNotNull(sql('u.deleted_at')),
    text: '(u.deleted_at IS NOT NULL)',
    values: [],
  },
  {
    name: 'null test of a parameter',
    expression: isNull(param('x')),
    text: '(? IS NULL)',
    values: ['x'],
  },
  { name: 'lower', expression: lower(sql('u.title')), text: 'lower(u.title)', values: [] },
  { name: 'lower of a parameter', expression: lower(param('ÉA')), text: 'lower(?)', values: ['ÉA'] },
  {
    name: 'exists',
    expression: exists('user_emails e', compare(sql('e.type'), '=', param('work'))),
    text: 'EXISTS (SELECT 1 FROM user_emails e WHERE (e.type = ?))',
    values: ['work'],
  },
  {
    name: 'exists with an empty where',
    expression: exists('user_emails e', and()),
    text: 'EXISTS (SELECT 1 FROM user_emails e WHERE (1 = 1))',
    values: [],
  },
  {
    name: 'in-subquery',
    expression: inSubquery(
      sql('u.id'),
      'e.user_id',
      'user_emails e',
      compare(sql('e.value_lower'), '=', param('a@b.c')),
    ),
    text: '(u.id IN (SELECT e.user_id FROM user_emails e WHERE (e.value_lower = ?)))',
    values: ['a@b.c'],
  },
  { name: 'constant true', expression: constant(true), text: '(1 = 1)', values: [] },
  { name: 'constant false', expression: constant(false), text: '(1 = 0)', values: [] },
  {
    name: 'nested parameters are bound in the order their placeholders appear',
    expression: and(
      compare(param(1), '<', param(2)),
      or(like(param(3), 'p4'), not(compare(sql('x'), '=', param(5), true))),
      inSubquery(
        param(6),
        'e.user_id',
        'user_emails e',
        and(compare(sql('e.site_id'), '=', param(7)), exists('t', like(lower(param(8)), 'p9'))),
      ),
      isNull(param(10)),
    ),
    text: {
      sqlite:
        "((? < ?) AND ((? LIKE ? ESCAPE '\\') OR (NOT (x = ?))) AND " +
        "(? IN (SELECT e.user_id FROM user_emails e WHERE ((e.site_id = ?) AND EXISTS (SELECT 1 FROM t WHERE (lower(?) LIKE ? ESCAPE '\\'))))) AND " +
        '(? IS NULL))',
      postgres:
        '((? < ?) AND ((? LIKE ? ESCAPE \'\\\') OR (NOT (x COLLATE "C" = ? COLLATE "C"))) AND ' +
        "(? IN (SELECT e.user_id FROM user_emails e WHERE ((e.site_id = ?) AND EXISTS (SELECT 1 FROM t WHERE (lower(?) LIKE ? ESCAPE '\\'))))) AND " +
        '(? IS NULL))',
    },
    values: [1, 2, 3, 'p4', 5, 6, 7, 8, 'p9', 10],
  },
];

describe.each(['sqlite', 'postgres'] as const)('emit (%s)', (name) => {
  const dialect = dialects[name];

  it.each(CASES)('$name', ({ expression, text, values }) => {
    const expected = typeof text === 'string' ? text : text[name];
    expect(emit(expression, dialect)).toEqual({ text: expected, values });
  });

  it('binds exactly one value per placeholder', () => {
    for (const { expression } of CASES) {
      const fragment = emit(expression, dialect);
      expect(fragment.text.split('?').length - 1, fragment.text).toBe(fragment.values.length);
    }
  });

  it('starts afresh on every call: no value is carried over', () => {
    const expression = compare(sql('a'), '=', param('x'));
    emit(expression, dialect);
    expect(emit(expression, dialect).values).toEqual(['x']);
  });
});

describe('escapeLike', () => {
  it.each([
    ['plain', 'plain'],
    ['100%', '100\\%'],
    ['a_b', 'a\\_b'],
    ['a\\b', 'a\\\\b'],
    ['\\%', '\\\\\\%'],
    ['%%__', '\\%\\%\\_\\_'],
    ['', ''],
    ['é*?[]', 'é*?[]'],
  ])('%j → %j', (input, escaped) => {
    expect(escapeLike(input)).toBe(escaped);
  });
});
