import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestRoster, type TestRoster } from '../helpers/roster.js';

describe.each(DIALECTS)('smoke (%s)', (dialect) => {
  let harness: TestRoster;
  beforeAll(async () => {
    harness = await startTestRoster(dialect);
  });
  afterAll(async () => harness.close());

  it('creates and reads a user', async () => {
    const { scim } = await harness.newSite();
    const created = await scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'Test.User@okta.local',
      name: { givenName: 'Test', familyName: 'User' },
      emails: [{ primary: true, value: 'test.user@okta.local', type: 'work' }],
      password: 'x',
      active: true,
    });
    expect(created.status, created.raw).toBe(201);
    const got = await scim('GET', `/Users/${created.body.id}`);
    expect(got.body.userName).toBe('Test.User@okta.local');
    const list = await scim(
      'GET',
      '/Users?filter=userName+eq+%22test.user@okta.local%22&startIndex=1&count=100',
    );
    expect(list.body.totalResults, list.raw).toBe(1);
    const patched = await scim('PATCH', `/Users/${created.body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(patched.status, patched.raw).toBe(200);
    expect(patched.body.active).toBe(false);
  });
});
