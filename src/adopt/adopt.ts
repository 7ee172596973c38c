/**
 * `berth adopt helm`: take over a release Helm installed from a chart berth recognises, keeping its
 * data volumes, its passwords and the immutable parts of its workloads; Helm's ownership goes only
 * once the berth revision is deployed, and Helm's records are kept (relabelled) for `--undo`.
 */
import type { Blueprint } from '../blueprints/blueprint.ts';
import { BerthError, ExitCode } from '../errors.ts';
import { importByRules, isInlineSecret } from '../import/helm-values/engine.ts';
import { CHARTS } from '../import/helm-values/index.ts';
import type { KubeClient } from '../kube/client.ts';
import { describeRef, type LiveObject, type ObjectRef } from '../kube/types.ts';
import { type DeployOptions, deploy, type ReleaseTarget } from '../release/engine.ts';
import type { AdoptedLayer } from '../release/record.ts';
import { overAdopted } from '../release/render-revision.ts';
import { freshSecretValues } from '../render/config-objects.ts';
import type { KubeObject } from '../render/model.ts';
import { type Manifest, render } from '../render/render.ts';
import { mergeValues } from '../values/merge.ts';
import type { PatchValues } from '../values/vocabulary/index.ts';
import { type ChartLayout, recognise } from './charts/index.ts';
import { storeComponent } from './charts/profile.ts';
import { gitOpsReconcilers } from './gitops.ts';
import {
  ADOPTED_OWNER,
  type HelmRelease,
  helmRecordSecrets,
  readDeployedHelmRelease,
  relabelHelmRecords,
} from './helm-record.ts';
import { withoutCredentials } from './layer.ts';
import { applicationEnv, followSelectors, keepImmutable, storeLayout } from './layout.ts';
import { BERTH_MANAGER, HELM_OWNERSHIP, KEPT_MANAGER, takeOverFields } from './managers.ts';

type Json = Record<string, unknown>;

export interface AdoptRequest {
  readonly blueprint: Blueprint;
  /** The user's -f/--set values; they win over what adoption derives. */
  readonly values: Json;
}

export interface AdoptionPlan {
  readonly release: string;
  readonly namespace: string;
  readonly chart: string;
  readonly helmRevision: number;
  readonly blueprint: string;
  /** Chart objects berth applies over in place (same kind and name). */
  readonly kept: readonly string[];
  /** Chart workloads stopped before berth starts its own on their volumes. */
  readonly recreated: readonly string[];
  /** Chart objects berth does not render, deleted once the berth revision is deployed. */
  readonly removed: readonly string[];
  /** Chart objects left in place without Helm's ownership (volumes, Secrets, governing Services). */
  readonly released: readonly string[];
  readonly volumes: readonly { readonly claim: string; readonly store: string; readonly from: string }[];
  /** berth Secret/key pairs that keep the chart's credentials (names only). */
  readonly credentials: readonly string[];
  readonly hooks: readonly string[];
  readonly notes: readonly string[];
  /** What adoption derived from the chart install; kept with the release, later upgrades render over it. */
  readonly adopted: AdoptedLayer;
}

interface Prepared {
  readonly plan: AdoptionPlan;
  readonly layout: ChartLayout;
  readonly live: ReadonlyMap<string, LiveObject>;
  readonly manifests: readonly Manifest[];
  readonly secrets: readonly LiveObject[];
  readonly helmObjects: readonly ObjectRef[];
}

const key = (kind: string, name: string) => `${kind}/${name}`;
const asPatches = (value: unknown): PatchValues[] => (Array.isArray(value) ? value : []);
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);
const DATA_KINDS = new Set(['PersistentVolumeClaim', 'Secret']);

async function liveChartObjects(client: KubeClient, namespace: string, helm: HelmRelease) {
  const refs: ObjectRef[] = helm.objects.map((o) => ({ ...o, namespace }));
  const live = new Map<string, LiveObject>();
  for (const ref of refs) {
    const object = await client.get(ref);
    if (object) live.set(key(ref.kind, ref.name), object);
  }
  return { refs, live };
}

function secretReader(secrets: readonly LiveObject[]) {
  return (name: string) => {
    const data = secrets.find((s) => s.metadata.name === name)?.data as Record<string, string> | undefined;
    return (
      data &&
      Object.fromEntries(
        Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]),
      )
    );
  };
}

async function renderWith(request: AdoptRequest, target: ReleaseTarget, values: Json, layout: ChartLayout) {
  return render(request.blueprint, values, {
    release: target.release,
    namespace: target.namespace,
    secretValues: (secret, dataKey, spec) =>
      layout.seeds.get(secret)?.[dataKey] ?? freshSecretValues(secret, dataKey, spec),
  });
}

