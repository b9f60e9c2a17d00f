/**
 * Recursive-descent parsers for SCIM filters (RFC 7644 §3.4.2.2, Figure 1), PATCH paths
 * (RFC 7644 §3.5.2) and lone attribute paths. All are pure and only ever throw `ScimError`:
 * `invalidFilter` for filters, `invalidPath` for PATCH paths, `invalidValue` for attribute paths,
 * with a detail naming the 1-based column and the reason.
 *
 * Precedence, tightest first: grouping, `not`, `and`, `or`; `and` and `or` are left-associative.
 * Operators and keywords are case-insensitive; attribute names are kept as written.
 */

import { RosterError } from '../../errors.js';
import { ScimError } from '../errors.js';
import type { AttributePath, CompareOperator, Filter, FilterValue, PatchPath } from './ast.js';
import { describeToken, tokenize, type Fail, type Token } from './tokenize.js';

/** Longer input is refused before lexing, which bounds the work done for any request. */
export const MAX_FILTER_LENGTH = 10_000;
/** Parentheses and value-path brackets nest at most this deep, so recursion stays shallow. */
export const MAX_NESTING_DEPTH = 64;
/**
 * Comparisons (`pr` included) one filter or PATCH path may hold. Each becomes a condition the
 * database evaluates for every candidate user; real clients send one to a handful.
 */
export const MAX_FILTER_COMPARISONS = 100;
/**
 * Comparisons with a costly operator one filter may hold: `co`, `sw` and `ew` become LIKE patterns
 * and `gt`, `ge`, `lt`, `le` ranges, which no index answers for most attributes.
 */
export const MAX_COSTLY_COMPARISONS = 10;
export const COSTLY_OPERATORS: ReadonlySet<CompareOperator> = new Set([
  'co',
  'sw',
  'ew',
  'gt',
  'ge',
  'lt',
  'le',
]);

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
/** RFC 7644 §3.4.2.2 ATTRNAME, plus `$ref` (RFC 7643 §2.3.7), in any case like every name (§2.1). */
const ATTR_NAME = /^(?:[A-Za-z][A-Za-z0-9_-]*|\$ref)$/i;
/** A URI scheme and its colon (RFC 3986 §3.1) followed by something: enough to reject typos. */
const SCHEMA_URI = /^[A-Za-z][A-Za-z0-9+.-]*:./;
/** RFC 8259 §6: a bare word is a number only if the whole word is one (not `2015-10-10T…`). */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/**
 * Microsoft sends PATCH paths like `urn:…:enterprise:2.0:User.manager`, with a dot where RFC 7644
 * puts a colon. We recognise it only when the segment after the last colon starts with one of these
 * resource type names followed by a dot; an RFC reading of it (attribute `User`) is never meaningful.
 */
const RESOURCE_TYPE_NAMES: ReadonlySet<string> = new Set(['User', 'Group']);

/** Parses a `filter` query parameter or `.search` body filter (RFC 7644 §3.4.2.2). */
export function parseFilter(text: string): Filter {
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
  private comparisons = 0;
  private costlyComparisons = 0;

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

  /**
   * Refuses a filter past the limits once it has been read whole, so the detail can say how many
   * comparisons it has; reading is already bounded by MAX_FILTER_LENGTH. The code is the same for
   * filters and PATCH paths (`filter-too-complex`, scimType invalidFilter, which RFC 7644 §3.12
   * also names for PATCH path filters), so clients and logs see one limit.
   */
  checkComplexity(): void {
    const count = (n: number): string => n.toLocaleString('en-US');
    if (this.comparisons > MAX_FILTER_COMPARISONS) {
      throw new RosterError(
        'filter-too-complex',
        `The ${this.subject} has ${count(this.comparisons)} comparisons: at most ${count(MAX_FILTER_COMPARISONS)} are allowed in one filter.`,
      );
    }
    if (this.costlyComparisons > MAX_COSTLY_COMPARISONS) {
      throw new RosterError(
        'filter-too-complex',
        `The ${this.subject} has ${count(this.costlyComparisons)} comparisons with co, sw, ew, gt, ge, lt or le: at most ${count(MAX_COSTLY_COMPARISONS)} are allowed in one filter.`,
      );
    }
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
    this.comparisons++;
    if (op === 'pr') {
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
    if (COSTLY_OPERATORS.has(compareOp)) this.costlyComparisons++;
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

  /** `attrPath = [URI ":"] ATTRNAME *1subAttr`: the URI is everything up to the last colon. */
  private parsePath(token: Token, allowResourceTypeDot: boolean): AttributePath {
    const expected = 'expected an attribute path';
    if (token.kind !== 'word' || ['and', 'or', 'not'].some((k) => this.isKeyword(token, k))) {
      throw this.unexpected(token, expected);
    }
    const colon = token.text.lastIndexOf(':');
    let schema = colon < 0 ? undefined : token.text.slice(0, colon);
    let names = token.text.slice(colon + 1).split('.');
    if (schema !== undefined && !SCHEMA_URI.test(`${schema}:`)) {
      throw this.unexpected(token, `${expected}: '${schema}' is not a schema URI`);
    }
    if (
      allowResourceTypeDot &&
      schema !== undefined &&
      names.length > 1 &&
      RESOURCE_TYPE_NAMES.has(names[0]!)
    ) {
      schema = `${schema}:${names[0]}`;
      names = names.slice(1);
    }
    if (names.length > 2) throw this.unexpected(token, `${expected}: at most one sub-attribute is allowed`);
    for (const name of names) this.checkName(name, token);
    const [attribute, subAttribute] = names as [string, string?];
    return {
      ...(schema !== undefined ? { schema } : {}),
      attribute,
      ...(subAttribute !== undefined ? { subAttribute } : {}),
    };
  }

  /** The `.subAttr` word after `]`. */
  private parseSubAttribute(token: Token): string {
    const name = token.text.slice(1);
    this.checkName(name, token);
    return name;
  }

  private checkName(name: string, token: Token): void {
    if (ATTR_NAME.test(name)) return;
    const reason =
      name === '' ? 'an attribute name is missing' : `'${name.slice(0, 40)}' is not a valid attribute name`;
    throw this.unexpected(token, `expected an attribute path: ${reason}`);
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

function isSubAttributeWord(token: Token): boolean {
  return token.kind === 'word' && token.text.startsWith('.');
}
