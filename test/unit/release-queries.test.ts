/** list, history, status and uninstall on an in-memory cluster. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import { deploy } from '../../src/release/engine.ts';
import type { ProgressEvent } from '../../src/release/progress.ts';
import { listReleases, releaseHistory, releaseStatus } from '../../src/release/queries.ts';
import { uninstall } from '../../src/release/uninstall.ts';
import { deployOptions, FakeCluster } from '../support/fake-cluster.ts';

const NS = 'shop';

async function installed(cluster: FakeCluster, release: string, namespace = NS, upgrades = 0) {
  const blueprint = await getBlueprint('langfuse');
  const options = deployOptions({ wait: false });
  const target = { client: cluster.client, namespace, release };
  await deploy(target, { kind: 'install', blueprint, values: {}, rotateSecrets: [] }, options);
  for (let i = 1; i <= upgrades; i++) {
    const values = { services: { web: { replicas: i + 1 } } };
    await deploy(target, { kind: 'upgrade', blueprint, values, rotateSecrets: [] }, options);
  }
  return target;
}

/** The claim a StatefulSet makes from its template: not in the inventory, labelled as the release's. */
function seedClaim(cluster: FakeCluster, release: string) {
  cluster.seed({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: `data-${release}-postgresql-0`,
      namespace: NS,
      labels: { 'app.kubernetes.io/instance': release, 'app.kubernetes.io/managed-by': 'berth' },
    },
  });
}

