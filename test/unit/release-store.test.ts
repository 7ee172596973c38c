/** The release store on the in-memory cluster: what a record Secret carries, summaries, removal and history pruning. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { credentialsName } from '../../src/release/labels.ts';
import type { ReleaseRecord } from '../../src/release/record.ts';
import { ReleaseStore } from '../../src/release/store.ts';
import { FakeCluster } from '../support/fake-cluster.ts';

const NS = 'shop';

function record(revision: number, extra: Partial<ReleaseRecord> = {}): ReleaseRecord {
  return {
    release: 'lf',
    namespace: NS,
    revision,
    status: 'superseded',
    blueprint: { name: 'langfuse', version: '1.2.0', appVersion: '3.1.0' },
    berthVersion: '0.1.0',
    values: {},
    manifests: [],
    digest: `d${revision}`,
    description: `upgrade ${revision}`,
    notes: [],
    startedAt: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}

describe('record Secrets', () => {
  test('the head carries labels and annotations for summaries; continuation chunks only what finds them', async () => {
    const cluster = new FakeCluster();
    const store = new ReleaseStore(cluster.client);
    const noise = randomBytes(900_000).toString('base64');
    await store.save(
      record(3, {
        status: 'deployed',
        values: { noise },
        finishedAt: '2026-01-01T00:05:00.000Z',
        description: 'd'.repeat(1500),
      }),
    );
    const head = cluster.find('Secret', 'berth.lf.v3')!;
    assert.equal(head.type, 'berth.dev/release.v1');
    assert.deepEqual(head.metadata.labels, {
      'berth.dev/owner': 'berth',
      'berth.dev/release': 'lf',
      'berth.dev/revision': '3',
      'berth.dev/chunk': '0',
      'berth.dev/status': 'deployed',
    });
    const annotations = head.metadata.annotations ?? {};
    assert.equal(annotations['berth.dev/blueprint'], 'langfuse-1.2.0');
    assert.equal(annotations['berth.dev/app-version'], '3.1.0');
    assert.equal(annotations['berth.dev/updated'], '2026-01-01T00:05:00.000Z', 'finished, else started');
    assert.equal(annotations['berth.dev/description'], 'd'.repeat(1000));
    assert.equal(annotations['berth.dev/chunks'], '3');
    const next = cluster.find('Secret', 'berth.lf.v3.1')!;
    assert.deepEqual(next.metadata.labels, {
      'berth.dev/owner': 'berth',
      'berth.dev/release': 'lf',
      'berth.dev/revision': '3',
      'berth.dev/chunk': '1',
    });
    assert.equal(next.metadata.annotations, undefined);
    assert.equal((await store.load(NS, 'lf', 3))?.description, 'd'.repeat(1500), 'the record keeps it whole');
  });

  test('credentials in recorded manifests go to a Secret of their own, labelled like the record', async () => {
    const cluster = new FakeCluster();
    const store = new ReleaseStore(cluster.client);
    const manifests = [
      {
        stage: 'backends',
        object: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'settings' },
          data: { apiToken: 'tok-9f8e7d6c5b4a' },
        },
      },
    ] as unknown as ReleaseRecord['manifests'];
    await store.save(record(6, { manifests }));
    const credentials = cluster.find('Secret', 'berth.lf.v6.credentials')!;
    assert.equal(credentials.type, 'berth.dev/release-credentials.v1');
    assert.deepEqual(credentials.metadata.labels, {
      'berth.dev/owner': 'berth',
      'berth.dev/release': 'lf',
      'berth.dev/revision': '6',
    });
    assert.ok(!JSON.stringify(cluster.find('Secret', 'berth.lf.v6')).includes('tok-9f8e7d6c5b4a'));
    assert.deepEqual((await store.load(NS, 'lf', 6))?.manifests, manifests);
    await store.save(record(7));
    assert.equal(cluster.find('Secret', 'berth.lf.v7.credentials'), undefined, 'none without credentials');
  });

  test('summaries: newest first, one release or all of them; updated falls back to the start', async () => {
    const cluster = new FakeCluster();
    const store = new ReleaseStore(cluster.client);
    await store.save(record(1));
    await store.save(record(2, { status: 'deployed' }));
    await store.save({ ...record(1), release: 'other' });
    const lf = await store.summaries(NS, 'lf');
    assert.deepEqual(lf[0], {
      release: 'lf',
      namespace: NS,
      revision: 2,
      status: 'deployed',
      blueprint: 'langfuse-1.2.0',
      appVersion: '3.1.0',
      updated: '2026-01-01T00:00:00.000Z',
      description: 'upgrade 2',
    });
    assert.deepEqual(
      lf.map((s) => s.revision),
      [2, 1],
    );
    assert.deepEqual((await store.summaries(NS)).map((s) => `${s.release}.${s.revision}`).sort(), [
      'lf.1',
      'lf.2',
      'other.1',
    ]);
    cluster.seed({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'not-ours',
        namespace: NS,
        labels: { 'berth.dev/chunk': '0', 'berth.dev/release': 'lf' },
      },
    });
    assert.equal((await store.summaries(NS, 'lf')).length, 2, "only berth's records");
    assert.equal((await store.latest(NS, 'lf'))?.revision, 2);
    assert.equal(await store.latest(NS, 'none'), undefined);
  });

  test('a revision that does not exist loads as nothing; a head without a chunk count is one chunk', async () => {
    const cluster = new FakeCluster();
    const store = new ReleaseStore(cluster.client);
    assert.equal(await store.load(NS, 'lf', 4), undefined);
    await store.save(record(4));
    const head = cluster.find('Secret', 'berth.lf.v4')!;
    const { 'berth.dev/chunks': _count, ...annotations } = head.metadata.annotations ?? {};
    cluster.seed({ ...head, metadata: { ...head.metadata, annotations } });
    assert.equal((await store.load(NS, 'lf', 4))?.digest, 'd4');
    await store.remove(NS, 'lf', 4);
    assert.deepEqual(cluster.names('Secret'), []);
    await store.save(record(6));
    const bare = cluster.find('Secret', 'berth.lf.v6')!;
    cluster.seed({ ...bare, metadata: { ...bare.metadata, annotations: undefined } });
    assert.equal((await store.load(NS, 'lf', 6))?.digest, 'd6', 'a head without any annotation');
    await store.remove(NS, 'lf', 6);
    assert.deepEqual(cluster.names('Secret'), []);
  });

  test('a head without its labels and annotations sums up with empty fields', async () => {
    const cluster = new FakeCluster();
    const store = new ReleaseStore(cluster.client);
    cluster.seed({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'berth.lf.v1',
        namespace: NS,
        labels: { 'berth.dev/owner': 'berth', 'berth.dev/chunk': '0', 'berth.dev/revision': '1' },
      },
    });
    assert.deepEqual(await store.summaries(NS), [
      {
        release: '',
        namespace: NS,
        revision: 1,
        status: undefined,
        blueprint: '',
        appVersion: '',
        updated: '',
        description: '',
      },
    ]);
  });

  test('removing a record removes every chunk, and a record already gone is no error', async () => {
    const cluster = new FakeCluster();
    const store = new ReleaseStore(cluster.client);
    await store.save(record(5, { values: { noise: randomBytes(1_200_000).toString('base64') } }));
    const chunks = cluster.names('Secret');
    assert.ok(chunks.length >= 3);
    await store.remove(NS, 'lf', 5);
    assert.deepEqual(cluster.names('Secret'), []);
    const deletes = () => cluster.calls.filter((c) => c.operation === 'delete').map((c) => c.name);
    assert.deepEqual(deletes().sort(), [...chunks, credentialsName('lf', 5)].sort(), 'each chunk, no more');
    await store.remove(NS, 'lf', 5);
    assert.ok(!deletes().includes('berth.lf.v5.9'));
  });

  test('newest: the head alone tells the digest, an older revision still deployed, an adopted layer', async () => {
    const cluster = new FakeCluster();
    const store = new ReleaseStore(cluster.client);
    assert.equal(await store.newest(NS, 'lf'), undefined);
    await store.save(record(1));
    await store.save(record(2, { status: 'deployed', adopted: { chart: 'langfuse 1.5.0', values: {} } }));
    const newest = await store.newest(NS, 'lf');
    assert.deepEqual(
      { ...newest, summary: newest?.summary.revision },
      { summary: 2, digest: 'd2', olderDeployed: false, adopted: true },
    );
    await store.save(record(1, { status: 'deployed' }));
    await store.save(record(3, { status: 'deployed' }));
    const head = cluster.find('Secret', 'berth.lf.v3')!;
    const { 'berth.dev/digest': _digest, ...annotations } = head.metadata.annotations ?? {};
    cluster.seed({ ...head, metadata: { ...head.metadata, annotations } });
    assert.deepEqual(
      { ...(await store.newest(NS, 'lf')), summary: undefined },
      { summary: undefined, digest: '', olderDeployed: true, adopted: false },
    );
  });

  test('pruning keeps the newest and the deployed revision, and says which it removed', async () => {
    const cluster = new FakeCluster();
    const store = new ReleaseStore(cluster.client);
    await store.save(record(1, { status: 'deployed' }));
    for (const revision of [2, 3, 4]) await store.save(record(revision, { status: 'failed' }));
    assert.deepEqual(await store.prune(NS, 'lf', 2), [2]);
    assert.deepEqual(
      (await store.summaries(NS, 'lf')).map((s) => s.revision),
      [4, 3, 1],
    );
  });
});
