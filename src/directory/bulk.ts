import { RosterError } from '../errors.js';
import { planBulk, type BulkPlan } from '../scim/bulk/plan.js';
import { referenceOf, resolveReferences } from '../scim/bulk/references.js';
import {
  type BulkEndpoint,
  type BulkEntry,
  type BulkMethod,
  type BulkOperation,
  isMalformed,
  parseBulkRequest,
} from '../scim/bulk/request.js';
import { type BulkOutcome, bulkResponse, locationOf } from '../scim/bulk/response.js';
import { ScimError } from '../scim/errors.js';
import type { ScimObject } from '../scim/resource.js';
import type { Store } from '../store/store.js';
import type { RequestContext } from './context.js';
import { recordRefusal } from './provisioning-log.js';
import type { ResourceRegistry } from './registry/registry.js';
import type { ResourceService } from './resources.js';

/** What `/ServiceProviderConfig` advertises under `bulk` (RFC 7643 §5), and what is enforced. */
export interface BulkLimits {
  readonly maxOperations: number;
  /** The largest BulkRequest body in bytes; the HTTP edge enforces it. */
  readonly maxPayloadSize: number;
}

/** What one BulkRequest has done so far. */
interface Progress {
  readonly plan: BulkPlan;
  /** The id each bulkId's POST created. */
  readonly created: Map<string, string>;
  readonly outcomes: Map<number, BulkOutcome>;
}

/**
 * `POST /Bulk` (RFC 7644 §3.7). Every operation is one call of the resource service, so it runs
 * through the same write pipeline, in its own transaction, and is logged like the single request
 * it stands for: the RFC lets a bulk job succeed in part, and a client retrying the failures must
 * find the successes written. Operations refused before they reach the pipeline (malformed, a
 * bulkId that cannot be resolved, a circle) are logged here.
 */
export class BulkService {
  private readonly endpoints: readonly BulkEndpoint[];

  constructor(
    private readonly store: Store,
    private readonly registry: ResourceRegistry,
    private readonly resources: ResourceService,
    readonly limits: BulkLimits,
  ) {
    this.endpoints = registry.entries.map((entry) => ({
      type: entry.definition.id,
      endpoint: entry.definition.endpoint,
    }));
  }

  /**
   * Runs a BulkRequest and answers its BulkResponse. `onUnexpected` hears of an operation that
   * failed for a reason that is not a `RosterError` (a bug), which the operation's answer hides.
   */
  async run(
    context: RequestContext,
    body: unknown,
    scimBase: string,
    onUnexpected: (error: unknown) => void = () => undefined,
  ): Promise<ScimObject> {
    const request = parseBulkRequest(body, this.endpoints, this.limits);
    const progress: Progress = {
      plan: planBulk(request.operations),
      created: new Map(),
      outcomes: new Map(),
    };
    let errors = 0;
    for (const index of progress.plan.order) {
      // RFC 7644 §3.7.3: after `failOnErrors` errors the rest is not attempted, nor reported.
      if (request.failOnErrors !== undefined && errors >= request.failOnErrors) break;
      const entry = request.operations[index]!;
      let outcome: BulkOutcome;
      try {
        outcome = await this.runOne(context, entry, progress, scimBase);
      } catch (error) {
        const refusal = error instanceof RosterError ? error : ScimError.internal();
        if (!(error instanceof RosterError)) onUnexpected(error);
        outcome = { ...echo(entry), status: refusal.status, error: refusal };
      }
      progress.outcomes.set(index, outcome);
      if (outcome.error) errors++;
    }
    return bulkResponse([...progress.outcomes.values()]);
  }

  private async runOne(
    context: RequestContext,
    entry: BulkEntry,
    progress: Progress,
    scimBase: string,
  ): Promise<BulkOutcome> {
    if (isMalformed(entry)) return this.refuse(context, entry, entry.error);
    const circle = progress.plan.circular.get(entry.index);
    if (circle) {
      const names = [...circle, circle[0]!].map((bulkId) => `'${bulkId}'`).join(' → ');
      return this.refuse(
        context,
        entry,
        new RosterError(
          'bulk-circular-reference',
          `Operation ${entry.index + 1}: the POSTs with bulkIds ${names} refer to each other in a circle, ` +
            'so none of them can be created first; send them without the circular references, then PATCH them in (RFC 7644 §3.7.1).',
        ),
      );
    }
    const resolve = (bulkId: string): string => resolved(entry, bulkId, progress);
    const location = (of: string) => locationOf(scimBase, entry.endpoint, of);
    const pathReference = referenceOf(entry.id);
    let id = pathReference === undefined ? entry.id : undefined;
    let data: unknown;
    try {
      if (pathReference !== undefined) id = resolve(pathReference);
      data = entry.references.length > 0 ? resolveReferences(entry.data, resolve) : entry.data;
    } catch (error) {
      if (!(error instanceof RosterError)) throw error;
      return this.refuse(context, entry, error, id, id === undefined ? undefined : location(id));
    }
    try {
      return await this.execute(context, entry, id, data, location, progress);
    } catch (error) {
      if (!(error instanceof RosterError)) throw error;
      // The pipeline has logged the refusal, as for a single request.
      return {
        ...echo(entry),
        ...(id !== undefined ? { location: location(id) } : {}),
        status: error.status,
        error,
      };
    }
  }

