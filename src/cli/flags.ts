/** Checks of command-line values that are not values documents: counts. */
import { BerthError } from '../errors.ts';

/** A whole number in decimal digits (no `0x10`, `1e3` or `2.0`) within a range. */
export function parseWholeNumber(flag: string, text: string, range: { min: number; max: number }): number {
  const value = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= range.min && value <= range.max)) {
    throw new BerthError(
      'BERTH_FLAG_INVALID',
      `${flag}: expected a whole number from ${range.min} to ${range.max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}
