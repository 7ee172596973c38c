/**
 * What berth renders differently for an adopted release, as `patches` in the layer the release's
 * records keep (so every later upgrade renders the same): workloads keep the fields Kubernetes will
 * not change (selectors, a StatefulSet's service name and claim templates), selectors elsewhere in
 * the release follow pods whose labels had to take the chart's values, and stores read their data
 * where the chart's image left it.
 */
import type { LiveObject } from '../kube/types.ts';
import type { KubeObject } from '../render/model.ts';
import type { PatchValues } from '../values/vocabulary/index.ts';
import type { AdoptedStore } from './charts/index.ts';
import { ADOPTED_CONFIG_DIR, adoptedConfigName } from './charts/profile.ts';

type Json = Record<string, unknown>;
type Operation = { op: 'add' | 'replace' | 'remove' | 'test'; path: string; value?: unknown };

const pointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a as Json);
  if (keys.length !== Object.keys(b as Json).length) return false;
  return keys.every((key) => sameJson((a as Json)[key], (b as Json)[key]));
}

/** A live claim template as it can be applied again (no status, no server-set metadata). */
function claimTemplate(template: Json): Json {
  const metadata = (template.metadata ?? {}) as Json;
  return {
    ...(template.apiVersion ? { apiVersion: template.apiVersion } : {}),
    ...(template.kind ? { kind: template.kind } : {}),
    metadata: {
      name: metadata.name,
      ...(metadata.labels ? { labels: metadata.labels } : {}),
      ...(metadata.annotations ? { annotations: metadata.annotations } : {}),
    },
    spec: template.spec,
  };
}

export interface KeptWorkload {
  readonly patch: PatchValues | undefined;
  /** Set when the pods had to take chart values for berth's own selector labels. */
  readonly selectorMoved?: { readonly from: Json; readonly to: Json };
}

/** The patch that makes a rendered Deployment or StatefulSet keep what the live one cannot change. */
export function keepImmutable(rendered: KubeObject, live: LiveObject): KeptWorkload {
  const spec = (rendered.spec ?? {}) as Json;
  const liveSpec = (live.spec ?? {}) as Json;
  const operations: Operation[] = [];
  const ours = ((spec.selector as Json | undefined)?.matchLabels ?? {}) as Record<string, string>;
  const theirs = ((liveSpec.selector as Json | undefined)?.matchLabels ?? {}) as Record<string, string>;
  let selectorMoved: KeptWorkload['selectorMoved'];
  if (!sameJson(spec.selector, liveSpec.selector)) {
    operations.push({ op: 'replace', path: '/spec/selector', value: liveSpec.selector });
    for (const [key, value] of Object.entries(theirs))
      operations.push({ op: 'add', path: `/spec/template/metadata/labels/${pointer(key)}`, value });
    if (Object.entries(ours).some(([key, value]) => key in theirs && theirs[key] !== value))
      selectorMoved = { from: ours, to: theirs };
  }
  // The API server copies the deprecated `serviceAccount` back into an absent `serviceAccountName`,
  // so the chart's account would survive berth not naming one: name the default explicitly.
  const podSpec = ((spec.template as Json | undefined)?.spec ?? {}) as Json;
  const livePod = ((liveSpec.template as Json | undefined)?.spec ?? {}) as Json;
  if (livePod.serviceAccountName && !podSpec.serviceAccountName)
    operations.push({ op: 'add', path: '/spec/template/spec/serviceAccountName', value: 'default' });
  if (rendered.kind === 'StatefulSet') {
    for (const field of ['serviceName', 'podManagementPolicy']) {
      if (liveSpec[field] === undefined || liveSpec[field] === spec[field]) continue;
      operations.push({
        op: field in spec ? 'replace' : 'add',
        path: `/spec/${field}`,
        value: liveSpec[field],
      });
    }
    const templates = ((liveSpec.volumeClaimTemplates ?? []) as Json[]).map(claimTemplate);
    if (templates.length === 0 && spec.volumeClaimTemplates)
      operations.push({ op: 'remove', path: '/spec/volumeClaimTemplates' });
    else if (templates.length && !sameJson(templates, spec.volumeClaimTemplates))
      operations.push(
        {
          op: spec.volumeClaimTemplates ? 'replace' : 'add',
          path: '/spec/volumeClaimTemplates',
          value: templates,
        },
        ...claimMountRenames(spec, liveSpec),
      );
  }
  const patch = operations.length
    ? { target: { kind: rendered.kind, name: rendered.metadata.name }, patch: operations }
    : undefined;
  return { patch, ...(selectorMoved ? { selectorMoved } : {}) };
}

