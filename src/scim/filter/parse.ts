/**
 * Recursive-descent parsers for SCIM filters (RFC 7644 §3.4.2.2, Figure 1), PATCH paths
 * (RFC 7644 §3.5.2) and lone attribute paths. All are pure and only ever throw `ScimError`:
 * `invalidFilter` for filters, `invalidPath` for PATCH paths, `invalidValue` for attribute paths,
 * with a detail naming the 1-based column and the reason.
 *
 * Precedence, tightest first: grouping, `not`, `and`, `or`; `and` and `or` are left-associative.
 * Operators and keywords are case-insensitive; attribute names are kept as written.
 */

import type { RosterError } from '../../errors.js';
import { ScimError } from '../errors.js';
import { isStorableText } from '../text.js';
import type { AttributePath, CompareOperator, Filter, FilterValue, PatchPath } from './ast.js';
import { isSubAttributeWord, readAttributePath, readSubAttribute } from './attribute-path.js';
import { ComparisonBudget, MAX_FILTER_LENGTH, MAX_NESTING_DEPTH } from './filter-limits.js';
import { describeToken, tokenize, type Fail, type Token } from './tokenize.js';

const COMPARE_OPERATORS: ReadonlySet<string> = new Set([
  'eq',
  'ne',
  'co',
  'sw',
  'ew',
  'gt',
  'ge',
  'lt',
  'le',
]);
const OPERATOR_LIST = 'eq, ne, co, sw, ew, gt, ge, lt, le, pr';
/** RFC 8259 §6: a bare word is a number only if the whole word is one (not `2015-10-10T…`). */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Parses a `filter` query parameter or `.search` body filter (RFC 7644 §3.4.2.2). */
export function parseFilter(text: string): Filter {
  if (typeof text === 'string' && !isStorableText(text)) {
    // No stored value can hold these (src/scim/text.ts), and PostgreSQL cannot compare them.
    throw ScimError.invalidFilter('The filter has a NUL character or invalid Unicode (a lone surrogate).');
  }
  const parser = new Parser(text, 'filter', (detail) => ScimError.invalidFilter(detail));
  const filter = parser.parseOr(false);
  parser.expectEnd();
  parser.checkComplexity();
  return filter;
}

/** Parses a PATCH operation's `path`: `attrPath / valuePath [subAttr]` (RFC 7644 §3.5.2). */
export function parsePatchPath(text: string): PatchPath {
  const parser = new Parser(text, 'path', (detail) => ScimError.invalidPath(detail));
  const path = parser.parsePatchPath();
  parser.expectEnd();
  parser.checkComplexity();
  return path;
}

/**
 * Parses an attribute path on its own — `sortBy`, an `attributes` entry, a key of a path-less
 * PATCH value — with the grammar of a filter's `attrPath` (RFC 7644 §3.4.2.2):
 * `[URI ":"] ATTRNAME ["." subAttr]`, the URI being everything up to the last colon. A whole
 * extension (`urn:…:enterprise:2.0:User`) therefore reads as schema `urn:…:enterprise:2.0` and
 * attribute `User`; callers recognise it with `schema.extension(`${schema}:${attribute}`)`.
 * Throws `invalidValue`; each caller decides what an unparseable name means to it.
 */
export function parseAttributePath(text: string): AttributePath {
  const parser = new Parser(text, 'path', (detail) => ScimError.invalidValue(detail));
  const path = parser.parseAttributePath();
  parser.expectEnd();
  return path;
}

class Parser {
  private readonly tokens: Token[];
  private pos = 0;
  private depth = 0;
  private readonly budget = new ComparisonBudget();

  constructor(
    text: string,
    private readonly subject: 'filter' | 'path',
    private readonly fail: Fail,
  ) {
    // Callers pass whatever the request held; a repeated query parameter can arrive as an array.
    if (typeof (text as unknown) !== 'string') throw fail(`Invalid ${subject} at column 1: expected text`);
    if (text.length > MAX_FILTER_LENGTH) {
      throw fail(
        `The ${subject} is too long at column ${MAX_FILTER_LENGTH + 1}: at most ${MAX_FILTER_LENGTH} characters are allowed`,
      );
    }
    this.tokens = tokenize(text, fail);
    const first = this.peek();
    if (first.kind === 'eof') throw this.unexpected(first, `the ${subject} is empty`);
  }

  /** `filter = andExpr *("or" andExpr)` */
  parseOr(inValueFilter: boolean): Filter {
    let left = this.parseAnd(inValueFilter);
    while (this.isKeyword(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd(inValueFilter) };
    }
    return left;
  }

  /** `attrPath`, alone. */
  parseAttributePath(): AttributePath {
    return this.parsePath(this.next(), false);
  }

