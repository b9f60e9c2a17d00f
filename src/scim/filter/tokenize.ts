/**
 * The lexer shared by SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths (RFC 7644 §3.5.2).
 *
 * It is context-free: a `word` is any run of characters other than whitespace, brackets and `"`.
 * Whether a word is an attribute path, an operator, a keyword or an unquoted value is decided by
 * the parser, because the same text (`eq`, `2.0`, `urn:…:User:name`) plays different roles in
 * different positions, and URN paths and lenient unquoted values both contain `:` `.` and `-`.
 */

import type { RosterError } from '../../errors.js';

export type TokenKind = 'word' | 'string' | '(' | ')' | '[' | ']' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token (for a string, including its quotes); empty at `eof`. */
  readonly text: string;
  /** The decoded value of a `string` token; for other kinds, the same as `text`. */
  readonly value: string;
  /** 1-based column of the token's first character (for `eof`, one past the end). */
  readonly column: number;
}

/** Builds the error to throw; filters and PATCH paths report with different `scimType`s. */
export type Fail = (detail: string) => RosterError;

const PUNCTUATION: ReadonlySet<string> = new Set(['(', ')', '[', ']']);
// RFC 7644 only names SP, but real clients send filters across lines and with tabs.
const WHITESPACE = /\s/;
const SIMPLE_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['"', '"'],
  ['\\', '\\'],
  ['/', '/'],
  ['b', '\b'],
  ['f', '\f'],
  ['n', '\n'],
  ['r', '\r'],
  ['t', '\t'],
]);
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** Splits `text` into tokens, always ending with one `eof` token. */
export function tokenize(text: string, fail: Fail): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (WHITESPACE.test(ch)) {
      i++;
    } else if (PUNCTUATION.has(ch)) {
      tokens.push({ kind: ch as TokenKind, text: ch, value: ch, column: i + 1 });
      i++;
    } else if (ch === '"') {
      const token = readString(text, i, fail);
      tokens.push(token);
      i += token.text.length;
    } else {
      const start = i;
      while (i < text.length && !isWordEnd(text[i]!)) i++;
      const word = text.slice(start, i);
      tokens.push({ kind: 'word', text: word, value: word, column: start + 1 });
    }
  }
  tokens.push({ kind: 'eof', text: '', value: '', column: text.length + 1 });
  return tokens;
}

function isWordEnd(ch: string): boolean {
  return ch === '"' || PUNCTUATION.has(ch) || WHITESPACE.test(ch);
}

/**
 * Reads a JSON string (RFC 8259 §7) starting at the opening quote. Raw control characters are
 * accepted rather than rejected: they can only come from a client that forgot to escape them,
 * and their meaning is unambiguous.
 */
function readString(text: string, start: number, fail: Fail): Token {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      const raw = text.slice(start, i + 1);
      return { kind: 'string', text: raw, value, column: start + 1 };
    }
    if (ch !== '\\') {
      value += ch;
      i++;
      continue;
    }
    const esc = text[i + 1];
    if (esc === undefined) break;
    const simple = SIMPLE_ESCAPES.get(esc);
    if (simple !== undefined) {
      value += simple;
      i += 2;
    } else if (esc === 'u' && HEX4.test(text.slice(i + 2, i + 6))) {
      value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
    } else {
      const shown = esc === 'u' ? text.slice(i, i + 6) : `\\${esc}`;
      throw fail(
        `Invalid escape '${shown}' at column ${i + 1}: expected one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX`,
      );
    }
  }
  throw fail(`Unterminated string at column ${start + 1}: missing the closing '"'`);
}

/** A short quotation of a token for error details; long input is cut so details stay readable. */
export function describeToken(token: Token, endName: string): string {
  if (token.kind === 'eof') return `end of ${endName}`;
  const text = token.text.length > 40 ? `${token.text.slice(0, 37)}...` : token.text;
  return `'${text}'`;
}