/** The patches that make berth's objects fit what the chart left: immutable fields, selectors, data paths. */
function layoutPatches(
  objects: readonly KubeObject[],
  live: ReadonlyMap<string, LiveObject>,
  layout: ChartLayout,
  release: string,
): PatchValues[] {
  const patches: PatchValues[] = [];
  for (const object of objects) {
    if (object.kind !== 'Deployment' && object.kind !== 'StatefulSet') continue;
    const existing = live.get(key(object.kind, object.metadata.name));
    if (!existing) continue;
    const kept = keepImmutable(object, existing);
    if (kept.patch) patches.push(kept.patch);
    if (kept.selectorMoved)
      patches.push(
        ...followSelectors(
          objects.filter((o) => o !== object),
          kept.selectorMoved,
        ),
      );
  }
  for (const store of layout.stores) {
    const object = objects.find(
      (o) => o.kind === 'StatefulSet' && o.metadata.name === `${release}-${storeComponent(store)}`,
    );
    const patch = object && storeLayout(object, store, release);
    if (patch) patches.push(patch);
  }
  if (Object.keys(layout.appEnv).length) {
    for (const object of objects) {
      const patch = WORKLOADS.has(object.kind) ? applicationEnv(object, layout.appEnv) : undefined;
      if (patch) patches.push(patch);
    }
  }
  return mergeSameTarget(patches);
}

/** One JSON patch per object: `patches` addresses each rendered object by kind and name. */
function mergeSameTarget(patches: readonly PatchValues[]): PatchValues[] {
  const merged = new Map<string, PatchValues>();
  for (const patch of patches) {
    const id = key(patch.target.kind, patch.target.name);
    const before = merged.get(id);
    merged.set(
      id,
      before
        ? {
            target: patch.target,
            patch: [...(before.patch as Json[]), ...(patch.patch as Json[])] as PatchValues['patch'],
          }
        : patch,
    );
  }
  return [...merged.values()];
}

