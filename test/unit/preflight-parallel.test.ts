/**
 * Preflight's cluster reads run in parallel: every check at once, and within a check every Secret,
 * claim and CRD at once. The stub cluster answers requests in waves (all requests made so far, then
 * the next ones); sequential reads would need a wave each.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeClient } from '../../src/kube/client.ts';
import { runPreflight } from '../../src/preflight/run.ts';
import type { KubeObject } from '../../src/render/model.ts';

class WaveCluster {
  readonly requests: string[] = [];
  private pending: (() => void)[] = [];

  private answer<T>(what: string, value: T): Promise<T> {
    this.requests.push(what);
    return new Promise((resolve) => this.pending.push(() => resolve(value)));
  }

  get client(): KubeClient {
    return {
      serverVersion: () => this.answer('version', { major: '1', minor: '35', gitVersion: 'v1.35.0' }),
      get: (ref: { kind: string; name: string }) => this.answer(`get ${ref.kind}/${ref.name}`, undefined),
      list: (query: { kind: string }) => this.answer(`list ${query.kind}`, []),
      create: (object: KubeObject) =>
        this.answer(`create ${object.kind}`, { ...object, status: { allowed: true } }),
      resourceInfo: (_apiVersion: string, kind: string) =>
        this.answer(`discover ${kind}`, { plural: `${kind.toLowerCase()}s`, namespaced: true }),
    } as unknown as KubeClient;
  }

  /** Answers everything asked so far, wave after wave, until `work` settles; returns the waves. */
  async drive(work: Promise<unknown>): Promise<number> {
    let settled = false;
    work.finally(() => {
      settled = true;
    });
    let waves = 0;
    while (!settled) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.pending.length === 0) continue;
      waves++;
      for (const answer of this.pending.splice(0)) answer();
    }
    await work;
    return waves;
  }
}

const secretEnv = (secret: string) => ({
  name: secret,
  valueFrom: { secretKeyRef: { name: secret, key: 'k' } },
});

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    template: {
      spec: {
        containers: [{ name: 'web', image: 'web:1', env: ['s1', 's2', 's3', 's4'].map(secretEnv) }],
        volumes: ['c1', 'c2', 'c3'].map((claim) => ({
          name: claim,
          persistentVolumeClaim: { claimName: claim },
        })),
      },
    },
  },
};

test('all checks and all their reads start together: two waves, not one per object', async () => {
  const cluster = new WaveCluster();
  const waves = await cluster.drive(
    runPreflight({
      client: cluster.client,
      blueprint: { name: 'test', kubeVersion: '>=1.28.0' },
      values: {},
      manifests: [deployment],
      namespace: 'shop',
      release: 'r',
      prerequisites: { crds: ['a.example.com', 'b.example.com', 'c.example.com'] },
    }),
  );
  const asked = (prefix: string) => cluster.requests.filter((r) => r.startsWith(prefix));
  assert.equal(asked('get Secret/').length, 4);
  assert.equal(asked('get PersistentVolumeClaim/').length, 3);
  assert.equal(asked('get CustomResourceDefinition/').length, 3);
  // Discovery, then the access reviews that need its answers; everything else in the first wave.
  assert.ok(waves <= 2, `${waves} waves`);
});
