import type { ListPosition, WalkMark } from '../../model/listing.js';
import type { PagingWrites } from '../store.js';
import type { SqlExecutor } from './connection.js';

/** Where index walks continue (walk marks) and the deployment's secrets (the cursor key). */
export class PagingSql implements PagingWrites {
  constructor(private readonly sql: SqlExecutor) {}

  async findMark(
    siteId: string,
    tokenId: string,
    signature: string,
    nextIndex: number,
  ): Promise<WalkMark | undefined> {
    const row = await this.sql.get<{ sort_key: string | null; last_id: string; created_at: number }>(
      'SELECT sort_key, last_id, created_at FROM walk_marks WHERE site_id = ? AND token_id = ? AND signature = ? AND next_index = ?',
      [siteId, tokenId, signature, nextIndex],
    );
    if (!row) return undefined;
    return {
      siteId,
      tokenId,
      signature,
      nextIndex,
      position: {
        key: row.sort_key === null ? null : (JSON.parse(row.sort_key) as ListPosition['key']),
        id: row.last_id,
      },
      createdAt: Number(row.created_at),
    };
  }

  async saveMark(mark: WalkMark): Promise<void> {
    await this.sql.run(
      'INSERT INTO walk_marks (site_id, token_id, signature, next_index, sort_key, last_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT (site_id, token_id, signature, next_index) DO UPDATE SET sort_key = excluded.sort_key, ' +
        'last_id = excluded.last_id, created_at = excluded.created_at',
      [
        mark.siteId,
        mark.tokenId,
        mark.signature,
        mark.nextIndex,
        mark.position.key === null ? null : JSON.stringify(mark.position.key),
        mark.position.id,
        mark.createdAt,
      ],
    );
  }

  async purgeMarks(siteId: string, before: number, tokenId?: string): Promise<void> {
    await this.sql.run(
      `DELETE FROM walk_marks WHERE site_id = ? AND (created_at < ?${tokenId === undefined ? '' : ' OR token_id = ?'})`,
      tokenId === undefined ? [siteId, before] : [siteId, before, tokenId],
    );
  }

  async secret(name: string, create: () => string): Promise<string> {
    const existing = await this.sql.get<{ value: string }>(
      'SELECT value FROM server_secrets WHERE name = ?',
      [name],
    );
    if (existing) return existing.value;
    await this.sql.run(
      'INSERT INTO server_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
      [name, create()],
    );
    const created = await this.sql.get<{ value: string }>('SELECT value FROM server_secrets WHERE name = ?', [
      name,
    ]);
    return created!.value;
  }
}
