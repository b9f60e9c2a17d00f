import type { RosterError } from '../../errors.js';
import type { EventNames, FieldChange } from '../../model/event.js';
import type { ListQuery, Page } from '../../model/listing.js';
import type { StoredResource } from '../../model/resource.js';
import type { SiteRecord } from '../../model/site.js';
import type { PatchOperation } from '../../scim/patch/request.js';
import type { ScimObject } from '../../scim/resource.js';
import type { ResourceSchema } from '../../scim/schema/registry.js';
import type { CountedResource, Store, StoreTransaction } from '../../store/store.js';
import type { RequestContext } from '../context.js';

/** What a request body or a PATCH becomes before the transaction: checked, canonical attributes. */
export interface Draft {
  /** Attributes no schema of the resource type defines, ignored (RFC 7644 §3.3) and logged. */
  readonly ignored: readonly string[];
}

/** What a write changed beside the resource's own attributes (memberships), for the log. */
export interface SideEffects {
  readonly changes: readonly FieldChange[];
  readonly notes: readonly string[];
}

export const NO_SIDE_EFFECTS: SideEffects = { changes: [], notes: [] };

/** What a delete did, for the log. */
export interface Removal {
  readonly changes: readonly FieldChange[];
  readonly detail: string | null;
}

/**
 * One resource type's product rules, as hooks of the write pipeline and the renderer: everything
 * that differs between users and groups, and nothing that is the same. The pipeline decides the
 * order (transaction → lock → If-Match → build → no-change check → write → constraint → event →
 * counts); a kind decides what each step means for its records.
 */
/**
 * `P` is what `prepare` makes before the transaction (a password hash); writes that need no
 * preparation see `undefined`.
 */
export interface ResourceKind<R extends StoredResource, D extends Draft, P = never> {
  /** The resource type's name: `User`, `Group`. */
  readonly name: string;
  readonly counted: CountedResource;
  /** Names of the operations in the provisioning log. */
  readonly operations: {
    readonly create: string;
    readonly update: string;
    readonly delete: string;
    /** A create that brought back what a SCIM DELETE removed. */
    readonly restore?: string;
  };
  /** What the log calls the record: its name (a Logon, a group's name), a user's Logon, its externalId. */
  names(record: R): EventNames;
  /**
   * The same names read from a request body the directory refused before it became a record (a
   * create with a bad time zone, a weak password, a Logon taken), so the log says whom it was for.
   */
  namesInBody(body: unknown): EventNames;
  notFound(id: string): RosterError;
  /** The product's rule a broken unique index enforces (a Logon, a group name), if it is one of ours. */
  uniqueRule(constraint: string | undefined, record: R): RosterError | undefined;

  /** A record SCIM shows (not removed by a SCIM DELETE). */
  read(store: Store, siteId: string, id: string): Promise<R | undefined>;
  /** A page of the records SCIM shows. */
  list(store: Store, siteId: string, query: ListQuery): Promise<Page<R>>;
  /** The record, locked until the transaction ends; a delete may lock what it will touch first. */
  lock(
    tx: StoreTransaction,
    siteId: string,
    id: string,
    purpose: 'update' | 'delete',
  ): Promise<R | undefined>;
  insert(tx: StoreTransaction, record: R): Promise<void>;
  update(tx: StoreTransaction, record: R, previous: R): Promise<void>;

  /** A POST or PUT body as a draft (RFC 7644 §3.3, §3.5.1); refuses what the kind cannot store. */
  fromBody(schema: ResourceSchema, body: unknown): D;
  /** PATCH operations applied to the current record (RFC 7644 §3.5.2). */
  fromPatch(schema: ResourceSchema, current: R, operations: readonly PatchOperation[]): D;
  /** Whether a PATCH needs `prepare` before its transaction (a password to hash). */
  patchNeedsPreparation(operations: readonly PatchOperation[]): boolean;
  /** Slow work done before the transaction opens (hashing a password). */
  prepare(site: SiteRecord, draft: D): Promise<P | undefined>;

  /** A create's collision, locked: the record a create brings back, or a refusal (thrown). */
  claim?(tx: StoreTransaction, siteId: string, draft: D): Promise<R | undefined>;
  /** The next record: a new one, a restored one or the next version; the pipeline stamps version and times. */
  build(context: RequestContext, existing: R | undefined, draft: D, prepared: P | undefined, now: number): R;
  /** The fields that differ, for the no-change check and the log. */
  changes(before: R | undefined, after: R, prepared: P | undefined): FieldChange[];
  /** The operation an update is logged as (`disable`, `group change`, …). */
  operation(before: R, after: R, changes: readonly FieldChange[]): string;
  /** Notes for the log: ignored attributes, an ignored password. */
  notes(context: RequestContext, draft: D): string[];
  /** Rules checked before the record is written (the last Promaster). */
  check?(tx: StoreTransaction, before: R | undefined, after: R): Promise<void>;
  /** Writes what lives beside the record (memberships), set-based; after the record on a create. */
  relate?(tx: StoreTransaction, record: R, draft: D, before: R | undefined): Promise<SideEffects>;
  /** A delete: what SCIM DELETE means for this kind (users are hidden, groups removed). */
  remove(tx: StoreTransaction, context: RequestContext, existing: R, now: number): Promise<Removal>;

  /**
   * The attributes the server derives (`active`, `groups`, `members`) for each record, in order:
   * read for a whole page at once, and only those the response shows.
   */
  derive(
    store: Store,
    siteId: string,
    records: readonly R[],
    wants: (attribute: string) => boolean,
    scimBase: string,
  ): Promise<ScimObject[]>;
  /** How many records of a page a response carries (a page of big groups may carry fewer, RFC 7644 §3.4.2.4). */
  fitPage?(
    store: Store,
    siteId: string,
    records: readonly R[],
    wants: (attribute: string) => boolean,
  ): Promise<number>;
}
