/**
 * A release taken over from Helm renders the user's values over the layer its adoption derived,
 * kept with every revision: upgrades, plans, the no-op check, rollbacks and the values view all see
 * it, and no upgrade needs a file from the adoption.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { revisionValues } from '../../src/actions/values.ts';
import { withoutCredentials } from '../../src/adopt/layer.ts';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import { describeOrigin } from '../../src/inspect/values.ts';
import { planUpgrade } from '../../src/plan/plan.ts';
import { deploy } from '../../src/release/engine.ts';
import { ANNOTATION } from '../../src/release/labels.ts';
import type { AdoptedLayer } from '../../src/release/record.ts';
import { overAdopted } from '../../src/release/render-revision.ts';
import { deployOptions, FakeCluster, releaseRecords } from '../support/fake-cluster.ts';

const NS = 'shop';
const RELEASE = 'mr';
const KEEP_SELECTOR = {
  target: { kind: 'Deployment', name: 'mr-router' },
  patch: { metadata: { annotations: { 'chart.example/kept': 'selector' } } },
};
const LAYER: AdoptedLayer = {
  chart: 'jairouter 1.2.0',
  values: { services: { router: { replicas: 3 } }, patches: [KEEP_SELECTOR] },
};

type Deployment = { spec: { replicas: number }; metadata: { annotations?: Record<string, string> } };

function router(cluster: FakeCluster): Deployment {
  const live = [...cluster.objects.values()].find(
    (o) => o.kind === 'Deployment' && o.metadata.name === 'mr-router',
  );
  assert.ok(live, 'Deployment/mr-router exists');
  return live as unknown as Deployment;
}

async function adopted() {
  const cluster = new FakeCluster();
  const target = { client: cluster.client, namespace: NS, release: RELEASE };
  const blueprint = await getBlueprint('model-router');
  await deploy(
    target,
    { kind: 'install', blueprint, values: {}, rotateSecrets: [], adopted: LAYER },
    deployOptions(),
  );
  return { cluster, target, blueprint };
}

describe('the adopted layer', () => {
  test('user values go over it, the layer patches first, a patch the user repeats applies once', () => {
    const mine = {
      target: { kind: 'Service', name: 'mr-router' },
      patch: { metadata: { labels: { a: 'b' } } },
    };
    const values = overAdopted(LAYER, {
      services: { router: { replicas: 5 } },
      patches: [KEEP_SELECTOR, mine],
    });
    assert.deepEqual(values, { services: { router: { replicas: 5 } }, patches: [KEEP_SELECTOR, mine] });
    assert.deepEqual(overAdopted(undefined, { a: 1 }), { a: 1 });
    assert.deepEqual(overAdopted(LAYER, { patches: null }), {
      services: { router: { replicas: 3 } },
      patches: [KEEP_SELECTOR],
    });
  });

  test('a user patch equal to any one of the layer patches applies once', () => {
    const selectorOfWorker = {
      target: { kind: 'Deployment', name: 'mr-worker' },
      patch: { metadata: { annotations: { 'chart.example/kept': 'selector' } } },
    };
    const layer = { ...LAYER, values: { patches: [KEEP_SELECTOR, selectorOfWorker] } };
    assert.deepEqual(overAdopted(layer, { patches: [selectorOfWorker] }), {
      patches: [KEEP_SELECTOR, selectorOfWorker],
    });
  });

  test('is recorded with the install and every upgrade after it; an upgrade without values keeps it', async () => {
    const { cluster, target, blueprint } = await adopted();
    assert.equal(router(cluster).spec.replicas, 3);
    assert.equal(router(cluster).metadata.annotations?.['chart.example/kept'], 'selector');

    const upgraded = await deploy(
      target,
      { kind: 'upgrade', blueprint, values: { services: { router: { replicas: 4 } } }, rotateSecrets: [] },
      deployOptions(),
    );
    assert.equal(upgraded.revision, 2);
    assert.equal(router(cluster).spec.replicas, 4);
    assert.equal(router(cluster).metadata.annotations?.['chart.example/kept'], 'selector');
    const [second, first] = await releaseRecords(cluster, NS, RELEASE);
    assert.deepEqual(first?.adopted, LAYER);
    assert.deepEqual(second?.adopted, LAYER);
    assert.deepEqual(second?.values, { services: { router: { replicas: 4 } } });

    // Back to the layer's own replicas: the user's values are not carried, the layer is.
    await deploy(target, { kind: 'upgrade', blueprint, values: {}, rotateSecrets: [] }, deployOptions());
    assert.equal(router(cluster).spec.replicas, 3);
    assert.equal(router(cluster).metadata.annotations?.['chart.example/kept'], 'selector');
  });

  test('the no-op check and the plan render over it: the same upgrade again changes nothing', async () => {
    const { cluster, target, blueprint } = await adopted();
    const [head] = [...cluster.objects.values()].filter(
      (o) => o.kind === 'Secret' && o.metadata.annotations?.[ANNOTATION.adoptedChart],
    );
    assert.equal(head?.metadata.annotations?.[ANNOTATION.adoptedChart], 'jairouter 1.2.0');

    const plan = await planUpgrade(target, { blueprint, values: {} });
    assert.deepEqual(
      plan.changes.filter((c) => c.action !== 'unchanged').map((c) => `${c.action} ${c.object}`),
      [],
    );
    cluster.calls.length = 0;
    const same = await deploy(
      target,
      { kind: 'upgrade', blueprint, values: {}, rotateSecrets: [] },
      deployOptions(),
    );
    assert.equal(same.status, 'unchanged');
    // Decided before the lock, with the record's payload read for its layer.
    assert.deepEqual(
      cluster.calls.filter((c) => c.kind === 'Lease'),
      [],
    );
    const scaled = await planUpgrade(target, {
      blueprint,
      values: { services: { router: { replicas: 4 } } },
    });
    assert.deepEqual(
      scaled.changes.filter((c) => c.action !== 'unchanged').map((c) => `${c.action} ${c.object}`),
      ['change Deployment/mr-router'],
    );
  });

  test('a rollback restores the layer of the revision it goes back to', async () => {
    const { cluster, target, blueprint } = await adopted();
    await deploy(
      target,
      { kind: 'upgrade', blueprint, values: { services: { router: { replicas: 4 } } }, rotateSecrets: [] },
      deployOptions(),
    );
    await deploy(target, { kind: 'rollback', revision: 1 }, deployOptions());
    const [rolledBack] = await releaseRecords(cluster, NS, RELEASE);
    assert.equal(rolledBack?.rollbackOf, 1);
    assert.deepEqual(rolledBack?.adopted, LAYER);
    assert.equal(router(cluster).spec.replicas, 3);
  });

  test('berth values --layers tells the layer from the revision', async () => {
    const { target, blueprint } = await adopted();
    await deploy(
      target,
      {
        kind: 'upgrade',
        blueprint,
        values: { services: { router: { resources: { limits: { memory: '2Gi' } } } } },
        rotateSecrets: [],
      },
      deployOptions(),
    );
    const view = await revisionValues(target, undefined);
    const from = (path: string) => {
      const leaf = view.effective.leaves.find((l) => l.path === path);
      assert.ok(leaf, `${path} is shown`);
      return describeOrigin(leaf.origin);
    };
    assert.equal(from('services.router.replicas'), 'adopted (chart jairouter 1.2.0)');
    assert.equal(from('services.router.resources.limits.memory'), 'revision 2');
    assert.equal(from('patches[0].target.name'), 'adopted (chart jairouter 1.2.0)');
  });
});

describe('credentials never enter the layer', () => {
  test('an env entry goes whole, a credential-named key goes, a URL with a password goes; each is named', () => {
    const { values, dropped } = withoutCredentials({
      services: {
        api: {
          extraEnv: [
            { name: 'OPENAI_API_KEY', value: 'sk-live' },
            { name: 'LOG_LEVEL', value: 'debug' },
          ],
        },
      },
      integrations: { postgres: { password: 'hunter2', existingSecret: 'pg', host: 'db' } },
      webhook: 'https://user:pw@hooks.example/x',
      flags: { enabled: true },
    });
    assert.deepEqual(values, {
      services: { api: { extraEnv: [{ name: 'LOG_LEVEL', value: 'debug' }] } },
      integrations: { postgres: { existingSecret: 'pg', host: 'db' } },
      flags: { enabled: true },
    });
    assert.deepEqual(dropped.sort(), [
      'integrations.postgres.password',
      'services.api.extraEnv.OPENAI_API_KEY.value',
      'webhook',
    ]);
  });
});
