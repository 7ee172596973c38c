import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BerthError } from '../errors.ts';

/** Marks a folder berth exported into, so the next export may replace it (and nothing else). */
const STAMP = '.berth-export';

/**
 * Writes an export into `dir`: a new or empty folder, or one an earlier export wrote, whose
 * content is replaced so no stale file survives.
 */
export function writeExport(dir: string, files: ReadonlyMap<string, string>): void {
  let existing: string[] = [];
  try {
    existing = readdirSync(dir);
  } catch {
    // absent: created below
  }
  if (existing.length && !existing.includes(STAMP)) {
    throw new BerthError(
      'BERTH_EXPORT_DIR',
      `--output-dir ${dir}: expected a new or empty folder, or one berth exported into; it holds ${existing.length} other entries`,
    );
  }
  for (const entry of existing) rmSync(join(dir, entry), { recursive: true });
  for (const [path, content] of [
    ...files,
    [STAMP, 'Written by berth export; the next export replaces this folder.\n'] as const,
  ]) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}
