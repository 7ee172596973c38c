/**
 * The change set: computed once, shown by plan, carried out by deploy and uninstall. What it says
 * an upgrade creates, prunes and keeps is what the upgrade then does, on an in-memory cluster.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import { describeRef } from '../../src/kube/types.ts';
import { computeChanges } from '../../src/release/changes.ts';
import { deploy, renderRevision, revisionsOf } from '../../src/release/engine.ts';
import { ANNOTATION } from '../../src/release/labels.ts';
import { readGeneratedSecrets } from '../../src/release/secrets.ts';
import { ReleaseStore } from '../../src/release/store.ts';
import { uninstall } from '../../src/release/uninstall.ts';
import { deployOptions, FakeCluster } from '../support/fake-cluster.ts';

const NS = 'shop';
const RELEASE = 'lf';
const EXTERNAL_REDIS = {
  integrations: { redis: { enabled: true, host: 'redis.example', existingSecret: 'redis-creds' } },
};

async function installed(): Promise<{ cluster: FakeCluster; target: ReturnType<typeof targetOf> }> {
  const cluster = new FakeCluster();
  const target = targetOf(cluster);
  const blueprint = await getBlueprint('langfuse');
  await deploy(target, { kind: 'install', blueprint, values: {}, rotateSecrets: [] }, deployOptions());
  return { cluster, target };
}

function targetOf(cluster: FakeCluster) {
  return { client: cluster.client, namespace: NS, release: RELEASE };
}

function annotateKeep(cluster: FakeCluster, kind: string, name: string): void {
  const live = [...cluster.objects.values()].find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(live, `${kind}/${name} exists`);
  live.metadata.annotations = { ...live.metadata.annotations, [ANNOTATION.resourcePolicy]: 'keep' };
}

describe('the change set', () => {
  test('what the change set says an upgrade prunes and keeps is what the upgrade does', async () => {
    const { cluster, target } = await installed();
    const blueprint = await getBlueprint('langfuse');
    const store = new ReleaseStore(cluster.client);
    const { previous } = await revisionsOf(store, target, await store.summaries(NS, RELEASE));
    const stored = await readGeneratedSecrets(cluster.client, NS, RELEASE);
    const rendered = await renderRevision(
      target,
      { blueprint, values: EXTERNAL_REDIS, rotateSecrets: [] },
      stored,
    );
    const planned = await computeChanges(cluster.client, {
      release: RELEASE,
      manifests: rendered.manifests,
      previous,
      adopt: false,
    });
    const named = (action: string) =>
      planned.changes
        .filter((c) => c.action === action)
        .map((c) => describeRef(c.ref))
        .sort();
    assert.ok(
      named('prune').some((o) => o.startsWith('StatefulSet/lf-redis')),
      named('prune').join(),
    );
    assert.ok(
      named('keep').some((o) => o.startsWith('Secret/lf-redis')),
      named('keep').join(),
    );
    assert.deepEqual(named('create'), []);

    const options = deployOptions();
    await deploy(target, { kind: 'upgrade', blueprint, values: EXTERNAL_REDIS, rotateSecrets: [] }, options);
    const done = (type: string) =>
      options.events
        .filter((e) => e.type === type)
        .map((e) => (e as { object: string }).object)
        .sort();
    assert.deepEqual(done('pruned'), named('prune'));
    assert.deepEqual(done('kept'), named('keep'));
  });

  test('berth.dev/resource-policy: keep is honoured by prune', async () => {
    const { cluster, target } = await installed();
    annotateKeep(cluster, 'StatefulSet', `${RELEASE}-redis`);
    const options = deployOptions();
    const blueprint = await getBlueprint('langfuse');
    await deploy(target, { kind: 'upgrade', blueprint, values: EXTERNAL_REDIS, rotateSecrets: [] }, options);
    assert.ok(cluster.find('StatefulSet', `${RELEASE}-redis`), 'the annotated object stays');
    assert.ok(
      options.events.some(
        (e) =>
          e.type === 'kept' &&
          e.object.startsWith('StatefulSet/lf-redis') &&
          /resource-policy/.test(e.reason),
      ),
    );
  });

  test('berth.dev/resource-policy: keep is honoured by uninstall, and --delete-data removes it', async () => {
    for (const deleteData of [false, true]) {
      const { cluster, target } = await installed();
      annotateKeep(cluster, 'Deployment', `${RELEASE}-web`);
      const result = await uninstall(target, {
        deleteData,
        wait: false,
        timeoutMs: 1000,
        progress: () => undefined,
      });
      const web = cluster.find('Deployment', `${RELEASE}-web`);
      assert.equal(web !== undefined, !deleteData, `deleteData ${deleteData}`);
      assert.equal(
        result.kept.some((o) => o.startsWith('Deployment/lf-web')),
        !deleteData,
      );
      assert.equal(cluster.find('Deployment', `${RELEASE}-worker`), undefined, 'the rest is gone');
    }
  });
});
