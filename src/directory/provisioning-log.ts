import { RosterError } from '../errors.js';
import type { ScimObject, ScimValue } from '../scim/resource.js';
import type { FieldChange, ProvisioningEvent, Store } from '../store/store.js';
import { newId } from './ids.js';

/** Who is acting, on which site, for which request: carried from the edge into every write. */
export interface Actor {
  readonly siteId: string;
  readonly kind: ProvisioningEvent['actor'];
  readonly tokenId: string | null;
  readonly requestId: string | null;
}

export interface EventFields {
  readonly operation: string;
  readonly resourceType: string;
  readonly resourceId?: string | null;
  readonly logon?: string | null;
  readonly outcome: ProvisioningEvent['outcome'];
  readonly httpStatus: number;
  readonly changes?: readonly FieldChange[] | null;
  readonly detail?: string | null;
}

export function provisioningEvent(actor: Actor, fields: EventFields): ProvisioningEvent {
  return {
    siteId: actor.siteId,
    id: newId(),
    at: Date.now(),
    requestId: actor.requestId,
    tokenId: actor.tokenId,
    actor: actor.kind,
    operation: fields.operation,
    resourceType: fields.resourceType,
    resourceId: fields.resourceId ?? null,
    logon: fields.logon ?? null,
    outcome: fields.outcome,
    httpStatus: fields.httpStatus,
    changes: fields.changes && fields.changes.length > 0 ? fields.changes : null,
    detail: fields.detail ?? null,
  };
}

/**
 * Runs a write; when it is refused, records the refusal in the provisioning log and rethrows. The
 * write's own transaction has rolled back by then, so the refusal is a small write of its own.
 * `logon` names the resource the refusal concerns, when it exists.
 */
export async function recordingRefusals<T>(
  store: Pick<Store, 'appendEvent'>,
  actor: Actor,
  target: {
    readonly operation: string;
    readonly resourceType: string;
    readonly resourceId?: string | undefined;
    readonly logon?: () => Promise<string | null>;
  },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const refusal = error instanceof RosterError ? error : undefined;
    const logon = target.logon ? await target.logon().catch(() => null) : null;
    await store
      .appendEvent(
        provisioningEvent(actor, {
          operation: target.operation,
          resourceType: target.resourceType,
          resourceId: target.resourceId ?? null,
          logon,
          outcome: 'failure',
          httpStatus: refusal?.status ?? 500,
          detail: refusal?.detail ?? 'Internal error.',
        }),
      )
      .catch(() => undefined);
    throw error;
  }
}

/**
 * The fields that differ between two versions of a resource, one level into complex attributes
 * and extensions (`name.givenName`, `urn:…:enterprise:2.0:User:department`), whole values for lists.
 */
export function diffResources(before: ScimObject, after: ScimObject): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const key of unionKeys(before, after)) {
    const a = before[key];
    const b = after[key];
    if (same(a, b)) continue;
    if (isPlainObject(a) || isPlainObject(b)) {
      const objectA = isPlainObject(a) ? a : {};
      const objectB = isPlainObject(b) ? b : {};
      const separator = key.includes(':') ? ':' : '.';
      for (const subKey of unionKeys(objectA, objectB)) {
        if (!same(objectA[subKey], objectB[subKey])) {
          changes.push(change(`${key}${separator}${subKey}`, objectA[subKey], objectB[subKey]));
        }
      }
      continue;
    }
    changes.push(change(key, a, b));
  }
  return changes;
}

function change(field: string, before: ScimValue | undefined, after: ScimValue | undefined): FieldChange {
  return {
    field,
    ...(before !== undefined ? { before } : {}),
    ...(after !== undefined ? { after } : {}),
  };
}

function unionKeys(a: ScimObject, b: ScimObject): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])];
}

function same(a: ScimValue | undefined, b: ScimValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isPlainObject(value: ScimValue | undefined): value is ScimObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
