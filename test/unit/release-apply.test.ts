/**
 * Computing a release's change set and carrying it out on the in-memory cluster, rule by rule:
 * ownership before any write, stage order and readiness gates, progress events, Job replacement,
 * and pruning with what it keeps.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ApplyOptions, applyInStages, type ReadinessUpdate } from '../../src/release/apply.ts';
import {
  type ChangeInput,
  checkOwnership,
  computeChanges,
  ownedBy,
  refKey,
  withSpecHash,
} from '../../src/release/changes.ts';
import type { ProgressEvent } from '../../src/release/progress.ts';
import type { KubeObject } from '../../src/render/model.ts';
import type { Manifest } from '../../src/render/render.ts';
import { FakeCluster } from '../support/fake-cluster.ts';

const NS = 'shop';
const OURS = { 'app.kubernetes.io/instance': 'lf', 'app.kubernetes.io/managed-by': 'berth' };
const SPEC_HASH = 'berth.dev/spec-hash';

const object = (kind: string, name: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion:
    kind === 'Deployment' || kind === 'StatefulSet' ? 'apps/v1' : kind === 'Job' ? 'batch/v1' : 'v1',
  kind,
  metadata: { name, namespace: NS, labels: { ...OURS } },
  ...extra,
});
const ref = (o: KubeObject) => ({
  apiVersion: o.apiVersion,
  kind: o.kind,
  name: o.metadata.name,
  namespace: o.metadata.namespace,
});
const job = (image: string) => object('Job', 'migrate', { spec: { template: { spec: { image } } } });

/** Records delete and apply options; a deleted object can linger for a while, as in a real cluster. */
class RecordingCluster extends FakeCluster {
  readonly deleteOptions: unknown[] = [];
  readonly applyOptions: unknown[] = [];
  lingerMs = 0;

  override async delete(target: Parameters<FakeCluster['delete']>[0], options?: unknown): Promise<boolean> {
    this.deleteOptions.push(options);
    if (this.lingerMs === 0) return super.delete(target);
    const existed = (await this.get(target)) !== undefined;
    setTimeout(() => void super.delete(target), this.lingerMs);
    return existed;
  }

  override async apply(o: Parameters<FakeCluster['apply']>[0], options: { dryRun?: boolean } = {}) {
    this.applyOptions.push(options);
    return super.apply(o, options);
  }
}

/** What the engine passes for one run: the change set's input and the options to carry it out. */
type PlanOptions = ChangeInput & ApplyOptions;

function plan(manifests: Manifest[], extra: Partial<PlanOptions> = {}) {
  const events: ProgressEvent[] = [];
  const options: PlanOptions = {
    release: 'lf',
    manifests,
    previous: [],
    wait: true,
    deadline: Date.now() + 60_000,
    adopt: false,
    dryRun: false,
    waiter: async () => undefined,
    progress: (event) => events.push(event),
    ...extra,
  };
  return { options, events };
}

/** As the engine does it: the change set read once, its ownership checked, then carried out. */
async function apply(cluster: FakeCluster, options: PlanOptions) {
  const changes = await computeChanges(cluster.client, options);
  checkOwnership(changes);
  await applyInStages(cluster.client, changes, options);
}

