import { describe, expect, it } from 'vitest';
import { namesInBody, provisioningEvent } from './provisioning-log.js';

const USER_KEYS = { resourceName: 'userName', logon: 'userName' };

describe('namesInBody', () => {
  it('reads the names a refused body gave, attribute names in any case', () => {
    expect(namesInBody({ UserName: 'ann@example.com', externalID: 'okta-1' }, USER_KEYS)).toEqual({
      resourceName: 'ann@example.com',
      logon: 'ann@example.com',
      externalId: 'okta-1',
    });
  });

  it.each([
    ['a number', { userName: 42, externalId: 7 }],
    ['an object', { userName: { value: 'x' }, externalId: ['x'] }],
    ['an empty string', { userName: '', externalId: '' }],
    ['a NUL', { userName: 'a\u0000b', externalId: 'x\u0000' }],
    ['a lone surrogate', { userName: 'a\ud800b', externalId: '\udc00' }],
  ])('keeps no name that is %s', (_what, body) => {
    expect(namesInBody(body, USER_KEYS)).toEqual({ resourceName: null, logon: null, externalId: null });
  });

  it.each([[undefined], [null], ['text'], [[{ userName: 'x' }]]])('reads nothing from %j', (body) => {
    expect(namesInBody(body, USER_KEYS)).toEqual({});
  });

  it('cuts a long name short in the event', () => {
    const event = provisioningEvent(
      { siteId: 's', kind: 'scim', tokenId: null, requestId: null },
      {
        operation: 'create',
        resourceType: 'User',
        outcome: 'failure',
        httpStatus: 400,
        ...namesInBody({ userName: 'x'.repeat(5000) }, USER_KEYS),
      },
    );
    expect(event.logon).toHaveLength(300);
    expect(event.logon!.endsWith('…')).toBe(true);
  });
});