  /** `PATH = attrPath / valuePath [subAttr]` */
  parsePatchPath(): PatchPath {
    const token = this.next();
    const path = this.parsePath(token, true);
    if (this.peek().kind !== '[') return { path };
    const filter = this.parseValueFilter(path, token, false);
    const sub = this.peek();
    if (!isSubAttributeWord(sub)) return { path, filter };
    this.next();
    return { path, filter, subAttribute: this.parseSubAttribute(sub) };
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind === 'eof') return;
    if (token.kind === ')' || token.kind === ']') {
      throw this.unexpected(token, `there is no matching '${token.kind === ')' ? '(' : '['}'`);
    }
    throw this.unexpected(
      token,
      this.subject === 'filter' ? "expected 'and', 'or' or end of filter" : 'expected end of path',
    );
  }

  /** Refuses a filter past the comparison limits, once it has been read whole. */
  checkComplexity(): void {
    this.budget.check(this.subject);
  }

  private parseAnd(inValueFilter: boolean): Filter {
    let left = this.parseTerm(inValueFilter);
    while (this.isKeyword(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseTerm(inValueFilter) };
    }
    return left;
  }

  /** `"not" "(" filter ")" / "(" filter ")" / attrExp / valuePath` */
  private parseTerm(inValueFilter: boolean): Filter {
    const token = this.peek();
    if (this.isKeyword(token, 'not')) {
      this.next();
      // RFC 7644 only defines `not` before a parenthesised filter.
      if (this.peek().kind !== '(') throw this.unexpected(this.peek(), "expected '(' after 'not'");
      return { kind: 'not', filter: this.parseGroup(inValueFilter) };
    }
    if (token.kind === '(') return this.parseGroup(inValueFilter);

    this.next();
    const path = this.parsePath(token, false);
    if (this.peek().kind !== '[') return this.parseComparison(path, token);
    const filter = this.parseValueFilter(path, token, inValueFilter);
    const sub = this.peek();
    if (!isSubAttributeWord(sub)) return { kind: 'valuePath', path, filter };
    // Entra ID's `emails[type eq "work"].value eq "x"` is not RFC 7644; it means the same element
    // must match both, which is exactly a value filter with the comparison and-ed in.
    this.next();
    const right = this.parseComparison({ attribute: this.parseSubAttribute(sub) }, sub);
    return { kind: 'valuePath', path, filter: { kind: 'and', left: filter, right } };
  }

  private parseGroup(inValueFilter: boolean): Filter {
    const open = this.enter();
    const filter = this.parseOr(inValueFilter);
    this.leave(open, ')');
    return filter;
  }

  /** `attrPath "[" valFilter "]"`; the inner filter's paths are relative to the elements. */
  private parseValueFilter(path: AttributePath, pathToken: Token, inValueFilter: boolean): Filter {
    const open = this.peek();
    if (inValueFilter) throw this.unexpected(open, 'value filters cannot be nested');
    if (path.subAttribute !== undefined) {
      throw this.unexpected(
        open,
        `a value filter cannot follow the sub-attribute ${describeToken(pathToken, '')}`,
      );
    }
    this.enter();
    const filter = this.parseOr(true);
    this.leave(open, ']');
    return filter;
  }

  /** `attrPath SP compareOp SP compValue / attrPath SP "pr"` */
  private parseComparison(path: AttributePath, pathToken: Token): Filter {
    const opToken = this.next();
    if (opToken.kind !== 'word') {
      throw this.unexpected(
        opToken,
        `expected an operator (${OPERATOR_LIST}) after ${describeToken(pathToken, '')}`,
      );
    }
    const op = opToken.text.toLowerCase();
    if (op === 'pr') {
      this.budget.count('pr');
      const after = this.peek();
      const isValue =
        after.kind === 'string' ||
        (after.kind === 'word' && !this.isKeyword(after, 'and') && !this.isKeyword(after, 'or'));
      if (isValue) throw this.unexpected(after, "'pr' takes no value");
      return { kind: 'present', path };
    }
    if (!COMPARE_OPERATORS.has(op)) {
      throw this.fail(
        `Unknown operator ${describeToken(opToken, '')} at column ${opToken.column}: expected one of ${OPERATOR_LIST}`,
      );
    }
    const compareOp = op as CompareOperator;
    this.budget.count(compareOp);
    return { kind: 'compare', path, op: compareOp, value: this.parseValue(opToken) };
  }

  /** `compValue = false / null / true / number / string`, plus unquoted words as strings. */
  private parseValue(opToken: Token): FilterValue {
    const token = this.peek();
    const missing = `expected a value after '${opToken.text}'`;
    if (token.kind === 'string') {
      this.next();
      return token.value;
    }
    // A bare `and`/`or` here is far more likely a forgotten value than a user named "and".
    if (token.kind !== 'word' || this.isKeyword(token, 'and') || this.isKeyword(token, 'or')) {
      throw this.unexpected(token, missing);
    }
    this.next();
    const lower = token.text.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    if (!JSON_NUMBER.test(token.text)) return token.text; // lenient: Microsoft sends `userName sw O`
    const number = Number(token.text);
    if (!Number.isFinite(number)) throw this.unexpected(token, 'the number is out of range');
    return number;
  }

  private parsePath(token: Token, allowResourceTypeDot: boolean): AttributePath {
    return readAttributePath(token, allowResourceTypeDot, (at, reason) => this.unexpected(at, reason));
  }

  private parseSubAttribute(token: Token): string {
    return readSubAttribute(token, (at, reason) => this.unexpected(at, reason));
  }

  /** Consumes an opening bracket, refusing nesting deep enough to threaten the stack. */
  private enter(): Token {
    const open = this.next();
    if (++this.depth > MAX_NESTING_DEPTH) {
      throw this.fail(
        `Nesting too deep at column ${open.column}: at most ${MAX_NESTING_DEPTH} levels of parentheses and brackets are allowed`,
      );
    }
    return open;
  }

  private leave(open: Token, close: ')' | ']'): void {
    const token = this.peek();
    if (token.kind !== close) {
      throw this.unexpected(
        token,
        `expected 'and', 'or' or '${close}' to close the '${open.text}' at column ${open.column}`,
      );
    }
    this.next();
    this.depth--;
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.pos++;
    return token;
  }

  private isKeyword(token: Token, keyword: string): boolean {
    return token.kind === 'word' && token.text.toLowerCase() === keyword;
  }

  private unexpected(token: Token, reason: string): RosterError {
    return this.fail(`Unexpected ${describeToken(token, this.subject)} at column ${token.column}: ${reason}`);
  }
}
