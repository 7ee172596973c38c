import { setTimeout as sleep } from 'node:timers/promises';
import { type Connection, createIfMissing, getJson } from './api.ts';

/** Annotation that marks the fake Nodes kwok manages (kwok runs with a matching selector). */
export const kwokNodeAnnotation = { key: 'kwok.x-k8s.io/node', value: 'fake' } as const;

export interface FakeNodeShape {
  cpu: string;
  memory: string;
  pods: string;
}

export const defaultNodeShape: FakeNodeShape = { cpu: '32', memory: '256Gi', pods: '110' };

export const defaultStorageClassName = 'standard';

export function fakeNode(name: string, shape: FakeNodeShape): object {
  const resources = { cpu: shape.cpu, memory: shape.memory, pods: shape.pods, 'ephemeral-storage': '1Ti' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: {
        [kwokNodeAnnotation.key]: kwokNodeAnnotation.value,
        'node.alpha.kubernetes.io/ttl': '0',
      },
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node-role.kubernetes.io/agent': '',
        type: 'kwok',
        'topology.kubernetes.io/zone': 'local',
      },
    },
    spec: {},
    // Nodes accept status on create: kwok keeps allocatable/capacity as given.
    status: { allocatable: resources, capacity: resources },
  };
}

export function defaultStorageClass(name: string): object {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: 'kubernetes.io/host-path',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  };
}

export function nodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `berth-node-${i + 1}`);
}

/** Creates the fake Nodes and the default StorageClass (existing ones are kept). */
export async function createClusterObjects(
  conn: Connection,
  nodes: string[],
  shape: FakeNodeShape,
): Promise<void> {
  await Promise.all([
    ...nodes.map((name) => createIfMissing(conn, '/api/v1/nodes', fakeNode(name, shape))),
    createIfMissing(
      conn,
      '/apis/storage.k8s.io/v1/storageclasses',
      defaultStorageClass(defaultStorageClassName),
    ),
  ]);
}

interface NodeLike {
  status?: { conditions?: { type: string; status: string }[] };
}

async function nodeReady(conn: Connection, name: string): Promise<boolean> {
  const node = await getJson<NodeLike>(conn, `/api/v1/nodes/${name}`);
  return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * Polls `check` every `intervalMs` until it returns true; errors count as "not yet".
 * Returns false on time-out (and the last error, if any).
 */
export async function pollUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
  isAborted: () => boolean = () => false,
): Promise<{ ok: boolean; lastError?: unknown }> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (isAborted()) return { ok: false, lastError };
    try {
      if (await check()) return { ok: true };
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) return { ok: false, lastError };
    await sleep(intervalMs);
  }
}

export const readiness = {
  /** All fake Nodes report Ready (kwok picked them up). */
  nodes: (conn: Connection, nodes: string[]) => async () =>
    (await Promise.all(nodes.map((n) => nodeReady(conn, n)))).every(Boolean),
  /** The `default` ServiceAccount exists in `default` (the controller-manager's SA controller runs). */
  defaultServiceAccount: (conn: Connection) => async () =>
    (await getJson(conn, '/api/v1/namespaces/default/serviceaccounts/default')) !== undefined,
};
