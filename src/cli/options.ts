import { InvalidArgumentError } from 'commander';

export function parseOnOff(value: string): boolean {
  const lower = value.toLowerCase();
  if (['on', 'true', 'yes', '1'].includes(lower)) return true;
  if (['off', 'false', 'no', '0'].includes(lower)) return false;
  throw new InvalidArgumentError(`expected on or off, got '${value}'.`);
}

export function parseWholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected a whole number, got '${value}'.`);
  return Number(value);
}

export function parsePatchResponse(value: string): 200 | 204 {
  if (value === '200') return 200;
  if (value === '204') return 204;
  throw new InvalidArgumentError(`expected 200 or 204, got '${value}'.`);
}
