import { describe, expect, it } from 'vitest';

import { RosterError } from '../errors.js';
import type { ProvisioningEvent } from '../model/event.js';
import type { StoredResource } from '../model/resource.js';
import type { SiteRecord } from '../model/site.js';
import type { TagCondition } from '../scim/etag.js';
import { PATCH_OP_SCHEMA } from '../scim/patch/request.js';
import { groupResourceSchema } from '../scim/schema/resource-types.js';
import type { Store, StoreTransaction } from '../store/store.js';
import type { RequestContext } from './context.js';
import type { Draft, ResourceKind } from './registry/resource-kind.js';
import { WritePipeline } from './write-pipeline.js';

/** A resource with one attribute, `name`, unique per site like a group's name. */
interface Thing extends StoredResource {
  readonly name: string;
}

interface ThingDraft extends Draft {
  readonly name: string;
}

const SITE_ID = 'site-1';
const NAME_CONSTRAINT = 'things_site_name';

/**
 * The store in memory, with what a transaction means: its writes are seen inside it, and kept
 * only when it commits. `steps` records what happened, in order, for the assertions on order.
 */
class FakeStore {
  committed = new Map<string, Thing>();
  committedEvents: ProvisioningEvent[] = [];
  counts = 0;
  working: Map<string, Thing> | undefined;
  workingEvents: ProvisioningEvent[] | undefined;
  readonly steps: string[] = [];
  /** Errors the next transactions throw as they begin (a lost deadlock, say), one each. */
  readonly failNextTransactions: RosterError[] = [];
  /** A unique index the writes break whatever the name, to try constraints the kind does not know. */
  brokenConstraint: string | undefined;

  get records(): Map<string, Thing> {
    return this.working ?? this.committed;
  }

  asStore(): Store {
    const store: Pick<Store, 'transaction'> = {
      transaction: async <T>(work: (tx: StoreTransaction) => Promise<T>) => {
        this.steps.push('begin');
        this.working = new Map(this.committed);
        this.workingEvents = [...this.committedEvents];
        const countsBefore = this.counts;
        try {
          const failure = this.failNextTransactions.shift();
          if (failure) throw failure;
          const result = await work(this.transactionView());
          this.committed = this.working;
          this.committedEvents = this.workingEvents;
          this.steps.push('commit');
          return result;
        } catch (error) {
          this.counts = countsBefore;
          this.steps.push('rollback');
          throw error;
        } finally {
          this.working = undefined;
          this.workingEvents = undefined;
        }
      },
    };
    return store as Store;
  }

  private transactionView(): StoreTransaction {
    const events = {
      append: (event: ProvisioningEvent) => {
        this.steps.push(`event ${event.outcome} ${event.httpStatus}`);
        this.workingEvents!.push(event);
        return Promise.resolve();
      },
    };
    const counts = {
      adjust: (_siteId: string, _type: string, delta: number) => {
        this.steps.push(`count ${delta > 0 ? '+' : ''}${delta}`);
        this.counts += delta;
        return Promise.resolve();
      },
    };
    return { events, counts } as unknown as StoreTransaction;
  }

  write(thing: Thing): void {
    if (this.brokenConstraint) {
      throw new RosterError('unique-violation', 'A unique index was broken.', {
        constraint: this.brokenConstraint,
      });
    }
    const taken = [...this.records.values()].some(
      (other) => other.id !== thing.id && other.name.toLowerCase() === thing.name.toLowerCase(),
    );
    if (taken) {
      throw new RosterError('unique-violation', 'A unique index was broken.', {
        constraint: NAME_CONSTRAINT,
      });
    }
    this.records.set(thing.id, thing);
  }
}

let nextId = 0;

