import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { KubeConfig, KubernetesObjectApi, PatchStrategy, type V1ConfigMap } from '@kubernetes/client-node';
import { down, LocalClusterError, status, up } from '../../src/local/index.ts';
import { e2eEnv, kubectl, kubectlJson, uniqueName, waitFor, withNamespace } from './support/cluster.ts';

interface Conditioned {
  status?: { conditions?: { type: string; status: string }[] };
}
const hasCondition = (obj: Conditioned, type: string, value = 'True') =>
  obj.status?.conditions?.some((c) => c.type === type && c.status === value) ?? false;

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    // A zombie (exited, not yet reaped) counts as gone.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return true;
  }
}

describe('local control plane', { concurrency: true }, () => {
  test('reports Kubernetes v1.35.4', async () => {
    const version = await kubectlJson<{ serverVersion: { gitVersion: string; gitTreeState: string } }>([
      'version',
    ]);
    assert.equal(version.serverVersion.gitVersion, 'v1.35.4');
    assert.equal(version.serverVersion.gitTreeState, 'clean');
  });

  test('has 3 Ready fake nodes with allocatable resources and a default StorageClass', async () => {
    const nodes = await kubectlJson<{
      items: (Conditioned & { status: { allocatable: Record<string, string> } })[];
    }>(['get', 'nodes']);
    assert.equal(nodes.items.length, 3);
    for (const node of nodes.items) {
      assert.ok(hasCondition(node, 'Ready'), 'node Ready');
      assert.equal(node.status.allocatable.cpu, '32');
      assert.equal(node.status.allocatable.memory, '256Gi');
      assert.equal(node.status.allocatable.pods, '110');
    }
    const classes = await kubectlJson<{
      items: { metadata: { annotations?: Record<string, string> }; provisioner: string }[];
    }>(['get', 'storageclass']);
    const defaults = classes.items.filter(
      (sc) => sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true',
    );
    assert.equal(defaults.length, 1);
    assert.equal(defaults[0]?.provisioner, 'kubernetes.io/host-path');
  });

  test('a 3-replica Deployment becomes 3/3 ready', async (t) => {
    const ns = await withNamespace(t, 'deploy');
    await kubectl(['create', 'deployment', 'web', '-n', ns, '--image=nginx:1.27', '--replicas=3']);
    await waitFor(
      async () => {
        const d = await kubectlJson<{ status: { readyReplicas?: number; availableReplicas?: number } }>([
          'get',
          'deployment',
          'web',
          '-n',
          ns,
        ]);
        return d.status.readyReplicas === 3 && d.status.availableReplicas === 3;
      },
      { timeoutMs: 60_000, what: 'deployment web 3/3 ready' },
    );
    const pods = await kubectlJson<{ items: { spec: { nodeName?: string } }[] }>(['get', 'pods', '-n', ns]);
    assert.equal(pods.items.length, 3);
    assert.ok(pods.items.every((p) => p.spec.nodeName?.startsWith('berth-node-')));
  });

  test('a StatefulSet with a volumeClaimTemplate gets a Bound PVC and a Ready pod', async (t) => {
    const ns = await withNamespace(t, 'sts');
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: ns },
      spec: {
        serviceName: 'db',
        replicas: 1,
        selector: { matchLabels: { app: 'db' } },
        template: {
          metadata: { labels: { app: 'db' } },
          spec: { containers: [{ name: 'db', image: 'postgres:17' }] },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    };
    await kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
    await waitFor(
      async () => {
        const pvc = await kubectlJson<{ status: { phase?: string } }>(['get', 'pvc', 'data-db-0', '-n', ns]);
        return pvc.status.phase === 'Bound';
      },
      { timeoutMs: 60_000, what: 'PVC data-db-0 Bound' },
    );
    await waitFor(
      async () => hasCondition(await kubectlJson<Conditioned>(['get', 'pod', 'db-0', '-n', ns]), 'Ready'),
      {
        timeoutMs: 60_000,
        what: 'pod db-0 Ready',
      },
    );
  });

  test('a Job completes', async (t) => {
    const ns = await withNamespace(t, 'job');
    await kubectl(['create', 'job', 'once', '-n', ns, '--image=busybox:1.36', '--', 'true']);
    const job = await waitFor(
      async () => {
        const j = await kubectlJson<Conditioned & { status: { succeeded?: number } }>([
          'get',
          'job',
          'once',
          '-n',
          ns,
        ]);
        return hasCondition(j, 'Complete') ? j : undefined;
      },
      { timeoutMs: 60_000, what: 'job once Complete' },
    );
    assert.equal(job.status.succeeded, 1);
  });

  test('a namespace deletion finishes', async () => {
    const ns = uniqueName('delete-me');
    await kubectl(['create', 'namespace', ns]);
    await kubectl(['create', 'deployment', 'web', '-n', ns, '--image=nginx:1.27', '--replicas=2']);
    await kubectl(['create', 'configmap', 'settings', '-n', ns, '--from-literal=a=b']);
    await waitFor(
      async () =>
        (await kubectlJson<{ status: { readyReplicas?: number } }>(['get', 'deployment', 'web', '-n', ns]))
          .status.readyReplicas === 2,
      { timeoutMs: 60_000, what: 'deployment ready before deletion' },
    );
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
    await waitFor(async () => (await kubectl(['get', 'namespace', ns], { allowFailure: true })).code !== 0, {
      timeoutMs: 90_000,
      intervalMs: 500,
      what: `namespace ${ns} to be gone`,
    });
  });

  test('the kubeconfig works with @kubernetes/client-node (server-side apply)', async (t) => {
    const ns = await withNamespace(t, 'ssa');
    const kc = new KubeConfig();
    kc.loadFromFile(e2eEnv().kubeconfig);
    assert.equal(kc.getCurrentContext(), 'berth-local');
    const client = KubernetesObjectApi.makeApiClient(kc);
    const applied = await client.patch<V1ConfigMap>(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', namespace: ns },
        data: { a: '1' },
      },
      undefined,
      undefined,
      'berth-e2e',
      true,
      PatchStrategy.ServerSideApply,
    );
    assert.equal(applied.data?.a, '1');
    assert.ok(
      applied.metadata?.managedFields?.some((f) => f.manager === 'berth-e2e' && f.operation === 'Apply'),
    );
  });

  test('status() of the suite cluster shows every component running', async () => {
    const s = await status({ stateDir: e2eEnv().stateDir });
    assert.equal(s.exists, true);
    assert.equal(s.running, true);
    assert.equal(s.apiserverReady, true);
    assert.deepEqual(
      s.components.map((c) => [c.name, c.running]),
      [
        ['etcd', true],
        ['kube-apiserver', true],
        ['kube-controller-manager', true],
        ['kube-scheduler', true],
        ['kwok', true],
      ],
    );
    assert.equal(s.kubeconfig, e2eEnv().kubeconfig);
  });
});

