import type { SiteExtension, SiteRecord, SiteSettings } from '../../model/site.js';
import type { SiteWrites } from '../store.js';
import type { SqlExecutor } from './connection.js';
import type { Dialect } from './dialect.js';
import { SITE_COLUMNS, type SiteRow, toSite } from './rows.js';

export class SiteSql implements SiteWrites {
  constructor(
    private readonly sql: SqlExecutor,
    private readonly dialect: Dialect,
  ) {}

  async insert(site: SiteRecord): Promise<void> {
    await this.sql.run(
      'INSERT INTO sites (id, slug, slug_lower, name, settings, extensions, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [
        site.id,
        site.slug,
        site.slug.toLowerCase(),
        site.name,
        JSON.stringify(site.settings),
        JSON.stringify(site.extensions),
        site.createdAt,
      ],
    );
  }

  async bySlug(slug: string): Promise<SiteRecord | undefined> {
    const row = await this.sql.get<SiteRow>(`SELECT ${SITE_COLUMNS} FROM sites s WHERE s.slug_lower = ?`, [
      slug.toLowerCase(),
    ]);
    return row && toSite(row);
  }

  async lock(slug: string): Promise<SiteRecord | undefined> {
    const row = await this.sql.get<SiteRow>(
      `SELECT ${SITE_COLUMNS} FROM sites s WHERE s.slug_lower = ?${this.dialect.forUpdate}`,
      [slug.toLowerCase()],
    );
    return row && toSite(row);
  }

  async list(): Promise<SiteRecord[]> {
    return (
      await this.sql.all<SiteRow>(`SELECT ${SITE_COLUMNS} FROM sites s ORDER BY s.created_at, s.id`)
    ).map(toSite);
  }

  async updateSettings(siteId: string, settings: SiteSettings): Promise<void> {
    await this.sql.run('UPDATE sites SET settings = ? WHERE id = ?', [JSON.stringify(settings), siteId]);
  }

  async rename(siteId: string, name: string): Promise<void> {
    await this.sql.run('UPDATE sites SET name = ? WHERE id = ?', [name, siteId]);
  }

  async updateExtensions(siteId: string, extensions: readonly SiteExtension[]): Promise<void> {
    await this.sql.run('UPDATE sites SET extensions = ? WHERE id = ?', [JSON.stringify(extensions), siteId]);
  }
}
