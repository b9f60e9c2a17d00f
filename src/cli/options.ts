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
