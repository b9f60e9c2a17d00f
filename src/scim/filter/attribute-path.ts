/**
 * The attribute path grammar every SCIM parser shares (RFC 7644 §3.4.2.2 `attrPath`, §3.5.2
 * `subAttr`): a filter's attributes, a PATCH path, and lone paths such as `sortBy`. It reads one
 * word token; the parser that called it reports what it did not expect, in its own terms.
 */

import type { RosterError } from '../../errors.js';
import type { AttributePath } from './ast.js';
import type { Token } from './tokenize.js';

/** Builds the error for a token the grammar does not expect: the calling parser's `unexpected`. */
export type Unexpected = (token: Token, reason: string) => RosterError;

/** RFC 7644 §3.4.2.2 ATTRNAME, plus `$ref` (RFC 7643 §2.3.7), in any case like every name (§2.1). */
const ATTR_NAME = /^(?:[A-Za-z][A-Za-z0-9_-]*|\$ref)$/i;
/** A URI scheme and its colon (RFC 3986 §3.1) followed by something: enough to reject typos. */
const SCHEMA_URI = /^[A-Za-z][A-Za-z0-9+.-]*:./;
/**
 * Microsoft sends PATCH paths like `urn:…:enterprise:2.0:User.manager`, with a dot where RFC 7644
 * puts a colon. We recognise it only when the segment after the last colon starts with one of these
 * resource type names followed by a dot; an RFC reading of it (attribute `User`) is never meaningful.
 */
const RESOURCE_TYPE_NAMES: ReadonlySet<string> = new Set(['User', 'Group']);
/** Words that join filters, so never an attribute path. */
const KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not']);

/**
 * `attrPath = [URI ":"] ATTRNAME *1subAttr`: the URI is everything up to the last colon.
 * `allowResourceTypeDot` reads Microsoft's `urn:…:User.manager` (PATCH paths only).
 */
export function readAttributePath(
  token: Token,
  allowResourceTypeDot: boolean,
  unexpected: Unexpected,
): AttributePath {
  const expected = 'expected an attribute path';
  if (token.kind !== 'word' || KEYWORDS.has(token.text.toLowerCase())) {
    throw unexpected(token, expected);
  }
  const colon = token.text.lastIndexOf(':');
  let schema = colon < 0 ? undefined : token.text.slice(0, colon);
  let names = token.text.slice(colon + 1).split('.');
  if (schema !== undefined && !SCHEMA_URI.test(`${schema}:`)) {
    throw unexpected(token, `${expected}: '${schema}' is not a schema URI`);
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
  if (names.length > 2) throw unexpected(token, `${expected}: at most one sub-attribute is allowed`);
  for (const name of names) checkName(name, token, unexpected);
  const [attribute, subAttribute] = names as [string, string?];
  return {
    ...(schema !== undefined ? { schema } : {}),
    attribute,
    ...(subAttribute !== undefined ? { subAttribute } : {}),
  };
}

/** The `.subAttr` word after `]`. */
export function readSubAttribute(token: Token, unexpected: Unexpected): string {
  const name = token.text.slice(1);
  checkName(name, token, unexpected);
  return name;
}

function checkName(name: string, token: Token, unexpected: Unexpected): void {
  if (ATTR_NAME.test(name)) return;
  const reason =
    name === '' ? 'an attribute name is missing' : `'${name.slice(0, 40)}' is not a valid attribute name`;
  throw unexpected(token, `expected an attribute path: ${reason}`);
}

/** Whether `token` is the `.subAttr` after a value filter's `]` (RFC 7644 §3.5.2, and Entra's filters). */
export function isSubAttributeWord(token: Token): boolean {
  return token.kind === 'word' && token.text.startsWith('.');
}
