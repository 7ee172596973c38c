/**
 * The edges of the change set, object by object on an in-memory cluster: the reason of every
 * action, when a live object counts as adopted, which Jobs are replaced, in what order leaving
 * objects go, what is kept, and the exact words of a stale plan.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LiveObject } from '../../src/kube/types.ts';
import {
  type Change,
  type ChangeSet,
  checkPin,
  checkPinnedRevision,
  computeChanges,
  pinOf,
  refKey,
  withSpecHash,
} from '../../src/release/changes.ts';
import { DELETE_DATA_HINT, keepReason, keptByKind } from '../../src/release/keep.ts';
import { ANNOTATION } from '../../src/release/labels.ts';
import type { KubeObject } from '../../src/render/model.ts';
import { FakeCluster } from '../support/fake-cluster.ts';

const NS = 'shop';
const RELEASE = 'lf';
const OURS = { 'app.kubernetes.io/instance': RELEASE, 'app.kubernetes.io/managed-by': 'berth' };

function object(kind: string, name: string, extra: Partial<KubeObject> = {}): KubeObject {
  const apiVersion = kind === 'Job' ? 'batch/v1' : kind === 'Deployment' ? 'apps/v1' : 'v1';
  return { apiVersion, kind, metadata: { name, namespace: NS }, ...extra } as KubeObject;
}

async function changesOf(
  cluster: FakeCluster,
  rendered: KubeObject[],
  previous: KubeObject[] = [],
  options: { adopt?: boolean; deleteData?: boolean } = {},
): Promise<ChangeSet> {
  return computeChanges(cluster.client, {
    release: RELEASE,
    manifests: rendered.map((o) => ({ stage: 'backends', object: o })),
    previous: previous.map((o) => ({
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.metadata.name,
      namespace: o.metadata.namespace,
    })),
    adopt: options.adopt ?? false,
    ...(options.deleteData === undefined ? {} : { deleteData: options.deleteData }),
  });
}

const reasons = (set: ChangeSet) =>
  set.changes.map((c) => `${c.action} ${c.ref.kind}/${c.ref.name}: ${c.reason}`);

describe('the change set, object by object', () => {
  test('an object not in the cluster is created', async () => {
    const set = await changesOf(new FakeCluster(), [object('ConfigMap', 'cfg')]);
    assert.deepEqual(reasons(set), ['create ConfigMap/cfg: not in the cluster']);
  });

  test('a live object is adopted only when neither the previous revision nor the release labels claim it', async () => {
    const cluster = new FakeCluster();
    cluster.seed(object('ConfigMap', 'stray'));
    cluster.seed(
      object('ConfigMap', 'labelled', { metadata: { name: 'labelled', namespace: NS, labels: OURS } }),
    );
    cluster.seed(object('ConfigMap', 'listed'));
    const rendered = [
      object('ConfigMap', 'stray'),
      object('ConfigMap', 'labelled'),
      object('ConfigMap', 'listed'),
    ];
    const set = await changesOf(cluster, rendered, [object('ConfigMap', 'listed')], { adopt: true });
    assert.deepEqual(reasons(set), [
      'update ConfigMap/stray: server-side apply over the live object (adopted from outside the release)',
      'update ConfigMap/labelled: server-side apply over the live object',
      'update ConfigMap/listed: server-side apply over the live object',
    ]);
    assert.deepEqual(set.notOwned, []);
  });

  test('a Job is replaced when its spec hash differs or is missing, updated when equal; other kinds never replaced', async () => {
    const cluster = new FakeCluster();
    const job = (name: string, image: string) =>
      object('Job', name, {
        spec: { template: { spec: { containers: [{ name: 'm', image }] } } },
      } as Partial<KubeObject>);
    cluster.seed({
      ...withSpecHash(job('same', 'a')),
      metadata: { ...withSpecHash(job('same', 'a')).metadata, labels: OURS },
    });
    cluster.seed({
      ...withSpecHash(job('changed', 'a')),
      metadata: { ...withSpecHash(job('changed', 'a')).metadata, labels: OURS },
    });
    cluster.seed({ ...job('unstamped', 'a'), metadata: { name: 'unstamped', namespace: NS, labels: OURS } });
    const annotated = {
      name: 'web',
      namespace: NS,
      labels: OURS,
      annotations: { [ANNOTATION.specHash]: 'old' },
    };
    cluster.seed({ ...object('Deployment', 'web'), metadata: annotated });
    const stray = { name: 'stray', namespace: NS, annotations: { [ANNOTATION.specHash]: 'old' } };
    cluster.seed({ ...job('stray', 'a'), metadata: stray });
    const rendered = [
      job('same', 'a'),
      job('changed', 'b'),
      job('unstamped', 'a'),
      object('Deployment', 'web'),
      job('stray', 'a'),
    ];
    const set = await changesOf(cluster, rendered, [], { adopt: true });
    assert.deepEqual(reasons(set), [
      'update Job/same: server-side apply over the live object',
      'replace Job/changed: Jobs are immutable: deleted and created anew',
      'replace Job/unstamped: Jobs are immutable: deleted and created anew',
      'update Deployment/web: server-side apply over the live object',
      'replace Job/stray: Jobs are immutable: deleted and created anew (adopted from outside the release)',
    ]);
  });

  test('leaving objects go last stage first: pruned, kept by kind without a read, kept by annotation, or skipped when gone', async () => {
    const cluster = new FakeCluster();
    cluster.seed(object('ConfigMap', 'first'));
    cluster.seed({
      ...object('Secret', 'creds'),
      metadata: { name: 'creds', namespace: NS, annotations: { 'berth.dev/generated-keys': 'password' } },
    });
    cluster.seed(object('ConfigMap', 'last'));
    const previous = [
      object('ConfigMap', 'first'),
      object('PersistentVolumeClaim', 'data'),
      object('ConfigMap', 'vanished'),
      object('Secret', 'creds'),
      object('ConfigMap', 'last'),
    ];
    const set = await changesOf(cluster, [], previous);
    assert.deepEqual(reasons(set), [
      'prune ConfigMap/last: no longer rendered',
      `keep Secret/creds: generated credentials of kept data (${DELETE_DATA_HINT})`,
      `keep PersistentVolumeClaim/data: data volume (${DELETE_DATA_HINT})`,
      'prune ConfigMap/first: no longer rendered',
    ]);
    assert.ok(
      !cluster.calls.some((c) => c.kind === 'PersistentVolumeClaim'),
      'a volume is kept without a read',
    );

    const purge = await changesOf(cluster, [], previous, { deleteData: true });
    assert.deepEqual(
      purge.changes.map((c) => `${c.action} ${c.ref.name}`),
      ['prune last', 'prune creds', 'prune first'],
    );
  });
});

describe('what is kept', () => {
  test('keep reasons by kind and annotation; nothing else is kept', () => {
    assert.equal(keepReason('PersistentVolumeClaim', undefined), `data volume (${DELETE_DATA_HINT})`);
    assert.equal(
      keepReason('Namespace', undefined),
      `namespace of the platform's own workloads (${DELETE_DATA_HINT})`,
    );
    assert.equal(
      keepReason('Secret', { 'berth.dev/generated-keys': 'password' }),
      `generated credentials of kept data (${DELETE_DATA_HINT})`,
    );
    assert.equal(keepReason('Secret', {}), undefined);
    assert.equal(keepReason('ConfigMap', { 'berth.dev/generated-keys': 'password' }), undefined);
    assert.equal(keepReason('Deployment', undefined), undefined);
    assert.equal(
      keepReason('Deployment', { [ANNOTATION.resourcePolicy]: 'keep' }),
      `annotated berth.dev/resource-policy: keep (${DELETE_DATA_HINT})`,
    );
    assert.equal(keepReason('Deployment', { [ANNOTATION.resourcePolicy]: 'delete' }), undefined);
  });

  test('only volumes and namespaces are kept by kind alone', () => {
    assert.equal(keptByKind('PersistentVolumeClaim'), true);
    assert.equal(keptByKind('Namespace'), true);
    assert.equal(keptByKind('Secret'), false);
    assert.equal(keptByKind(''), false);
  });
});

function live(kind: string, name: string, metadata: Record<string, unknown>): LiveObject {
  return { ...object(kind, name), metadata: { name, namespace: NS, ...metadata } } as LiveObject;
}

function setOf(...lives: Array<[KubeObject, LiveObject | undefined]>): ChangeSet {
  const changes: Change[] = lives.map(([o, l]) => ({
    action: l ? 'update' : 'create',
    ref: { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: NS },
    object: o,
    live: l,
    reason: '',
  }));
  return { release: RELEASE, changes, notOwned: [] };
}

function staleMessage(run: () => void): string {
  try {
    run();
  } catch (error) {
    const e = error as { code: string; exitCode: number; hint: string; message: string };
    assert.equal(e.code, 'BERTH_PLAN_STALE');
    assert.equal(e.exitCode, 3);
    assert.equal(e.hint, 'run berth plan --save again, review it, and upgrade with the new plan');
    return e.message;
  }
  assert.fail('not refused');
}

describe('the pin of a saved plan', () => {
  const web = object('Deployment', 'web');
  const cfg = object('ConfigMap', 'cfg');
  const webKey = refKey({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: NS });
  const cfgKey = refKey({ apiVersion: 'v1', kind: 'ConfigMap', name: 'cfg', namespace: NS });

  test('pins the generation where there is one, else the resourceVersion, null when absent', () => {
    const set = setOf(
      [web, live('Deployment', 'web', { generation: 4, resourceVersion: '90' })],
      [cfg, live('ConfigMap', 'cfg', { resourceVersion: '12' })],
      [object('Secret', 's'), undefined],
    );
    assert.deepEqual(pinOf(set, 2), {
      revision: 2,
      objects: {
        [webKey]: 'generation 4',
        [cfgKey]: 'resourceVersion 12',
        [refKey({ apiVersion: 'v1', kind: 'Secret', name: 's', namespace: NS })]: null,
      },
    });
    assert.equal(pinOf(set, undefined).revision, null);
  });

  test('a newer revision, or one where there was none, is named', () => {
    checkPinnedRevision({ revision: 2, objects: {} }, 2);
    checkPinnedRevision({ revision: null, objects: {} }, undefined);
    const prefix = 'the cluster changed since the plan was saved: ';
    assert.equal(
      staleMessage(() => checkPinnedRevision({ revision: 2, objects: {} }, 3)),
      `${prefix}the newest revision is 3, the plan saw 2; nothing was changed`,
    );
    assert.equal(
      staleMessage(() => checkPinnedRevision({ revision: null, objects: {} }, 1)),
      `${prefix}the newest revision is 1, the plan saw none; nothing was changed`,
    );
    assert.equal(
      staleMessage(() => checkPinnedRevision({ revision: 1, objects: {} }, undefined)),
      `${prefix}the newest revision is none, the plan saw 1; nothing was changed`,
    );
  });

  test('an object that moved, appeared, left, was created or deleted is named with both states', () => {
    const now = setOf([web, live('Deployment', 'web', { generation: 5 })], [cfg, undefined]);
    const pinned = { revision: 1, objects: { [webKey]: 'generation 5', [cfgKey]: null } };
    checkPin(pinned, now);
    const cases: Array<[Record<string, string | null>, ChangeSet, string]> = [
      [
        { ...pinned.objects, [webKey]: 'generation 4' },
        now,
        'Deployment/web in shop was at generation 4, is at generation 5',
      ],
      [
        { ...pinned.objects, [cfgKey]: 'resourceVersion 3' },
        now,
        'ConfigMap/cfg in shop was at resourceVersion 3, is at absent',
      ],
      [{ [webKey]: null, [cfgKey]: null }, now, 'Deployment/web in shop was at absent, is at generation 5'],
      [{ [webKey]: 'generation 5' }, now, 'ConfigMap/cfg in shop is new to the change set'],
    ];
    for (const [objects, set, what] of cases)
      assert.equal(
        staleMessage(() => checkPin({ revision: 1, objects }, set)),
        `the cluster changed since the plan was saved: ${what}; nothing was changed`,
      );
    assert.equal(
      staleMessage(() => checkPin(pinned, setOf([web, live('Deployment', 'web', { generation: 5 })]))),
      'the cluster changed since the plan was saved: ConfigMap/cfg in shop left the change set; nothing was changed',
    );
  });
});
