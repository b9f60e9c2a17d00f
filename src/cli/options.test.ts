import { describe, expect, it } from 'vitest';
import { eventId, instant, onOff, oneOf, wholeNumber } from './options.js';

describe('CLI option parsers', () => {
  it.each([
    ['2026-12-01', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01T09:30', '2026-12-01T09:30:00.000Z'],
    ['2026-12-01T09:30:15Z', '2026-12-01T09:30:15.000Z'],
    ['2026-12-01 09:30:15.25', '2026-12-01T09:30:15.250Z'],
    ['2026-12-01T09:30:15.123456+02:00', '2026-12-01T07:30:15.123Z'],
    ['2026-12-01T09:30:15-0500', '2026-12-01T14:30:15.000Z'],
  ])('reads the time %s as %s (UTC unless it says)', (text, iso) => {
    expect(new Date(instant('--since')(text)).toISOString()).toBe(iso);
  });

  it.each(['yesterday', '2026-02-30', '2026-13-01', '1 Dec 2026', '2026-12-01T25:00', ''])(
    'refuses %j as a time, naming the flag',
    (text) => {
      expect(() => instant('--until')(text)).toThrow(/^--until takes an ISO 8601 date or time/);
    },
  );

  it('reads event ids in any case, and refuses anything else', () => {
    expect(eventId('--before')('0193A2B4-5C6D-7E8F-9A0B-1C2D3E4F5A6B')).toBe(
      '0193a2b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b',
    );
    expect(() => eventId('--before')('0193a2b4')).toThrow(/^--before takes an event id/);
  });

  it('names the flag and its range or choices', () => {
    expect(wholeNumber('--days', 1, 3650)('365')).toBe(365);
    for (const bad of ['0', '-1', '3651', '1.5', '1e3', ' 7', 'soon']) {
      expect(() => wholeNumber('--days', 1, 3650)(bad)).toThrow(
        `--days must be a whole number from 1 to 3650, got '${bad}'.`,
      );
    }
    expect(onOff('--password-sync')('ON')).toBe(true);
    expect(onOff('--password-sync')('off')).toBe(false);
    for (const bad of ['yes', 'true', '1', 'no']) {
      expect(() => onOff('--password-sync')(bad)).toThrow(`--password-sync takes on or off, got '${bad}'.`);
    }
    expect(oneOf('--outcome', ['success', 'failure'])('FAILURE')).toBe('failure');
    expect(() => oneOf('--privilege', ['User', 'Business Analyst', 'Promaster'])('Root')).toThrow(
      "--privilege takes User, Business Analyst or Promaster, got 'Root'.",
    );
  });
});
