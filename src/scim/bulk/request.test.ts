import { describe, expect, it } from 'vitest';
import { RosterError } from '../../errors.js';
import {
  BULK_REQUEST_SCHEMA,
  type BulkEndpoint,
  type BulkEntry,
  isMalformed,
  type MalformedOperation,
  parseBulkRequest,
} from './request.js';

const ENDPOINTS: BulkEndpoint[] = [
  { type: 'User', endpoint: '/Users' },
  { type: 'Group', endpoint: '/Groups' },
];
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const parse = (body: unknown, maxOperations = 1000) => parseBulkRequest(body, ENDPOINTS, { maxOperations });
const bulk = (...operations: unknown[]) => ({ schemas: [BULK_REQUEST_SCHEMA], Operations: operations });

function refusal(run: () => unknown): RosterError {
  try {
    run();
  } catch (error) {
    if (error instanceof RosterError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

function malformed(entry: BulkEntry | undefined): MalformedOperation {
  if (!entry || !isMalformed(entry))
    throw new Error(`expected a malformed operation: ${JSON.stringify(entry)}`);
  return entry;
}

describe('parseBulkRequest (RFC 7644 §3.7)', () => {
  it('reads the RFC 7644 §3.7.3 example: POST, PUT, PATCH, DELETE with versions and failOnErrors', () => {
    const request = parse({
      schemas: [BULK_REQUEST_SCHEMA],
      failOnErrors: 1,
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'qwerty', data: { schemas: [USER], userName: 'Alice' } },
        {
          method: 'PUT',
          path: '/Users/b7c14771-226c-4d05-8860-134711653041',
          version: 'W/"3694e05e9dff591"',
          data: { schemas: [USER], id: 'b7c14771-226c-4d05-8860-134711653041', userName: 'Bob' },
        },
        {
          method: 'PATCH',
          path: '/Users/5d8d29d3-342c-4b5f-8683-a3cb6763ffcc',
          version: 'W/"edac3253e2c0ef2"',
          data: {
            schemas: [PATCH_OP],
            Operations: [
              { op: 'remove', path: 'nickName' },
              { op: 'replace', path: 'userName', value: 'Dave' },
            ],
          },
        },
        {
          method: 'DELETE',
          path: '/Users/e9025315-6bea-44e1-899c-1e07454e468b',
          version: 'W/"0ee8add0a938e1a"',
        },
      ],
    });
    expect(request.failOnErrors).toBe(1);
    expect(request.operations).toEqual([
      {
        index: 0,
        method: 'POST',
        bulkId: 'qwerty',
        type: 'User',
        endpoint: '/Users',
        data: { schemas: [USER], userName: 'Alice' },
        references: [],
      },
      expect.objectContaining({
        index: 1,
        method: 'PUT',
        id: 'b7c14771-226c-4d05-8860-134711653041',
        ifMatch: { any: false, tags: ['3694e05e9dff591'] },
      }),
      expect.objectContaining({ index: 2, method: 'PATCH', type: 'User' }),
      {
        index: 3,
        method: 'DELETE',
        type: 'User',
        endpoint: '/Users',
        id: 'e9025315-6bea-44e1-899c-1e07454e468b',
        ifMatch: { any: false, tags: ['0ee8add0a938e1a'] },
        references: [],
      },
    ]);
  });

  it('collects the bulkIds an operation refers to, in its path and its data (§3.7.2)', () => {
    const [group, patch] = parse(
      bulk(
        {
          method: 'POST',
          path: '/Groups',
          bulkId: 'ytrewq',
          data: { displayName: 'Tour Guides', members: [{ type: 'User', value: 'bulkId:qwerty' }] },
        },
        {
          method: 'PATCH',
          path: '/Groups/bulkId:ytrewq',
          data: {
            schemas: [PATCH_OP],
            Operations: [{ op: 'add', path: 'members', value: [{ value: 'bulkId:u2' }] }],
          },
        },
      ),
    ).operations;
    expect(group).toMatchObject({ references: ['qwerty'] });
    expect(patch).toMatchObject({ id: 'bulkId:ytrewq', references: ['ytrewq', 'u2'] });
  });

  it('reads names in any letter case, methods too, and takes a trailing slash', () => {
    const request = parse({
      SCHEMAS: [BULK_REQUEST_SCHEMA],
      operations: [{ Method: 'delete', PATH: '/Users/abc/' }],
      FailOnErrors: 2,
    });
    expect(request.failOnErrors).toBe(2);
    expect(request.operations[0]).toMatchObject({ method: 'DELETE', id: 'abc' });
  });

  it('refuses a request that is not a BulkRequest as a whole, with 400', () => {
    for (const [body, detail] of [
      ['x', /JSON object/],
      [{ Operations: [] }, /schemas/],
      [{ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{}] }, /BulkRequest/],
      [{ schemas: [BULK_REQUEST_SCHEMA] }, /Operations/],
      [{ schemas: [BULK_REQUEST_SCHEMA], Operations: [] }, /non-empty 'Operations'/],
      [{ schemas: [BULK_REQUEST_SCHEMA], Operations: {} }, /Operations/],
    ] as const) {
      const error = refusal(() => parse(body));
      expect(error, JSON.stringify(body)).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
      expect(error.detail).toMatch(detail);
    }
  });

  it('refuses a failOnErrors that is not a whole number of at least 1', () => {
    for (const failOnErrors of [0, -1, 1.5, '1', true]) {
      const error = refusal(() => parse({ ...bulk({ method: 'DELETE', path: '/Users/a' }), failOnErrors }));
      expect(error).toMatchObject({ status: 400, scimType: 'invalidValue' });
      expect(error.detail).toMatch(/failOnErrors/);
    }
    expect(parse({ ...bulk({ method: 'DELETE', path: '/Users/a' }), failOnErrors: null }).failOnErrors).toBe(
      undefined,
    );
  });

  it('refuses more operations than maxOperations with 413 naming the limit (§3.7.4)', () => {
    const operations = Array.from({ length: 4 }, (_, i) => ({ method: 'DELETE', path: `/Users/${i}` }));
    expect(parse(bulk(...operations), 4).operations).toHaveLength(4);
    const error = refusal(() => parse(bulk(...operations), 3));
    expect(error).toMatchObject({ status: 413, code: 'too-many-operations' });
    expect(error.detail).toContain('4 operations');
    expect(error.detail).toContain('at most 3');
  });

  it('refuses two POSTs with the same bulkId as a whole, before anything runs', () => {
    const post = (bulkId: string) => ({ method: 'POST', path: '/Users', bulkId, data: { userName: bulkId } });
    const error = refusal(() => parse(bulk(post('a'), post('b'), post('a'))));
    expect(error).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(error.detail).toContain("Operations 1 and 3 both give bulkId 'a'");
  });

  it('answers a malformed operation in its own place, echoing what it can', () => {
    const cases: [unknown, number, string, RegExp][] = [
      ['POST', 400, 'invalidSyntax', /must be a JSON object/],
      [{ path: '/Users', data: {} }, 400, 'invalidSyntax', /needs a 'method'/],
      [{ method: 'GET', path: '/Users/a' }, 400, 'invalidValue', /POST, PUT, PATCH or DELETE/],
      [{ method: 'POST', data: {} }, 400, 'invalidSyntax', /needs a 'path'/],
      [{ method: 'POST', path: '/Widgets', data: {} }, 400, 'invalidValue', /no resource type endpoint/],
      [
        { method: 'POST', path: '/Users/abc', data: {} },
        400,
        'invalidValue',
        /a POST's 'path' is the endpoint/,
      ],
      [{ method: 'PUT', path: '/Users', data: {} }, 400, 'invalidValue', /names one resource/],
      [{ method: 'PATCH', path: '/Users/a/b', data: {} }, 400, 'invalidValue', /no resource type endpoint/],
      [{ method: 'DELETE', path: '/Users/a?x=1' }, 400, 'invalidValue', /no resource type endpoint/],
      [{ method: 'DELETE', path: 'https://example.com/Users/a' }, 400, 'invalidValue', /no resource type/],
      [{ method: 'DELETE', path: '/Users/%E0%A4%A' }, 400, 'invalidValue', /not a valid URL path/],
      [{ method: 'POST', path: '/Users', bulkId: 'u1' }, 400, 'invalidSyntax', /needs 'data'/],
      [{ method: 'PATCH', path: '/Users/a', data: [] }, 400, 'invalidSyntax', /needs 'data'/],
      [{ method: 'DELETE', path: '/Users/a', version: 3 }, 400, 'invalidValue', /entity tag/],
      [{ method: 'DELETE', path: '/Users/a', version: 'v3' }, 400, 'invalidValue', /entity tags/],
      [{ method: 'POST', path: '/Users', bulkId: 7, data: {} }, 400, 'invalidValue', /bulkId/],
    ];
    const request = parse(bulk(...cases.map(([operation]) => operation)));
    cases.forEach(([operation, status, scimType, detail], index) => {
      const entry = malformed(request.operations[index]);
      expect(entry.error, JSON.stringify(operation)).toMatchObject({ status, scimType });
      expect(entry.error.detail, JSON.stringify(operation)).toMatch(detail);
      expect(entry.error.detail).toMatch(new RegExp(`^Operation ${index + 1}: `));
    });
    expect(request.operations[2]).toMatchObject({ method: 'GET' });
    expect(request.operations[11]).toMatchObject({ method: 'POST', bulkId: 'u1', type: 'User' });
  });

  it('takes a POST without a bulkId (nothing can refer to it) and ignores a DELETE body', () => {
    const [post, remove] = parse(
      bulk(
        { method: 'POST', path: '/Users', data: { userName: 'x' } },
        { method: 'DELETE', path: '/Users/a', data: 5 },
      ),
    ).operations;
    expect(post).toMatchObject({ method: 'POST', type: 'User' });
    expect(post).not.toHaveProperty('bulkId');
    expect(remove).not.toHaveProperty('data');
  });
});
