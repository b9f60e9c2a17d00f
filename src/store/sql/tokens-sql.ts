import type { SiteRecord } from '../../model/site.js';
import type { TokenRecord } from '../../model/token.js';
import type { TokenWrites } from '../store.js';
import type { SqlExecutor } from './connection.js';
import { SITE_COLUMNS, type SiteRow, TOKEN_COLUMNS, type TokenRow, toSite, toToken } from './rows.js';

type ResolvedRow = TokenRow & { [K in Exclude<keyof SiteRow, 'id'> as `site_${K}`]: SiteRow[K] };

/** The site's columns but its id (the token's `site_id`), renamed so they do not collide with the token's. */
const SITE_AS = SITE_COLUMNS.split(', ')
  .filter((column) => column !== 's.id')
  .map((column) => `${column} AS site_${column.slice(2)}`)
  .join(', ');

/** Built once: it runs on every request. */
const RESOLVE = `SELECT ${TOKEN_COLUMNS}, ${SITE_AS} FROM access_tokens t JOIN sites s ON s.id = t.site_id WHERE t.token_hash = ?`;
const BY_ID = `SELECT ${TOKEN_COLUMNS} FROM access_tokens t WHERE t.site_id = ? AND t.id = ?`;
const OF_SITE = `SELECT ${TOKEN_COLUMNS} FROM access_tokens t WHERE t.site_id = ? ORDER BY t.created_at, t.id`;

export class TokenSql implements TokenWrites {
  constructor(private readonly sql: SqlExecutor) {}

  async insert(token: TokenRecord): Promise<void> {
    await this.sql.run(
      'INSERT INTO access_tokens (site_id, id, token_hash, token_hint, description, scope, created_by, created_at, expires_at, revoked_at, last_used_at) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        token.siteId,
        token.id,
        token.tokenHash,
        token.tokenHint,
        token.description,
        token.scope,
        token.createdBy,
        token.createdAt,
        token.expiresAt,
        token.revokedAt,
        token.lastUsedAt,
      ],
    );
  }

  async resolve(tokenHash: string): Promise<{ token: TokenRecord; site: SiteRecord } | undefined> {
    const row = await this.sql.get<ResolvedRow>(RESOLVE, [tokenHash]);
    if (!row) return undefined;
    return {
      token: toToken(row),
      site: toSite({
        id: row.site_id,
        slug: row.site_slug,
        name: row.site_name,
        settings: row.site_settings,
        extensions: row.site_extensions,
        created_at: row.site_created_at,
      }),
    };
  }

  async get(siteId: string, id: string): Promise<TokenRecord | undefined> {
    const row = await this.sql.get<TokenRow>(BY_ID, [siteId, id]);
    return row && toToken(row);
  }

  async list(siteId: string): Promise<TokenRecord[]> {
    const rows = await this.sql.all<TokenRow>(OF_SITE, [siteId]);
    return rows.map(toToken);
  }

  async revoke(siteId: string, id: string, at: number): Promise<boolean> {
    const result = await this.sql.run(
      'UPDATE access_tokens SET revoked_at = ? WHERE site_id = ? AND id = ? AND revoked_at IS NULL',
      [at, siteId, id],
    );
    return result.changes > 0;
  }

  async touch(siteId: string, id: string, at: number): Promise<void> {
    await this.sql.run('UPDATE access_tokens SET last_used_at = ? WHERE site_id = ? AND id = ?', [
      at,
      siteId,
      id,
    ]);
  }
}
