import type { PageStart } from '../model/listing.js';
import type { UserRecord } from '../model/resource.js';
import type { SiteRecord } from '../model/site.js';
import type { Store } from '../store/store.js';

const PAGE = 1000;

/** The site's user directory as an administrator sees it: disabled users and SCIM-deleted ones too. */
export class UserDirectory {
  constructor(private readonly store: Store) {}

  /** Active users, or with `inactive` every user the directory keeps; paged by position, not by index. */
  async list(site: SiteRecord, options: { inactive?: boolean } = {}): Promise<UserRecord[]> {
    const result: UserRecord[] = [];
    let start: PageStart = { index: 1 };
    for (;;) {
      const page = await this.store.users.page(
        site.id,
        { start, count: PAGE },
        { includeDeleted: options.inactive === true, activeOnly: options.inactive !== true },
      );
      result.push(...page.items);
      const last = page.positions[page.positions.length - 1];
      if (!page.more || !last) return result;
      start = { after: last };
    }
  }

  /** A user the directory keeps, SCIM-deleted or not. */
  get(site: SiteRecord, id: string): Promise<UserRecord | undefined> {
    return this.store.users.get(site.id, id);
  }
}
