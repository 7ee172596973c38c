/**
 * bin/berth hands every argument after the command to berth. Node reads some of its own options
 * (--env-file) even after the script name; an env file holding NODE_OPTIONS would then run code
 * inside berth.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runBerth } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'berth-launcher-'));
const marker = join(dir, 'node-loaded-the-env-file');
const hook = join(dir, 'hook.cjs');
writeFileSync(hook, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
const envFile = join(dir, 'f.env');
writeFileSync(envFile, `NODE_OPTIONS=--require=${hook}\nIMAGE_TAG=1.2\n`);
const compose = join(dir, 'compose.yaml');
writeFileSync(compose, 'services:\n  web:\n    image: nginx:$IMAGE_TAG\n');

test('an --env-file after the command reaches berth, never Node', async () => {
  const result = await runBerth(['import', 'compose', compose, '--env-file', envFile, '-o', 'json']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(existsSync(marker), false, 'Node loaded the env file and ran its NODE_OPTIONS');
  // berth itself read the file: the variable was interpolated.
  assert.match(result.stdout, /nginx:1\.2/);
});

test("a missing --env-file is berth's one-line error, not Node's exit 9", async () => {
  const result = await runBerth(['import', 'compose', compose, '--env-file', join(dir, 'missing.env')]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error: --env-file .*missing\.env does not exist\n/);
});

test("other Node options after the command are berth's arguments too", async () => {
  const result = await runBerth(['render', 'langfuse', '--require', hook]);
  assert.equal(result.code, 2);
  assert.equal(existsSync(marker), false);
  assert.match(result.stderr, /unknown option '--require'/);
});
