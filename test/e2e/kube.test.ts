import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { KubeClient } from '../../src/kube/client.ts';
import { ApplyConflictError, KubeApiError } from '../../src/kube/errors.ts';
import { RolloutError } from '../../src/kube/rollout-error.ts';
import { type WaitProgress, waitForReady } from '../../src/kube/wait.ts';
import { watchObject } from '../../src/kube/watch-object.ts';
import { kubectl, withNamespace } from './support/cluster.ts';

const client = () => KubeClient.fromKubeconfig();

function deployment(namespace: string, name: string, replicas: number, extraPodSpec: object = {}) {
  const labels = { 'app.kubernetes.io/name': name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0.0' }], ...extraPodSpec },
      },
    },
  };
}

describe('KubeClient and waitForReady against the local control plane', { concurrency: true }, () => {
  test('server version and discovery', async () => {
    const version = await client().serverVersion();
    assert.equal(version.gitVersion, 'v1.35.4');
    assert.deepEqual(await client().resourceInfo('apps/v1', 'Deployment'), {
      plural: 'deployments',
      namespaced: true,
    });
  });

  test('apply reports a conflict when another manager owns a field, force takes it back', async (t) => {
    const namespace = await withNamespace(t, 'kube-conflict');
    const c = client();
    await c.apply(deployment(namespace, 'web', 1));
    await kubectl([
      'patch',
      'deployment',
      'web',
      '-n',
      namespace,
      '--type',
      'merge',
      '--field-manager',
      'kubectl-edit',
      '-p',
      '{"spec":{"replicas":3}}',
    ]);
    await assert.rejects(c.apply(deployment(namespace, 'web', 2)), (err: unknown) => {
      assert.ok(err instanceof ApplyConflictError, String(err));
      assert.deepEqual(
        err.conflicts.map((x) => [x.field, x.manager]),
        [['.spec.replicas', 'kubectl-edit']],
      );
      assert.equal(
        err.message,
        `apply Deployment/web in ${namespace}: 1 field is owned by another manager:\n  conflict on .spec.replicas with manager kubectl-edit`,
      );
      return true;
    });
    const forced = await c.apply(deployment(namespace, 'web', 2), { force: true });
    assert.equal((forced.spec as { replicas: number }).replicas, 2);
    const managers = (forced.metadata.managedFields ?? []).map((m) => m.manager);
    assert.ok(managers.includes('berth'), managers.join(','));
  });

  test('dry-run apply validates and leaves nothing behind', async (t) => {
    const namespace = await withNamespace(t, 'kube-dry-run');
    const c = client();
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'conf', namespace },
      data: { a: 'b' },
    };
    const result = await c.dryRunApply(configMap);
    assert.equal(result.metadata.name, 'conf');
    assert.deepEqual(result.data, { a: 'b' });
    assert.equal(await c.get({ apiVersion: 'v1', kind: 'ConfigMap', name: 'conf', namespace }), undefined);
    await assert.rejects(c.dryRunApply({ ...configMap, bogus: true }), (err: unknown) => {
      assert.ok(err instanceof KubeApiError);
      assert.equal(err.code, 'BERTH_KUBE_INVALID');
      assert.match(err.message, /field not declared in schema/);
      return true;
    });
    const invalid = deployment(namespace, 'bad', -1);
    await assert.rejects(
      c.dryRunApply(invalid),
      /apply Deployment\/bad in .*: API server says: .*(reason: Invalid)/,
    );
  });

  test('get, list and delete', async (t) => {
    const namespace = await withNamespace(t, 'kube-crud');
    const c = client();
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'conf', namespace };
    await c.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'conf', namespace, labels: { tier: 'x' } },
      data: { a: 'b' },
    });
    assert.deepEqual((await c.get(ref))?.data, { a: 'b' });
    const listed = await c.list({ apiVersion: 'v1', kind: 'ConfigMap', namespace, labelSelector: 'tier=x' });
    assert.deepEqual(
      listed.map((o) => `${o.kind}/${o.metadata.name}`),
      ['ConfigMap/conf'],
    );
    assert.equal(await c.delete(ref), true);
    assert.equal(await c.delete(ref), false);
  });

  test('waitForReady sees a Deployment roll out, with progress along the way', async (t) => {
    const namespace = await withNamespace(t, 'kube-wait-deploy');
    const c = client();
    const objects = [
      deployment(namespace, 'web', 2),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace },
        spec: { selector: { 'app.kubernetes.io/name': 'web' }, ports: [{ port: 80 }] },
      },
    ];
    for (const object of objects) await c.apply(object);
    const progress: WaitProgress[] = [];
    const result = await waitForReady(c, objects, { timeoutMs: 60_000, onProgress: (p) => progress.push(p) });
    assert.deepEqual(result.objects.map((o) => `${o.ref.kind}: ${o.message}`).sort(), [
      'Deployment: 2/2 pods ready',
      `Service: ${progress.find((p) => p.object.kind === 'Service')?.message}`,
    ]);
    const deploymentMessages = progress.filter((p) => p.object.kind === 'Deployment').map((p) => p.message);
    assert.equal(deploymentMessages.at(-1), '2/2 pods ready');
    assert.ok(progress.every((p) => p.object.namespace === namespace));
  });

  test('waitForReady: a StatefulSet and its claim', async (t) => {
    const namespace = await withNamespace(t, 'kube-wait-sts');
    const c = client();
    const labels = { 'app.kubernetes.io/name': 'db' };
    const statefulSet = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace },
      spec: {
        replicas: 1,
        serviceName: 'db',
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'db', image: 'registry.example/db:16' }] },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    };
    await c.apply(statefulSet);
    const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: 'data-db-0', namespace };
    const result = await waitForReady(c, [statefulSet, claim], { timeoutMs: 60_000 });
    const messages = Object.fromEntries(result.objects.map((o) => [o.ref.kind, o.message]));
    assert.equal(messages.StatefulSet, '1/1 pods ready');
    assert.match(messages.PersistentVolumeClaim ?? '', /^Bound to volume pvc-/);
  });

  test('waitForReady fails on a failed Job and reports its Warning events', async (t) => {
    const namespace = await withNamespace(t, 'kube-wait-job');
    const c = client();
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate', namespace },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: 2,
        template: {
          spec: {
            restartPolicy: 'Never',
            // No node carries this label: the pod never runs and the deadline fails the Job.
            nodeSelector: { 'berth.test/nowhere': 'true' },
            containers: [{ name: 'migrate', image: 'registry.example/migrate:1.0.0' }],
          },
        },
      },
    };
    await c.apply(job);
    await assert.rejects(waitForReady(c, [job], { timeoutMs: 60_000 }), (err: unknown) => {
      assert.ok(err instanceof RolloutError, String(err));
      assert.equal(err.outcome, 'failed');
      assert.equal(err.exitCode, 3);
      const [failed] = err.objects;
      assert.ok(failed);
      assert.equal(failed.failed, true);
      assert.equal(failed.message, 'Job failed: DeadlineExceeded (activeDeadlineSeconds 2)');
      // The pod may be gone by now, but the scheduler's events about it still say why nothing ran.
      assert.ok(
        failed.events.some((e) => e.reason === 'FailedScheduling' && e.object.startsWith('Pod/migrate-')),
        `events: ${JSON.stringify(failed.events)}`,
      );
      assert.match(
        err.message,
        /^rollout failed after \d+s:\n {2}Job\/migrate in .*: Job failed: DeadlineExceeded/,
      );
      // Why nothing ran is told once: by the pod's condition while the pod still exists, by the
      // scheduler's event once the Job controller has deleted it (events repeating a pod problem are dropped).
      assert.match(
        err.message,
        /(warning Pod\/migrate-[a-z0-9]+ FailedScheduling|pod migrate-[a-z0-9]+ Unschedulable): 0\/3 nodes are available/,
      );
      return true;
    });
  });

  test('waitForReady times out with the reasons of the pods that cannot run', async (t) => {
    const namespace = await withNamespace(t, 'kube-wait-timeout');
    const c = client();
    const stuck = deployment(namespace, 'stuck', 1, { nodeSelector: { 'berth.test/nowhere': 'true' } });
    await c.apply(stuck);
    await assert.rejects(waitForReady(c, [stuck], { timeoutMs: 4000 }), (err: unknown) => {
      assert.ok(err instanceof RolloutError, String(err));
      assert.equal(err.outcome, 'timeout');
      const [object] = err.objects;
      assert.equal(object?.message, '0/1 pods ready');
      assert.ok(
        object?.podProblems.some((p) => p.reason === 'Unschedulable'),
        JSON.stringify(object?.podProblems),
      );
      assert.match(
        err.message,
        /^timed out after 4s waiting for 1 object:\n {2}Deployment\/stuck in .*: not ready: 0\/1 pods ready/,
      );
      assert.match(err.message, /pod stuck-[a-z0-9-]+ Unschedulable: 0\/3 nodes are available/);
      return true;
    });
  });

  test('watch delivers events and stops cleanly', async (t) => {
    const namespace = await withNamespace(t, 'kube-watch');
    const c = client();
    const seen: string[] = [];
    let closedWith: unknown = 'open';
    const handle = await c.watch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'watched' },
      {
        onEvent: (e) => {
          if (e.type !== 'BOOKMARK')
            seen.push(`${e.type} ${'metadata' in e.object ? e.object.metadata.name : ''}`);
        },
        onClose: (e) => (closedWith = e),
      },
    );
    await c.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'watched', namespace },
      data: { a: '1' },
    });
    await c.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'ignored', namespace },
      data: { a: '1' },
    });
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    handle.stop();
    assert.deepEqual(seen, ['ADDED watched']);
    assert.equal(closedWith, undefined);
  });
});

