/** What a fleet run shares between its releases: cluster facts for preflight, and live objects. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sharedClusterFacts } from '../../src/fleet/cluster-facts.ts';
import type { FleetRelease } from '../../src/fleet/file.ts';
import { SharedLiveObjects } from '../../src/fleet/live-objects.ts';
import { applyFleet, prepareFleet } from '../../src/fleet/run.ts';
import type { ListQuery, ListResult, WatchHandlers, WatchQuery } from '../../src/kube/client.ts';
import type { ApplicableObject, LiveObject, ObjectRef } from '../../src/kube/types.ts';
import type { PreflightClient } from '../../src/preflight/model.ts';
import { deploy } from '../../src/release/engine.ts';
import { apiError, deployOptions, FakeCluster } from '../support/fake-cluster.ts';

type ChangeEvent = { readonly type: 'ADDED' | 'MODIFIED'; readonly object: LiveObject };

interface Watcher {
  readonly query: WatchQuery;
  readonly handlers: WatchHandlers;
}

/** The in-memory cluster with lists that carry a version and watches; events can be held back. */
class WatchableCluster extends FakeCluster {
  readonly listed: string[] = [];
  /** Kinds the caller may not list. */
  readonly forbidden = new Set<string>();
  held = false;
  private readonly watchers = new Set<Watcher>();
  private readonly queue: { kind: string; event: ChangeEvent }[] = [];

  async listWithVersion(query: ListQuery): Promise<ListResult> {
    this.listed.push(`${query.kind}/${query.namespace ?? ''}`);
    if (this.forbidden.has(query.kind)) throw apiError('list', query.kind, 403, 'forbidden');
    const items = await super.list(query);
    const newest = Math.max(0, ...[...this.objects.values()].map((o) => Number(o.metadata.resourceVersion)));
    return { items, resourceVersion: String(newest) };
  }

  async watch(query: WatchQuery, handlers: WatchHandlers, signal?: AbortSignal) {
    const watcher = { query, handlers };
    this.watchers.add(watcher);
    const stop = () => {
      if (this.watchers.delete(watcher)) handlers.onClose();
    };
    signal?.addEventListener('abort', stop, { once: true });
    return { stop };
  }

  /** Delivers the events held back so far. */
  flush(): void {
    this.held = false;
    for (const { kind, event } of this.queue.splice(0)) this.send(kind, event);
  }

  override async apply(object: ApplicableObject, options: { dryRun?: boolean } = {}) {
    const live = await super.apply(object, options);
    this.emit('MODIFIED', live);
    return live;
  }

  override async create(object: ApplicableObject) {
    const live = await super.create(object);
    this.emit('ADDED', live);
    return live;
  }

  override seed(object: ApplicableObject): LiveObject {
    const live = super.seed(object);
    this.emit('ADDED', live);
    return live;
  }

  private emit(type: 'ADDED' | 'MODIFIED', object: LiveObject): void {
    const event = { type, object };
    if (this.held) this.queue.push({ kind: object.kind, event });
    else this.send(object.kind, event);
  }

  private send(kind: string, event: ChangeEvent): void {
    for (const { query, handlers } of this.watchers)
      if (query.kind === kind && query.namespace === event.object.metadata.namespace) handlers.onEvent(event);
  }
}

/** Entries as berth apply hands them to the pool; their offline checks are fleet.test.ts's. */
const prepared = (releases: readonly FleetRelease[]) => prepareFleet('fleet.yaml', releases, async () => {});

const release = (name: string, namespace: string, set: string[] = []) => ({
  name,
  namespace,
  blueprint: 'model-router',
  values: [],
  set,
});

test('a fleet reads each kind once per namespace, and still sees what it does not own', async () => {
  const cluster = new WatchableCluster();
  const live = new SharedLiveObjects(cluster);
  const options = {
    concurrency: 2,
    deploy: (entry: { name: string; namespace: string }, request: Parameters<typeof deploy>[1]) =>
      deploy(
        { client: live.client, namespace: entry.namespace, release: entry.name },
        request,
        deployOptions({ wait: false }),
      ),
  };
  try {
    const fleet = ['a', 'b', 'c', 'd'].map((name, i) => release(name, `team-${i % 2}`));
    const first = await applyFleet(await prepared(fleet), options);
    assert.deepEqual(
      first.map((o) => ('result' in o ? `${o.release}:${o.result.revision}` : o.error)),
      ['a:1', 'b:1', 'c:1', 'd:1'],
    );
    const singleReads = (kinds: string[]) =>
      cluster.calls.filter((c) => c.operation === 'get' && kinds.includes(c.kind)).length;
    assert.equal(singleReads(['ConfigMap', 'Service', 'Deployment']), 0);
    assert.deepEqual(cluster.listed.filter((l) => l.startsWith('ConfigMap/')).sort(), [
      'ConfigMap/team-0',
      'ConfigMap/team-1',
    ]);
    // Secrets (records, credentials) and Leases (locks) are read from the cluster every time.
    assert.ok(singleReads(['Secret', 'Lease']) > 0);

    // An upgrade through the same streams: the objects are seen as the releases' own.
    const second = await applyFleet(
      await prepared(fleet.map((r) => ({ ...r, set: ['router.logLevel=DEBUG'] }))),
      options,
    );
    assert.deepEqual(
      second.map((o) => ('result' in o ? `${o.release}:${o.result.status}:${o.result.revision}` : o.error)),
      ['a:deployed:2', 'b:deployed:2', 'c:deployed:2', 'd:deployed:2'],
    );

    // Someone else's object, created after the stream listed: the install must refuse it.
    cluster.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'e-config', namespace: 'team-0' },
    });
    const [taken] = await applyFleet(await prepared([release('e', 'team-0')]), options);
    assert.ok(taken && 'error' in taken, JSON.stringify(taken));
    assert.match(taken.error, /e-config/);
  } finally {
    live.close();
  }
});