describe('identity and ownership', () => {
  test('object keys tell namespaced and cluster-wide objects apart', () => {
    const secret = ref(object('Secret', 'a'));
    assert.equal(refKey(secret), 'v1/Secret/shop/a');
    assert.equal(refKey({ ...secret, namespace: undefined }), 'v1/Secret//a');
  });

  test("an object is the release's only with both its instance and berth's managed-by label", () => {
    const live = (labels: Record<string, string>) => ({
      ...object('Secret', 'a'),
      metadata: { name: 'a', labels },
    });
    assert.equal(ownedBy(live(OURS) as never, 'lf'), true);
    assert.equal(ownedBy(live(OURS) as never, 'other'), false);
    assert.equal(ownedBy(live({ 'app.kubernetes.io/instance': 'lf' }) as never, 'lf'), false);
    assert.equal(ownedBy(live({ 'app.kubernetes.io/managed-by': 'berth' }) as never, 'lf'), false);
    assert.equal(ownedBy({ ...object('Secret', 'a'), metadata: { name: 'a' } } as never, 'lf'), false);
  });

  test('objects of someone else stop the release before anything is written, named one by one', async () => {
    const cluster = new FakeCluster();
    const theirs = (kind: string, name: string) =>
      cluster.seed({ ...object(kind, name), metadata: { name, namespace: NS } });
    theirs('Service', 'web');
    const manifests: Manifest[] = [
      { stage: 'frontends', object: object('Service', 'web') },
      { stage: 'config', object: object('ConfigMap', 'settings') },
    ];
    const one = await computeChanges(cluster.client, plan(manifests).options);
    assert.throws(
      () => checkOwnership(one),
      (error: Error & { hint?: string }) => {
        assert.equal(
          error.message,
          'Service/web in shop already exists and does not belong to release lf; nothing was changed',
        );
        assert.equal(
          error.hint,
          'remove or rename the existing objects, or pass --adopt to let this release take them over',
        );
        return true;
      },
    );
    theirs('ConfigMap', 'settings');
    const two = await computeChanges(cluster.client, plan(manifests).options);
    assert.throws(() => checkOwnership(two), {
      message:
        /^ConfigMap\/settings in shop, Service\/web in shop already exist and do not belong to release lf;/,
    });
    assert.deepEqual(
      cluster.calls.filter((c) => c.operation !== 'get'),
      [],
      'only reads',
    );
  });

  test('adopted, previously recorded and labelled objects pass, each change carrying its live object', async () => {
    const cluster = new FakeCluster();
    const stranger = cluster.seed({ ...object('Service', 'web'), metadata: { name: 'web', namespace: NS } });
    const labelled = cluster.seed(object('ConfigMap', 'settings'));
    const recorded = cluster.seed({ ...object('Secret', 'keys'), metadata: { name: 'keys', namespace: NS } });
    const manifests: Manifest[] = [
      { stage: 'frontends', object: object('Service', 'web') },
      { stage: 'config', object: object('ConfigMap', 'settings') },
      { stage: 'config', object: object('Secret', 'keys') },
      { stage: 'config', object: object('Secret', 'new') },
    ];
    const previous = [ref(object('Secret', 'keys'))];
    const refused = await computeChanges(cluster.client, plan(manifests, { previous }).options);
    assert.throws(() => checkOwnership(refused), { message: /^Service\/web in shop already exists/ });
    const adopted = await computeChanges(cluster.client, plan(manifests, { previous, adopt: true }).options);
    checkOwnership(adopted);
    assert.deepEqual(
      adopted.changes.map((c) => [refKey(c.ref), c.action, c.live]),
      [
        ['v1/Service/shop/web', 'update', stranger],
        ['v1/ConfigMap/shop/settings', 'update', labelled],
        ['v1/Secret/shop/keys', 'update', recorded],
        ['v1/Secret/shop/new', 'create', undefined],
      ],
    );
  });
});

