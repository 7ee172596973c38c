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

function ownedBy(live: LiveObject, release: string): boolean {
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
function withSpecHash(manifest: Manifest): Manifest['object'] {
  if (manifest.object.kind !== 'Job') return manifest.object;
  const object = manifest.object;
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: { ...object.metadata.annotations, [ANNOTATION.specHash]: specHash(object) },
    },
  };
}

async function applyOne(
  client: KubeClient,
  manifest: Manifest,
  options: ApplyPlanOptions,
  ours: ReadonlySet<string>,
) {
  const object = withSpecHash(manifest);
  const ref = refOf(object);
  const live = await client.get(ref);
  if (live && !ours.has(refKey(ref)) && !ownedBy(live, options.release) && !options.adopt) {
    throw new BerthError(
      'BERTH_NOT_OWNED',
      `${describeRef(ref)} already exists and does not belong to release ${options.release}; nothing was changed for it`,
      { hint: 'remove or rename the existing object, or pass --adopt to let this release take it over' },
    );
  }
  let change: 'created' | 'configured' | 'unchanged' | 'replaced' = live ? 'configured' : 'created';
  if (
    live &&
    object.kind === 'Job' &&
    live.metadata.annotations?.[ANNOTATION.specHash] !== object.metadata.annotations?.[ANNOTATION.specHash]
  ) {
    if (!options.dryRun) await replaceJob(client, ref);
    change = 'replaced';
  }
  const stored = await client.apply(object, { force: true, dryRun: options.dryRun });
  if (change === 'configured' && stored.metadata.resourceVersion === live?.metadata.resourceVersion)
    change = 'unchanged';
  options.progress({ type: 'applied', stage: manifest.stage, object: describeRef(ref), change });
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

export async function applyInStages(client: KubeClient, options: ApplyPlanOptions): Promise<void> {
  const ours = new Set(options.previous.map(refKey));
  for (const stage of STAGES) {
    const manifests = options.manifests.filter((m) => m.stage === stage);
    if (manifests.length === 0) continue;
    const started = Date.now();
    options.progress({ type: 'stage', stage, objects: manifests.length });
    await Promise.all(manifests.map((m) => applyOne(client, m, options, ours)));
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

/** Delete what the previous revision had and this one does not, last stage first; data volumes stay. */
async function prune(client: KubeClient, options: ApplyPlanOptions): Promise<void> {
  const current = new Set(options.manifests.map((m) => refKey(refOf(m.object))));
  const leaving = options.previous.filter((ref) => !current.has(refKey(ref))).reverse();
  for (const ref of leaving) {
    if (ref.kind === 'PersistentVolumeClaim') {
      options.progress({
        type: 'kept',
        object: describeRef(ref),
        reason: 'data volume (berth uninstall --delete-data removes it)',
      });
      continue;
    }
    if (!options.dryRun) await client.delete(ref);
    options.progress({ type: 'pruned', object: describeRef(ref) });
  }
}
