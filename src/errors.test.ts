import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode, HTTP_STATUS, RosterError } from './errors.js';

describe('the error catalogue', () => {
  const documented = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  /** The rows of the Codes table: code, kind, scimType. */
  const rows = [...documented.matchAll(/^\| `([a-z-]+)`\s*\| `([a-z-]+)`\s*\| (?:`(\w+)`)?\s*\|/gm)].map(
    (match) => ({ code: match[1]!, kind: match[2]!, scimType: match[3] }),
  );

  it('is documented code for code, with the same kind and scimType', () => {
    const catalogue = Object.entries(ERROR_CODES).map(([code, entry]) => ({
      code,
      kind: entry.kind,
      scimType: 'scimType' in entry ? entry.scimType : undefined,
    }));
    expect(rows).toEqual(catalogue);
  });

  it('derives kind, scimType and status from the code', () => {
    const error = new RosterError('logon-taken', "Logon 'ann' already exists in this site.");
    expect(error).toMatchObject({
      kind: 'conflict',
      scimType: 'uniqueness',
      status: 409,
      code: 'logon-taken',
    });
    expect(error.detail).toBe("Logon 'ann' already exists in this site.");
    expect(new RosterError('database-busy', 'busy', { retryAfterSeconds: 1 }).status).toBe(503);
  });

  it('pairs every scimType with a status RFC 7644 §3.12 allows', () => {
    for (const [code, entry] of Object.entries(ERROR_CODES) as [
      ErrorCode,
      (typeof ERROR_CODES)[ErrorCode],
    ][]) {
      if (!('scimType' in entry)) continue;
      const status = HTTP_STATUS[entry.kind];
      // RFC 7644 §3.7.1–3.7.3: a Bulk operation whose bulkId reference cannot be resolved is a 409.
      const bulkReference = code === 'bulk-id-unresolved' || code === 'bulk-circular-reference';
      const allowed =
        entry.scimType === 'uniqueness' || bulkReference ? 409 : entry.scimType === 'sensitive' ? 403 : 400;
      expect(status, code).toBe(allowed);
    }
  });

  it('keeps its code, kind and extras when the detail is rewritten', () => {
    const error = new RosterError('unique-violation', 'dup', { constraint: 'users_pkey' });
    const rewritten = error.withDetail('Operation 2: dup');
    expect(rewritten).toMatchObject({ code: 'unique-violation', constraint: 'users_pkey' });
    expect(rewritten.detail).toBe('Operation 2: dup');
  });
});
