/** The written-out blueprint table (kept static for the bundler) names exactly the blueprint folders. */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { blueprintNames, getBlueprint, getContract } from '../../src/blueprints/registry.ts';

const ROOT = new URL('../../src/blueprints/', import.meta.url);
const folders = readdirSync(ROOT, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(new URL(`${entry.name}/blueprint.ts`, ROOT)))
  .map((entry) => entry.name)
  .sort();

test('every blueprint folder is in the catalog, and nothing else', () => {
  assert.deepEqual(blueprintNames(), folders);
});

test('each entry loads its own blueprint and contract', async () => {
  for (const name of folders) {
    assert.equal((await getBlueprint(name)).name, name);
    assert.equal((await getContract(name))?.blueprint, name);
  }
  assert.equal(await getContract('no-such-blueprint'), undefined);
});
