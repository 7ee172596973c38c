/**
 * src/cli/start.ts turns zod's compiled parsers off without loading zod, by setting the config zod
 * adopts from `globalThis` when it loads. A zod that stopped doing so would fail here, not silently.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const script = `
globalThis.__zod_globalConfig = { jitless: true };
const { z, config } = await import('zod');
z.object({ a: z.string() }).parse({ a: 'x' });
process.stdout.write(String(config().jitless));
`;

test('zod adopts the jitless setting made on globalThis before it loads', () => {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: new URL('../..', import.meta.url),
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, 'true');
});
