/** Pod templates inside rendered workloads: where they are, what they request, what they refer to. */
import type { KubeObject } from '../render/model.ts';
import type { PodTemplate, WorkloadRequests } from './model.ts';
import { parseQuantity } from './quantity.ts';

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function asArray(value: unknown): Json[] {
  return Array.isArray(value) ? value.map((v) => asObject(v) ?? {}) : [];
}

export function describeObject(object: { kind: string; metadata: { name: string } }): string {
  return `${object.kind}/${object.metadata.name}`;
}

/** Where each kind keeps its pod spec. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

export function podTemplateOf(object: KubeObject): PodTemplate | undefined {
  const path = POD_SPEC_PATHS[object.kind];
  if (!path) return undefined;
  let node: unknown = object;
  for (const key of path) node = asObject(node)?.[key];
  const spec = asObject(node);
  let meta: unknown = object;
  for (const key of [...path.slice(0, -1), 'metadata']) meta = asObject(meta)?.[key];
  const annotations = asObject(asObject(meta)?.annotations) as Record<string, string> | undefined;
  return spec
    ? { owner: describeObject(object), path: path.join('.'), spec, ...(annotations ? { annotations } : {}) }
    : undefined;
}

export function podTemplates(objects: readonly KubeObject[]): PodTemplate[] {
  return objects.map(podTemplateOf).filter((t): t is PodTemplate => t !== undefined);
}

/** `containers`, `initContainers`, `ephemeralContainers` with their field paths. */
export function containersOf(spec: Json): { path: string; container: Json }[] {
  const out: { path: string; container: Json }[] = [];
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    asArray(spec[field]).forEach((container, i) => {
      out.push({ path: `${field}[${i}]`, container });
    });
  }
  return out;
}

interface Amount {
  cpu: number;
  memory: number;
}

function requestsOf(container: Json): Amount {
  const requests = asObject(asObject(container.resources)?.requests) ?? {};
  const limits = asObject(asObject(container.resources)?.limits) ?? {};
  // Kubernetes defaults a missing request to the limit.
  const pick = (name: string) =>
    parseQuantity(requests[name] as string | undefined) ??
    parseQuantity(limits[name] as string | undefined) ??
    0;
  return { cpu: pick('cpu'), memory: pick('memory') };
}

/**
 * The effective request of one pod, the scheduler's way: the sum of the app containers and the
 * sidecars (init containers with `restartPolicy: Always`), or the largest regular init container
 * plus the sidecars started before it, whichever is more.
 */
export function podRequests(spec: Json): Amount {
  const sidecars: Amount = { cpu: 0, memory: 0 };
  const peak: Amount = { cpu: 0, memory: 0 };
  for (const init of asArray(spec.initContainers)) {
    const amount = requestsOf(init);
    if (init.restartPolicy === 'Always') {
      sidecars.cpu += amount.cpu;
      sidecars.memory += amount.memory;
    } else {
      peak.cpu = Math.max(peak.cpu, sidecars.cpu + amount.cpu);
      peak.memory = Math.max(peak.memory, sidecars.memory + amount.memory);
    }
  }
  const running: Amount = { ...sidecars };
  for (const container of asArray(spec.containers)) {
    const amount = requestsOf(container);
    running.cpu += amount.cpu;
    running.memory += amount.memory;
  }
  return { cpu: Math.max(running.cpu, peak.cpu), memory: Math.max(running.memory, peak.memory) };
}

function replicasOf(object: KubeObject): number {
  const spec = asObject(object.spec) ?? {};
  if (object.kind === 'Job') return typeof spec.parallelism === 'number' ? spec.parallelism : 1;
  if (object.kind === 'Pod') return 1;
  return typeof spec.replicas === 'number' ? spec.replicas : 1;
}

/** Requests of every workload that runs pods at install (CronJobs and DaemonSets are left out: their pod count is not known here). */
export function workloadRequests(objects: readonly KubeObject[]): WorkloadRequests[] {
  const out: WorkloadRequests[] = [];
  for (const object of objects) {
    if (object.kind === 'CronJob' || object.kind === 'DaemonSet') continue;
    const template = podTemplateOf(object);
    if (!template) continue;
    const { cpu, memory } = podRequests(template.spec);
    out.push({ workload: template.owner, replicas: replicasOf(object), cpu, memory });
  }
  return out;
}

/** A Secret a pod reads: by key, or whole (envFrom, image pulls, volumes without items). */
export interface PodSecretRef {
  readonly name: string;
  readonly key?: string;
  readonly optional: boolean;
  readonly from: string;
}

export function podSecretRefs(template: PodTemplate): PodSecretRef[] {
  const out: PodSecretRef[] = [];
  // Referrers are named by object only: one line per workload reads better than one per env var.
  const at = (_path: string) => template.owner;
  for (const { path, container } of containersOf(template.spec)) {
    asArray(container.env).forEach((env, i) => {
      const ref = asObject(asObject(env.valueFrom)?.secretKeyRef);
      if (ref && typeof ref.name === 'string') {
        out.push({
          name: ref.name,
          ...(typeof ref.key === 'string' ? { key: ref.key } : {}),
          optional: ref.optional === true,
          from: at(`${path}.env[${i}]`),
        });
      }
    });
    asArray(container.envFrom).forEach((source, i) => {
      const ref = asObject(source.secretRef);
      if (ref && typeof ref.name === 'string') {
        out.push({ name: ref.name, optional: ref.optional === true, from: at(`${path}.envFrom[${i}]`) });
      }
    });
  }
  asArray(template.spec.volumes).forEach((volume, i) => {
    const sources = [
      asObject(volume.secret),
      ...asArray(asObject(volume.projected)?.sources).map((s) => asObject(s.secret)),
    ];
    for (const source of sources) {
      if (!source) continue;
      const name = (source.secretName ?? source.name) as unknown;
      if (typeof name !== 'string') continue;
      const optional = source.optional === true;
      const items = asArray(source.items);
      if (items.length === 0) out.push({ name, optional, from: at(`volumes[${i}]`) });
      for (const item of items) {
        if (typeof item.key === 'string')
          out.push({ name, key: item.key, optional, from: at(`volumes[${i}]`) });
      }
    }
  });
  asArray(template.spec.imagePullSecrets).forEach((ref, i) => {
    if (typeof ref.name === 'string') {
      out.push({ name: ref.name, optional: false, from: at(`imagePullSecrets[${i}]`) });
    }
  });
  return out;
}

/** PersistentVolumeClaims a pod mounts by name. */
export function podClaimRefs(template: PodTemplate): { name: string; from: string }[] {
  const out: { name: string; from: string }[] = [];
  asArray(template.spec.volumes).forEach((volume, i) => {
    const claim = asObject(volume.persistentVolumeClaim)?.claimName;
    if (typeof claim === 'string')
      out.push({ name: claim, from: `${template.owner} ${template.path}.volumes[${i}]` });
  });
  return out;
}

export { asArray, asObject };
