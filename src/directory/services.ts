import { enterpriseUserSchema } from '../scim/schema/enterprise-user.js';
import { groupSchema } from '../scim/schema/group.js';
import type { PageLimits } from '../scim/search.js';
import { userSchema } from '../scim/schema/user.js';
import { groupResourceType, userResourceType } from '../scim/schema/resource-types.js';
import type { Store } from '../store/store.js';
import { type BulkLimits, BulkService } from './bulk.js';
import { DiscoveryService } from './discovery.js';
import { UserDirectory } from './directory-users.js';
import { EventService } from './events.js';
import { groupKind } from './groups/group-kind.js';
import { DEFAULT_CURSOR_TIMEOUT_MS, Pager } from './paging.js';
import { PrivilegeService } from './privileges.js';
import { ResourceRegistry } from './registry/registry.js';
import { ResourceService } from './resources.js';
import { SchemaService } from './schemas.js';
import { SiteService } from './sites.js';
import { TimeZones } from './time-zones.js';
import { TokenService } from './tokens.js';
import { argon2idHasher, type PasswordHasher, userKind } from './users/user-kind.js';
import { WritePipeline } from './write-pipeline.js';

/** The directory's services: what every edge (the SCIM API, the CLI) calls, and nothing beneath them. */
export interface Services {
  readonly sites: SiteService;
  readonly tokens: TokenService;
  readonly resources: ResourceService;
  /** `POST /Bulk` (RFC 7644 §3.7): many operations of the resource service in one request. */
  readonly bulk: BulkService;
  readonly discovery: DiscoveryService;
  readonly users: UserDirectory;
  readonly privileges: PrivilegeService;
  readonly schemas: SchemaService;
  readonly events: EventService;
  /** One round trip to the database: what a health check needs, and no more. */
  health(): Promise<void>;
}

export interface ServiceOptions {
  readonly hashPassword?: PasswordHasher;
  readonly cursorTimeoutMs?: number;
  readonly pageLimits?: PageLimits;
  /** The operator's documentation, as `/ServiceProviderConfig`'s `documentationUri`; none when absent. */
  readonly documentationUri?: string | undefined;
  /** Bulk's limits, as `/ServiceProviderConfig` tells clients (the edge enforces the payload size). */
  readonly bulk?: BulkLimits;
}

/** Bulk's limits when the configuration gives none (`ROSTER_BULK_MAX_OPERATIONS`, `ROSTER_BULK_BODY_LIMIT`). */
export const DEFAULT_BULK_LIMITS: BulkLimits = { maxOperations: 1000, maxPayloadSize: 4 * 1024 * 1024 };

/**
 * The resource types Roster serves, as data: the User with its enterprise extension, and the Group.
 * A new resource type is one more entry here (and its table in the store).
 */
export function createRegistry(hashPassword: PasswordHasher): ResourceRegistry {
  return new ResourceRegistry([
    {
      definition: userResourceType,
      core: userSchema,
      extensions: [enterpriseUserSchema],
      kind: userKind(hashPassword, new TimeZones()),
    },
    {
      definition: groupResourceType,
      core: groupSchema,
      extensions: [],
      kind: groupKind,
    },
  ]);
}

export function createServices(store: Store, options: ServiceOptions = {}): Services {
  const registry = createRegistry(options.hashPassword ?? argon2idHasher);
  const cursorTimeoutMs = options.cursorTimeoutMs ?? DEFAULT_CURSOR_TIMEOUT_MS;
  const limits = options.pageLimits ?? { defaultPageSize: 100, maxPageSize: 1000 };
  const bulk = options.bulk ?? DEFAULT_BULK_LIMITS;
  const pipeline = new WritePipeline(store);
  const privileges = new PrivilegeService(store);
  const events = new EventService(store);
  const resources = new ResourceService(store, registry, pipeline, new Pager(store, cursorTimeoutMs), limits);
  return {
    sites: new SiteService(store),
    tokens: new TokenService(store),
    resources,
    bulk: new BulkService(store, registry, resources, bulk),
    discovery: new DiscoveryService(registry, {
      maxResults: limits.maxPageSize,
      defaultPageSize: limits.defaultPageSize,
      cursorTimeoutSeconds: Math.round(cursorTimeoutMs / 1000),
      documentationUri: options.documentationUri,
      bulk,
    }),
    users: new UserDirectory(store, registry, pipeline, privileges, events),
    privileges,
    schemas: new SchemaService(store, registry),
    events,
    health: () => store.ping(),
  };
}
