/**
 * The last resort: `extraObjects` added to the release and `patches` applied to the rendered
 * objects, both before the OpenAPI validation, the policy check and the wiring verifier run.
 *
 * Strategic merge: no maintained JavaScript implementation exists (it lives in Go, in
 * k8s.io/apimachinery), so this applies the documented merge keys of the fields berth renders:
 * containers, init containers, env, volumes, image pull secrets by `name`, volume mounts by
 * `mountPath`, container ports by `containerPort`, Service ports by `port`, host aliases by `ip`.
 * Other lists are replaced. `null` deletes a key; `$patch: delete` in a list item removes it;
 * `$patch: replace` in a map replaces instead of merging. JSON 6902 uses fast-json-patch.
 */
import jsonPatch from 'fast-json-patch';
import { BerthError } from '../errors.ts';
import type { PatchValues } from '../values/vocabulary/index.ts';
import type { RenderContext } from './context.ts';
import type { KubeObject, Stage } from './model.ts';
import { standardLabels } from './policies.ts';

type Json = Record<string, unknown>;

const MERGE_KEYS: Readonly<Record<string, readonly string[]>> = {
  containers: ['name'],
  initContainers: ['name'],
  ephemeralContainers: ['name'],
  env: ['name'],
  volumes: ['name'],
  imagePullSecrets: ['name'],
  volumeMounts: ['mountPath'],
  ports: ['containerPort', 'port'],
  hostAliases: ['ip'],
};

function isMap(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeList(field: string, base: unknown[], patch: unknown[]): unknown[] {
  const keys = MERGE_KEYS[field];
  const key = keys?.find((k) => patch.every((item) => isMap(item) && k in item));
  if (!key) return patch.filter((item) => !(isMap(item) && item.$patch === 'delete'));
  const out = [...base];
  for (const item of patch as Json[]) {
    const at = out.findIndex((existing) => isMap(existing) && existing[key] === item[key]);
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) {
      out[at] = strategicMerge(out[at] as Json, item);
    } else {
      out.push(strategicMerge({}, item));
    }
  }
  return out;
}

export function strategicMerge(base: Json, patch: Json): Json {
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return rest;
  }
  const out: Json = { ...base };
  for (const [field, value] of Object.entries(patch)) {
    if (field === '$patch') continue;
    const current = out[field];
    if (value === null) delete out[field];
    else if (isMap(value) && isMap(current)) out[field] = strategicMerge(current, value);
    else if (Array.isArray(value) && Array.isArray(current)) out[field] = mergeList(field, current, value);
    else if (isMap(value)) out[field] = strategicMerge({}, value);
    else out[field] = value;
  }
  return out;
}

function applyOne(object: KubeObject, patch: PatchValues['patch'], index: number): KubeObject {
  if (!Array.isArray(patch)) return strategicMerge(object, patch) as KubeObject;
  try {
    const operations = patch as jsonPatch.Operation[];
    return jsonPatch.applyPatch(structuredClone(object), operations, true, false).newDocument;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new BerthError(
      'BERTH_VALUES',
      `values patches[${index}].patch: JSON patch does not apply: ${reason}`,
    );
  }
}

/** The objects some patch changed, by kind/name, for the policy re-check. */
export interface PatchOutcome {
  readonly patched: ReadonlySet<string>;
}

export function objectKey(object: KubeObject): string {
  return `${object.kind}/${object.metadata.name}`;
}

/** Applies `patches` in order to the rendered objects (in place in the manifest list). */
export function applyPatches(
  manifests: { object: KubeObject }[],
  patches: readonly PatchValues[],
): PatchOutcome {
  const patched = new Set<string>();
  patches.forEach((patch, index) => {
    const target = manifests.find(
      (m) => m.object.kind === patch.target.kind && m.object.metadata.name === patch.target.name,
    );
    if (!target) {
      throw new BerthError(
        'BERTH_VALUES',
        `values patches[${index}].target: no ${patch.target.kind}/${patch.target.name} in the release`,
        { hint: 'berth render <blueprint> shows every object with its kind and name' },
      );
    }
    const before = objectKey(target.object);
    target.object = applyOne(target.object, patch.patch, index);
    if (objectKey(target.object) !== before) {
      throw new BerthError(
        'BERTH_VALUES',
        `values patches[${index}].patch: must not change the kind or name of ${before}`,
      );
    }
    patched.add(before);
  });
  return { patched };
}

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'PersistentVolume',
  'CustomResourceDefinition',
]);

const CONFIG_KINDS = new Set([
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  ...CLUSTER_SCOPED,
]);

/**
 * `extraObjects` with the release's labels and namespace; configuration kinds go first (stage
 * config) so pods can mount them, everything else with the last stage.
 */
export function extraObjectManifests(
  ctx: RenderContext,
  objects: readonly Json[],
  lastStage: Stage,
): { stage: Stage; object: KubeObject }[] {
  return objects.map((raw) => {
    const object = structuredClone(raw) as KubeObject;
    object.metadata = {
      ...object.metadata,
      ...(CLUSTER_SCOPED.has(object.kind) ? {} : { namespace: ctx.namespace }),
      labels: { ...standardLabels(ctx), ...object.metadata.labels },
    };
    return { stage: CONFIG_KINDS.has(object.kind) ? 'config' : lastStage, object };
  });
}
