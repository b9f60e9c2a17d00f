import { v7 as uuidv7 } from 'uuid';

/**
 * Resource ids are UUID version 7: time-ordered, so inserts land at the end of the primary key
 * index and ordering by id is ordering by creation.
 */
export function newId(): string {
  return uuidv7();
}

/**
 * The smallest UUID v7 of a millisecond: every id made at that time or later sorts at or after it,
 * so a time bound becomes a range of the key.
 */
export function timeFloorId(ms: number): string {
  const hex = Math.floor(ms).toString(16).padStart(12, '0').slice(-12);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7000-8000-000000000000`;
}
