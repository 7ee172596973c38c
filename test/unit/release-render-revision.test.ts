/**
 * How a revision is rendered: generated Secrets keep the values the cluster holds, an adopted
 * install's credentials are kept the same way (the cluster's own winning), and `--rotate-secret`
 * takes a Secret's short or full name.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import { renderRevision } from '../../src/release/render-revision.ts';
import { readGeneratedSecrets, type StoredSecrets } from '../../src/release/secrets.ts';
import { GENERATED_KEYS_ANNOTATION } from '../../src/render/annotations.ts';
import type { Manifest } from '../../src/render/render.ts';
import { FakeCluster } from '../support/fake-cluster.ts';

const NS = 'shop';
const RELEASE = 'lf';
const target = { release: RELEASE, namespace: NS };
const STORED: StoredSecrets = new Map([['lf-postgresql', { username: 'langfuse', password: 'stored-pg' }]]);

function secretValue(manifests: readonly Manifest[], name: string, key: string): string | undefined {
  const secret = manifests.find((m) => m.object.kind === 'Secret' && m.object.metadata.name === name)?.object;
  assert.ok(secret, `Secret/${name} is rendered`);
  const { stringData, data } = secret as {
    stringData?: Record<string, string>;
    data?: Record<string, string>;
  };
  if (stringData?.[key] !== undefined) return stringData[key];
  return data?.[key] === undefined ? undefined : Buffer.from(data[key], 'base64').toString();
}

async function rendered(request: { rotateSecrets?: string[]; keptSecrets?: StoredSecrets } = {}) {
  const blueprint = await getBlueprint('langfuse');
  const { manifests } = await renderRevision(
    target,
    { blueprint, values: {}, rotateSecrets: request.rotateSecrets ?? [], keptSecrets: request.keptSecrets },
    STORED,
  );
  return (name: string, key = 'password') => secretValue(manifests, name, key);
}

describe('rendering a revision', () => {
  test("stored values are kept; an adopted install's credentials too, the stored ones winning", async () => {
    const value = await rendered({
      keptSecrets: new Map([
        ['lf-postgresql', { password: 'adopted-pg' }],
        ['lf-redis', { password: 'adopted-redis' }],
      ]),
    });
    assert.equal(value('lf-postgresql'), 'stored-pg');
    assert.equal(value('lf-redis'), 'adopted-redis');
    const fresh = await rendered();
    assert.equal(fresh('lf-postgresql'), 'stored-pg');
    assert.notEqual(fresh('lf-redis'), 'adopted-redis');
  });

  test('a rotated Secret gets fresh values, named with or without the release prefix; others stay', async () => {
    for (const name of ['postgresql', 'lf-postgresql']) {
      const value = await rendered({
        rotateSecrets: [name],
        keptSecrets: new Map([['lf-redis', { password: 'adopted-redis' }]]),
      });
      const password = value('lf-postgresql');
      assert.ok(password && password !== 'stored-pg', `--rotate-secret ${name} renews the password`);
      assert.equal(value('lf-postgresql', 'username'), 'langfuse');
      assert.equal(value('lf-redis'), 'adopted-redis');
    }
  });
});

describe('reading the stored values', () => {
  test('only Secrets of the release that hold generated keys are read, decoded', async () => {
    const cluster = new FakeCluster();
    const labels = { 'app.kubernetes.io/instance': RELEASE, 'app.kubernetes.io/managed-by': 'berth' };
    const data = { password: Buffer.from('pw').toString('base64') };
    const secret = (name: string, extra: Record<string, unknown>) =>
      cluster.seed({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: NS, labels, ...extra },
        data,
      });
    secret('lf-postgresql', { annotations: { [GENERATED_KEYS_ANNOTATION]: 'password' } });
    secret('lf-user-given', {});
    secret('lf-annotated', { annotations: { 'example.com/other': 'x' } });
    cluster.seed({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'other-postgresql',
        namespace: NS,
        labels: { ...labels, 'app.kubernetes.io/instance': 'other' },
        annotations: { [GENERATED_KEYS_ANNOTATION]: 'password' },
      },
      data,
    });
    const stored = await readGeneratedSecrets(cluster.client, NS, RELEASE);
    assert.deepEqual([...stored], [['lf-postgresql', { password: 'pw' }]]);
  });
});