describe('stages', () => {
  test('stages in order, each applied, then gated on readiness, with one progress event per step', async () => {
    const cluster = new RecordingCluster();
    const waited: string[][] = [];
    const deadline = Date.now() + 42_000;
    const manifests: Manifest[] = [
      { stage: 'frontends', component: 'web', object: object('Deployment', 'web') },
      { stage: 'config', object: object('ConfigMap', 'settings') },
      { stage: 'dependencies', component: 'postgresql', object: object('StatefulSet', 'db') },
      { stage: 'config', component: 'web', object: object('Secret', 'keys') },
    ];
    cluster.seed(object('ConfigMap', 'settings'));
    const { options, events } = plan(manifests, {
      deadline,
      waiter: async (objects, waitOptions) => {
        assert.equal(waitOptions.deadline, deadline);
        waited.push(objects.map((o) => `${o.kind}/${o.name}`));
        await new Promise((resolve) => setTimeout(resolve, 250));
      },
    });
    await apply(cluster, options);
    assert.deepEqual(waited, [['ConfigMap/settings', 'Secret/keys'], ['StatefulSet/db'], ['Deployment/web']]);
    const steps = events.map((e) => (e.type === 'stage-ready' ? { ...e, seconds: 0 } : e));
    assert.deepEqual(steps, [
      { type: 'stage', stage: 'config', objects: 2 },
      {
        type: 'applied',
        stage: 'config',
        object: 'ConfigMap/settings in shop',
        change: 'unchanged',
        component: undefined,
      },
      {
        type: 'applied',
        stage: 'config',
        object: 'Secret/keys in shop',
        change: 'created',
        component: 'web',
      },
      { type: 'stage-ready', stage: 'config', seconds: 0 },
      { type: 'stage', stage: 'dependencies', objects: 1 },
      {
        type: 'applied',
        stage: 'dependencies',
        object: 'StatefulSet/db in shop',
        change: 'created',
        component: 'postgresql',
      },
      { type: 'stage-ready', stage: 'dependencies', seconds: 0 },
      { type: 'stage', stage: 'frontends', objects: 1 },
      {
        type: 'applied',
        stage: 'frontends',
        object: 'Deployment/web in shop',
        change: 'created',
        component: 'web',
      },
      { type: 'stage-ready', stage: 'frontends', seconds: 0 },
    ]);
    for (const event of events) {
      if (event.type !== 'stage-ready') continue;
      assert.ok(event.seconds >= 0.2 && event.seconds < 30, `a stage took ${event.seconds} s`);
      assert.equal(Math.round(event.seconds * 10), event.seconds * 10, 'tenths of a second');
    }
    assert.ok(
      cluster.applyOptions.every((o) => (o as { force?: boolean }).force === true),
      'server-side apply takes over fields',
    );
    assert.ok(cluster.find('Deployment', 'web'));
  });

  test('a changed object is configured; no wait without --wait or on a dry run, which writes nothing', async () => {
    const cluster = new FakeCluster();
    cluster.seed({ ...object('ConfigMap', 'settings'), data: { a: '1' } });
    let waits = 0;
    const waiter = async () => {
      waits++;
    };
    const manifests: Manifest[] = [
      { stage: 'config', object: { ...object('ConfigMap', 'settings'), data: { a: '2' } } },
    ];
    const noWait = plan(manifests, { wait: false, waiter });
    await apply(cluster, noWait.options);
    assert.equal(waits, 0);
    assert.equal(noWait.events[1]?.type === 'applied' && noWait.events[1].change, 'configured');
    assert.deepEqual(cluster.find('ConfigMap', 'settings')?.data, { a: '2' });

    const dry = plan([{ stage: 'config', object: object('Secret', 'new') }], { dryRun: true, waiter });
    await apply(cluster, dry.options);
    assert.equal(waits, 0);
    assert.equal(cluster.find('Secret', 'new'), undefined);
  });

  test('readiness updates become waiting and ready events, each message once', async () => {
    const cluster = new FakeCluster();
    const web = object('Deployment', 'web');
    const update = (message: string, done: boolean, ok: boolean): ReadinessUpdate => ({
      ref: ref(web),
      message,
      done,
      ok,
    });
    const { options, events } = plan([{ stage: 'frontends', object: web }], {
      waiter: async (_objects, { onUpdate }) => {
        onUpdate(update('0/2 ready', false, false));
        onUpdate(update('0/2 ready', false, false));
        onUpdate(update('1/2 ready', false, true));
        onUpdate(update('failed', true, false));
        onUpdate(update('2/2 ready', true, true));
      },
    });
    await apply(cluster, options);
    const object_ = 'Deployment/web in shop';
    assert.deepEqual(
      events.filter((e) => e.type === 'waiting' || e.type === 'ready'),
      [
        { type: 'waiting', stage: 'frontends', object: object_, message: '0/2 ready' },
        { type: 'waiting', stage: 'frontends', object: object_, message: '1/2 ready' },
        { type: 'waiting', stage: 'frontends', object: object_, message: 'failed' },
        { type: 'ready', stage: 'frontends', object: object_, message: '2/2 ready' },
      ],
    );
  });
});

describe('Jobs', () => {
  test('Jobs carry a hash of their spec; other objects are left as they are', () => {
    const plain = object('ConfigMap', 'a');
    assert.equal(withSpecHash(plain), plain);
    const stamped = withSpecHash({
      ...job('migrate:1'),
      metadata: { ...job('x').metadata, annotations: { a: 'b' } },
    });
    const hash = stamped.metadata.annotations?.[SPEC_HASH] ?? '';
    assert.match(hash, /^[0-9a-f]{16}$/);
    assert.equal(stamped.metadata.annotations?.a, 'b');
    assert.equal(stamped.metadata.name, 'migrate');
    assert.deepEqual(stamped.metadata.labels, OURS);
    assert.equal(withSpecHash(job('migrate:1')).metadata.annotations?.[SPEC_HASH], hash);
    assert.notEqual(withSpecHash(job('migrate:2')).metadata.annotations?.[SPEC_HASH], hash);
    assert.match(
      withSpecHash(object('Job', 'bare')).metadata.annotations?.[SPEC_HASH] ?? '',
      /^[0-9a-f]{16}$/,
    );
    assert.notEqual(withSpecHash(object('Job', 'bare')).metadata.annotations?.[SPEC_HASH], hash);
  });

  test('a changed Job is deleted (foreground), waited for until gone, and created again', async () => {
    const cluster = new RecordingCluster();
    cluster.lingerMs = 300;
    cluster.seed(withSpecHash(job('migrate:1')));
    const { options, events } = plan([{ stage: 'migrations', component: 'web', object: job('migrate:2') }]);
    await apply(cluster, options);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.deepEqual(cluster.deleteOptions, [{ propagationPolicy: 'Foreground' }]);
    const live = cluster.find('Job', 'migrate');
    assert.ok(live, 'the new Job exists once the old one is gone');
    assert.equal(
      live.metadata.annotations?.[SPEC_HASH],
      withSpecHash(job('migrate:2')).metadata.annotations?.[SPEC_HASH],
    );
    assert.deepEqual(events[1], {
      type: 'applied',
      stage: 'migrations',
      object: 'Job/migrate in shop',
      change: 'replaced',
      component: 'web',
    });
  });

  test('an unchanged Job is left alone; a dry run only says it would be replaced', async () => {
    const cluster = new RecordingCluster();
    cluster.seed(withSpecHash(job('migrate:1')));
    const same = plan([{ stage: 'migrations', object: job('migrate:1') }]);
    await apply(cluster, same.options);
    assert.deepEqual(cluster.deleteOptions, []);
    assert.equal(same.events[1]?.type === 'applied' && same.events[1].change, 'unchanged');

    const dry = plan([{ stage: 'migrations', object: job('migrate:2') }], { dryRun: true });
    await apply(cluster, dry.options);
    assert.deepEqual(cluster.deleteOptions, []);
    assert.equal(dry.events[1]?.type === 'applied' && dry.events[1].change, 'replaced');
    assert.equal(JSON.stringify(cluster.find('Job', 'migrate')?.spec), JSON.stringify(job('migrate:1').spec));

    const fresh = plan([{ stage: 'migrations', object: object('Job', 'seed') }]);
    await apply(cluster, fresh.options);
    assert.equal(fresh.events[1]?.type === 'applied' && fresh.events[1].change, 'created');
    assert.deepEqual(cluster.deleteOptions, []);
  });
});

