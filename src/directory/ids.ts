import { v7 as uuidv7 } from 'uuid';

/**
 * Resource ids are UUID version 7: time-ordered, so inserts land at the end of the primary key
 * index and ordering by id is ordering by creation.
 */
export function newId(): string {
  return uuidv7();
}
