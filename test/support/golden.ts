/** Golden files: compare with the stored copy; UPDATE_GOLDEN=1 rewrites it (never edit them by hand). */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GOLDEN_DIR = fileURLToPath(new URL('../golden/', import.meta.url));

export function assertGolden(name: string, actual: string): void {
  const path = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  assert.ok(existsSync(path), `golden file ${name} is missing; run UPDATE_GOLDEN=1 npm run test:unit`);
  assert.equal(
    actual,
    readFileSync(path, 'utf8'),
    `output differs from golden file ${name} (UPDATE_GOLDEN=1 regenerates it)`,
  );
}
