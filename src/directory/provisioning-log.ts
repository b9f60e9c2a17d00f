import { RosterError } from '../errors.js';
import type { EventNames, FieldChange, ProvisioningEvent } from '../model/event.js';
import type { ScimObject, ScimValue } from '../scim/resource.js';
import { isStorableText } from '../scim/text.js';
import type { Store } from '../store/store.js';
import type { Actor } from './context.js';
import { newId } from './ids.js';
import { shortened } from './shortened.js';

export interface EventFields extends EventNames {
  readonly operation: string;
  readonly resourceType: string | null;
  readonly resourceId?: string | null;
  readonly outcome: ProvisioningEvent['outcome'];
  readonly httpStatus: number;
  readonly changes?: readonly FieldChange[] | null;
  readonly detail?: string | null;
}

/** Details and quoted names are cut to this many characters: a client cannot grow the log by sending more. */
const MAX_DETAIL_LENGTH = 2000;
/** Names are cut to this many (a Logon is at most 256): a refused body may name anything. */
const MAX_NAME_LENGTH = 300;

export function provisioningEvent(
  actor: Actor,
  fields: EventFields,
  id = newId(),
  at = Date.now(),
): ProvisioningEvent {
  return {
    siteId: actor.siteId,
    id,
    at,
    requestId: actor.requestId,
    tokenId: actor.tokenId,
    actor: actor.kind,
    operation: fields.operation,
    resourceType: fields.resourceType,
    resourceId: fields.resourceId ?? null,
    resourceName: name(fields.resourceName),
    logon: name(fields.logon),
    externalId: name(fields.externalId),
    outcome: fields.outcome,
    httpStatus: fields.httpStatus,
    changes: fields.changes && fields.changes.length > 0 ? fields.changes : null,
    detail:
      fields.detail === undefined || fields.detail === null
        ? null
        : shortened(fields.detail, MAX_DETAIL_LENGTH),
    occurrences: 1,
    lastAt: at,
  };
}

function name(text: string | null | undefined): string | null {
  return text === undefined || text === null ? null : shortened(text, MAX_NAME_LENGTH);
}

/**
 * Names read from a body the directory refused, which may hold anything: only a string that can be
 * stored as it is (well-formed Unicode, no NUL) is kept, so recording the refusal never fails
 * because of what it records.
 */
export function namesInBody(body: unknown, keys: { resourceName: string; logon?: string }): EventNames {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const entries: [string, unknown][] = Object.entries(body);
  const read = (key: string): string | null => {
    const lower = key.toLowerCase();
    const found = entries.find(([candidate]) => candidate.toLowerCase() === lower)?.[1];
    return typeof found === 'string' && found !== '' && isStorableText(found) ? found : null;
  };
  return {
    resourceName: read(keys.resourceName),
    ...(keys.logon ? { logon: read(keys.logon) } : {}),
    externalId: read('externalId'),
  };
}

/** What a refusal concerns: the operation, and the resource when there is one. */
export interface RefusalTarget {
  readonly operation: string;
  /** Null when the request did not say (a Bulk operation without a valid path). */
  readonly resourceType: string | null;
  readonly resourceId?: string | undefined;
  /** Names the resource (its Logon or display name, its externalId) when they can be known. */
  readonly names?: () => Promise<EventNames>;
}

/**
 * Runs a write; when it is refused, records the refusal in the provisioning log and rethrows. The
 * write's own transaction has rolled back by then, so the refusal is a small write of its own.
 */
export async function recordingRefusals<T>(
  store: Store,
  actor: Actor,
  target: RefusalTarget,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await recordRefusal(store, actor, target, error);
    throw error;
  }
}

/** Records a refused write in a small write of its own; a log that cannot be written does not hide the refusal. */
export async function recordRefusal(
  store: Store,
  actor: Actor,
  target: RefusalTarget,
  error: unknown,
): Promise<void> {
  const refusal = error instanceof RosterError ? error : undefined;
  const names = target.names ? await target.names().catch(() => ({})) : {};
  const event = provisioningEvent(actor, {
    operation: refusal?.operation ?? target.operation,
    resourceType: target.resourceType,
    resourceId: target.resourceId ?? null,
    ...names,
    outcome: 'failure',
    httpStatus: refusal?.status ?? 500,
    detail: refusal?.detail ?? 'Internal error.',
  });
  await store.transaction((tx) => tx.events.append(event)).catch(() => undefined);
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

/** "Ignored attributes no schema defines: …", listing at most a few names, each cut short. */
export function describeIgnored(ignored: readonly string[]): string | null {
  if (ignored.length === 0) return null;
  const shown = ignored.slice(0, 20).map((name) => shortened(name));
  const more = ignored.length > shown.length ? ` and ${ignored.length - shown.length} more` : '';
  return `Ignored attributes no schema defines: ${shown.join(', ')}${more}.`;
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
