/** Printing lives in the CLI only: data on stdout, progress, notes and warnings on stderr. */
import { BerthError } from '../errors.ts';
import { toYaml } from '../yaml.ts';

export const OUTPUT_FORMATS = ['text', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseOutputFormat<const F extends readonly string[]>(value: string, allowed: F): F[number] {
  if ((allowed as readonly string[]).includes(value)) return value as F[number];
  throw new BerthError(
    'BERTH_FLAG_INVALID',
    `--output: expected one of ${allowed.join(', ')}, got "${value}"`,
  );
}

export function printJson(data: unknown): void {
  process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
}

export function printYaml(data: unknown): void {
  process.stdout.write(toYaml(data));
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}

export function warn(text: string): void {
  process.stderr.write(`warning: ${text}\n`);
}

/** Plain aligned columns, like kubectl's tables. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? [];
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('   '))
    .join('\n');
}
