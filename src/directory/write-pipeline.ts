import { isRetryable, RosterError } from '../errors.js';
import type { FieldChange } from '../model/event.js';
import type { StoredResource } from '../model/resource.js';
import { type TagCondition, tagMatches } from '../scim/etag.js';
import { parsePatchRequest } from '../scim/patch/request.js';
import type { ResourceSchema } from '../scim/schema/registry.js';
import type { Store, StoreTransaction } from '../store/store.js';
import type { RequestContext } from './context.js';
import { provisioningEvent, recordingRefusals } from './provisioning-log.js';
import { NO_SIDE_EFFECTS, type Draft, type ResourceKind } from './registry/resource-kind.js';
import { versionTag } from './render.js';

/** A deadlock or serialization failure is retried this many times before the client gets a 503. */
const WRITE_ATTEMPTS = 3;

export interface Written<R> {
  readonly record: R;
  /** A create that brought back a record a SCIM DELETE had removed. */
  readonly restored: boolean;
}

/**
 * The one write pipeline of the directory. Every SCIM write of every resource type runs the same
 * steps, in one transaction that also writes its provisioning event:
 *
 *   transaction → lock → If-Match → build and normalise → no-change check → write → a broken unique
 *   index mapped to the product rule it enforces → provisioning event → counts
 *
 * A resource kind's hooks decide what each step means for its records; the order is decided here.
 * Slow work that does not need the lock (parsing, hashing a password) happens before the
 * transaction opens. A refused write is recorded in the log after its transaction rolled back. The
 * pipeline says what is written; the store decides how the statements travel.
 */
export class WritePipeline {
  constructor(private readonly store: Store) {}

  create<R extends StoredResource, D extends Draft, P>(
    context: RequestContext,
    kind: ResourceKind<R, D, P>,
    schema: ResourceSchema,
    body: unknown,
  ): Promise<Written<R>> {
    return this.logged(context, kind, kind.operations.create, { body }, async () => {
      const draft = kind.fromBody(schema, body);
      const prepared = await kind.prepare(context.site, draft);
      return this.transact(async (tx) => {
        const now = Date.now();
        const restoring = kind.claim ? await kind.claim(tx, context.site.id, draft) : undefined;
        const built = kind.build(context, restoring, draft, prepared, now);
        const record = restoring ? stamp(built, restoring, now) : built;
        await mapped(kind, record, () =>
          restoring ? kind.update(tx, record, restoring) : kind.insert(tx, record),
        );
        const effects = kind.relate ? await kind.relate(tx, record, draft, restoring) : NO_SIDE_EFFECTS;
        const restored = restoring !== undefined;
        await tx.events.append(
          provisioningEvent(context.actor, {
            operation: restored
              ? (kind.operations.restore ?? kind.operations.create)
              : kind.operations.create,
            resourceType: kind.name,
            resourceId: record.id,
            ...kind.names(record),
            outcome: 'success',
            httpStatus: 201,
            changes: [...kind.changes(restoring, record, prepared), ...effects.changes],
            detail: joined([...effects.notes, ...kind.notes(context, draft)]),
          }),
        );
        // Last, so the site's counter row is locked only until the commit that follows.
        await tx.counts.adjust(context.site.id, kind.counted, 1);
        return { record, restored };
      });
    });
  }

  /** PUT (RFC 7644 §3.5.1): the body replaces every writable attribute. */
  replace<R extends StoredResource, D extends Draft, P>(
    context: RequestContext,
    kind: ResourceKind<R, D, P>,
    schema: ResourceSchema,
    id: string,
    body: unknown,
    ifMatch: TagCondition | undefined,
  ): Promise<R> {
    return this.logged(context, kind, kind.operations.update, { id }, async () => {
      const draft = kind.fromBody(schema, body);
      const prepared = await kind.prepare(context.site, draft);
      return this.update(context, kind, id, ifMatch, () => draft, prepared);
    });
  }

  /**
   * PATCH (RFC 7644 §3.5.2): the operations apply to the latest version, read inside the
   * transaction, so concurrent PATCHes never lose each other's changes. When the operations may
   * need slow preparation (a password to hash), a first pass over the current version finds it
   * before the transaction opens.
   */
  patch<R extends StoredResource, D extends Draft, P>(
    context: RequestContext,
    kind: ResourceKind<R, D, P>,
    schema: ResourceSchema,
    id: string,
    body: unknown,
    ifMatch: TagCondition | undefined,
  ): Promise<R> {
    return this.logged(context, kind, kind.operations.update, { id }, async () => {
      const operations = parsePatchRequest(body);
      if (!kind.patchNeedsPreparation(operations)) {
        return this.update(
          context,
          kind,
          id,
          ifMatch,
          (latest) => kind.fromPatch(schema, latest, operations),
          undefined,
        );
      }
      const current = await kind.read(this.store, context.site.id, id);
      if (!current) throw kind.notFound(id);
      const preview = kind.fromPatch(schema, current, operations);
      const prepared = await kind.prepare(context.site, preview);
      return this.update(
        context,
        kind,
        id,
        ifMatch,
        (latest) =>
          latest.version === current.version ? preview : kind.fromPatch(schema, latest, operations),
        prepared,
      );
    });
  }

