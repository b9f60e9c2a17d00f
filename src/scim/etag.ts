import { ScimError } from './errors.js';

/**
 * Entity tags (RFC 7644 §3.14, RFC 9110 §8.8.3). Versions are weak (`W/"7"`); SCIM compares them
 * by their opaque value in If-Match as well as If-None-Match, as RFC 7644's own examples do.
 */
export type TagCondition = { readonly any: true } | { readonly any: false; readonly tags: readonly string[] };

/** Parses an If-Match / If-None-Match header: `*` or a comma-separated list of entity tags. */
export function parseTagCondition(header: string | undefined): TagCondition | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (header.trim() === '*') return { any: true };
  const tags: string[] = [];
  const pattern = /\s*(?:W\/)?"([^"]*)"\s*(?:,|$)/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = pattern.exec(header)) !== null) {
    tags.push(match[1]!);
    consumed = pattern.lastIndex;
    if (consumed >= header.length) break;
  }
  if (tags.length === 0 || consumed < header.trimEnd().length) {
    throw ScimError.invalidValue(`'${header}' is not a list of entity tags such as W/"3".`);
  }
  return { any: false, tags };
}

/** Whether a resource whose current tag is `current` satisfies the condition. */
export function tagMatches(condition: TagCondition, current: string): boolean {
  if (condition.any) return true;
  const opaque = opaqueTag(current);
  return condition.tags.some((tag) => tag === opaque);
}

function opaqueTag(tag: string): string {
  const match = /^(?:W\/)?"([^"]*)"$/.exec(tag);
  return match ? match[1]! : tag;
}
