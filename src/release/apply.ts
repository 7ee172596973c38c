/**
 * Apply a change set stage by stage — config and secrets, stateful dependencies, migrations,
 * backends, frontends — in parallel within a stage, each stage gated on readiness; then prune what
 * left the inventory. Which object is created, updated, replaced, pruned or kept was decided once,
 * by the change set (changes.ts); this module only carries it out.
 */
import { BerthError } from '../errors.ts';
import type { ClusterApi } from '../kube/cluster-api.ts';
import { describeRef, type ObjectRef } from '../kube/types.ts';
import { STAGES, type Stage } from '../render/model.ts';
import type { Change, ChangeSet } from './changes.ts';
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

export interface ApplyOptions {
  readonly wait: boolean;
  readonly deadline: number;
  readonly dryRun: boolean;
  readonly waiter: ReadinessWaiter;
  readonly progress: ProgressListener;
}

async function applyOne(client: ClusterApi, change: Change, options: ApplyOptions) {
  const object = change.object!;
  if (change.action === 'replace' && !options.dryRun) await replaceJob(client, change.ref);
  const stored = await client.apply(object, { force: true, dryRun: options.dryRun });
  const result =
    change.action === 'create'
      ? 'created'
      : change.action === 'replace'
        ? 'replaced'
        : stored.metadata.resourceVersion === change.live?.metadata.resourceVersion
          ? 'unchanged'
          : 'configured';
  options.progress({
    type: 'applied',
    stage: change.stage!,
    object: describeRef(change.ref),
    change: result,
    component: change.component,
  });
}

async function replaceJob(client: ClusterApi, ref: ObjectRef): Promise<void> {
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

const APPLIED = new Set(['create', 'update', 'replace']);

export async function applyInStages(
  client: ClusterApi,
  changeSet: ChangeSet,
  options: ApplyOptions,
): Promise<void> {
  for (const stage of STAGES) {
    const changes = changeSet.changes.filter((c) => APPLIED.has(c.action) && c.stage === stage);
    if (changes.length === 0) continue;
    const started = Date.now();
    options.progress({ type: 'stage', stage, objects: changes.length });
    await Promise.all(changes.map((c) => applyOne(client, c, options)));
    if (options.wait && !options.dryRun) await waitForStage(stage, changes, options);
    options.progress({ type: 'stage-ready', stage, seconds: Math.round((Date.now() - started) / 100) / 10 });
  }
  await prune(client, changeSet, options);
}

async function waitForStage(stage: Stage, changes: readonly Change[], options: ApplyOptions): Promise<void> {
  const last = new Map<string, string>();
  await options.waiter(
    changes.map((c) => c.ref),
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

/** Delete what left the inventory, last stage first; what the change set keeps stays (keep.ts says why). */
async function prune(client: ClusterApi, changeSet: ChangeSet, options: ApplyOptions): Promise<void> {
  for (const change of changeSet.changes) {
    const object = describeRef(change.ref);
    if (change.action === 'keep') options.progress({ type: 'kept', object, reason: change.reason });
    if (change.action !== 'prune') continue;
    if (!options.dryRun) await client.delete(change.ref);
    options.progress({ type: 'pruned', object });
  }
}