  /** DELETE (RFC 7644 §3.6): what it means is the kind's (users are hidden, groups removed). */
  delete<R extends StoredResource, D extends Draft, P>(
    context: RequestContext,
    kind: ResourceKind<R, D, P>,
    id: string,
    ifMatch: TagCondition | undefined,
  ): Promise<void> {
    return this.logged(context, kind, kind.operations.delete, { id }, () =>
      this.transact(async (tx) => {
        const existing = await kind.lock(tx, context.site.id, id, 'delete');
        if (!existing) throw kind.notFound(id);
        checkPrecondition(kind, existing, ifMatch);
        const removal = await kind.remove(tx, context, existing, Date.now());
        await tx.events.append(
          provisioningEvent(context.actor, {
            operation: kind.operations.delete,
            resourceType: kind.name,
            resourceId: id,
            ...kind.names(existing),
            outcome: 'success',
            httpStatus: 204,
            changes: removal.changes,
            detail: removal.detail,
          }),
        );
        await tx.counts.adjust(context.site.id, kind.counted, -1);
      }),
    );
  }

  private update<R extends StoredResource, D extends Draft, P>(
    context: RequestContext,
    kind: ResourceKind<R, D, P>,
    id: string,
    ifMatch: TagCondition | undefined,
    draftOf: (latest: R) => D,
    prepared: P | undefined,
  ): Promise<R> {
    return this.transact(async (tx) => {
      const existing = await kind.lock(tx, context.site.id, id, 'update');
      if (!existing) throw kind.notFound(id);
      checkPrecondition(kind, existing, ifMatch);
      const draft = draftOf(existing);
      const now = Date.now();
      const next = kind.build(context, existing, draft, prepared, now);
      await refusedAs(
        () => kind.check?.(tx, existing, next),
        () => kind.operation(existing, next, []),
      );
      const effects = kind.relate ? await kind.relate(tx, existing, draft, existing) : NO_SIDE_EFFECTS;
      const changes: FieldChange[] = [...kind.changes(existing, next, prepared), ...effects.changes];
      const notes = [...effects.notes, ...kind.notes(context, draft)];
      if (changes.length === 0) {
        // Identity providers push unchanged resources often; nothing is written, so the ETag holds.
        await tx.events.append(
          provisioningEvent(context.actor, {
            operation: kind.operations.update,
            resourceType: kind.name,
            resourceId: id,
            ...kind.names(existing),
            outcome: 'success',
            httpStatus: 200,
            detail: joined(['No changes.', ...notes]),
          }),
        );
        return existing;
      }
      const record = stamp(next, existing, now);
      await mapped(kind, record, () => kind.update(tx, record, existing));
      await tx.events.append(
        provisioningEvent(context.actor, {
          operation: kind.operation(existing, record, changes),
          resourceType: kind.name,
          resourceId: id,
          ...kind.names(record),
          outcome: 'success',
          httpStatus: 200,
          changes,
          detail: joined(notes),
        }),
      );
      return record;
    });
  }

  /**
   * One transaction, run again when it lost a deadlock or a serialization failure: the database
   * rolled it back whole, so running it again is safe, and the loser usually wins the next time.
   */
  private async transact<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.store.transaction(work);
      } catch (error) {
        if (!isRetryable(error) || attempt >= WRITE_ATTEMPTS) throw error;
        await pause(attempt);
      }
    }
  }

  private logged<T, R extends StoredResource, D extends Draft, P>(
    context: RequestContext,
    kind: ResourceKind<R, D, P>,
    operation: string,
    target: { readonly id: string } | { readonly body: unknown },
    work: () => Promise<T>,
  ): Promise<T> {
    // A refused write names what it was for: the record it would have changed, or, for a create,
    // what the request body called it.
    const names =
      'id' in target
        ? async () => {
            const record = await kind.read(this.store, context.site.id, target.id);
            return record ? kind.names(record) : {};
          }
        : () => Promise.resolve(kind.namesInBody(target.body));
    return recordingRefusals(
      this.store,
      context.actor,
      { operation, resourceType: kind.name, resourceId: 'id' in target ? target.id : undefined, names },
      work,
    );
  }
}

/**
 * Runs a check of the write; a refusal names the operation the write was (a PATCH of `active`
 * refused is a refused `disable` in the log, not an `update`).
 */
async function refusedAs(check: () => Promise<void> | undefined, operation: () => string): Promise<void> {
  try {
    await check();
  } catch (error) {
    throw error instanceof RosterError && error.operation === undefined
      ? error.withOperation(operation())
      : error;
  }
}

/** The next version of a record: version and last-modified move on. */
function stamp<R extends StoredResource>(record: R, previous: R, now: number): R {
  return { ...record, version: previous.version + 1, updatedAt: now };
}

/** Runs a write, naming a broken unique index by the product rule it enforces. */
async function mapped<R extends StoredResource>(
  kind: Pick<ResourceKind<R, Draft>, 'uniqueRule'>,
  record: R,
  write: () => Promise<void>,
): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (error instanceof RosterError && error.code === 'unique-violation') {
      throw kind.uniqueRule(error.constraint, record) ?? error;
    }
    throw error;
  }
}

/**
 * If-Match (RFC 7644 §3.14), checked against the row locked by the write's own transaction, so a
 * client that read version N never overwrites version N+1.
 */
function checkPrecondition<R extends StoredResource>(
  kind: Pick<ResourceKind<R, Draft>, 'name'>,
  record: R,
  ifMatch: TagCondition | undefined,
): void {
  const version = versionTag(record);
  if (ifMatch && !tagMatches(ifMatch, version)) {
    throw new RosterError(
      'version-mismatch',
      `${kind.name} '${record.id}' has changed: its version is ${version}. Read it again and retry.`,
    );
  }
}

function joined(notes: readonly string[]): string | null {
  return notes.length > 0 ? notes.join(' ') : null;
}

function pause(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20 * attempt));
}