/** A kind whose hooks do the least each step means, and note that they ran. */
function thingKind(fake: FakeStore): ResourceKind<Thing, ThingDraft> {
  const note = (step: string) => fake.steps.push(step);
  const draftOf = (body: unknown): ThingDraft => {
    const name = (body as { name?: unknown }).name;
    if (typeof name !== 'string') throw new RosterError('invalid-value', "'name' is required.");
    return { name, ignored: [] };
  };
  return {
    name: 'Thing',
    counted: 'Group',
    operations: { create: 'create thing', update: 'update thing', delete: 'delete thing' },
    names: (thing) => ({ resourceName: thing.name }),
    namesInBody: (body) => {
      const name = (body as { name?: unknown } | undefined)?.name;
      return typeof name === 'string' ? { resourceName: name } : {};
    },
    notFound: (id) => new RosterError('group-not-found', `Thing '${id}' not found.`),
    uniqueRule: (constraint, thing) =>
      constraint === NAME_CONSTRAINT
        ? new RosterError('group-name-taken', `A thing named '${thing.name}' already exists.`)
        : undefined,
    read: (_store, _siteId, id) => Promise.resolve(fake.committed.get(id)),
    list: () => Promise.reject(new Error('not used')),
    lock: (_tx, _siteId, id) => {
      note('lock');
      return Promise.resolve(fake.records.get(id));
    },
    insert: (_tx, thing) => {
      note('insert');
      fake.write(thing);
      return Promise.resolve();
    },
    update: (_tx, thing) => {
      note('update');
      fake.write(thing);
      return Promise.resolve();
    },
    fromBody: (_schema, body) => draftOf(body),
    fromPatch: (_schema, current, operations) => {
      const replace = operations.find((operation) => operation.pathText === 'name');
      return { name: replace ? (replace.value as string) : current.name, ignored: [] };
    },
    patchNeedsPreparation: () => false,
    prepare: () => Promise.resolve(undefined),
    build: (context, existing, draft, _prepared, now) => {
      note('build');
      return existing
        ? { ...existing, name: draft.name, resource: { name: draft.name } }
        : {
            siteId: context.site.id,
            id: `thing-${++nextId}`,
            name: draft.name,
            resource: { name: draft.name },
            version: 1,
            createdAt: now,
            updatedAt: now,
          };
    },
    changes: (before, after) =>
      before?.name === after.name ? [] : [{ field: 'name', before: before?.name, after: after.name }],
    operation: () => 'update thing',
    notes: () => [],
    relate: () => {
      note('relate');
      return Promise.resolve({ changes: [], notes: [] });
    },
    remove: (_tx, _context, existing) => {
      note('remove');
      fake.records.delete(existing.id);
      return Promise.resolve({ changes: [], detail: null });
    },
    derive: () => Promise.resolve([]),
  };
}

const context: RequestContext = {
  site: { id: SITE_ID } as SiteRecord,
  actor: { siteId: SITE_ID, kind: 'scim', tokenId: 'token-1', requestId: 'request-1' },
};

function setUp() {
  const fake = new FakeStore();
  const kind = thingKind(fake);
  const pipeline = new WritePipeline(fake.asStore());
  const schema = groupResourceSchema;
  const create = (name: string) => pipeline.create(context, kind, schema, { name });
  const replace = (id: string, name: string, ifMatch?: TagCondition) =>
    pipeline.replace(context, kind, schema, id, { name }, ifMatch);
  const patch = (id: string, name: string, ifMatch?: TagCondition) =>
    pipeline.patch(
      context,
      kind,
      schema,
      id,
      { schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'replace', path: 'name', value: name }] },
      ifMatch,
    );
  const remove = (id: string, ifMatch?: TagCondition) => pipeline.delete(context, kind, id, ifMatch);
  /** Forgets what setting the scene did, so the assertions see only the write under test. */
  const reset = () => {
    fake.steps.length = 0;
    fake.committedEvents = [];
  };
  return { fake, create, replace, patch, remove, reset };
}

async function rejection(promise: Promise<unknown>): Promise<RosterError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RosterError) return error;
    throw error;
  }
  throw new Error('expected a RosterError, but the promise resolved');
}

