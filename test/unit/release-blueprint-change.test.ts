/** An upgrade or plan with another blueprint than the release runs is refused before any write. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import { planUpgrade } from '../../src/plan/plan.ts';
import { deploy } from '../../src/release/engine.ts';
import { deployOptions, FakeCluster, releaseRecords } from '../support/fake-cluster.ts';

test('a release keeps its blueprint: upgrade and plan with another one are refused, nothing written', async () => {
  const cluster = new FakeCluster();
  const target = { client: cluster.client, namespace: 'team', release: 'gw' };
  const router = await getBlueprint('model-router');
  const langfuse = await getBlueprint('langfuse');
  await deploy(
    target,
    { kind: 'install', blueprint: router, values: {}, rotateSecrets: [] },
    deployOptions(),
  );
  const writes = cluster.calls.filter(
    (c) => !c.operation.startsWith('get') && !c.operation.startsWith('list'),
  ).length;

  const refused = {
    code: 'BERTH_BLUEPRINT_CHANGED',
    message:
      'release gw runs blueprint model-router; upgrading it with langfuse would replace every object of it',
    exitCode: 1,
  };
  await assert.rejects(planUpgrade(target, { blueprint: langfuse, values: {} }), refused);
  for (const installIfMissing of [false, true])
    await assert.rejects(
      deploy(
        target,
        { kind: 'upgrade', blueprint: langfuse, values: {}, rotateSecrets: [], installIfMissing },
        deployOptions(),
      ),
      refused,
    );
  const after = cluster.calls.filter(
    (c) => !c.operation.startsWith('get') && !c.operation.startsWith('list'),
  );
  // The lock is taken and given back; nothing else is written.
  assert.deepEqual(
    after.slice(writes).filter((c) => c.kind !== 'Lease'),
    [],
  );
  assert.deepEqual(
    (await releaseRecords(cluster, 'team', 'gw')).map((r) => `${r.revision}:${r.status}:${r.blueprint.name}`),
    ['1:deployed:model-router'],
  );

  // The same blueprint still upgrades.
  const upgraded = await deploy(
    target,
    { kind: 'upgrade', blueprint: router, values: { router: { logLevel: 'DEBUG' } }, rotateSecrets: [] },
    deployOptions(),
  );
  assert.equal(upgraded.revision, 2);
});