describe('release queries', () => {
  test('list shows the newest revision of each release, sorted by namespace and name', async () => {
    const cluster = new FakeCluster();
    await installed(cluster, 'b', NS, 2);
    await installed(cluster, 'a', NS);
    await installed(cluster, 'c', 'alpha');
    const all = await listReleases(cluster.client, undefined);
    assert.deepEqual(
      all.map((r) => `${r.namespace}/${r.release}:${r.revision}:${r.status}`),
      ['alpha/c:1:deployed', 'shop/a:1:deployed', 'shop/b:3:deployed'],
    );
    assert.deepEqual(
      (await listReleases(cluster.client, NS)).map((r) => r.release),
      ['a', 'b'],
    );
    assert.match(all[0]!.blueprint, /^langfuse-/);
    assert.match(all[0]!.appVersion, /^\d/);
    assert.equal(all[0]!.description, 'install complete');
  });

  test('history lists revisions oldest first; a missing release is named', async () => {
    const cluster = new FakeCluster();
    const target = await installed(cluster, 'lf', NS, 2);
    assert.deepEqual(
      (await releaseHistory(target)).map((s) => `${s.revision}:${s.status}`),
      ['1:superseded', '2:superseded', '3:deployed'],
    );
    await assert.rejects(releaseHistory({ ...target, release: 'nope' }), {
      code: 'BERTH_RELEASE_NOT_FOUND',
      message: 'release nope not found in namespace shop',
    });
  });

  test('status rolls live health up per component', async () => {
    const cluster = new FakeCluster();
    const target = await installed(cluster, 'lf');
    const report = await releaseStatus(target);
    assert.equal(report.revision, 1);
    assert.equal(report.status, 'deployed');
    assert.equal(report.description, 'install complete');
    const web = report.components.find((c) => c.component === 'web');
    assert.ok(web);
    assert.equal(web.ready, false, 'a Deployment without status is not ready');
    const config = report.components.find((c) => c.component === '(shared)' || c.stage === 'config');
    assert.ok(
      config?.objects.every((o) => o.ready),
      'Secrets are ready once they exist',
    );
    assert.equal(report.ready, false);
    assert.deepEqual(
      report.components.map((c) => c.component),
      [...report.components.map((c) => c.component)].sort(),
    );
    await cluster.delete({ apiVersion: 'v1', kind: 'Service', namespace: NS, name: 'lf-web' });
    const after = await releaseStatus(target);
    const missing = after.components
      .flatMap((c) => c.objects)
      .find((o) => o.object.startsWith('Service/lf-web'));
    assert.deepEqual(missing, {
      object: 'Service/lf-web in shop',
      ready: false,
      message: 'missing from the cluster',
    });
    await assert.rejects(releaseStatus({ ...target, release: 'nope' }), {
      code: 'BERTH_RELEASE_NOT_FOUND',
      hint: 'berth list shows the releases in a namespace (-A for all)',
    });
  });

  test('status never prints a credential the user supplied, even when a controller quotes it', async () => {
    const cluster = new FakeCluster();
    const apiKey = 'sk-live-0123456789abcdef';
    const dbUrl = 'postgresql://app:Pa55-w0rd-in-url@db:5432/app';
    const blueprint = await getBlueprint('langfuse');
    const target = { client: cluster.client, namespace: NS, release: 'lf' };
    const extraEnv = [
      { name: 'OPENAI_API_KEY', value: apiKey },
      { name: 'ANALYTICS_DSN', value: dbUrl },
    ];
    await deploy(
      target,
      { kind: 'install', blueprint, values: { services: { web: { extraEnv } } }, rotateSecrets: [] },
      deployOptions({ wait: false }),
    );
    const web = cluster.find('Deployment', 'lf-web');
    assert.ok(web);
    const quoted = `pod refused: env OPENAI_API_KEY=${apiKey}, ANALYTICS_DSN=${dbUrl}`;
    web.status = {
      conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: quoted }],
    };
    cluster.seed(web as never);
    const report = await releaseStatus(target);
    const message = report.components
      .flatMap((c) => c.objects)
      .find((o) => o.object.startsWith('Deployment/lf-web'))?.message;
    assert.match(
      message ?? '',
      /FailedCreate: pod refused: env OPENAI_API_KEY=<redacted>, ANALYTICS_DSN=postgresql:\/\/app:<redacted>@db/,
    );
    const printed = JSON.stringify(report);
    assert.ok(!printed.includes(apiKey) && !printed.includes('Pa55-w0rd-in-url'), printed);
  });

  test('status never prints a generated password a controller quotes', async () => {
    const cluster = new FakeCluster();
    const target = await installed(cluster, 'lf');
    const data = cluster.find('Secret', 'lf-postgresql')?.data as Record<string, string> | undefined;
    const password = Buffer.from(data?.password ?? '', 'base64').toString();
    assert.ok(password.length >= 16, 'a generated password');
    const web = cluster.find('Deployment', 'lf-web');
    assert.ok(web);
    web.status = {
      conditions: [
        {
          type: 'ReplicaFailure',
          status: 'True',
          reason: 'FailedCreate',
          message: `login with ${password} refused`,
        },
      ],
    };
    cluster.seed(web as never);
    const report = await releaseStatus(target);
    const message = report.components
      .flatMap((c) => c.objects)
      .find((o) => o.object.startsWith('Deployment/lf-web'))?.message;
    assert.match(message ?? '', /FailedCreate: login with <redacted> refused/);
    assert.ok(!JSON.stringify(report).includes(password));
  });

  test('status: a release is ready when every component is, and not while one is rolling out', async () => {
    const cluster = new FakeCluster();
    const target = { client: cluster.client, namespace: NS, release: 'mr' };
    const blueprint = await getBlueprint('model-router');
    await deploy(target, { kind: 'install', blueprint, values: {}, rotateSecrets: [] }, deployOptions());
    assert.equal((await releaseStatus(target)).ready, false, 'the router is still rolling out');
    const router = cluster.find('Deployment', 'mr-router');
    assert.ok(router);
    const ready = { replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 };
    cluster.seed({ ...router, status: ready } as never);
    const report = await releaseStatus(target);
    assert.deepEqual(
      report.components.map((c) => [c.component, c.ready]),
      [
        ['(shared)', true],
        ['router', true],
      ],
    );
    assert.equal(report.ready, true);
  });

  test('status: a component is ready when all its objects are; objects sorted; the finish time shown', async () => {
    const cluster = new FakeCluster();
    const target = await installed(cluster, 'lf');
    const report = await releaseStatus(target);
    for (const c of report.components) {
      assert.equal(c.ready, c.objects.length > 0 && c.objects.every((o) => o.ready), c.component);
      const names = c.objects.map((o) => o.object);
      assert.deepEqual(
        names,
        [...names].sort((a, b) => a.localeCompare(b)),
        c.component,
      );
    }
    assert.ok(
      report.components.some((c) => c.ready),
      'config-only components are ready',
    );
    assert.ok(
      report.components.some((c) => c.component === '(shared)'),
      'objects of no component',
    );
    const [summary] = await releaseHistory(target);
    assert.match(report.updated, /^\d{4}-\d\d-\d\dT/);
    assert.equal(report.updated, summary?.updated);
  });
});

