import type { FastifyRequest } from 'fastify';
import type { Authenticated, TokenService } from '../../directory/tokens.js';

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

/** Resolves the request's token to its site, or throws the 401 the token service decided on. */
export function authenticate(request: FastifyRequest, tokens: TokenService): Promise<Authenticated> {
  return tokens.authenticate(presentedToken(request.headers.authorization), {
    id: request.id,
    method: request.method,
    path: request.url.split('?')[0] ?? '',
  });
}
