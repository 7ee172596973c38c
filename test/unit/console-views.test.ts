/** What the console shows of a release: its topology from a real render, and component states. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import { componentState } from '../../src/console/live.ts';
import { topologyOf } from '../../src/console/views.ts';
import { render } from '../../src/render/render.ts';

test('the topology of langfuse: components by stage, their Services, and who calls whom', async () => {
  const { manifests } = await render(await getBlueprint('langfuse'), {}, { release: 'lf', namespace: 'obs' });
  const topology = topologyOf({ release: 'lf', namespace: 'obs', manifests });
  const byName = new Map(topology.components.map((c) => [c.name, c]));
  assert.equal(byName.get('web')?.stage, 'frontends');
  assert.equal(byName.get('postgresql')?.stage, 'dependencies');
  assert.equal(byName.get('migrate')?.stage, 'migrations');
  assert.deepEqual(byName.get('web')?.workloads, ['Deployment/lf-web']);
  assert.ok(byName.get('postgresql')?.services.includes('lf-postgresql'));
  const calls = topology.dependencies.map((d) => `${d.from}->${d.to}`);
  for (const edge of [
    'web->postgresql',
    'web->redis',
    'web->clickhouse',
    'worker->postgresql',
    'worker->minio',
  ])
    assert.ok(calls.includes(edge), `${edge} in ${calls.join(', ')}`);
  assert.ok(
    topology.dependencies.every((d) => d.from !== d.to),
    'a component calling its own Service is no dependency',
  );
});

test('a component is ready when all its workloads are, missing when one is gone', () => {
  const w = (ready: boolean, missing = false) => ({ ready, missing, message: '', live: undefined });
  assert.equal(componentState([w(true), w(true)]), 'ready');
  assert.equal(componentState([w(true), w(false)]), 'progressing');
  assert.equal(componentState([w(true), w(false, true)]), 'missing');
});
