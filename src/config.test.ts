import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('Bulk settings (RFC 7644 §3.7.4)', () => {
  it('default to 1,000 operations and 4 MiB, never less than a single request may carry', () => {
    expect(loadConfig({})).toMatchObject({
      bodyLimit: 1024 * 1024,
      bulkBodyLimit: 4 * 1024 * 1024,
      bulkMaxOperations: 1000,
    });
    expect(loadConfig({ ROSTER_BODY_LIMIT: String(8 * 1024 * 1024) }).bulkBodyLimit).toBe(8 * 1024 * 1024);
  });

  it('are read from ROSTER_BULK_MAX_OPERATIONS and ROSTER_BULK_BODY_LIMIT, in range', () => {
    expect(loadConfig({ ROSTER_BULK_MAX_OPERATIONS: '50', ROSTER_BULK_BODY_LIMIT: '65536' })).toMatchObject({
      bulkMaxOperations: 50,
      bulkBodyLimit: 65536,
    });
    expect(() => loadConfig({ ROSTER_BULK_MAX_OPERATIONS: '0' })).toThrow(
      'ROSTER_BULK_MAX_OPERATIONS must be a whole number from 1 to 100000',
    );
    expect(() => loadConfig({ ROSTER_BULK_BODY_LIMIT: '1k' })).toThrow('ROSTER_BULK_BODY_LIMIT');
  });
});