export async function prepareAdoption(target: ReleaseTarget, request: AdoptRequest): Promise<Prepared> {
  const { client, namespace, release } = target;
  if ((await helmRecordSecrets(client, namespace, release, ADOPTED_OWNER)).length) {
    throw new BerthError(
      'BERTH_ADOPT_DONE',
      `Helm release ${release} in namespace ${namespace} was already adopted by berth (its records are labelled owner=${ADOPTED_OWNER})`,
      {
        hint: `berth upgrade ${release} changes it; berth adopt helm ${release} --undo hands it back to Helm`,
      },
    );
  }
  const { release: helm, secrets: records } = await readDeployedHelmRelease(client, namespace, release);
  const profile = recognise(request.blueprint.name, helm);
  const { refs, live } = await liveChartObjects(client, namespace, helm);
  const reconcilers = await gitOpsReconcilers(client, namespace, release, [...live.values()]);
  if (reconcilers.length) {
    throw new BerthError(
      'BERTH_ADOPT_GITOPS',
      `Helm release ${release} is still reconciled, so it would be put back after berth took it over; nothing was changed:\n  ${reconcilers.join('\n  ')}`,
      { hint: 'suspend the reconciliation, then adopt' },
    );
  }
  const secrets = (await client.list({ apiVersion: 'v1', kind: 'Secret', namespace })).filter(
    (s) => !records.some((r) => r.metadata.name === s.metadata.name),
  );
  const layout = profile.layout(
    helm,
    { get: (kind, name) => live.get(key(kind, name)), secret: secretReader(secrets) },
    request.values,
  );
  const imported = importByRules(
    request.blueprint.schema,
    CHARTS[request.blueprint.name]!.rules,
    helm.config,
  );
  const chart = `${helm.chart.name} ${helm.chart.version}`;
  const derived = withoutCredentials(mergeValues(imported.values, layout.values));
  // The layer's patches apply before the user's: they are computed on a render without the user's.
  const first = await renderWith(
    request,
    target,
    overAdopted({ chart, values: derived.values }, { ...request.values, patches: null }),
    layout,
  );
  const patches = layoutPatches(
    first.manifests.map((m) => m.object),
    live,
    layout,
    release,
  );
  const adopted: AdoptedLayer = {
    chart,
    // A profile's own patches (a ConfigMap that must keep a chart value) come before the layout's.
    values: patches.length
      ? { ...derived.values, patches: [...asPatches(derived.values.patches), ...patches] }
      : derived.values,
  };
  const { manifests } = await renderWith(request, target, overAdopted(adopted, request.values), layout);

  const rendered = new Set(manifests.map((m) => key(m.object.kind, m.object.metadata.name)));
  const replaced = new Set(
    layout.stores
      .filter((s) => !rendered.has(key(s.workload.kind, s.workload.name)))
      .map((s) => key(s.workload.kind, s.workload.name)),
  );
  const governing = new Set(
    manifests
      .filter((m) => m.object.kind === 'StatefulSet' && live.has(key('StatefulSet', m.object.metadata.name)))
      .map((m) =>
        key(
          'Service',
          String((live.get(key('StatefulSet', m.object.metadata.name))!.spec as Json).serviceName),
        ),
      ),
  );
  const kept: string[] = [];
  const recreated: string[] = [];
  const removed: string[] = [];
  const released: string[] = [];
  for (const ref of refs) {
    const id = key(ref.kind, ref.name);
    if (!live.has(id)) continue;
    if (rendered.has(id)) kept.push(id);
    else if (replaced.has(id)) recreated.push(id);
    else if (
      DATA_KINDS.has(ref.kind) ||
      governing.has(id) ||
      layout.leaveRunning.some((p) => ref.name.startsWith(p))
    )
      released.push(id);
    else removed.push(id);
  }
  const plan: AdoptionPlan = {
    release,
    namespace,
    chart,
    helmRevision: helm.revision,
    blueprint: request.blueprint.name,
    kept,
    recreated,
    removed,
    released,
    volumes: layout.stores.map((s) => ({
      claim: s.claim,
      store: s.dependency,
      from: key(s.workload.kind, s.workload.name),
    })),
    credentials: [...layout.seeds].flatMap(([secret, data]) =>
      rendered.has(key('Secret', secret)) ? Object.keys(data).map((k) => `${secret}/${k}`) : [],
    ),
    hooks: helm.hooks.map(
      (h) =>
        `${h.kind}/${h.name} (${h.events.join(', ')}): a Helm hook; berth does not run it — its work must be done another way`,
    ),
    notes: [
      ...layout.notes,
      // Secrets written into the chart values are not values for berth; the install's own are kept above.
      ...imported.report.unsupported
        .filter((u) => !isInlineSecret(u.reason))
        .map((u) => `chart value ${u.key} not carried over: ${u.reason}`),
      ...derived.dropped.map(
        (path) =>
          `chart value at ${path} holds a credential, which berth keeps in no record: not carried over; give it with -f on adoption and every upgrade, or put it in a Secret and reference it`,
      ),
    ],
    adopted,
  };
  return { plan, layout, live, manifests, secrets, helmObjects: refs };
}