describe('a second cluster: up, up again, status, down', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-e2e-second-'));
  });
  after(async () => {
    await down({ stateDir: join(dir, 'cluster') }).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  test('starts in under 30 s, is idempotent, and down leaves no process and no state', async () => {
    const stateDir = join(dir, 'cluster');
    const binDir = e2eEnv().controlPlaneBinDir;
    const started = Date.now();
    const info = await up({ stateDir, binDir });
    const elapsed = Date.now() - started;
    assert.equal(info.alreadyRunning, false);
    assert.ok(elapsed < 30_000, `up took ${elapsed} ms`);
    assert.equal(info.context, 'berth-local');
    assert.match(info.server, /^https:\/\/127\.0\.0\.1:\d+$/);

    const again = await up({ stateDir, binDir });
    assert.equal(again.alreadyRunning, true);
    assert.equal(again.server, info.server);

    const running = await status({ stateDir });
    assert.equal(running.running, true);
    const pids = running.components.map((c) => c.pid).filter((p): p is number => p !== undefined);
    assert.equal(pids.length, 5);

    const result = await down({ stateDir });
    assert.equal(result.existed, true);
    assert.deepEqual(result.stopped.map((s) => s.name).sort(), [
      'etcd',
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
      'kwok',
    ]);
    for (const pid of pids) assert.ok(processGone(pid), `pid ${pid} still alive after down`);
    const after = await status({ stateDir });
    assert.equal(after.exists, false);
    assert.equal(after.running, false);
    assert.equal(existsSync(stateDir), false);
    assert.deepEqual(await down({ stateDir }), { name: 'cluster', stateDir, existed: false, stopped: [] });
  });
});

describe('typed errors', { concurrency: true }, () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-e2e-errors-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('missing binaries: BINARIES_MISSING', async () => {
    const empty = join(dir, 'empty-bin');
    await mkdir(empty, { recursive: true });
    await assert.rejects(up({ stateDir: join(dir, 'missing'), binDir: empty }), (err: unknown) => {
      assert.ok(err instanceof LocalClusterError);
      assert.equal(err.code, 'BINARIES_MISSING');
      assert.match(err.message, /control plane binaries not built/);
      assert.match(err.hint, /cluster\/build\.sh/);
      return true;
    });
  });

  test('a component that exits early: COMPONENT_EXITED with its last log lines', async () => {
    const fakeBin = join(dir, 'fake-bin');
    await mkdir(fakeBin, { recursive: true });
    for (const name of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']) {
      const file = join(fakeBin, name);
      await writeFile(file, `#!/bin/sh\necho "${name}: simulated failure"\nexit 3\n`);
      await chmod(file, 0o755);
    }
    const stateDir = join(dir, 'exits');
    await assert.rejects(up({ stateDir, binDir: fakeBin, timeoutMs: 20_000 }), (err: unknown) => {
      assert.ok(err instanceof LocalClusterError);
      assert.equal(err.code, 'COMPONENT_EXITED');
      assert.match(err.message, /etcd exited early \(exit code 3\)/);
      assert.match(err.message, /etcd: simulated failure/);
      return true;
    });
    await down({ stateDir });
  });

  test('a fixed port that is taken: PORT_IN_USE', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolveListen) => server.listen({ host: '127.0.0.1', port: 0 }, resolveListen));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const stateDir = join(dir, 'port');
    try {
      await assert.rejects(
        up({ stateDir, binDir: e2eEnv().controlPlaneBinDir, ports: { apiserver: port } }),
        (err: unknown) => {
          assert.ok(err instanceof LocalClusterError);
          assert.equal(err.code, 'PORT_IN_USE');
          assert.match(err.message, new RegExp(`port ${port}`));
          return true;
        },
      );
    } finally {
      server.close();
      await down({ stateDir });
    }
  });
});