describe('uninstall', () => {
  test('removes objects and records, keeps claims and generated credentials', async () => {
    const cluster = new FakeCluster();
    const target = await installed(cluster, 'lf', NS, 1);
    seedClaim(cluster, 'lf');
    const events: ProgressEvent[] = [];
    const result = await uninstall(target, {
      deleteData: false,
      wait: true,
      timeoutMs: 5000,
      progress: (e) => events.push(e),
    });
    assert.deepEqual(cluster.names('Deployment'), []);
    assert.deepEqual(cluster.names('StatefulSet'), []);
    assert.deepEqual(cluster.names('PersistentVolumeClaim'), ['data-lf-postgresql-0']);
    const secrets = cluster.names('Secret');
    assert.ok(secrets.includes('lf-postgresql'));
    assert.ok(!secrets.some((n) => n.startsWith('berth.')), `records left: ${secrets.join(', ')}`);
    assert.ok(result.kept.includes('PersistentVolumeClaim/data-lf-postgresql-0 in shop'));
    assert.ok(result.kept.includes('Secret/lf-postgresql in shop'));
    assert.ok(result.deleted.includes('Deployment/lf-web in shop'));
    assert.ok(
      events.some(
        (e) =>
          e.type === 'kept' && e.object === 'Secret/lf-postgresql in shop' && /credentials/.test(e.reason),
      ),
    );
    assert.ok(
      events.some(
        (e) => e.type === 'kept' && e.reason === 'data volume (berth uninstall --delete-data removes it)',
      ),
    );
    assert.ok(events.some((e) => e.type === 'pruned' && e.object === 'Deployment/lf-web in shop'));
    assert.deepEqual(cluster.names('Lease'), []);
  });

  test('--delete-data removes claims and credentials too', async () => {
    const cluster = new FakeCluster();
    const target = await installed(cluster, 'lf');
    seedClaim(cluster, 'lf');
    const result = await uninstall(target, {
      deleteData: true,
      wait: false,
      timeoutMs: 5000,
      progress: () => undefined,
    });
    assert.deepEqual(cluster.names('PersistentVolumeClaim'), []);
    assert.deepEqual(cluster.names('Secret'), []);
    assert.deepEqual(result.kept, []);
    assert.ok(result.deleted.includes('PersistentVolumeClaim/data-lf-postgresql-0 in shop'));
  });

  test('claims of another release in the namespace are left alone, even with --delete-data', async () => {
    const cluster = new FakeCluster();
    const target = await installed(cluster, 'lf');
    seedClaim(cluster, 'lf');
    seedClaim(cluster, 'other');
    const result = await uninstall(target, {
      deleteData: true,
      wait: false,
      timeoutMs: 1000,
      progress: () => undefined,
    });
    assert.deepEqual(cluster.names('PersistentVolumeClaim'), ['data-other-postgresql-0']);
    assert.ok(!result.deleted.some((d) => d.includes('other')));
  });

  test('an unknown release is an error that changes nothing', async () => {
    const cluster = new FakeCluster();
    await installed(cluster, 'lf');
    const before = cluster.objects.size;
    await assert.rejects(
      uninstall(
        { client: cluster.client, namespace: NS, release: 'nope' },
        { deleteData: false, wait: false, timeoutMs: 1000, progress: () => undefined },
      ),
      { code: 'BERTH_RELEASE_NOT_FOUND', message: 'release nope not found in namespace shop' },
    );
    assert.equal(cluster.objects.size, before);
  });

  test('the latest record says uninstalling before anything goes; objects go last stage first', async () => {
    const cluster = new FakeCluster();
    const target = await installed(cluster, 'lf', NS, 1);
    const statuses: string[] = [];
    cluster.fault = (call, object) => {
      if (call.operation === 'delete' && !statuses.includes('deleting')) statuses.push('deleting');
      if (call.operation === 'apply' && call.name?.startsWith('berth.lf.v'))
        statuses.push(
          `${call.name}:${(object?.metadata.labels as Record<string, string> | undefined)?.['berth.dev/status']}`,
        );
    };
    const result = await uninstall(target, {
      deleteData: false,
      wait: false,
      timeoutMs: 1000,
      progress: () => undefined,
    });
    assert.deepEqual(statuses.slice(0, 2), ['berth.lf.v2:uninstalling', 'deleting']);
    assert.ok(
      result.deleted.every((d) => / in shop$/.test(d)),
      result.deleted.join(', '),
    );
    assert.ok(
      result.deleted.indexOf('Deployment/lf-web in shop') <
        result.deleted.indexOf('StatefulSet/lf-postgresql in shop'),
      'frontends before their dependencies',
    );
    assert.deepEqual(
      { release: result.release, namespace: result.namespace },
      { release: 'lf', namespace: NS },
    );
  });

  /** Deleted objects stay readable for a while (finalizers, graceful termination), or forever. */
  class SlowDeletes extends FakeCluster {
    lingerMs = 300;
    override async delete(ref: Parameters<FakeCluster['delete']>[0]): Promise<boolean> {
      if (ref.kind === 'Lease') return super.delete(ref);
      const existed = (await this.get(ref)) !== undefined;
      if (Number.isFinite(this.lingerMs)) setTimeout(() => void super.delete(ref), this.lingerMs);
      return existed;
    }
  }

  test('with --wait it returns once the deleted objects are gone; without, at once', async () => {
    const cluster = new SlowDeletes();
    const target = await installed(cluster, 'lf');
    await uninstall(target, { deleteData: false, wait: true, timeoutMs: 5000, progress: () => undefined });
    assert.deepEqual(cluster.names('Deployment'), []);

    const quick = new SlowDeletes();
    const quickTarget = await installed(quick, 'lf');
    await uninstall(quickTarget, {
      deleteData: false,
      wait: false,
      timeoutMs: 5000,
      progress: () => undefined,
    });
    assert.deepEqual(quick.names('Deployment'), ['lf-web', 'lf-worker'], 'still terminating');
  });

  test('an object that never goes away fails the wait after the time-out, naming it', async () => {
    const cluster = new SlowDeletes();
    const target = await installed(cluster, 'lf');
    cluster.lingerMs = Number.POSITIVE_INFINITY;
    const started = Date.now();
    await assert.rejects(
      uninstall(target, { deleteData: false, wait: true, timeoutMs: 1000, progress: () => undefined }),
      { code: 'BERTH_UNINSTALL_TIMEOUT', message: /^\S+\/\S+ in shop is still being deleted after 1 s$/ },
    );
    assert.ok(Date.now() - started >= 1000, 'waited the whole time-out');
  });
});

describe('list and history read metadata only', () => {
  test('one metadata list each, no record payload fetched', async () => {
    const cluster = new FakeCluster();
    const target = await installed(cluster, 'lf', NS, 2);
    await installed(cluster, 'other');
    cluster.calls.length = 0;
    await listReleases(cluster.client, NS);
    await releaseHistory(target);
    assert.deepEqual(
      cluster.calls.map((c) => `${c.operation} ${c.kind}`),
      ['listMetadata Secret', 'listMetadata Secret'],
    );
  });
});
