import type { FastifyRequest } from 'fastify';
import type { Authenticated, TokenService } from '../../directory/tokens.js';
import { RosterError } from '../../errors.js';

/**
 * The secret of `Authorization: Bearer <token>` (the scheme in any letter case), or of a bare
 * `<token>`: some Okta set-ups send the token without the scheme. Any other scheme (`Basic`,
 * `Token`, …) is not a bearer token, whatever follows it.
 */
export function presentedToken(header: string | undefined): string | { readonly scheme: string } | undefined {
  if (header === undefined) return undefined;
  const trimmed = header.trim();
  const match = /^(\S+)\s+(\S+)$/.exec(trimmed);
  if (!match) return /\s/.test(trimmed) ? { scheme: trimmed.split(/\s+/)[0]! } : trimmed;
  if (match[1]!.toLowerCase() !== 'bearer') return { scheme: match[1]! };
  return match[2];
}

/** Resolves the request's token to its site, or throws the 401 the token service decided on. */
export function authenticate(request: FastifyRequest, tokens: TokenService): Promise<Authenticated> {
  const presented = presentedToken(request.headers.authorization);
  if (typeof presented === 'object') {
    const scheme = presented.scheme.length > 20 ? `${presented.scheme.slice(0, 20)}…` : presented.scheme;
    return Promise.reject(
      new RosterError(
        'token-malformed',
        `The Authorization header uses the '${scheme}' scheme: send the site's SCIM access token as "Authorization: Bearer rst_…".`,
      ),
    );
  }
  return tokens.authenticate(presented, {
    id: request.id,
    method: request.method,
    path: request.url.split('?')[0] ?? '',
  });
}
