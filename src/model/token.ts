/** A site's SCIM access token. The secret is never stored; `tokenHash` is its SHA-256. */
export interface TokenRecord {
  readonly id: string;
  readonly siteId: string;
  readonly tokenHash: string;
  /** The first characters of the secret, enough to recognise a token in a list. */
  readonly tokenHint: string;
  readonly description: string;
  readonly scope: string;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly revokedAt: number | null;
  readonly lastUsedAt: number | null;
}
