/**
 * A no-op upgrade is decided from the recorded digest before the lock and the preflight; anything
 * else still goes through the lock, where the engine checks again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import { type DeployRequest, deploy } from '../../src/release/engine.ts';
import { ANNOTATION, recordName } from '../../src/release/labels.ts';
import { deployOptions, FakeCluster } from '../support/fake-cluster.ts';

const NS = 'shop';
const RELEASE = 'lf';
const target = (cluster: FakeCluster) => ({ client: cluster.client, namespace: NS, release: RELEASE });

async function request(
  kind: 'install' | 'upgrade',
  values: Record<string, unknown> = {},
): Promise<DeployRequest> {
  return { kind, blueprint: await getBlueprint('langfuse'), values, rotateSecrets: [] };
}
const upgrade = (values: Record<string, unknown> = {}) => request('upgrade', values);

async function installed(): Promise<FakeCluster> {
  const cluster = new FakeCluster();
  await deploy(target(cluster), await request('install'), deployOptions());
  cluster.calls.length = 0;
  return cluster;
}

const leaseCalls = (cluster: FakeCluster) => cluster.calls.filter((c) => c.kind === 'Lease');
const writes = (cluster: FakeCluster) =>
  cluster.calls.filter((c) => ['apply', 'create', 'delete'].includes(c.operation));

test('an unchanged upgrade reads two lists, takes no lock, runs no preflight and writes nothing', async () => {
  const cluster = await installed();
  const preflight = async () => {
    throw new Error('preflight ran');
  };
  const result = await deploy(target(cluster), await upgrade(), deployOptions({ preflight }));
  assert.equal(result.status, 'unchanged');
  assert.equal(result.revision, 1);
  assert.deepEqual(leaseCalls(cluster), []);
  assert.deepEqual(writes(cluster), []);
  assert.deepEqual(
    cluster.calls.map((c) => `${c.operation} ${c.kind}`),
    ['listMetadata Secret', 'list Secret'],
  );
});

test('a changed upgrade takes the lock and records a revision', async () => {
  const cluster = await installed();
  const result = await deploy(
    target(cluster),
    await upgrade({ services: { web: { replicas: 2 } } }),
    deployOptions(),
  );
  assert.equal(result.status, 'deployed');
  assert.equal(result.revision, 2);
  assert.ok(leaseCalls(cluster).length > 0);
});

test('a record written before heads carried the digest is still found unchanged, under the lock', async () => {
  const cluster = await installed();
  const head = cluster.find('Secret', recordName(RELEASE, 1))!;
  delete head.metadata.annotations![ANNOTATION.digest];
  cluster.seed(head);
  const result = await deploy(target(cluster), await upgrade(), deployOptions());
  assert.equal(result.status, 'unchanged');
  assert.ok(leaseCalls(cluster).length > 0);
  assert.ok(writes(cluster).every((c) => c.kind === 'Lease'));
});