test("the run's own write is never read back, nor waited on, from a stream that has not seen it", async () => {
  const cluster = new WatchableCluster();
  const live = new SharedLiveObjects(cluster);
  const deployment = (image: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { template: { spec: { containers: [{ name: 'web', image }] } } },
  });
  const ref: ObjectRef = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };
  const imageOf = (object: LiveObject | undefined) =>
    (object?.spec as { template: { spec: { containers: { image: string }[] } } } | undefined)?.template.spec
      .containers[0]?.image;
  const gets = () => cluster.calls.filter((c) => c.operation === 'get').length;
  const stop = new AbortController();
  try {
    cluster.seed(deployment('web:1'));
    assert.equal(imageOf(await live.client.get(ref)), 'web:1');
    assert.equal(gets(), 0);

    cluster.held = true;
    await live.client.apply(deployment('web:2'));
    assert.equal(imageOf(await live.client.get(ref)), 'web:2');
    assert.equal(gets(), 1, 'read from the cluster while the stream is behind');

    const seen: (string | undefined)[] = [];
    const following = live.follow(ref, {
      signal: stop.signal,
      onChange: (object) => seen.push(imageOf(object)),
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen, [], 'the version before the write is not shown');
    cluster.flush();
    assert.deepEqual(seen, ['web:2']);
    assert.equal(imageOf(await live.client.get(ref)), 'web:2');
    assert.equal(gets(), 1, 'from the stream again once it caught up');
    stop.abort();
    await following;
  } finally {
    live.close();
  }
});

test('cluster facts are read once per run; namespaced reads and failures are not kept', async () => {
  const asked: string[] = [];
  let failNext = false;
  const client: PreflightClient = {
    serverVersion: async () => {
      asked.push('version');
      return { major: '1', minor: '35', gitVersion: 'v1.35.4' } as Awaited<
        ReturnType<PreflightClient['serverVersion']>
      >;
    },
    resourceInfo: async () => ({ plural: 'deployments', namespaced: true }) as never,
    get: async (ref) => {
      asked.push(`get ${ref.kind}/${ref.namespace ?? ''}/${ref.name}`);
      return undefined;
    },
    list: async (query) => {
      asked.push(`list ${query.kind}/${query.namespace ?? ''}`);
      if (failNext) {
        failNext = false;
        throw new Error('connection reset');
      }
      return [];
    },
    create: async (object) => {
      asked.push(`create ${object.kind}`);
      return { ...object, metadata: { name: '' }, status: { allowed: true } } as LiveObject;
    },
  };
  const facts = sharedClusterFacts(client);
  const review = (namespace: string) => ({
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    metadata: { name: '' },
    spec: { resourceAttributes: { verb: 'create', resource: 'deployments', group: 'apps', namespace } },
  });
  for (let i = 0; i < 3; i++) {
    await facts.serverVersion();
    await facts.list({ apiVersion: 'v1', kind: 'Node' });
    await facts.list({ apiVersion: 'v1', kind: 'Secret', namespace: 'a' });
    await facts.get({ apiVersion: 'v1', kind: 'Namespace', name: 'a' });
    await facts.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'a', name: 's' });
    await facts.create(review('a'));
    await facts.create(review('b'));
  }
  const count = (what: string) => asked.filter((a) => a === what).length;
  assert.equal(count('version'), 1);
  assert.equal(count('list Node/'), 1);
  assert.equal(count('get Namespace//a'), 1);
  assert.equal(count('create SelfSubjectAccessReview'), 2, 'one review per namespace');
  assert.equal(count('list Secret/a'), 3);
  assert.equal(count('get Secret/a/s'), 3);

  failNext = true;
  await assert.rejects(facts.list({ apiVersion: 'v1', kind: 'StorageClass' }), /connection reset/);
  await facts.list({ apiVersion: 'v1', kind: 'StorageClass' });
  assert.equal(count('list StorageClass/'), 2, 'a failed read is asked again');
});

test('a kind the caller may not list is read and watched object by object', async () => {
  const cluster = new WatchableCluster();
  cluster.forbidden.add('ConfigMap');
  const live = new SharedLiveObjects(cluster);
  try {
    cluster.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' } });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'c' };
    assert.equal((await live.client.get(ref))?.metadata.name, 'c');
    assert.equal((await live.client.get(ref))?.metadata.name, 'c');
    assert.deepEqual(cluster.listed, ['ConfigMap/shop'], 'one list tried, then given up');
    assert.equal(cluster.calls.filter((c) => c.operation === 'get').length, 2);
  } finally {
    live.close();
  }
});
