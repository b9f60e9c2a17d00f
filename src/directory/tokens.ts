import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { RosterError } from '../errors.js';
import type { SiteRecord } from '../model/site.js';
import type { TokenRecord } from '../model/token.js';
import type { FieldChange } from '../model/event.js';
import type { Store } from '../store/store.js';
import type { RequestContext } from './context.js';
import { newId } from './ids.js';
import { provisioningEvent } from './provisioning-log.js';

/** A recognisable prefix lets secret scanners find leaked tokens. */
export const TOKEN_PREFIX = 'rst_';
export const DEFAULT_TOKEN_DAYS = 365;
/** The longest a token may be valid: ten years. */
export const MAX_TOKEN_DAYS = 3650;
export const SCIM_SCOPE = 'scim';
const DAY_MS = 24 * 60 * 60 * 1000;
/** `last_used_at` is written at most this often per token, so reads do not each cost a write. */
const LAST_USED_RESOLUTION_MS = 60_000;
/** Refusals of one expired or revoked token are one provisioning event per this window, with a count. */
const REFUSAL_WINDOW_MS = 60_000;

export interface IssuedToken {
  readonly record: TokenRecord;
  /** The secret itself: shown once, never stored. */
  readonly token: string;
}

export interface Authenticated {
  readonly site: SiteRecord;
  readonly token: TokenRecord;
}

/** The request an authentication is for, named in the log when it is refused. */
export interface RequestLine {
  readonly id: string;
  readonly method: string;
  readonly path: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A token is `rst_` and 43 base64url characters (256 random bits). */
const TOKEN_SHAPE = /^rst_[A-Za-z0-9_-]{43}$/;

const REASONS = {
  missing: 'Send the site\'s SCIM access token in the Authorization header: "Authorization: Bearer rst_…".',
  malformed: 'The Authorization header does not carry a Roster SCIM access token (they start with "rst_").',
  unknown: 'The SCIM access token is not valid for any site.',
  expired:
    'The SCIM access token has expired. A Promaster can create a new one for the site and paste it into the identity provider.',
  revoked: 'The SCIM access token has been revoked. A Promaster can create a new one for the site.',
} as const;

export class TokenService {
  constructor(private readonly store: Store) {}

  /** Issues a token; with a context (an operator's command), the site's log records who did. */
  async issue(
    site: SiteRecord,
    options: { description?: string; days?: number; createdBy: string },
    context?: RequestContext,
  ): Promise<IssuedToken> {
    const days = options.days ?? DEFAULT_TOKEN_DAYS;
    if (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS) {
      throw new RosterError(
        'invalid-argument',
        `A token is valid for a whole number of days from 1 to ${MAX_TOKEN_DAYS}.`,
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
    await this.store.transaction(async (tx) => {
      await tx.tokens.insert(record);
      if (context) {
        await tx.events.append(
          tokenEvent(context, record, 'token create', 201, [
            { field: 'expiresAt', after: new Date(record.expiresAt).toISOString() },
          ]),
        );
      }
    });
    return { record, token };
  }

  list(site: SiteRecord): Promise<TokenRecord[]> {
    return this.store.tokens.list(site.id);
  }

  /**
   * Revokes one of the site's tokens; another site's token id is "not found". Its walk marks go
   * too. With a context (an operator's command), the site's log records who did.
   */
  revoke(site: SiteRecord, id: string, context?: RequestContext): Promise<TokenRecord> {
    return this.store.transaction(async (tx) => {
      const token = await tx.tokens.get(site.id, id);
      if (!token) throw new RosterError('token-not-found', `Site '${site.slug}' has no token '${id}'.`);
      const at = Date.now();
      if (!(await tx.tokens.revoke(site.id, id, at))) {
        throw new RosterError('token-already-revoked', `Token '${id}' was already revoked.`);
      }
      await tx.paging.purgeMarks(site.id, 0, id);
      if (context) {
        await tx.events.append(
          tokenEvent(context, token, 'token revoke', 200, [
            { field: 'revokedAt', after: new Date(at).toISOString() },
          ]),
        );
      }
      return { ...token, revokedAt: at };
    });
  }

  /**
   * Resolves the presented secret to its token and site, or refuses with a 401 saying why. Looked
   * up on every request (no cache), so revocation and expiry take effect on the very next request,
   * on every node. An expired or revoked token still names its site, so the refusal is written to
   * that site's provisioning log (an expired token is the usual reason provisioning stops): one
   * event per token per minute, counting the requests, so a misconfigured client cannot grow the
   * log without bound.
   */
  async authenticate(presented: string | undefined, request: RequestLine): Promise<Authenticated> {
    if (presented === undefined || presented === '') throw refusal('missing');
    if (!TOKEN_SHAPE.test(presented)) throw refusal('malformed');
    const hash = hashToken(presented);
    const found = await this.store.tokens.resolve(hash);
    const token = found?.token;
    // The lookup is by hash; comparing the hashes again in constant time keeps any timing
    // difference of the index lookup from telling an attacker how close a guess came.
    if (!token || !timingSafeEqual(Buffer.from(token.tokenHash, 'hex'), Buffer.from(hash, 'hex'))) {
      throw refusal('unknown');
    }
    const now = Date.now();
    const reason = token.revokedAt !== null ? 'revoked' : now >= token.expiresAt ? 'expired' : undefined;
    if (reason) {
      await this.recordRefusal(token, reason, request, now);
      throw refusal(reason);
    }
    if (token.lastUsedAt === null || now - token.lastUsedAt >= LAST_USED_RESOLUTION_MS) {
      await this.store.transaction((tx) => tx.tokens.touch(token.siteId, token.id, now), { relaxed: true });
    }
    return { token, site: found.site };
  }

  private async recordRefusal(
    token: TokenRecord,
    reason: 'expired' | 'revoked',
    request: RequestLine,
    now: number,
  ): Promise<void> {
    const window = now - (now % REFUSAL_WINDOW_MS);
    const event = provisioningEvent(
      { siteId: token.siteId, kind: 'scim', tokenId: token.id, requestId: request.id },
      {
        operation: 'authenticate',
        resourceType: 'Token',
        resourceId: token.id,
        resourceName: token.description,
        outcome: 'failure',
        httpStatus: 401,
        detail: `${request.method} ${request.path} refused: token ${reason}.`,
      },
      windowEventId(token.id, window),
      now,
    );
    // A log that cannot be written must not turn a 401 into a 500: the refusal stands either way.
    await this.store.transaction((tx) => tx.events.appendOrCount(event)).catch(() => undefined);
  }
}

function tokenEvent(
  context: RequestContext,
  token: TokenRecord,
  operation: string,
  httpStatus: number,
  changes: FieldChange[],
) {
  return provisioningEvent(context.actor, {
    operation,
    resourceType: 'Token',
    resourceId: token.id,
    resourceName: token.description,
    outcome: 'success',
    httpStatus,
    changes,
  });
}

function refusal(reason: keyof typeof REASONS): RosterError {
  return new RosterError(`token-${reason}`, REASONS[reason]);
}

/**
 * The id of a token's refusal event in one time window: shaped as a UUID version 7 of the window's
 * start (so events still sort by time), with the rest derived from the token and the window, so
 * every node names the same event and counts into it.
 */
function windowEventId(tokenId: string, windowStart: number): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(windowStart, 0, 6);
  createHash('sha256').update(`${tokenId}/${windowStart}`).digest().copy(bytes, 6, 0, 10);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