  /** The operation as the single request it stands for; its status is that request's. */
  private async execute(
    context: RequestContext,
    entry: BulkOperation,
    id: string | undefined,
    data: unknown,
    location: (id: string) => string,
    progress: Progress,
  ): Promise<BulkOutcome> {
    const { resources } = this;
    switch (entry.method) {
      case 'POST': {
        const created = await resources.create(context, entry.type, data, undefined);
        if (entry.bulkId !== undefined) progress.created.set(entry.bulkId, created.id);
        return { ...echo(entry), location: location(created.id), version: created.version, status: 201 };
      }
      case 'PUT': {
        const replaced = await resources.replace(context, entry.type, id!, data, entry.ifMatch, undefined);
        return { ...echo(entry), location: location(id!), version: replaced.version, status: 200 };
      }
      case 'PATCH': {
        const patched = await resources.patch(context, entry.type, id!, data, entry.ifMatch, undefined);
        // A site that answers PATCH with 204 (RFC 7644 §3.5.2) says so here too.
        const status = context.site.settings.patchNoContent === true ? 204 : 200;
        return { ...echo(entry), location: location(id!), version: patched.version, status };
      }
      case 'DELETE':
        await resources.delete(context, entry.type, id!, entry.ifMatch);
        return { ...echo(entry), location: location(id!), status: 204 };
    }
  }

  /** An operation refused before the pipeline: answered, and logged as the pipeline would have. */
  private async refuse(
    context: RequestContext,
    entry: BulkEntry,
    error: RosterError,
    id?: string,
    location?: string,
  ): Promise<BulkOutcome> {
    const kind = entry.type === undefined ? undefined : this.registry.forSite(context.site).find(entry.type);
    await recordRefusal(
      this.store,
      context.actor,
      {
        operation: kind ? kind.entry.kind.operations[operationOf(entry.method)] : 'bulk',
        resourceType: kind ? kind.entry.kind.name : null,
        resourceId: id,
        // A refused create is still found in the log by the Logon or name it would have had.
        ...(kind && 'data' in entry && entry.data !== undefined
          ? { names: () => Promise.resolve(kind.entry.kind.namesInBody(entry.data)) }
          : {}),
      },
      error,
    );
    return { ...echo(entry), ...(location !== undefined ? { location } : {}), status: error.status, error };
  }
}

/** The id the POST with this bulkId created, or why there is none (RFC 7644 §3.7.2). */
function resolved(entry: BulkOperation, bulkId: string, progress: Progress): string {
  const id = progress.created.get(bulkId);
  if (id !== undefined) return id;
  const at = `Operation ${entry.index + 1}`;
  const creator = progress.plan.creators.get(bulkId);
  if (creator === undefined) {
    throw new RosterError(
      'bulk-id-unresolved',
      `${at}: 'bulkId:${bulkId}' names no POST of this request; a bulkId refers to a resource created in the same request (RFC 7644 §3.7.2).`,
    );
  }
  const outcome = progress.outcomes.get(creator);
  throw new RosterError(
    'bulk-id-unresolved',
    `${at}: 'bulkId:${bulkId}' has no resource: its POST (operation ${creator + 1}) ` +
      (outcome ? `failed with status ${outcome.status}.` : 'did not run.'),
  );
}

/** The parts of an operation its answer repeats: `method` and `bulkId`. */
function echo(entry: BulkEntry): Pick<BulkOutcome, 'index' | 'method' | 'bulkId'> {
  return {
    index: entry.index,
    ...(entry.method !== undefined ? { method: entry.method } : {}),
    ...(entry.bulkId !== undefined ? { bulkId: entry.bulkId } : {}),
  };
}

function operationOf(method: string | undefined): 'create' | 'update' | 'delete' {
  switch (method as BulkMethod | undefined) {
    case 'POST':
      return 'create';
    case 'DELETE':
      return 'delete';
    default:
      return 'update';
  }
}
