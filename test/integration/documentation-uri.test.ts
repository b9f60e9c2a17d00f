/**
 * `/ServiceProviderConfig`'s `documentationUri` (RFC 7643 §5, OPTIONAL) is the operator's to set
 * (`ROSTER_DOCUMENTATION_URL`): absent by default, and then left out of the answer rather than
 * pointing to an address nobody chose. The setting is the same on both dialects; SQLite is enough.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startTestRoster, type TestRoster } from '../helpers/roster.js';

describe('documentationUri', () => {
  let unset: TestRoster;
  let set: TestRoster;
  beforeAll(async () => {
    unset = await startTestRoster('sqlite');
    set = await startTestRoster('sqlite', {
      documentationUrl: loadConfig({ ROSTER_DOCUMENTATION_URL: 'https://docs.example.com/roster' })
        .documentationUrl,
    });
  });
  afterAll(async () => {
    await unset.close();
    await set.close();
  });

  it('is left out of /ServiceProviderConfig when no documentation URL is set', async () => {
    const site = await unset.newSite();
    const config = await site.scim('GET', '/ServiceProviderConfig');
    expect(config.status, config.raw).toBe(200);
    expect(config.body).not.toHaveProperty('documentationUri');
    expect(config.raw).not.toContain('documentationUri');
  });

  it('is the URL the operator set', async () => {
    const site = await set.newSite();
    const config = await site.scim('GET', '/ServiceProviderConfig');
    expect(config.status, config.raw).toBe(200);
    expect(config.body.documentationUri).toBe('https://docs.example.com/roster');
  });
});