describe('pruning', () => {
  test('what left the inventory goes, last first; data volumes and generated credentials stay', async () => {
    const cluster = new FakeCluster();
    const gone = [
      object('ConfigMap', 'old-settings'),
      object('Secret', 'old-plain'),
      {
        ...object('Secret', 'old-generated'),
        metadata: {
          ...object('Secret', 'x').metadata,
          name: 'old-generated',
          annotations: { 'berth.dev/generated-keys': 'password' },
        },
      },
      object('PersistentVolumeClaim', 'old-data'),
      { ...object('Namespace', 'spaces'), metadata: { name: 'spaces', labels: OURS } },
      object('Deployment', 'old-web'),
    ];
    for (const o of gone) cluster.seed(o);
    const keep = object('ConfigMap', 'settings');
    const { options, events } = plan([{ stage: 'config', object: keep }], {
      previous: [...gone.map(ref), ref(keep)],
    });
    await apply(cluster, options);
    const data = '(berth uninstall --delete-data removes it)';
    assert.deepEqual(
      events.filter((e) => e.type === 'pruned' || e.type === 'kept'),
      [
        { type: 'pruned', object: 'Deployment/old-web in shop' },
        {
          type: 'kept',
          object: 'Namespace/spaces',
          reason: `namespace of the platform's own workloads ${data}`,
        },
        { type: 'kept', object: 'PersistentVolumeClaim/old-data in shop', reason: `data volume ${data}` },
        {
          type: 'kept',
          object: 'Secret/old-generated in shop',
          reason: `generated credentials of kept data ${data}`,
        },
        { type: 'pruned', object: 'Secret/old-plain in shop' },
        { type: 'pruned', object: 'ConfigMap/old-settings in shop' },
      ],
    );
    assert.deepEqual(cluster.names('Secret'), ['old-generated']);
    assert.deepEqual(cluster.names('ConfigMap'), ['settings']);
    assert.deepEqual(cluster.names('PersistentVolumeClaim'), ['old-data']);
    assert.deepEqual(cluster.names('Namespace'), ['spaces']);
    assert.deepEqual(cluster.names('Deployment'), []);
  });

  test('a Secret already gone leaves the change set without error; a dry run deletes nothing', async () => {
    const cluster = new FakeCluster();
    cluster.seed(object('ConfigMap', 'old'));
    const previous = [ref(object('ConfigMap', 'old')), ref(object('Secret', 'vanished'))];
    const dry = plan([], { previous, dryRun: true });
    await apply(cluster, dry.options);
    assert.deepEqual(dry.events, [{ type: 'pruned', object: 'ConfigMap/old in shop' }]);
    assert.deepEqual(cluster.names('ConfigMap'), ['old']);
    assert.deepEqual(
      cluster.calls.filter((c) => c.operation !== 'get'),
      [],
      'only reads',
    );

    const real = plan([], { previous });
    await apply(cluster, real.options);
    assert.deepEqual(real.events, dry.events);
    assert.deepEqual(cluster.names('ConfigMap'), []);
    assert.deepEqual(
      cluster.calls.filter((c) => c.operation === 'delete'),
      [{ operation: 'delete', kind: 'ConfigMap', name: 'old' }],
    );
  });
});