type Mounts = { volumeMounts?: { name: string; mountPath: string }[] }[];
const MOUNTING = ['initContainers', 'containers'] as const;

/**
 * berth's mounts of its own claim templates, which the chart's replace, renamed to the chart's
 * template mounted at the same path (gitlab-shell's `keys` is the chart's `data`).
 */
function claimMountRenames(spec: Json, liveSpec: Json): Operation[] {
  const names = (s: Json) =>
    ((s.volumeClaimTemplates ?? []) as Json[]).map((t) => (t.metadata as Json)?.name);
  const ours = names(spec);
  const theirs = names(liveSpec);
  const livePod = ((liveSpec.template as Json | undefined)?.spec ?? {}) as Json;
  const chartAt = new Map<string, string>();
  for (const field of MOUNTING)
    for (const container of (livePod[field] ?? []) as Mounts)
      for (const mount of container.volumeMounts ?? [])
        if (theirs.includes(mount.name)) chartAt.set(mount.mountPath, mount.name);
  const pod = ((spec.template as Json | undefined)?.spec ?? {}) as Json;
  const operations: Operation[] = [];
  for (const field of MOUNTING)
    for (const [i, container] of ((pod[field] ?? []) as Mounts).entries())
      for (const [j, mount] of (container.volumeMounts ?? []).entries()) {
        const chart = chartAt.get(mount.mountPath);
        if (!ours.includes(mount.name) || theirs.includes(mount.name) || !chart) continue;
        const path = `/spec/template/spec/${field}/${i}/volumeMounts/${j}/name`;
        operations.push({ op: 'test', path, value: mount.name }, { op: 'replace', path, value: chart });
      }
  return operations;
}

/** Every selector in the other objects that picked berth's labels now picks the chart's. */
export function followSelectors(
  objects: readonly KubeObject[],
  moved: { readonly from: Json; readonly to: Json },
): PatchValues[] {
  const patches: PatchValues[] = [];
  for (const object of objects) {
    const operations: Operation[] = [];
    const walk = (node: unknown, path: string) => {
      if (typeof node !== 'object' || node === null) return;
      if (!Array.isArray(node) && sameJson(node, moved.from)) {
        operations.push({ op: 'replace', path, value: moved.to });
        return;
      }
      for (const [key, child] of Object.entries(node)) walk(child, `${path}/${pointer(key)}`);
    };
    walk(object.spec, '/spec');
    if (operations.length)
      patches.push({ target: { kind: object.kind, name: object.metadata.name }, patch: operations });
  }
  return patches;
}

interface PodSpec {
  volumes?: unknown[];
  containers?: {
    name: string;
    env?: { name: string }[];
    volumeMounts?: { name: string; mountPath: string }[];
  }[];
}

function podSpec(object: KubeObject): PodSpec | undefined {
  const spec = object.spec as Json | undefined;
  const template = (
    object.kind === 'CronJob'
      ? ((spec?.jobTemplate as Json | undefined)?.spec as Json | undefined)?.template
      : spec?.template
  ) as Json | undefined;
  return template?.spec as PodSpec | undefined;
}

/**
 * The store's data volume mounted, its environment set and its server started the way the chart's
 * image had them.
 */
