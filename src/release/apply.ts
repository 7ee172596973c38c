/**
 * Apply manifests stage by stage — config and secrets, stateful dependencies, migrations, backends,
 * frontends — in parallel within a stage, each stage gated on readiness; then prune what left the
 * inventory. Objects that belong to someone else are never touched unless adoption was asked for.
 */
import { createHash } from 'node:crypto';
import { BerthError } from '../errors.ts';
import type { KubeClient } from '../kube/client.ts';
import { describeRef, type LiveObject, type ObjectRef, refOf } from '../kube/types.ts';
import { STAGES, type Stage } from '../render/model.ts';
import type { Manifest } from '../render/render.ts';
import { keepReason, keptByKind } from './keep.ts';
import { ANNOTATION } from './labels.ts';
import type { ProgressListener } from './progress.ts';

export interface ReadinessUpdate {
  readonly ref: ObjectRef;
  readonly message: string;
  readonly done: boolean;
  readonly ok: boolean;
}

/** Resolves once every object is ready; rejects with a readable report when one fails or time runs out. */
export type ReadinessWaiter = (
  objects: readonly ObjectRef[],
  options: { readonly deadline: number; readonly onUpdate: (update: ReadinessUpdate) => void },
) => Promise<void>;

export interface ApplyPlanOptions {
  readonly release: string;
  readonly manifests: readonly Manifest[];
  /** Objects of the previous revision: theirs are ours; those not rendered any more are pruned. */
  readonly previous: readonly ObjectRef[];
  readonly wait: boolean;
  readonly deadline: number;
  readonly adopt: boolean;
  readonly dryRun: boolean;
  readonly waiter: ReadinessWaiter;
  readonly progress: ProgressListener;
}

