import type { CountedResource, CountWrites } from '../store.js';
import type { SqlExecutor } from './connection.js';

/** How many rows one site's count is spread over: the contention of concurrent writers divides by it. */
const SHARDS = 16;

/**
 * The number of SCIM-visible resources of a site, kept up to date in each write's transaction so
 * that totalResults costs no scan. A write adds to one shard chosen at random; a read sums them.
 */
export class CountSql implements CountWrites {
  constructor(private readonly sql: SqlExecutor) {}

  async adjust(siteId: string, type: CountedResource, delta: number): Promise<void> {
    await this.sql.run(
      'INSERT INTO resource_counts (site_id, resource_type, shard, visible) VALUES (?, ?, ?, ?) ' +
        'ON CONFLICT (site_id, resource_type, shard) DO UPDATE SET visible = resource_counts.visible + excluded.visible',
      [siteId, type, Math.floor(Math.random() * SHARDS), delta],
    );
  }

  visible(siteId: string, type: CountedResource): Promise<number> {
    return resourceCount(this.sql, siteId, type);
  }
}

export async function resourceCount(
  sql: SqlExecutor,
  siteId: string,
  type: CountedResource,
): Promise<number> {
  const row = await sql.get<{ visible: number | null }>(
    'SELECT SUM(visible) AS visible FROM resource_counts WHERE site_id = ? AND resource_type = ?',
    [siteId, type],
  );
  return Number(row?.visible ?? 0);
}
