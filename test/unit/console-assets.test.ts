/** The console's built front end as the server reads it: the page, its script and style, and the pages' chunks. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadAssets } from '../../src/console/assets.ts';

test('serves index.html, app.js, app.css and every chunk; a missing build is named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-assets-'));
  assert.match(
    loadAssets(dir).missing ?? '',
    /index\.html, app\.js, app\.css missing .*npm run build:console/,
  );

  const built: Record<string, string> = {
    'index.html': '<html></html>',
    'app.js': 'import("./chunks/release-A.js")',
    'app.css': 'body{}',
  };
  for (const [file, text] of Object.entries(built)) writeFileSync(join(dir, file), text);
  mkdirSync(join(dir, 'chunks'));
  writeFileSync(join(dir, 'chunks', 'release-A.js'), 'export const ReleasePage = 1');
  writeFileSync(join(dir, 'chunks', 'notes.txt'), 'not a script');

  const assets = loadAssets(dir);
  assert.equal(assets.missing, undefined);
  assert.deepEqual(Object.keys(assets.files).sort(), ['/', '/app.css', '/app.js', '/chunks/release-A.js']);
  assert.deepEqual(assets.files['/chunks/release-A.js'], {
    type: 'text/javascript; charset=utf-8',
    body: 'export const ReleasePage = 1',
  });
});
