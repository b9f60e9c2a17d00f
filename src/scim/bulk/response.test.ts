import { describe, expect, it } from 'vitest';
import { RosterError } from '../../errors.js';
import { BULK_RESPONSE_SCHEMA, bulkResponse, locationOf } from './response.js';

describe('the BulkResponse (RFC 7644 §3.7.3)', () => {
  it('lists what ran in the request order, status as a string, a failure with its SCIM error', () => {
    const base = 'https://example.com/v2';
    const response = bulkResponse([
      {
        index: 2,
        method: 'DELETE',
        location: locationOf(base, '/Users', 'e9025315'),
        status: 404,
        error: new RosterError('user-not-found', "User 'e9025315' not found."),
      },
      {
        index: 0,
        method: 'POST',
        bulkId: 'qwerty',
        location: locationOf(base, '/Users', '92b725cd9465'),
        version: 'W/"1"',
        status: 201,
      },
    ]);
    expect(response).toEqual({
      schemas: [BULK_RESPONSE_SCHEMA],
      Operations: [
        {
          location: 'https://example.com/v2/Users/92b725cd9465',
          method: 'POST',
          bulkId: 'qwerty',
          version: 'W/"1"',
          status: '201',
        },
        {
          location: 'https://example.com/v2/Users/e9025315',
          method: 'DELETE',
          status: '404',
          response: {
            schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
            status: '404',
            detail: "User 'e9025315' not found.",
          },
        },
      ],
    });
  });

  it('puts an id in a location as a path segment', () => {
    expect(locationOf('https://example.com/v2', '/Users', 'a/b c')).toBe(
      'https://example.com/v2/Users/a%2Fb%20c',
    );
  });
});