/** A TCP proxy on loopback whose connections the test can cut, to make watches drop. */
async function cuttableProxy(target: URL): Promise<{ url: string; cut(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    cut: () => {
      for (const s of sockets) s.destroy();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('watches survive trouble', () => {
  test('watchObject reconnects after the connection drops and keeps reporting changes', async (t) => {
    const namespace = await withNamespace(t, 'kube-watch-drop');
    const direct = client();
    const proxy = await cuttableProxy(new URL(direct.server));
    t.after(() => proxy.close());
    const dir = await mkdtemp(join(tmpdir(), 'berth-kube-proxy-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const kubeconfig = join(dir, 'kubeconfig');
    const original = await readFile(process.env.KUBECONFIG ?? '', 'utf8');
    await writeFile(kubeconfig, original.replace(direct.server, proxy.url));
    const viaProxy = KubeClient.fromKubeconfig({ kubeconfig });

    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'watched', namespace };
    const configMap = (value: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'watched', namespace },
      data: { value },
    });
    await direct.apply(configMap('one'));
    const values: (string | undefined)[] = [];
    const stop = new AbortController();
    const waitForValue = async (value: string) => {
      for (let i = 0; i < 100 && values.at(-1) !== value; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(values.at(-1), value, `values seen: ${values.join(',')}`);
    };
    const following = watchObject(viaProxy, ref, {
      signal: stop.signal,
      onChange: (o) => values.push((o?.data as { value?: string } | undefined)?.value),
    });
    await waitForValue('one');
    proxy.cut();
    await direct.apply(configMap('two'));
    await waitForValue('two');
    await direct.delete(ref);
    for (let i = 0; i < 100 && values.at(-1) !== undefined; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(values.at(-1), undefined);
    stop.abort();
    await following;
    assert.ok(values.length >= 3);
  });
});
