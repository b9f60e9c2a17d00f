/**
 * Text Roster can store and compare the same on every database: no U+0000 (PostgreSQL's text
 * cannot hold it) and no lone surrogate (not Unicode: PostgreSQL's JSON functions refuse it, so one
 * stored value would break the filters of a whole site). RFC 7159 §8.2 calls such strings
 * "unpredictable"; Roster refuses them.
 */
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what this must find
const UNSTORABLE = /[\u0000\p{Cs}]/u;

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/**
 * Where in a parsed JSON document the first unstorable key or string is (`emails[0].value`,
 * `name.x`), or undefined when there is none. A top-level `filter` (a SearchRequest's) is left to
 * the filter parser, which says so as an invalid filter.
 */
export function findUnstorableText(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return isStorableText(value) ? undefined : path || '(the value)';
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findUnstorableText(item, `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (path === '' && key === 'filter' && typeof item === 'string') continue;
      const where = path === '' ? key : `${path}.${key}`;
      if (!isStorableText(key)) return `${path === '' ? '' : `${path}.`}${JSON.stringify(key).slice(1, -1)}`;
      const found = findUnstorableText(item, where);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
