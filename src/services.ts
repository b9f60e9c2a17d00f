import type { PasswordHasher } from './directory/users.js';
import { SiteService } from './directory/sites.js';
import { TokenService } from './directory/tokens.js';
import { GroupService } from './directory/groups.js';
import { DEFAULT_CURSOR_TIMEOUT_MS } from './directory/paging.js';
import { PrivilegeService } from './directory/privileges.js';
import { argon2idHasher, UserService } from './directory/users.js';
import { groupResourceSchema, userResourceSchema } from './scim/schema/resource-types.js';
import type { SqlDatabase } from './store/sql/connection.js';
import { SqlStore } from './store/sql/sql-store.js';
import type { Store } from './store/store.js';

/** The directory services over one store: what the HTTP edge and the CLI both call. */
export interface Services {
  readonly store: Store;
  readonly sites: SiteService;
  readonly tokens: TokenService;
  readonly users: UserService;
  readonly groups: GroupService;
  readonly privileges: PrivilegeService;
}

export function createServices(
  database: SqlDatabase,
  options: { hashPassword?: PasswordHasher; cursorTimeoutMs?: number } = {},
): Services {
  const store = new SqlStore(database);
  return {
    store,
    sites: new SiteService(store),
    tokens: new TokenService(store),
    users: new UserService(store, userResourceSchema, options.hashPassword ?? argon2idHasher, {
      cursorTimeoutMs: options.cursorTimeoutMs ?? DEFAULT_CURSOR_TIMEOUT_MS,
    }),
    groups: new GroupService(
      store,
      groupResourceSchema,
      options.cursorTimeoutMs ?? DEFAULT_CURSOR_TIMEOUT_MS,
    ),
    privileges: new PrivilegeService(store),
  };
}