export function storeLayout(
  object: KubeObject,
  store: AdoptedStore,
  release: string,
): PatchValues | undefined {
  const pod = podSpec(object);
  const container = pod?.containers?.[0];
  if (!container) return undefined;
  const operations: Operation[] = [];
  const mount = (container.volumeMounts ?? []).findIndex((m) => m.name === 'data');
  const at = `/spec/template/spec/containers/0`;
  // Positions change when later values add mounts or variables: each is checked before it is written.
  if (mount >= 0 && (store.mountPath || store.subPath))
    operations.push({ op: 'test', path: `${at}/volumeMounts/${mount}/name`, value: 'data' });
  if (mount >= 0 && store.mountPath)
    operations.push({ op: 'replace', path: `${at}/volumeMounts/${mount}/mountPath`, value: store.mountPath });
  if (mount >= 0 && store.subPath)
    operations.push({ op: 'add', path: `${at}/volumeMounts/${mount}/subPath`, value: store.subPath });
  operations.push(...envOperations(container, at, store.env ?? {}));
  if (store.server) {
    const volume = { name: 'adopted-config', configMap: { name: adoptedConfigName(release, store) } };
    operations.push(
      pod.volumes
        ? { op: 'add', path: '/spec/template/spec/volumes/-', value: volume }
        : { op: 'add', path: '/spec/template/spec/volumes', value: [volume] },
      container.volumeMounts
        ? {
            op: 'add',
            path: `${at}/volumeMounts/-`,
            value: { name: 'adopted-config', mountPath: ADOPTED_CONFIG_DIR, readOnly: true },
          }
        : {
            op: 'add',
            path: `${at}/volumeMounts`,
            value: [{ name: 'adopted-config', mountPath: ADOPTED_CONFIG_DIR, readOnly: true }],
          },
      { op: 'add', path: `${at}/args`, value: [...store.server.args] },
    );
  }
  return operations.length
    ? { target: { kind: object.kind, name: object.metadata.name }, patch: operations }
    : undefined;
}

function envOperations(
  container: NonNullable<PodSpec['containers']>[number],
  at: string,
  wanted: Readonly<Record<string, string>>,
): Operation[] {
  const env = container.env ?? [];
  return Object.entries(wanted).flatMap(([name, value]): Operation[] => {
    const index = env.findIndex((e) => e.name === name);
    return index >= 0
      ? [
          { op: 'test', path: `${at}/env/${index}/name`, value: name },
          { op: 'replace', path: `${at}/env/${index}`, value: { name, value } },
        ]
      : [{ op: 'add', path: `${at}/env/-`, value: { name, value } }];
  });
}

/**
 * The applications' environment where it must follow what the chart left in the data (a database
 * user, a client id): each wanted variable a container sets takes the wanted value, and
 * DATABASE_URL is rebuilt on DATABASE_NAME, the chart's database.
 */
export function applicationEnv(
  object: KubeObject,
  wanted: Readonly<Record<string, string>>,
): PatchValues | undefined {
  const spec = podSpec(object);
  const operations: Operation[] = [];
  const base = object.kind === 'CronJob' ? '/spec/jobTemplate/spec/template/spec' : '/spec/template/spec';
  for (const [index, container] of (spec?.containers ?? []).entries()) {
    const env = container.env ?? [];
    const names = new Set(env.map((e) => e.name));
    const changes: Record<string, string> = Object.fromEntries(
      Object.entries(wanted).filter(([name]) => names.has(name)),
    );
    const url = env.find((e) => e.name === 'DATABASE_URL') as { value?: string } | undefined;
    if (wanted.DATABASE_NAME && url?.value)
      changes.DATABASE_URL = url.value.replace(/\/[^/?]+(\?|$)/, `/${wanted.DATABASE_NAME}$1`);
    operations.push(...envOperations(container, `${base}/containers/${index}`, changes));
  }
  return operations.length
    ? { target: { kind: object.kind, name: object.metadata.name }, patch: operations }
    : undefined;
}