export function refKey(ref: ObjectRef): string {
  return `${ref.apiVersion}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/** Labelled as this release's by berth. */
export function ownedBy(live: LiveObject, release: string): boolean {
  const labels = live.metadata.labels ?? {};
  return (
    labels['app.kubernetes.io/instance'] === release && labels['app.kubernetes.io/managed-by'] === 'berth'
  );
}

function specHash(object: Manifest['object']): string {
  return createHash('sha256')
    .update(JSON.stringify(object.spec ?? {}))
    .digest('hex')
    .slice(0, 16);
}

/** Jobs are immutable once created: stamp their spec so a changed Job is replaced, an unchanged one left alone. */
export function withSpecHash(object: Manifest['object']): Manifest['object'] {
  if (object.kind !== 'Job') return object;
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: { ...object.metadata.annotations, [ANNOTATION.specHash]: specHash(object) },
    },
  };
}

/**
 * Before anything changes: every object that exists and is not ours must be adopted explicitly,
 * so a name clash fails the whole operation with the cluster untouched.
 */
export async function checkOwnership(
  client: KubeClient,
  options: Pick<ApplyPlanOptions, 'manifests' | 'previous' | 'release' | 'adopt'>,
): Promise<Map<string, LiveObject>> {
  const ours = new Set(options.previous.map(refKey));
  const live = new Map<string, LiveObject>();
  const clashes: string[] = [];
  await Promise.all(
    options.manifests.map(async (manifest) => {
      const ref = refOf(manifest.object);
      const existing = await client.get(ref);
      if (!existing) return;
      live.set(refKey(ref), existing);
      if (!ours.has(refKey(ref)) && !ownedBy(existing, options.release) && !options.adopt)
        clashes.push(describeRef(ref));
    }),
  );
  if (clashes.length) {
    throw new BerthError(
      'BERTH_NOT_OWNED',
      `${clashes.sort().join(', ')} already exist${clashes.length === 1 ? 's' : ''} and do${clashes.length === 1 ? 'es' : ''} not belong to release ${options.release}; nothing was changed`,
      { hint: 'remove or rename the existing objects, or pass --adopt to let this release take them over' },
    );
  }
  return live;
}

async function applyOne(
  client: KubeClient,
  manifest: Manifest,
  options: ApplyPlanOptions,
  live: LiveObject | undefined,
) {
  const object = withSpecHash(manifest.object);
  const ref = refOf(object);
  let change: 'created' | 'configured' | 'unchanged' | 'replaced' = live ? 'configured' : 'created';
  const jobChanged =
    object.kind === 'Job' &&
    live?.metadata.annotations?.[ANNOTATION.specHash] !== object.metadata.annotations?.[ANNOTATION.specHash];
  if (live && jobChanged) {
    if (!options.dryRun) await replaceJob(client, ref);
    change = 'replaced';
  }
  const stored = await client.apply(object, { force: true, dryRun: options.dryRun });
  if (change === 'configured' && stored.metadata.resourceVersion === live?.metadata.resourceVersion)
    change = 'unchanged';
  options.progress({
    type: 'applied',
    stage: manifest.stage,
    object: describeRef(ref),
    change,
    component: manifest.component,
  });
}

async function replaceJob(client: KubeClient, ref: ObjectRef): Promise<void> {
  await client.delete(ref, { propagationPolicy: 'Foreground' });
  for (let i = 0; i < 600; i++) {
    if (!(await client.get(ref))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new BerthError(
    'BERTH_JOB_REPLACE',
    `${describeRef(ref)} did not go away in 60 s; it must be replaced because Jobs are immutable`,
  );
}

/** `live`: the objects as checkOwnership found them (it must run first, before anything is written). */
export async function applyInStages(
  client: KubeClient,
  options: ApplyPlanOptions,
  live: ReadonlyMap<string, LiveObject>,
): Promise<void> {
  for (const stage of STAGES) {
    const manifests = options.manifests.filter((m) => m.stage === stage);
    if (manifests.length === 0) continue;
    const started = Date.now();
    options.progress({ type: 'stage', stage, objects: manifests.length });
    await Promise.all(manifests.map((m) => applyOne(client, m, options, live.get(refKey(refOf(m.object))))));
    if (options.wait && !options.dryRun) await waitForStage(stage, manifests, options);
    options.progress({ type: 'stage-ready', stage, seconds: Math.round((Date.now() - started) / 100) / 10 });
  }
  await prune(client, options);
}

async function waitForStage(
  stage: Stage,
  manifests: readonly Manifest[],
  options: ApplyPlanOptions,
): Promise<void> {
  const last = new Map<string, string>();
  await options.waiter(
    manifests.map((m) => refOf(m.object)),
    {
      deadline: options.deadline,
      onUpdate: (update) => {
        const object = describeRef(update.ref);
        if (last.get(object) === update.message) return;
        last.set(object, update.message);
        options.progress({
          type: update.done && update.ok ? 'ready' : 'waiting',
          stage,
          object,
          message: update.message,
        });
      },
    },
  );
}

/**
 * Delete what the previous revision had and this one does not, last stage first. Data stays: claims,
 * and the generated Secrets holding the credentials that data was created with (switching back to
 * a bundled service must find its old password).
 */
async function prune(client: KubeClient, options: ApplyPlanOptions): Promise<void> {
  const current = new Set(options.manifests.map((m) => refKey(refOf(m.object))));
  const leaving = options.previous.filter((ref) => !current.has(refKey(ref))).reverse();
  for (const ref of leaving) {
    const reason = await keptReason(client, ref);
    if (reason) {
      options.progress({ type: 'kept', object: describeRef(ref), reason });
      continue;
    }
    if (!options.dryRun) await client.delete(ref);
    options.progress({ type: 'pruned', object: describeRef(ref) });
  }
}

async function keptReason(client: KubeClient, ref: ObjectRef): Promise<string | undefined> {
  if (keptByKind(ref.kind)) return keepReason(ref.kind, undefined);
  if (ref.kind !== 'Secret') return undefined;
  return keepReason(ref.kind, (await client.get(ref))?.metadata.annotations);
}
