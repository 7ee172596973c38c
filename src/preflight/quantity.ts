/** Quantities as people read them: `250m` cores, `1.5Gi` bytes. Parsing lives in values/quantity.ts. */
export { parseQuantity } from '../values/quantity.ts';

/** `0.25` cores → `250m`, `1.5` → `1.5`, `2` → `2`. */
export function formatCpu(cores: number): string {
  const millis = Math.round(cores * 1000);
  return millis < 1000 ? `${millis}m` : String(millis / 1000);
}

/** Bytes in the largest binary unit that keeps one decimal: `1.5Gi`, `512Mi`. */
export function formatMemory(bytes: number): string {
  const units = ['Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
  let value = bytes;
  let unit = '';
  for (const next of units) {
    if (Math.abs(value) < 1024) break;
    value /= 1024;
    unit = next;
  }
  const rounded = Math.round(value * 10) / 10;
  return `${rounded}${unit}`;
}
