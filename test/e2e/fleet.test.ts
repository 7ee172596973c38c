/** `berth apply` of a fleet file against the local control plane: several releases at a time, no-ops, upgrades. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { berth } from './support/berth.ts';
import { kubectl, uniqueName, withNamespace } from './support/cluster.ts';

test('apply installs every release of a fleet file, finds each unchanged, then upgrades each', async (t) => {
  const namespaces = [await withNamespace(t, 'fleet-a'), await withNamespace(t, 'fleet-b')];
  const dir = mkdtempSync(join(tmpdir(), 'berth-fleet-e2e-'));
  writeFileSync(join(dir, 'debug.yaml'), 'router:\n  logLevel: DEBUG\n');
  const releases = ['r1', 'r2', 'r3'].map(
    (name, i) =>
      `  - {name: ${name}, namespace: ${namespaces[i % 2]}, blueprint: model-router, values: [debug.yaml]}`,
  );
  const fleet = join(dir, 'fleet.yaml');
  writeFileSync(fleet, `releases:\n${releases.join('\n')}\n`);

  const first = await berth(['apply', fleet, '--concurrency', '2', '-o', 'json']);
  assert.equal(first.code, 0, first.stderr);
  const installed = JSON.parse(first.stdout).releases as { release: string; result: { status: string } }[];
  assert.deepEqual(
    installed.map((o) => `${o.release}:${o.result.status}`),
    ['r1:deployed', 'r2:deployed', 'r3:deployed'],
  );

  const second = await berth(['apply', fleet, '--concurrency', '3']);
  assert.equal(second.code, 0, second.stderr);
  for (const name of ['r1', 'r2', 'r3']) assert.match(second.stderr, new RegExp(`/${name}: no changes`));
  assert.match(second.stdout, /NAMESPACE\s+NAME\s+REVISION\s+STATUS/);

  // New values: every release upgraded and waited for through the run's shared watches.
  writeFileSync(join(dir, 'debug.yaml'), 'router:\n  logLevel: WARN\n');
  const third = await berth(['apply', fleet, '--concurrency', '3', '-o', 'json']);
  assert.equal(third.code, 0, third.stderr);
  const upgraded = JSON.parse(third.stdout).releases as {
    release: string;
    result: { status: string; revision: number };
  }[];
  assert.deepEqual(
    upgraded.map((o) => `${o.release}:${o.result.status}:${o.result.revision}`),
    ['r1:deployed:2', 'r2:deployed:2', 'r3:deployed:2'],
  );

  // One bad entry stops the whole run before the cluster: the good release beside it is not
  // installed, and its namespace (created on demand otherwise) does not come to exist.
  const absent = uniqueName('fleet-absent');
  writeFileSync(
    fleet,
    `releases:\n  - {name: r9, namespace: ${absent}, blueprint: model-router}\n` +
      `  - {name: r1, namespace: ${namespaces[0]}, blueprint: model-router, set: [router.replicas=-1]}\n`,
  );
  const refused = await berth(['apply', fleet, '--create-namespace']);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(
    refused.stderr,
    /^error: fleet file .*: releases\[1\] \(fleet-a-[^)]*\/r1\): values router\.replicas/m,
  );
  assert.match(refused.stderr, /^hint: nothing was applied/m);
  const namespace = await kubectl(['get', 'namespace', absent], { allowFailure: true });
  assert.notEqual(namespace.code, 0, `namespace ${absent} must not exist`);
  const history = JSON.parse((await berth(['history', 'r1', '-n', namespaces[0]!, '-o', 'json'])).stdout);
  assert.equal(history.items?.length ?? history.length, 2, 'r1 keeps its two revisions');
});
