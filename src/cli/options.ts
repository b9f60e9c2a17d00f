import { RosterError } from '../errors.js';

/**
 * Option parsers. Each names its flag and what it takes in its refusal, so a bad value is one line
 * that says how to fix it (`--days must be a whole number from 1 to 3650, got '0'.`).
 */

/** A whole number within a range, for `flag`. */
export function wholeNumber(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!(number >= min && number <= max)) {
      throw new RosterError(
        'invalid-argument',
        `${flag} must be a whole number from ${min} to ${max}, got '${value}'.`,
      );
    }
    return number;
  };
}

/** `on` or `off` (in any letter case), and nothing else. */
export function onOff(flag: string): (value: string) => boolean {
  return (value) => {
    const lower = value.toLowerCase();
    if (lower === 'on') return true;
    if (lower === 'off') return false;
    throw new RosterError('invalid-argument', `${flag} takes on or off, got '${value}'.`);
  };
}

/** One of a few words, for `flag`. */
export function oneOf<T extends string>(flag: string, allowed: readonly T[]): (value: string) => T {
  return (value) => {
    const found = allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
    if (found === undefined) {
      throw new RosterError('invalid-argument', `${flag} takes ${describeChoices(allowed)}, got '${value}'.`);
    }
    return found;
  };
}

export function describeChoices(allowed: readonly string[]): string {
  return allowed.length <= 2
    ? allowed.join(' or ')
    : `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]!}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An event id, as `roster log --json` prints it. */
export function eventId(flag: string): (value: string) => string {
  return (value) => {
    if (!UUID.test(value)) {
      throw new RosterError(
        'invalid-argument',
        `${flag} takes an event id such as 0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b (the "id" of roster log --json), got '${value}'.`,
      );
    }
    return value.toLowerCase();
  };
}

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * An ISO 8601 date or time, in milliseconds. A time without a zone is UTC (like the times Roster
 * prints), never the machine's local time, so the same command means the same on every machine.
 */
export function instant(flag: string): (value: string) => number {
  return (value) => {
    const match = ISO_TIME.exec(value.trim());
    const refuse = (): never => {
      throw new RosterError(
        'invalid-argument',
        `${flag} takes an ISO 8601 date or time such as 2026-12-01 or 2026-12-01T09:30:00Z (UTC unless it says), got '${value}'.`,
      );
    };
    if (!match) return refuse();
    const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '0', zone = 'Z'] = match;
    const text = `${year}-${month}-${day}T${hour}:${minute}:${second}.${fraction.padEnd(3, '0')}${zone.toUpperCase()}`;
    const ms = Date.parse(text);
    // Date.parse rolls 2026-02-30 over to March: a date that does not exist is refused instead.
    if (
      Number.isNaN(ms) ||
      new Date(Date.parse(`${year}-${month}-${day}T00:00:00Z`)).getUTCDate() !== Number(day)
    ) {
      return refuse();
    }
    return ms;
  };
}
