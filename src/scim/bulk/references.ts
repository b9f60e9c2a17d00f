/**
 * `bulkId` references (RFC 7644 §3.7.2): inside one BulkRequest, a client names a resource that a
 * POST of the same request creates as the string `bulkId:<bulkId>`, in an operation's `data` (a
 * group's `members[].value`, an enterprise `manager.value`, a PATCH value) or in its `path`
 * (`/Users/bulkId:qwerty`). The service provider replaces it with the id once the POST has run.
 */

export const BULK_ID_PREFIX = 'bulkId:';

/** The bulkId a value refers to, when the whole value is a reference. */
export function referenceOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.startsWith(BULK_ID_PREFIX)) return undefined;
  const bulkId = value.slice(BULK_ID_PREFIX.length);
  return bulkId === '' ? undefined : bulkId;
}

/**
 * Every bulkId `data` refers to, each once, in the order they appear. Walked with a stack rather
 * than recursion: a body's nesting is the client's to choose, the call stack is not.
 */
export function referencesIn(data: unknown): string[] {
  const found = new Set<string>();
  const pending: unknown[] = [data];
  while (pending.length > 0) {
    const value = pending.pop();
    const reference = referenceOf(value);
    if (reference !== undefined) {
      found.add(reference);
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push(value[i]);
    } else if (typeof value === 'object' && value !== null) {
      pending.push(...(Object.values(value) as unknown[]).reverse());
    }
  }
  return [...found];
}

/**
 * A copy of `data` with every reference replaced by the id `resolve` gives for it; `resolve`
 * throws for a reference it cannot resolve. The input is left as it is. Copied container by
 * container with a stack, for the same reason as above.
 */
export function resolveReferences(data: unknown, resolve: (bulkId: string) => string): unknown {
  const whole = referenceOf(data);
  if (whole !== undefined) return resolve(whole);
  if (typeof data !== 'object' || data === null) return data;
  const root = shallowCopy(data);
  const pending: Record<string, unknown>[] = [root];
  while (pending.length > 0) {
    const container = pending.pop()!;
    for (const key of Object.keys(container)) {
      const value = container[key];
      const reference = referenceOf(value);
      if (reference !== undefined) {
        container[key] = resolve(reference);
      } else if (typeof value === 'object' && value !== null) {
        const copy = shallowCopy(value);
        container[key] = copy;
        pending.push(copy);
      }
    }
  }
  return root;
}

function shallowCopy(value: object): Record<string, unknown> {
  return (Array.isArray(value) ? [...(value as unknown[])] : { ...value }) as Record<string, unknown>;
}