async function waitGone(client: KubeClient, ref: ObjectRef, deadline: number): Promise<void> {
  while (await client.get(ref)) {
    if (Date.now() > deadline)
      throw new BerthError(
        'BERTH_ADOPT_STOP',
        `${describeRef(ref)} did not stop in time; nothing else was changed`,
        {
          exitCode: ExitCode.runtime,
        },
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function refFor(id: string, live: ReadonlyMap<string, LiveObject>, namespace: string): ObjectRef {
  const object = live.get(id)!;
  return { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace };
}

/**
 * Move the fields Helm (and kubectl) own to berth, keeping Helm's ownership marks with Helm for now:
 * to berth's apply manager for what berth renders (its apply then drops what it no longer sets), to
 * the kept manager for Secret keys and for what berth leaves in place.
 */
async function takeOver(
  client: KubeClient,
  ref: ObjectRef,
  object: LiveObject,
  rendered: boolean,
): Promise<void> {
  const into = rendered && ref.kind !== 'Secret' ? BERTH_MANAGER : KEPT_MANAGER;
  const managedFields = takeOverFields(object.metadata.managedFields ?? [], object.apiVersion, into);
  if (managedFields) await client.patch(ref, { metadata: { managedFields } });
}

/** The claims the StatefulSets among these objects made from their claim templates. */
function templateClaims(objects: readonly LiveObject[]): string[] {
  return objects
    .filter((o) => o.kind === 'StatefulSet')
    .flatMap((set) => {
      const spec = set.spec as {
        replicas?: number;
        volumeClaimTemplates?: { metadata?: { name?: string } }[];
      };
      return (spec.volumeClaimTemplates ?? []).flatMap((template) =>
        Array.from(
          { length: spec.replicas ?? 1 },
          (_, i) => `${template.metadata?.name}-${set.metadata.name}-${i}`,
        ),
      );
    });
}

/** Helm's label and annotations off the object; Helm's manager goes with them. */
async function dropHelmOwnership(client: KubeClient, ref: ObjectRef): Promise<void> {
  const object = await client.get(ref);
  if (!object) return;
  const labels = object.metadata.labels ?? {};
  const metadata: Json = {
    annotations: { [HELM_OWNERSHIP.releaseName]: null, [HELM_OWNERSHIP.releaseNamespace]: null },
    ...(labels[HELM_OWNERSHIP.label] === 'Helm' ? { labels: { [HELM_OWNERSHIP.label]: null } } : {}),
  };
  await client.patch(ref, { metadata });
  const after = await client.get(ref);
  const entries = after?.metadata.managedFields ?? [];
  const rest = entries.filter((e) => e.manager !== 'helm');
  if (after && rest.length !== entries.length)
    await client.patch(ref, { metadata: { managedFields: rest.length ? rest : [{}] } });
}

/**
 * A kept Deployment berth replaces without surging: the API server defaulted the chart's
 * `rollingUpdate`, which no manager owns, so it would outlive berth's apply of `Recreate`, and the
 * API server refuses the two together.
 */
async function dropDefaultedRollingUpdate(
  client: KubeClient,
  object: KubeObject,
  live: ReadonlyMap<string, LiveObject>,
  namespace: string,
): Promise<void> {
  const id = key(object.kind, object.metadata.name);
  const existing = live.get(id);
  const ours = (object.spec as Json | undefined)?.strategy as Json | undefined;
  const theirs = (existing?.spec as Json | undefined)?.strategy as Json | undefined;
  if (object.kind !== 'Deployment' || ours?.type !== 'Recreate' || !theirs?.rollingUpdate) return;
  await client.patch(refFor(id, live, namespace), {
    spec: { strategy: { type: 'Recreate', rollingUpdate: null } },
  });
}

export interface AdoptionResult {
  readonly plan: AdoptionPlan;
  readonly revision: number;
  readonly dryRun: boolean;
}

export async function adoptHelmRelease(
  target: ReleaseTarget,
  request: AdoptRequest,
  options: DeployOptions,
): Promise<AdoptionResult> {
  const prepared = await prepareAdoption(target, request);
  const { plan, live } = prepared;
  if (options.dryRun) return { plan, revision: 0, dryRun: true };
  const { client, namespace } = target;
  const deadline = Date.now() + options.timeoutMs;
  for (const id of plan.recreated) {
    const ref = refFor(id, live, namespace);
    options.progress({
      type: 'info',
      message: `stopping ${describeRef(ref)}: berth starts its own on the same volume`,
    });
    await client.delete(ref, { propagationPolicy: 'Foreground' });
    await waitGone(client, ref, deadline);
  }
  for (const id of [...plan.kept, ...plan.released])
    await takeOver(client, refFor(id, live, namespace), live.get(id)!, plan.kept.includes(id));
  for (const { object } of prepared.manifests)
    await dropDefaultedRollingUpdate(client, object, live, namespace);
  const result = await deploy(
    target,
    {
      kind: 'install',
      blueprint: request.blueprint,
      values: request.values,
      rotateSecrets: [],
      keptSecrets: prepared.layout.seeds,
      adopted: plan.adopted,
    },
    { ...options, adopt: true },
  );
  // The berth revision is deployed: Helm's ownership goes, and so do the chart objects berth replaced.
  for (const id of [...plan.kept, ...plan.released])
    await dropHelmOwnership(client, refFor(id, live, namespace));
  // Claims a StatefulSet made carry its templates' labels, Helm's among them, though Helm never
  // listed them: those of the StatefulSets berth kept, and the data claims of those it replaced.
  const madeClaims = new Set([
    ...templateClaims(plan.kept.map((id) => live.get(id)!)),
    ...plan.volumes.map((v) => v.claim),
  ]);
  for (const claim of madeClaims)
    if (!plan.released.includes(key('PersistentVolumeClaim', claim)))
      await dropHelmOwnership(client, {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        name: claim,
        namespace,
      });
  for (const id of plan.removed) {
    const ref = refFor(id, live, namespace);
    await client.delete(ref);
    options.progress({ type: 'pruned', object: describeRef(ref) });
  }
  await relabelHelmRecords(
    client,
    (await readDeployedHelmRelease(client, namespace, target.release)).secrets,
    ADOPTED_OWNER,
  );
  return { plan, revision: result.revision, dryRun: false };
}
