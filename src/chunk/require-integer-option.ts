import { CairnError } from '../spec/index.ts';

/**
 * Throws `CairnError('invalid_option')` naming `name` unless `value` is an integer of at least
 * `min` (0 for overlaps, `MIN_CHUNK_TOKENS` for sizes).
 */
export function requireIntegerOption(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    const expected = min === 0 ? 'a non-negative integer' : `an integer of at least ${min}`;
    throw new CairnError('invalid_option', `${name} must be ${expected} (got ${String(value)})`);
  }
  return value;
}

/** Throws `CairnError('invalid_option')` naming both options unless `value < limit`. */
export function requireSmallerOption(name: string, value: number, limitName: string, limit: number): void {
  if (value >= limit) {
    throw new CairnError('invalid_option', `${name} (${value}) must be smaller than ${limitName} (${limit})`);
  }
}
