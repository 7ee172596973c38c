/**
 * The change set: computed once, shown by plan, carried out by deploy and uninstall. What it says
 * an upgrade creates, prunes and keeps is what the upgrade then does, on an in-memory cluster.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import { ExitCode } from '../../src/errors.ts';
import { describeRef } from '../../src/kube/types.ts';
import type { Plan } from '../../src/plan/plan.ts';
import { checkSavedPlan, parseSavedPlan, savedPlan } from '../../src/plan/saved.ts';
import { computeChanges, pinOf } from '../../src/release/changes.ts';
import { deploy, revisionsOf } from '../../src/release/engine.ts';
import { ANNOTATION } from '../../src/release/labels.ts';
import { renderRevision } from '../../src/release/render-revision.ts';
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

const webReplicas = (cluster: FakeCluster) =>
  (cluster.find('Deployment', `${RELEASE}-web`)?.spec as { replicas?: number } | undefined)?.replicas;

/** The change set and pin `berth plan` computes for an upgrade to `values`. */
async function plannedUpgrade(cluster: FakeCluster, values: Record<string, unknown>) {
  const target = targetOf(cluster);
  const blueprint = await getBlueprint('langfuse');
  const store = new ReleaseStore(cluster.client);
  const summaries = await store.summaries(NS, RELEASE);
  const { previous } = await revisionsOf(store, target, summaries);
  const stored = await readGeneratedSecrets(cluster.client, NS, RELEASE);
  const rendered = await renderRevision(target, { blueprint, values, rotateSecrets: [] }, stored);
  const changes = await computeChanges(cluster.client, {
    release: RELEASE,
    manifests: rendered.manifests,
    previous,
    adopt: false,
  });
  return pinOf(changes, summaries[0]?.revision);
}

async function statusesOf(cluster: FakeCluster): Promise<string[]> {
  const summaries = await new ReleaseStore(cluster.client).summaries(NS, RELEASE);
  return summaries.map((s) => `${s.revision}:${s.status}`);
}

describe('upgrade --plan-file: the pinned cluster state', () => {
  const values = { services: { web: { replicas: 3 } } };

  test('an upgrade applies while the cluster is as the plan saw it', async () => {
    const { cluster, target } = await installed();
    const pinned = await plannedUpgrade(cluster, values);
    const blueprint = await getBlueprint('langfuse');
    const result = await deploy(
      target,
      { kind: 'upgrade', blueprint, values, rotateSecrets: [] },
      deployOptions({ pinned }),
    );
    assert.equal(result.status, 'deployed');
    assert.equal(webReplicas(cluster), 3);
  });

  test('an object changed since the plan refuses the upgrade with exit 3, nothing written', async () => {
    const { cluster, target } = await installed();
    const pinned = await plannedUpgrade(cluster, values);
    const web = cluster.find('Deployment', `${RELEASE}-web`)!;
    await cluster.apply({
      ...web,
      spec: { ...(web.spec as object), replicas: 5 },
      metadata: { ...web.metadata, resourceVersion: undefined },
    });
    const blueprint = await getBlueprint('langfuse');
    await assert.rejects(
      deploy(target, { kind: 'upgrade', blueprint, values, rotateSecrets: [] }, deployOptions({ pinned })),
      (error: { code: string; exitCode: number; message: string }) =>
        error.code === 'BERTH_PLAN_STALE' &&
        error.exitCode === ExitCode.runtime &&
        /Deployment\/lf-web/.test(error.message) &&
        !error.message.includes('\n'),
    );
    assert.deepEqual(await statusesOf(cluster), ['1:deployed']);
    assert.equal(webReplicas(cluster), 5);
  });

  test('a revision recorded since the plan refuses the upgrade', async () => {
    const { cluster, target } = await installed();
    const pinned = await plannedUpgrade(cluster, values);
    const blueprint = await getBlueprint('langfuse');
    const other = { services: { web: { replicas: 2 } } };
    await deploy(target, { kind: 'upgrade', blueprint, values: other, rotateSecrets: [] }, deployOptions());
    await assert.rejects(
      deploy(target, { kind: 'upgrade', blueprint, values, rotateSecrets: [] }, deployOptions({ pinned })),
      { code: 'BERTH_PLAN_STALE' },
    );
    assert.deepEqual(await statusesOf(cluster), ['2:deployed', '1:superseded']);
  });

  test('a saved plan applied twice is refused the second time, though the upgrade would change nothing', async () => {
    const { cluster, target } = await installed();
    const pinned = await plannedUpgrade(cluster, values);
    const blueprint = await getBlueprint('langfuse');
    const upgrade = { kind: 'upgrade', blueprint, values, rotateSecrets: [] } as const;
    await deploy(target, upgrade, deployOptions({ pinned }));
    await assert.rejects(deploy(target, upgrade, deployOptions({ pinned })), { code: 'BERTH_PLAN_STALE' });
    assert.deepEqual(await statusesOf(cluster), ['2:deployed', '1:superseded']);
  });
});

describe('saved plans', () => {
  const plan: Plan = {
    kind: 'Plan',
    release: RELEASE,
    namespace: NS,
    revision: 1,
    summary: { create: 0, change: 1, prune: 0, unchanged: 3 },
    changes: [],
    notes: [],
    pin: { revision: 1, objects: { 'apps/v1/Deployment/shop/lf-web': 'resourceVersion 7' } },
  };
  const blueprint = { name: 'langfuse', version: '1.2.0' };
  const inputs = { blueprint, values: { auth: { password: 's3cr3t-value' } }, rotateSecrets: [] };
  const upgrade = { ...inputs, release: RELEASE, namespace: NS };

  test('round-trips through its file form and holds no value, only a digest', () => {
    const text = JSON.stringify(savedPlan(plan, inputs));
    assert.ok(!text.includes('s3cr3t-value'));
    const saved = parseSavedPlan(text, 'plan.json');
    assert.deepEqual(saved.pin, plan.pin);
    checkSavedPlan(saved, upgrade);
  });

  test('other values, another blueprint version, another release or rotation are refused with exit 3', () => {
    const saved = savedPlan(plan, inputs);
    for (const other of [
      { ...upgrade, values: { auth: { password: 'other' } } },
      { ...upgrade, blueprint: { ...blueprint, version: '1.3.0' } },
      { ...upgrade, release: 'other' },
      { ...upgrade, rotateSecrets: ['postgresql'] },
    ]) {
      assert.throws(
        () => checkSavedPlan(saved, other),
        (error: { code: string; exitCode: number }) =>
          error.code === 'BERTH_PLAN_MISMATCH' && error.exitCode === ExitCode.runtime,
      );
    }
  });

  test('a file that is not a saved plan is bad input (exit 1) naming the field', () => {
    assert.throws(() => parseSavedPlan('{', 'plan.json'), { code: 'BERTH_PLAN_FILE', exitCode: 1 });
    assert.throws(
      () =>
        parseSavedPlan(JSON.stringify({ ...savedPlan(plan, inputs), pin: { revision: 'x' } }), 'plan.json'),
      (error: Error) => /plan\.json: pin\.revision/.test(error.message),
    );
  });
});
