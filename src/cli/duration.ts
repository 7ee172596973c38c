import { BerthError } from '../errors.ts';

const UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Longer waits are refused: Node's timers overflow past 24.8 days and fire at once. */
export const MAX_DURATION_MS = 24 * 3_600_000;

/** `90s`, `10m`, `1h30m`, `1.5h`, or a bare number of seconds; each unit once, largest first. */
export function parseDuration(flag: string, text: string): number {
  const fail = (why: string): never => {
    throw new BerthError('BERTH_FLAG_INVALID', `${flag}: expected ${why}, got "${text}"`);
  };
  const expected = 'a duration such as 90s, 10m or 1h30m';
  let ms: number;
  if (/^\d{1,9}$/.test(text)) ms = Number(text) * 1000;
  else {
    const match = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/.exec(text);
    if (!text || !match) return fail(expected);
    const [, h, m, s, msPart] = match;
    ms = [h, m, s, msPart].reduce(
      (total, amount, i) => total + Number(amount ?? 0) * UNITS[['h', 'm', 's', 'ms'][i]!]!,
      0,
    );
  }
  if (ms <= 0) return fail(`a duration above zero (${expected})`);
  if (ms > MAX_DURATION_MS) return fail(`a duration of at most 24h`);
  return Math.round(ms);
}
