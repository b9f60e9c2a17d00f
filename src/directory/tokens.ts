import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SiteRecord, Store, TokenRecord } from '../store/store.js';
import { newId } from './ids.js';
import { RosterError } from '../errors.js';

/** A recognisable prefix lets secret scanners find leaked tokens. */
export const TOKEN_PREFIX = 'rst_';
export const DEFAULT_TOKEN_DAYS = 365;
export const SCIM_SCOPE = 'scim';
const DAY_MS = 24 * 60 * 60 * 1000;
/** `last_used_at` is written at most this often per token, so reads do not each cost a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface IssuedToken {
  readonly record: TokenRecord;
  /** The secret itself: shown once, never stored. */
  readonly token: string;
}

export type TokenCheck =
  | { readonly ok: true; readonly token: TokenRecord; readonly site: SiteRecord }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'unknown' }
  | { readonly ok: false; readonly reason: 'expired' | 'revoked'; readonly token: TokenRecord };

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A token is `rst_` and 43 base64url characters (256 random bits). */
const TOKEN_SHAPE = /^rst_[A-Za-z0-9_-]{43}$/;

export class TokenService {
  constructor(private readonly store: Store) {}

  async issue(
    site: SiteRecord,
    options: { description?: string; days?: number; createdBy: string },
  ): Promise<IssuedToken> {
    const days = options.days ?? DEFAULT_TOKEN_DAYS;
    if (!Number.isInteger(days) || days < 1 || days > 3650) {
      throw new RosterError(
        'invalid-argument',
        'A token is valid for a whole number of days from 1 to 3650.',
      );
    }
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const now = Date.now();
    const record: TokenRecord = {
      id: newId(),
      siteId: site.id,
      tokenHash: hashToken(token),
      tokenHint: token.slice(0, TOKEN_PREFIX.length + 4),
      description: options.description?.trim() || 'SCIM access token',
      scope: SCIM_SCOPE,
      createdBy: options.createdBy,
      createdAt: now,
      expiresAt: now + days * DAY_MS,
      revokedAt: null,
      lastUsedAt: null,
    };
    await this.store.insertToken(record);
    return { record, token };
  }

  list(site: SiteRecord): Promise<TokenRecord[]> {
    return this.store.listTokens(site.id);
  }

  async revoke(id: string): Promise<TokenRecord> {
    const token = await this.store.getTokenById(id);
    if (!token) throw new RosterError('token-not-found', `Token '${id}' does not exist.`);
    if (token.revokedAt !== null)
      throw new RosterError('token-already-revoked', `Token '${id}' was already revoked.`);
    const at = Date.now();
    await this.store.revokeToken(token.siteId, token.id, at);
    return { ...token, revokedAt: at };
  }

  /**
   * Resolves a presented secret to its token and site. Looked up on every request (no cache), so
   * revocation and expiry take effect on the very next request, on every node.
   */
  async check(presented: string | undefined): Promise<TokenCheck> {
    if (presented === undefined || presented === '') return { ok: false, reason: 'missing' };
    if (!TOKEN_SHAPE.test(presented)) return { ok: false, reason: 'malformed' };
    const hash = hashToken(presented);
    const found = await this.store.findTokenWithSite(hash);
    const token = found?.token;
    // The lookup is by hash; comparing the hashes again in constant time keeps any timing
    // difference of the index lookup from telling an attacker how close a guess came.
    if (!token || !timingSafeEqual(Buffer.from(token.tokenHash, 'hex'), Buffer.from(hash, 'hex'))) {
      return { ok: false, reason: 'unknown' };
    }
    const now = Date.now();
    if (token.revokedAt !== null) return { ok: false, reason: 'revoked', token };
    if (now >= token.expiresAt) return { ok: false, reason: 'expired', token };
    const site = found.site;
    if (token.lastUsedAt === null || now - token.lastUsedAt >= LAST_USED_RESOLUTION_MS) {
      await this.store.touchToken(token.siteId, token.id, now);
    }
    return { ok: true, token, site };
  }
}
