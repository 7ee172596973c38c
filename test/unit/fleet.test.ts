/** `berth apply`: the fleet file's checks, the concurrency bound, and each release through the engine. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkOffline } from '../../src/actions/cluster.ts';
import { loadFleet } from '../../src/fleet/file.ts';
import { applyFleet, inPool, prepareFleet } from '../../src/fleet/run.ts';
import { type DeployRequest, deploy } from '../../src/release/engine.ts';
import { deployOptions, FakeCluster } from '../support/fake-cluster.ts';

const dir = mkdtempSync(join(tmpdir(), 'berth-fleet-'));
function fleetFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('the pool never runs more than its limit and keeps the order of the items', async () => {
  let running = 0;
  let most = 0;
  const results = await inPool([5, 1, 4, 2, 3, 1, 2], 3, async (n) => {
    running++;
    most = Math.max(most, running);
    await new Promise((resolve) => setTimeout(resolve, n * 3));
    running--;
    return n * 10;
  });
  assert.equal(most, 3);
  assert.deepEqual(results, [50, 10, 40, 20, 30, 10, 20]);
});

test('a fleet file: values files relative to it, names checked with the field path', () => {
  writeFileSync(join(dir, 'a.yaml'), 'router:\n  logLevel: DEBUG\n');
  const releases = loadFleet(
    fleetFile(
      'ok.yaml',
      'releases:\n  - {name: r1, namespace: team-a, blueprint: model-router, values: [a.yaml]}\n',
    ),
  );
  assert.deepEqual(releases, [
    { name: 'r1', namespace: 'team-a', blueprint: 'model-router', values: [join(dir, 'a.yaml')], set: [] },
  ]);
  const bad = (text: string) => () => loadFleet(fleetFile('bad.yaml', text));
  assert.throws(
    bad('releases:\n  - {name: r1, namespace: a}\n'),
    /bad\.yaml: releases\[0\]\.blueprint: required$/,
  );
  assert.throws(bad('releases:\n  - {name: R_1, namespace: a, blueprint: x}\n'), /releases\[0\]\.name: /);
  assert.throws(bad('releases:\n  - {name: r, namespace: A, blueprint: x}\n'), /releases\[0\]\.namespace: /);
  assert.throws(
    bad('releases:\n  - {name: r, namespace: a, blueprint: x}\n  - {name: r, namespace: a, blueprint: x}\n'),
    /releases\[1\]: a\/r is listed twice/,
  );
  assert.throws(bad('releases: []\n'), /releases: /);
});

const offline = (entry: { name: string; namespace: string }, request: DeployRequest & { kind: 'upgrade' }) =>
  checkOffline(request.blueprint, request.values, { release: entry.name, namespace: entry.namespace });

test('apply installs every release, then finds them unchanged; a bad entry stops the run before any release', async () => {
  const cluster = new FakeCluster();
  const releases = ['a', 'b', 'c', 'd'].map((name, i) => ({
    name,
    namespace: `team-${i % 2}`,
    blueprint: 'model-router',
    values: [],
    set: [],
  }));
  const options = {
    concurrency: 2,
    deploy: (entry: { name: string; namespace: string }, request: DeployRequest) =>
      deploy(
        { client: cluster.client, namespace: entry.namespace, release: entry.name },
        request,
        deployOptions({ wait: false }),
      ),
  };
  const first = await applyFleet(await prepareFleet('fleet.yaml', releases, offline), options);
  assert.deepEqual(
    first.map((o) =>
      'result' in o ? `${o.namespace}/${o.release}:${o.result.status}:${o.result.revision}` : o.error,
    ),
    ['team-0/a:deployed:1', 'team-1/b:deployed:1', 'team-0/c:deployed:1', 'team-1/d:deployed:1'],
  );
  const second = await applyFleet(await prepareFleet('fleet.yaml', releases, offline), options);
  assert.deepEqual(
    second.map((o) => ('result' in o ? o.result.status : 'failed')),
    ['unchanged', 'unchanged', 'unchanged', 'unchanged'],
  );

  const writes = cluster.calls.length;
  const broken = releases.map((r) =>
    r.name === 'b'
      ? { ...r, blueprint: 'nope' }
      : r.name === 'c'
        ? { ...r, set: ['router.nope=1', 'router.replicas=abc'] }
        : { ...r, set: ['router.logLevel=DEBUG'] },
  );
  await assert.rejects(prepareFleet('fleet.yaml', broken, offline), (error: Error) => {
    const lines = error.message.split('\n');
    assert.match(
      lines[0]!,
      /^fleet file fleet\.yaml: releases\[1\] \(team-1\/b\): unknown blueprint "nope"$/,
    );
    assert.ok(lines.length >= 3, error.message);
    for (const line of lines.slice(1))
      assert.match(line, /^fleet file fleet\.yaml: releases\[2\] \(team-0\/c\): values router\./);
    return true;
  });
  assert.equal(cluster.calls.length, writes, 'an invalid fleet touches nothing');
});
