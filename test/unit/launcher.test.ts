/**
 * bin/berth hands every argument after the command to berth. Node reads some of its own options
 * (--env-file) even after the script name; an env file holding NODE_OPTIONS would then run code
 * inside berth.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BERTH_BIN, runBerth } from '../support/cli.ts';

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

/** A copy of the launcher in an install of its own, whose bundle and source say which one ran. */
function fakeInstall(): { root: string; run(...args: string[]): string } {
  const root = mkdtempSync(join(tmpdir(), 'berth-install-'));
  for (const sub of ['bin', 'dist', 'src/cli']) mkdirSync(join(root, sub), { recursive: true });
  copyFileSync(BERTH_BIN, join(root, 'bin/berth'));
  symlinkSync(fileURLToPath(new URL('../../node_modules', import.meta.url)), join(root, 'node_modules'));
  writeFileSync(join(root, 'package-lock.json'), '{}\n');
  const say = (who: string) =>
    `console.log(${JSON.stringify(who)}, JSON.stringify(process.argv.slice(2)));\n`;
  writeFileSync(join(root, 'src/cli/start.ts'), say('source'));
  return {
    root,
    run: (...args) => execFileSync(join(root, 'bin/berth'), args, { encoding: 'utf8', stdio: 'pipe' }).trim(),
  };
}

test('the launcher runs the bundle when it is newer than src, with the arguments untouched', () => {
  const install = fakeInstall();
  writeFileSync(
    join(install.root, 'dist/berth.js'),
    "console.log('bundle', JSON.stringify(process.argv.slice(2)));\n",
  );
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(install.root, 'dist/berth.js'), later, later);
  assert.equal(install.run('render', '--env-file', 'x.env'), 'bundle ["render","--env-file","x.env"]');
});

test('a bundle older than src, or none, falls back to running src', () => {
  const install = fakeInstall();
  assert.equal(install.run('version'), 'source ["version"]');
  writeFileSync(join(install.root, 'dist/berth.js'), "console.log('bundle');\n");
  const earlier = new Date(Date.now() - 60_000);
  utimesSync(join(install.root, 'dist/berth.js'), earlier, earlier);
  assert.equal(install.run('version'), 'source ["version"]');
});

test('a file added to src makes the launcher run src; a folder whose time moved alone does not', () => {
  const install = fakeInstall();
  writeFileSync(join(install.root, 'dist/berth.js'), "console.log('bundle');\n");
  const earlier = new Date(Date.now() - 60_000);
  utimesSync(join(install.root, 'dist/berth.js'), earlier, earlier);
  utimesSync(join(install.root, 'src/cli/start.ts'), earlier, earlier);
  utimesSync(join(install.root, 'package-lock.json'), earlier, earlier);
  // A blueprint imported into src and removed again leaves only the folder's time changed.
  mkdirSync(join(install.root, 'src/blueprints/imported'), { recursive: true });
  rmSync(join(install.root, 'src/blueprints/imported'), { recursive: true });
  assert.equal(install.run('version'), 'bundle');
  // While the imported blueprint is there, its files are newer: berth runs src, which finds it.
  mkdirSync(join(install.root, 'src/blueprints/imported'), { recursive: true });
  writeFileSync(join(install.root, 'src/blueprints/imported/blueprint.ts'), '');
  assert.equal(install.run('version'), 'source ["version"]');
});