const tags = (...values: string[]): TagCondition => ({ any: false, tags: values });

describe('WritePipeline', () => {
  it('a create writes the record, then its event, then the count, in one transaction', async () => {
    const { fake, create } = setUp();
    const { record, restored } = await create('Alpha');
    expect(restored).toBe(false);
    expect(fake.steps).toEqual([
      'begin',
      'build',
      'insert',
      'relate',
      'event success 201',
      'count +1',
      'commit',
    ]);
    expect(fake.committed.get(record.id)?.name).toBe('Alpha');
    expect(fake.committedEvents).toMatchObject([
      {
        operation: 'create thing',
        resourceId: record.id,
        resourceName: 'Alpha',
        outcome: 'success',
        tokenId: 'token-1',
      },
    ]);
    expect(fake.counts).toBe(1);
  });

  describe('If-Match (RFC 7644 §3.14)', () => {
    it.each([
      ['replace', 'Beta'],
      ['patch', 'Beta'],
      ['delete', ''],
    ] as const)(
      'a %s for another version is version-mismatch before anything is written',
      async (verb, name) => {
        const scene = setUp();
        const { record } = await scene.create('Alpha');
        scene.reset();
        const stale = tags('0', '2');
        const write =
          verb === 'replace'
            ? scene.replace(record.id, name, stale)
            : verb === 'patch'
              ? scene.patch(record.id, name, stale)
              : scene.remove(record.id, stale);
        const error = await rejection(write);
        expect(error.code).toBe('version-mismatch');
        expect(error.status).toBe(412);
        // Checked against the locked row, before the kind builds, relates or writes anything.
        expect(scene.fake.steps).toEqual([
          'begin',
          'lock',
          'rollback',
          'begin',
          'event failure 412',
          'commit',
        ]);
        expect(scene.fake.committed.get(record.id)).toEqual(record);
        expect(scene.fake.counts).toBe(1);
      },
    );

    it.each<[string, TagCondition]>([
      ['its version', tags('1')],
      ['a list with its version', tags('7', '1')],
      ['*', { any: true }],
    ])('a write for %s goes ahead', async (_what, condition) => {
      const scene = setUp();
      const { record } = await scene.create('Alpha');
      const updated = await scene.replace(record.id, 'Beta', condition);
      expect(updated).toMatchObject({ name: 'Beta', version: 2 });
    });
  });

  it('an update that changes nothing writes only its event, and keeps the version', async () => {
    const scene = setUp();
    const { record } = await scene.create('Alpha');
    scene.reset();
    const same = await scene.replace(record.id, 'Alpha');
    expect(same).toBe(scene.fake.committed.get(record.id));
    expect(same.version).toBe(1);
    expect(scene.fake.steps).toEqual(['begin', 'lock', 'build', 'relate', 'event success 200', 'commit']);
    expect(scene.fake.committedEvents).toMatchObject([
      { operation: 'update thing', outcome: 'success', detail: 'No changes.', changes: null },
    ]);
  });

  it('an update that changes something moves the version on and logs the change', async () => {
    const scene = setUp();
    const { record } = await scene.create('Alpha');
    scene.reset();
    const updated = await scene.patch(record.id, 'Beta');
    expect(updated).toMatchObject({ name: 'Beta', version: 2 });
    expect(scene.fake.steps).toEqual([
      'begin',
      'lock',
      'build',
      'relate',
      'update',
      'event success 200',
      'commit',
    ]);
    expect(scene.fake.committedEvents).toMatchObject([
      { changes: [{ field: 'name', before: 'Alpha', after: 'Beta' }] },
    ]);
  });

  describe('a broken unique index', () => {
    it("named by the kind becomes the kind's error, on a create and an update", async () => {
      const scene = setUp();
      const { record } = await scene.create('Alpha');
      await scene.create('Beta');

      const onCreate = await rejection(scene.create('ALPHA'));
      expect(onCreate.code).toBe('group-name-taken');
      expect(onCreate.scimType).toBe('uniqueness');
      const onUpdate = await rejection(scene.replace(record.id, 'beta'));
      expect(onUpdate.code).toBe('group-name-taken');
      expect([...scene.fake.committed.values()].map((thing) => thing.name)).toEqual(['Alpha', 'Beta']);
    });

    it('named otherwise stays a unique-violation', async () => {
      const scene = setUp();
      const { record } = await scene.create('Alpha');
      scene.fake.brokenConstraint = 'things_site_external_id';
      const onCreate = await rejection(scene.create('Gamma'));
      expect(onCreate.code).toBe('unique-violation');
      expect(onCreate.constraint).toBe('things_site_external_id');
      expect((await rejection(scene.replace(record.id, 'Delta'))).code).toBe('unique-violation');
    });
  });

  it('a refusal is logged as a failure after its transaction rolled back', async () => {
    const scene = setUp();
    const { record } = await scene.create('Alpha');
    await scene.create('Beta');
    scene.reset();
    await rejection(scene.replace(record.id, 'Beta'));
    expect(scene.fake.steps).toEqual([
      'begin',
      'lock',
      'build',
      'relate',
      'update',
      'rollback',
      'begin',
      'event failure 409',
      'commit',
    ]);
    // Only the failure is kept; it names the resource by its committed label.
    expect(scene.fake.committedEvents).toMatchObject([
      {
        operation: 'update thing',
        resourceId: record.id,
        resourceName: 'Alpha',
        outcome: 'failure',
        httpStatus: 409,
        requestId: 'request-1',
      },
    ]);
    expect(scene.fake.committedEvents[0]!.detail).toContain("A thing named 'Beta' already exists.");
  });

  it('a request refused before its transaction is logged too', async () => {
    const scene = setUp();
    const error = await rejection(scene.create(undefined as unknown as string));
    expect(error.code).toBe('invalid-value');
    expect(scene.fake.steps).toEqual(['begin', 'event failure 400', 'commit']);
    expect(scene.fake.committedEvents).toMatchObject([{ operation: 'create thing', resourceId: null }]);
  });

  it('a refused create is logged with the name its body gave', async () => {
    const scene = setUp();
    await scene.create('Alpha');
    const error = await rejection(scene.create('Alpha'));
    expect(error.code).toBe('group-name-taken');
    expect(scene.fake.committedEvents.at(-1)).toMatchObject({
      operation: 'create thing',
      outcome: 'failure',
      httpStatus: 409,
      resourceId: null,
      resourceName: 'Alpha',
    });
  });

  it('an unknown id is not found, and logged', async () => {
    const scene = setUp();
    const error = await rejection(scene.replace('missing', 'Alpha'));
    expect(error.code).toBe('group-not-found');
    expect(scene.fake.committedEvents).toMatchObject([
      { outcome: 'failure', httpStatus: 404, resourceId: 'missing', resourceName: null },
    ]);
  });

  it('a transaction that lost a deadlock is run again', async () => {
    const scene = setUp();
    scene.fake.failNextTransactions.push(new RosterError('write-conflict', 'Deadlock.'));
    const { record } = await scene.create('Alpha');
    expect(scene.fake.committed.get(record.id)?.name).toBe('Alpha');
    expect(scene.fake.steps.filter((step) => step === 'begin')).toHaveLength(2);
    expect(scene.fake.committedEvents.map((event) => event.outcome)).toEqual(['success']);
  });

  it('a delete removes, logs and counts in one transaction', async () => {
    const scene = setUp();
    const { record } = await scene.create('Alpha');
    scene.reset();
    await scene.remove(record.id);
    expect(scene.fake.steps).toEqual(['begin', 'lock', 'remove', 'event success 204', 'count -1', 'commit']);
    expect(scene.fake.committed.has(record.id)).toBe(false);
    expect(scene.fake.counts).toBe(0);
  });
});
