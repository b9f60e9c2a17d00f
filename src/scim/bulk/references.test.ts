import { describe, expect, it } from 'vitest';
import { RosterError } from '../../errors.js';
import { referenceOf, referencesIn, resolveReferences } from './references.js';

describe('bulkId references (RFC 7644 §3.7.2)', () => {
  it('reads a whole value "bulkId:<id>" as a reference, and nothing else', () => {
    expect(referenceOf('bulkId:qwerty')).toBe('qwerty');
    expect(referenceOf('bulkId:')).toBeUndefined();
    expect(referenceOf('BulkId:qwerty')).toBeUndefined();
    expect(referenceOf('x bulkId:qwerty')).toBeUndefined();
    expect(referenceOf(42)).toBeUndefined();
    expect(referenceOf(undefined)).toBeUndefined();
  });

  it('finds every reference in data, each once, in the order they appear', () => {
    const data = {
      displayName: 'Tour Guides',
      members: [
        { type: 'User', value: 'bulkId:qwerty' },
        { value: 'bulkId:ytrewq' },
        { value: 'bulkId:qwerty' },
      ],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { manager: { value: 'bulkId:boss' } },
      Operations: [{ op: 'add', path: 'members', value: [{ value: 'bulkId:late' }] }],
    };
    expect(referencesIn(data)).toEqual(['qwerty', 'ytrewq', 'boss', 'late']);
    expect(referencesIn({ userName: 'Alice' })).toEqual([]);
    expect(referencesIn('bulkId:alone')).toEqual(['alone']);
  });

  it('walks deep data without recursion', () => {
    let deep: unknown = { value: 'bulkId:bottom' };
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(referencesIn(deep)).toEqual(['bottom']);
    let resolved = resolveReferences(deep, () => 'id-1');
    for (let i = 0; i < 100_000; i++) resolved = (resolved as unknown[])[0];
    expect(resolved).toEqual({ value: 'id-1' });
  });

  it('replaces references with ids in a copy, leaving the request as it was', () => {
    const data = {
      members: [{ type: 'User', value: 'bulkId:qwerty' }],
      manager: { value: 'bulkId:boss', displayName: 'not bulkId:boss' },
    };
    const ids = new Map([
      ['qwerty', '92b725cd9465'],
      ['boss', 'b7c14771'],
    ]);
    const resolved = resolveReferences(data, (bulkId) => ids.get(bulkId)!);
    expect(resolved).toEqual({
      members: [{ type: 'User', value: '92b725cd9465' }],
      manager: { value: 'b7c14771', displayName: 'not bulkId:boss' },
    });
    expect(data.members[0]!.value).toBe('bulkId:qwerty');
  });

  it('lets the resolver refuse a reference it cannot resolve', () => {
    const refuse = (bulkId: string): string => {
      throw new RosterError('bulk-id-unresolved', `no ${bulkId}`);
    };
    expect(() => resolveReferences({ members: [{ value: 'bulkId:nope' }] }, refuse)).toThrow('no nope');
  });
});
