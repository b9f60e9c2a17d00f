import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RosterError } from '../errors.js';
import { ScimError } from '../scim/errors.js';
import type { ListPosition } from '../model/listing.js';

/**
 * RFC 9865 cursors: opaque, URL-safe, and unforgeable. A cursor carries the position to continue
 * from (keyset, so it holds no server state and survives any node), which side of it to read, the
 * query it belongs to and when it was issued; an HMAC under a deployment-wide key seals it.
 */
export interface CursorState {
  readonly direction: 'after' | 'before';
  readonly position: ListPosition;
  /** The signature of the filter and sort the cursor was issued for. */
  readonly query: string;
  readonly issuedAt: number;
}

interface Encoded {
  d: 'a' | 'b';
  k: ListPosition['key'];
  i: string;
  q: string;
  t: number;
}

const MAC_LENGTH = 16;

export function encodeCursor(state: CursorState, key: string): string {
  const payload: Encoded = {
    d: state.direction === 'after' ? 'a' : 'b',
    k: state.position.key,
    i: state.position.id,
    q: state.query,
    t: Math.floor(state.issuedAt / 1000),
  };
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  return `${body.toString('base64url')}.${mac(body, key).toString('base64url')}`;
}

/**
 * Reads a cursor back, refusing one that was altered or made for another query (`invalidCursor`)
 * or that is older than `timeoutMs` (`expiredCursor`).
 */
export function decodeCursor(
  text: string,
  key: string,
  query: string,
  now: number,
  timeoutMs: number,
): CursorState {
  const [bodyText, macText, extra] = text.split('.');
  if (!bodyText || !macText || extra !== undefined || !/^[A-Za-z0-9_-]+$/.test(bodyText + macText))
    throw invalid();
  const body = Buffer.from(bodyText, 'base64url');
  const given = Buffer.from(macText, 'base64url');
  const expected = mac(body, key);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  let payload: Encoded;
  try {
    payload = JSON.parse(body.toString('utf8')) as Encoded;
  } catch {
    throw invalid();
  }
  if (payload.q !== query) {
    throw ScimError.invalidCursor(
      'The cursor belongs to a different filter or sort: repeat the query that returned it.',
    );
  }
  if (now - payload.t * 1000 > timeoutMs) {
    throw ScimError.expiredCursor('The cursor has expired: start again without a cursor.');
  }
  return {
    direction: payload.d === 'b' ? 'before' : 'after',
    position: { key: payload.k, id: payload.i },
    query: payload.q,
    issuedAt: payload.t * 1000,
  };
}

function mac(body: Buffer, key: string): Buffer {
  return createHmac('sha256', key).update(body).digest().subarray(0, MAC_LENGTH);
}

function invalid(): RosterError {
  return ScimError.invalidCursor('The cursor is not one this server issued.');
}
