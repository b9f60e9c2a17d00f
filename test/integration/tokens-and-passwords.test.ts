import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/directory/tokens.js';
import { newId } from '../../src/directory/ids.js';
import type { ProvisioningEvent } from '../../src/store/store.js';
import { withRawDatabase } from '../helpers/raw-database.js';
import { DIALECTS, scimRequest, startTestRoster, type TestRoster, type TestSite } from '../helpers/roster.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const STRONG = 'Correct-Horse-Battery-9';

function patch(...operations: object[]): object {
  return { schemas: [PATCH_OP], Operations: operations };
}

function filterQuery(filter: string): string {
  return `/Users?filter=${encodeURIComponent(filter)}`;
}

describe.each(DIALECTS)('tokens and passwords (%s)', (dialect) => {
  let harness: TestRoster;
  beforeAll(async () => {
    harness = await startTestRoster(dialect);
  });
  afterAll(async () => harness.close());

  const events = (site: TestSite): Promise<ProvisioningEvent[]> =>
    harness.roster.store.events.list(site.site.id, { limit: 100 });

  describe('access tokens', () => {
    it('refuses a revoked token on its next request and logs the refusal in its site', async () => {
      const site = await harness.newSite();
      expect((await site.scim('GET', '/Users')).status).toBe(200);
      await harness.roster.services.tokens.revoke(site.site, site.tokenId);

      const refused = await site.scim('GET', '/Users');
      expect(refused.status, refused.raw).toBe(401);
      expect(refused.body.detail).toMatch(/revoked/i);
      expect(refused.headers['www-authenticate']).toMatch(/^Bearer /);
      const write = await site.scim('POST', '/Users', {
        schemas: [USER_SCHEMA],
        userName: 'late@okta.local',
      });
      expect(write.status).toBe(401);
      expect(await harness.roster.store.users.byLogon(site.site.id, 'late@okta.local')).toBeUndefined();

      // Both refusals, counted in one event: a client left with a dead token cannot grow the log.
      const failures = (await events(site)).filter((event) => event.operation === 'authenticate');
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({
        outcome: 'failure',
        httpStatus: 401,
        tokenId: site.tokenId,
        actor: 'scim',
        occurrences: 2,
      });
      expect(failures[0]!.detail).toMatch(/revoked/);
    });

    it('refuses an expired token with a detail that says so, and logs it', async () => {
      const site = await harness.newSite();
      const secret = `rst_${randomBytes(32).toString('base64url')}`;
      const id = newId();
      const now = Date.now();
      const expired = {
        id,
        siteId: site.site.id,
        tokenHash: hashToken(secret),
        tokenHint: secret.slice(0, 8),
        description: 'expired on purpose',
        scope: 'scim',
        createdBy: 'test',
        createdAt: now - 2 * 86_400_000,
        expiresAt: now - 1000,
        revokedAt: null,
        lastUsedAt: null,
      };
      await harness.roster.store.transaction((tx) => tx.tokens.insert(expired));

      const refused = await scimRequest(harness.roster, secret, 'GET', '/Users');
      expect(refused.status, refused.raw).toBe(401);
      expect(refused.body.detail).toMatch(/expired/i);
      const [event] = await events(site);
      expect(event).toMatchObject({
        operation: 'authenticate',
        outcome: 'failure',
        httpStatus: 401,
        tokenId: id,
      });
      expect(event!.detail).toMatch(/expired/);
      // The site's own token is unaffected.
      expect((await site.scim('GET', '/Users')).status).toBe(200);
    });

    it('refuses unknown and malformed tokens without logging them in any site', async () => {
      const site = await harness.newSite();
      const unknown = await scimRequest(
        harness.roster,
        `rst_${randomBytes(32).toString('base64url')}`,
        'GET',
        '/Users',
      );
      expect(unknown.status).toBe(401);
      const malformed = await scimRequest(harness.roster, 'not-a-token', 'GET', '/Users');
      expect(malformed.status).toBe(401);
      const missing = await harness.roster.app.inject({ method: 'GET', url: '/scim/v2/Users' });
      expect(missing.statusCode).toBe(401);
      expect(await events(site)).toEqual([]);
    });

    it('records when a token was last used', async () => {
      const site = await harness.newSite();
      const before = await harness.roster.store.tokens.get(site.site.id, site.tokenId);
      expect(before?.lastUsedAt).toBeNull();
      const start = Date.now();
      expect((await site.scim('GET', '/Users')).status).toBe(200);
      const after = await harness.roster.store.tokens.get(site.site.id, site.tokenId);
      expect(after?.lastUsedAt).toBeGreaterThanOrEqual(start);
      expect(after?.lastUsedAt).toBeLessThanOrEqual(Date.now());
      const row = await withRawDatabase(harness.database.url, (db) =>
        db.get<{ last_used_at: number | string | null }>(
          'SELECT last_used_at FROM access_tokens WHERE id = ?',
          [site.tokenId],
        ),
      );
      expect(Number(row?.last_used_at)).toBe(after?.lastUsedAt);
    });

    it('stores only the SHA-256 hash of a token, never the secret', async () => {
      const site = await harness.newSite();
      const issued = await harness.roster.services.tokens.issue(site.site, {
        createdBy: 'test',
        description: 'hash check',
      });
      expect(issued.token).toMatch(/^rst_[A-Za-z0-9_-]{43}$/);
      expect(site.token).toMatch(/^rst_[A-Za-z0-9_-]{43}$/);
      // 43 base64url characters carry 256 random bits.
      expect(Buffer.from(issued.token.slice(4), 'base64url')).toHaveLength(32);

      const row = await withRawDatabase(harness.database.url, (db) =>
        db.get<Record<string, unknown>>('SELECT * FROM access_tokens WHERE id = ?', [issued.record.id]),
      );
      expect(row).toBeDefined();
      expect(row!.token_hash).toBe(createHash('sha256').update(issued.token).digest('hex'));
      const stored = JSON.stringify(row);
      expect(stored).not.toContain(issued.token);
      // The hint is a short prefix for recognising a token in a list, not enough to use it.
      expect(stored).not.toContain(issued.token.slice(4, 20));
      expect((await scimRequest(harness.roster, issued.token, 'GET', '/Users')).status).toBe(200);
    });
  });

  describe('password sync', () => {
    it('ignores passwords while sync is off (the default), and says so in the log', async () => {
      const site = await harness.newSite();
      expect(site.site.settings.passwordSync).toBe(false);
      const created = await site.scim('POST', '/Users', {
        schemas: [USER_SCHEMA],
        userName: 'nosync@okta.local',
        password: 'weak',
      });
      expect(created.status, created.raw).toBe(201);
      expect(created.body.password).toBeUndefined();
      const stored = await harness.roster.store.users.get(site.site.id, created.body.id);
      expect(stored?.passwordHash).toBeNull();
      expect(stored?.passwordChangedAt).toBeNull();
      const [event] = await events(site);
      expect(event).toMatchObject({ operation: 'create', outcome: 'success' });
      expect(event!.detail).toMatch(/password ignored/i);
      expect(event!.changes?.some((change) => change.field === 'password')).toBe(false);

      const config = await site.scim('GET', '/ServiceProviderConfig');
      expect(config.body.changePassword).toEqual({ supported: false });
    });

    it('refuses a password that breaks the policy, naming every broken rule, and writes nothing', async () => {
      const site = await harness.newSite();
      await harness.roster.services.sites.configure(site.site.slug, { passwordSync: true });
      const refused = await site.scim('POST', '/Users', {
        schemas: [USER_SCHEMA],
        userName: 'weakling@okta.local',
        password: 'weak',
      });
      expect(refused.status, refused.raw).toBe(400);
      expect(refused.body.scimType).toBe('invalidValue');
      const detail = refused.body.detail as string;
      const needs = detail.slice(0, detail.indexOf('(policy'));
      expect(needs).toContain('at least 8 characters');
      expect(needs).toContain('an upper-case letter');
      expect(needs).toContain('a digit');
      // The rules it keeps are not named as broken.
      expect(needs).not.toContain('lower-case');
      expect(needs).not.toContain('Logon');

      expect(await harness.roster.store.users.byLogon(site.site.id, 'weakling@okta.local')).toBeUndefined();
      expect(
        (await site.scim('GET', filterQuery('userName eq "weakling@okta.local"'))).body.totalResults,
      ).toBe(0);

      const all = await events(site);
      expect(all).toHaveLength(1);
      expect(all[0]).toMatchObject({ operation: 'create', outcome: 'failure', httpStatus: 400 });
      expect(JSON.stringify(all[0])).not.toContain('weak"');
      expect(JSON.stringify(all[0]).toLowerCase()).not.toMatch(/\bweak\b/);

      // A password containing the Logon breaks the rule that forbids it.
      const withLogon = await site.scim('POST', '/Users', {
        schemas: [USER_SCHEMA],
        userName: 'alice',
        password: 'Xx1-ALICE-2024',
      });
      expect(withLogon.status, withLogon.raw).toBe(400);
      expect(withLogon.body.detail).toContain('not containing the Logon');
    });

    it('stores a strong password as an argon2id hash and never returns it', async () => {
      const site = await harness.newSite();
      await harness.roster.services.sites.configure(site.site.slug, { passwordSync: true });
      const responses = [];
      const created = await site.scim('POST', '/Users', {
        schemas: [USER_SCHEMA],
        userName: 'strong@okta.local',
        password: STRONG,
      });
      expect(created.status, created.raw).toBe(201);
      responses.push(created);
      const id = created.body.id as string;
      const stored = await harness.roster.store.users.get(site.site.id, id);
      expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
      expect(stored?.passwordChangedAt).toEqual(expect.any(Number));

      responses.push(await site.scim('GET', `/Users/${id}`));
      responses.push(await site.scim('GET', '/Users'));
      responses.push(await site.scim('GET', filterQuery('userName eq "strong@okta.local"')));
      responses.push(
        await site.scim('PUT', `/Users/${id}`, {
          schemas: [USER_SCHEMA],
          userName: 'strong@okta.local',
          title: 'Put',
          password: `${STRONG}-put`,
        }),
      );
      responses.push(
        await site.scim('PATCH', `/Users/${id}`, patch({ op: 'replace', path: 'title', value: 'Patched' })),
      );
      for (const response of responses) {
        expect(response.status, response.raw).toBeLessThan(300);
        expect(response.raw).not.toContain(STRONG);
        expect(response.raw).not.toContain('argon2');
        expect(response.raw).not.toMatch(/"password"/i);
      }
      const logged = JSON.stringify(await events(site));
      expect(logged).not.toContain(STRONG);
      expect(logged).not.toContain('argon2');
    });

    it('changes the hash through PATCH, logged as a password change without values', async () => {
      const site = await harness.newSite();
      await harness.roster.services.sites.configure(site.site.slug, { passwordSync: true });
      const created = await site.scim('POST', '/Users', {
        schemas: [USER_SCHEMA],
        userName: 'rotating@okta.local',
        password: STRONG,
      });
      expect(created.status, created.raw).toBe(201);
      const id = created.body.id as string;
      const { store } = harness.roster;
      const hashes = [(await store.users.get(site.site.id, id))!.passwordHash];

      const forms = [
        { op: 'replace', value: { password: 'Second-Password-2' } },
        { op: 'replace', path: 'password', value: 'Third-Password-3' },
      ];
      for (const operation of forms) {
        const patched = await site.scim('PATCH', `/Users/${id}`, patch(operation));
        expect(patched.status, patched.raw).toBe(200);
        expect(patched.body.password).toBeUndefined();
        const user = await store.users.get(site.site.id, id);
        expect(user?.passwordHash).toMatch(/^\$argon2id\$/);
        expect(hashes).not.toContain(user?.passwordHash);
        hashes.push(user!.passwordHash);

        const [event] = await events(site);
        expect(event).toMatchObject({ operation: 'password change', outcome: 'success', httpStatus: 200 });
        expect(event!.changes).toEqual([{ field: 'password' }]);
        expect(JSON.stringify(event)).not.toMatch(/Password-[23]/);
      }
    });

    it('enforces a custom policy', async () => {
      const site = await harness.newSite();
      await harness.roster.services.sites.configure(site.site.slug, {
        passwordSync: true,
        passwordPolicy: { minLength: 12, requireSymbol: true },
      });
      const short = await site.scim('POST', '/Users', {
        schemas: [USER_SCHEMA],
        userName: 'policy@okta.local',
        password: 'Abcdefgh123',
      });
      expect(short.status, short.raw).toBe(400);
      expect(short.body.detail).toContain('at least 12 characters');
      expect(short.body.detail).toContain('a symbol');

      const noSymbol = await site.scim('POST', '/Users', {
        schemas: [USER_SCHEMA],
        userName: 'policy@okta.local',
        password: 'Abcdefgh12345',
      });
      expect(noSymbol.status, noSymbol.raw).toBe(400);
      const needs = (noSymbol.body.detail as string).split('(policy')[0]!;
      expect(needs).toContain('a symbol');
      expect(needs).not.toContain('12 characters');

      const good = await site.scim('POST', '/Users', {
        schemas: [USER_SCHEMA],
        userName: 'policy@okta.local',
        password: 'Abcdefgh123!',
      });
      expect(good.status, good.raw).toBe(201);

      // A PATCH is held to the same policy, and a refused one leaves the hash alone.
      const { store } = harness.roster;
      const hash = (await store.users.get(site.site.id, good.body.id))!.passwordHash;
      const weakPatch = await site.scim(
        'PATCH',
        `/Users/${good.body.id}`,
        patch({ op: 'replace', path: 'password', value: 'Short1!' }),
      );
      expect(weakPatch.status, weakPatch.raw).toBe(400);
      expect(weakPatch.body.scimType).toBe('invalidValue');
      expect((await store.users.get(site.site.id, good.body.id))!.passwordHash).toBe(hash);
    });

    it('advertises changePassword only while the site syncs passwords', async () => {
      const site = await harness.newSite();
      const other = await harness.newSite();
      expect((await site.scim('GET', '/ServiceProviderConfig')).body.changePassword).toEqual({
        supported: false,
      });
      await harness.roster.services.sites.configure(site.site.slug, { passwordSync: true });
      expect((await site.scim('GET', '/ServiceProviderConfig')).body.changePassword).toEqual({
        supported: true,
      });
      expect((await other.scim('GET', '/ServiceProviderConfig')).body.changePassword).toEqual({
        supported: false,
      });
      await harness.roster.services.sites.configure(site.site.slug, { passwordSync: false });
      expect((await site.scim('GET', '/ServiceProviderConfig')).body.changePassword).toEqual({
        supported: false,
      });
    });
  });
});
