import type { FastifyRequest } from 'fastify';
import { provisioningEvent } from '../../directory/provisioning-log.js';
import type { TokenService } from '../../directory/tokens.js';
import { RosterError } from '../../errors.js';
import type { SiteRecord, Store, TokenRecord } from '../../store/store.js';

export interface Authenticated {
  readonly site: SiteRecord;
  readonly token: TokenRecord;
}

/**
 * The secret from `Authorization: Bearer <token>` (scheme in any case), or a bare `<token>`:
 * some Okta set-ups send the token without the scheme.
 */
export function presentedToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const trimmed = header.trim();
  const match = /^bearer\s+(\S+)$/i.exec(trimmed);
  if (match) return match[1];
  return /\s/.test(trimmed) ? trimmed.replace(/^\S+\s+/, '') : trimmed;
}

const REASONS = {
  missing: 'Send the site\'s SCIM access token in the Authorization header: "Authorization: Bearer rst_…".',
  malformed: 'The Authorization header does not carry a Roster SCIM access token (they start with "rst_").',
  unknown: 'The SCIM access token is not valid for any site.',
  expired:
    'The SCIM access token has expired. A Promaster can create a new one for the site and paste it into the identity provider.',
  revoked: 'The SCIM access token has been revoked. A Promaster can create a new one for the site.',
} as const;

/**
 * Resolves the request's token to its site, or throws a 401. An expired or revoked token still
 * names its site, so the refusal is written to that site's provisioning log: an expired token is
 * the usual reason provisioning stops, and the administrator should see it there.
 */
export async function authenticate(
  request: FastifyRequest,
  tokens: TokenService,
  store: Store,
): Promise<Authenticated> {
  const check = await tokens.check(presentedToken(request.headers.authorization));
  if (check.ok) return { site: check.site, token: check.token };
  if (check.reason === 'expired' || check.reason === 'revoked') {
    await store
      .appendEvent(
        provisioningEvent(
          { siteId: check.token.siteId, kind: 'scim', tokenId: check.token.id, requestId: request.id },
          {
            operation: 'authenticate',
            resourceType: 'Token',
            resourceId: check.token.id,
            outcome: 'failure',
            httpStatus: 401,
            detail: `${request.method} ${request.url.split('?')[0]} refused: token ${check.reason}.`,
          },
        ),
      )
      .catch((error: unknown) => {
        request.log.warn({ err: error }, 'could not record an authentication failure');
      });
  }
  throw new RosterError(`token-${check.reason}`, REASONS[check.reason]);
}
