/**
 * install / upgrade / rollback share one flow: lock, recover an interrupted run, compute the
 * manifests, record a pending revision, apply in stages, then mark it deployed (or failed, and with
 * `atomic` put the last good revision back).
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { Blueprint } from '../blueprints/blueprint.ts';
import { BerthError, ExitCode } from '../errors.ts';
import type { KubeClient } from '../kube/client.ts';
import type { ClusterApi } from '../kube/cluster-api.ts';
import { KubeConnectionError } from '../kube/errors.ts';
import { describeRef, type ObjectRef, refOf } from '../kube/types.ts';
import { redactCredentials, redactUrlPasswords } from '../plan/redact.ts';
import type { KubeObject } from '../render/model.ts';
import type { Manifest } from '../render/render.ts';
import { BERTH_VERSION } from '../version.ts';
import { applyInStages, type ReadinessWaiter } from './apply.ts';
import {
  type ClusterPin,
  checkOwnership,
  checkPin,
  checkPinnedRevision,
  computeChanges,
  refKey,
} from './changes.ts';
import { keepReason } from './keep.ts';
import { instanceSelector } from './labels.ts';
import { acquireLock, type HeldLock } from './lock.ts';
import type { ProgressListener } from './progress.ts';
import {
  type AdoptedLayer,
  type RecordedManifest,
  type ReleaseRecord,
  recordedManifest,
  revisionDigest,
} from './record.ts';
import { checkSameBlueprint, renderRevision } from './render-revision.ts';
import { readGeneratedSecrets, type StoredSecrets } from './secrets.ts';
import { type RecordSummary, ReleaseStore } from './store.ts';
import { unchangedUpgrade } from './unchanged.ts';

/** A release on a cluster; the engine needs only the ClusterApi seam, other callers the full client. */
export interface ReleaseTarget<C extends ClusterApi = KubeClient> {
  readonly client: C;
  readonly namespace: string;
  readonly release: string;
}

export interface DeployOptions {
  readonly wait: boolean;
  readonly timeoutMs: number;
  readonly atomic: boolean;
  readonly dryRun: boolean;
  readonly adopt: boolean;
  readonly historyMax: number;
  /**
   * Checks of the cluster before an install or upgrade writes anything (the action's preflight);
   * throwing stops the run with nothing changed.
   */
  readonly preflight?: PreflightGate | undefined;
  /** Backups before upgrades, restores on rollbacks across a platform version change (src/backup). */
  readonly dataGuard?: DataGuard | undefined;
  /** Apply only if the cluster is as a saved plan saw it (`upgrade --plan-file`). */
  readonly pinned?: ClusterPin | undefined;
  /** Create the release namespace when it does not exist (like helm --create-namespace). */
  readonly createNamespace: boolean;
  readonly waiter: ReadinessWaiter;
  readonly progress: ProgressListener;
}

export interface ReleaseResult {
  readonly release: string;
  readonly namespace: string;
  readonly revision: number;
  readonly status: ReleaseRecord['status'] | 'unchanged';
  readonly blueprint: ReleaseRecord['blueprint'];
  readonly description: string;
  readonly notes: readonly string[];
  /** What was done about an interrupted earlier run, if anything. */
  readonly recovered?: string;
  readonly dryRun: boolean;
}

/** What an install or upgrade is about to apply, for the checks that run before any write. */
export interface GateInput {
  readonly blueprint: Blueprint;
  /** Typed values as the blueprint saw them. */
  readonly values: unknown;
  readonly manifests: readonly Manifest[];
  readonly progress: ProgressListener;
}

export type PreflightGate = (input: GateInput) => Promise<void>;

/** What protects the data of an upgrade or rollback across a platform version change. */
export interface GuardInput {
  readonly store: ReleaseStore;
  readonly request: DeployRequest;
  readonly kind: 'install' | 'upgrade' | 'rollback';
  readonly deployed: ReleaseRecord;
  readonly planned: Planned;
  readonly timeoutMs: number;
  readonly progress: ProgressListener;
}

export interface GuardResult {
  /** The id of the backup the upgrade relies on. */
  readonly backup?: string | undefined;
  /** What to do once the revision is applied (a rollback's restore brings writers back). */
  readonly afterApply?: (() => Promise<void>) | undefined;
}

/** Throwing stops the operation with nothing changed. */
export type DataGuard = (input: GuardInput) => Promise<GuardResult>;

export type DeployRequest =
  | {
      readonly kind: 'install' | 'upgrade';
      readonly blueprint: Blueprint;
      readonly values: Record<string, unknown>;
      readonly rotateSecrets: readonly string[];
      readonly installIfMissing?: boolean;
      /** Credentials a release already runs with (an adopted install's), kept like generated ones. */
      readonly keptSecrets?: StoredSecrets;
      /** The layer an adoption derived from a Helm install (src/adopt); later revisions inherit it. */
      readonly adopted?: AdoptedLayer;
    }
  | { readonly kind: 'rollback'; readonly revision?: number; readonly restore?: boolean };

const DEPLOYED_ONCE = new Set(['deployed', 'superseded']);
const ATOMIC_ROLLBACK_MS = 5 * 60_000;
/** How long a failed revision's outcome is retried while the API server cannot be reached. */
const OUTCOME_GRACE_MS = 60_000;
const OUTCOME_RETRY_MS = 1_000;

function releaseError(code: string, message: string, hint?: string): BerthError {
  return new BerthError(code, message, hint ? { hint } : {});
}

export function refsOf(manifests: readonly { object: KubeObject }[]): ObjectRef[] {
  return manifests.map((m) => refOf(m.object));
}

/** A recorded Secret carries key names only; its data comes back from the live Secret. */
function restoreSecrets(manifests: readonly RecordedManifest[], stored: StoredSecrets): Manifest[] {
  return manifests.map((m) => {
    if (m.object.kind !== 'Secret')
      return { stage: m.stage, component: m.component, object: m.object } as Manifest;
    const live = stored.get(m.object.metadata.name) ?? {};
    const missing = (m.secretKeys ?? []).filter((key) => live[key] === undefined);
    if (missing.length) {
      throw releaseError(
        'BERTH_ROLLBACK_SECRET',
        `cannot restore Secret ${m.object.metadata.name}: keys ${missing.join(', ')} are gone from the cluster`,
      );
    }
    const stringData = Object.fromEntries((m.secretKeys ?? []).map((key) => [key, live[key]!]));
    return { stage: m.stage, component: m.component, object: { ...m.object, stringData } } as Manifest;
  });
}

async function recoverInterrupted(
  store: ReleaseStore,
  target: ReleaseTarget<ClusterApi>,
  lock: HeldLock,
  summaries: RecordSummary[],
) {
  const latest = summaries[0];
  if (!latest?.status.startsWith('pending')) return undefined;
  const record = await store.load(target.namespace, target.release, latest.revision);
  if (!record) return undefined;
  record.status = 'failed';
  record.description = `interrupted: the berth run${lock.tookOverFrom ? ` ${lock.tookOverFrom}` : ''} stopped during ${latest.status.replace('pending-', '')}`;
  record.finishedAt = new Date().toISOString();
  await store.save(record);
  return `revision ${latest.revision} was interrupted (${latest.status}); marked it failed and applying again from the start`;
}

/**
 * A run killed between recording its revision deployed and superseding the previous one leaves two
 * deployed revisions: the newest stays, the older ones are marked superseded.
 */
async function settleDeployed(
  store: ReleaseStore,
  target: ReleaseTarget<ClusterApi>,
  summaries: RecordSummary[],
) {
  const [, ...stale] = summaries.filter((s) => s.status === 'deployed');
  for (const s of stale) {
    const record = await store.load(target.namespace, target.release, s.revision);
    if (!record) continue;
    record.status = 'superseded';
    await store.save(record);
  }
  if (stale.length === 0) return undefined;
  return `revision ${stale.map((s) => s.revision).join(', ')} was still marked deployed; marked it superseded`;
}

export async function deploy(
  target: ReleaseTarget<ClusterApi>,
  request: DeployRequest,
  options: DeployOptions,
): Promise<ReleaseResult> {
  const { client, namespace, release } = target;
  const store = new ReleaseStore(client);
  // A saved plan is checked against the cluster under the lock, even when nothing would change.
  if (request.kind === 'upgrade' && !options.dryRun && !options.pinned) {
    const unchanged = await unchangedUpgrade(target, request, store);
    if (unchanged) return unchanged;
  }
  if (options.createNamespace && !options.dryRun) await ensureNamespace(client, namespace);
  const lock = await acquireLock(client, namespace, release);
  try {
    if (lock.tookOverFrom)
      options.progress({
        type: 'info',
        message: `took over the lock from ${lock.tookOverFrom}, which is no longer running`,
      });
    let summaries = await store.summaries(namespace, release);
    const recovered = await recoverInterrupted(store, target, lock, summaries);
    if (recovered) {
      options.progress({ type: 'info', message: `recovered: ${recovered}` });
      summaries = await store.summaries(namespace, release);
    }
    const settled = await settleDeployed(store, target, summaries);
    if (settled) {
      options.progress({ type: 'info', message: `recovered: ${settled}` });
      summaries = await store.summaries(namespace, release);
    }
    if (options.pinned) checkPinnedRevision(options.pinned, summaries[0]?.revision);
    const everDeployed = summaries.some((s) => DEPLOYED_ONCE.has(s.status));
    let kind = request.kind;
    if (kind === 'upgrade' && !everDeployed) {
      if (request.kind === 'upgrade' && request.installIfMissing) kind = 'install';
      else if (summaries.length === 0)
        throw releaseError(
          'BERTH_RELEASE_NOT_FOUND',
          `release ${release} not found in namespace ${namespace}`,
          'use berth install, or berth upgrade --install',
        );
    }
    if (kind === 'rollback' && !everDeployed)
      throw releaseError(
        'BERTH_RELEASE_NOT_FOUND',
        `release ${release} has no deployed revision to roll back to`,
      );

    const { deployed, latest, previous } = await revisionsOf(store, target, summaries);
    const stored = await readGeneratedSecrets(client, namespace, release);

    // `upgrade --install` of a missing release is an install, and says so.
    const effective = request.kind === 'upgrade' && kind === 'install' ? { ...request, kind } : request;
    const planned = await plan(effective, target, stored, store, summaries, deployed);
    const unchanged =
      kind !== 'rollback' && deployed?.digest === planned.digest && !latest && !options.dryRun;
    // The same install again is a no-op (a first run killed after it finished must not make the
    // retry fail); an install that would change the release is refused.
    if (kind === 'install' && everDeployed && !unchanged) {
      throw releaseError(
        'BERTH_RELEASE_EXISTS',
        `release ${release} already exists in namespace ${namespace}`,
        `use berth upgrade ${release} to change it`,
      );
    }
    if (unchanged && deployed) {
      const { revision, blueprint } = deployed;
      return {
        release,
        namespace,
        revision,
        status: 'unchanged',
        blueprint,
        description: 'no changes',
        notes: planned.notes,
        ...(recovered ? { recovered } : {}),
        dryRun: false,
      };
    }
    if (options.preflight && request.kind !== 'rollback')
      await options.preflight({
        blueprint: request.blueprint,
        values: planned.typedValues,
        manifests: planned.manifests,
        progress: options.progress,
      });
    const guard: GuardResult =
      deployed && !options.dryRun && options.dataGuard
        ? await options.dataGuard({
            store,
            request,
            kind,
            deployed,
            planned,
            timeoutMs: options.timeoutMs,
            progress: options.progress,
          })
        : {};
    const revision = (summaries[0]?.revision ?? 0) + 1;
    let record: ReleaseRecord;
    try {
      const relied = guard.backup ? { ...planned, backup: guard.backup } : planned;
      record = await execute(target, store, { planned: relied, kind, revision, previous, deployed }, options);
    } catch (error) {
      if (options.atomic && !options.dryRun)
        throw await undoFailed(target, store, revision, deployed, options, error);
      throw error;
    }
    await guard.afterApply?.();
    await store.prune(namespace, release, options.historyMax);
    const { status, blueprint, description, notes } = record;
    return {
      release,
      namespace,
      revision,
      status,
      blueprint,
      description: options.dryRun ? `dry run: ${description}` : description,
      notes,
      ...(recovered ? { recovered } : {}),
      dryRun: options.dryRun,
    };
  } finally {
    await lock.release().catch(() => undefined);
  }
}

interface Execution {
  readonly planned: Planned;
  readonly kind: 'install' | 'upgrade' | 'rollback';
  readonly revision: number;
  readonly previous: readonly ObjectRef[];
  readonly deployed: ReleaseRecord | undefined;
}

/** Record a pending revision, apply it, and mark it deployed (superseding the last one) or failed. */
async function execute(
  target: ReleaseTarget<ClusterApi>,
  store: ReleaseStore,
  run: Execution,
  options: DeployOptions,
): Promise<ReleaseRecord> {
  const { planned, kind } = run;
  const record: ReleaseRecord = {
    release: target.release,
    namespace: target.namespace,
    revision: run.revision,
    status: `pending-${kind}`,
    blueprint: planned.blueprint,
    berthVersion: BERTH_VERSION,
    values: planned.values,
    manifests: planned.manifests.map(recordedManifest),
    digest: planned.digest,
    // Says what is going on until the outcome is known: a run that dies here never claims success.
    description: `${planned.description.replace(/ complete$/, '')} in progress`,
    notes: planned.notes,
    startedAt: new Date().toISOString(),
    ...(planned.rollbackOf ? { rollbackOf: planned.rollbackOf } : {}),
    ...(planned.backup ? { backup: planned.backup } : {}),
    ...(planned.adopted ? { adopted: planned.adopted } : {}),
  };
  const changes = await computeChanges(target.client, {
    release: target.release,
    manifests: planned.manifests,
    previous: run.previous,
    adopt: options.adopt,
  });
  checkOwnership(changes);
  if (options.pinned) checkPin(options.pinned, changes);
  if (!options.dryRun) await store.save(record);
  try {
    await applyInStages(target.client, changes, {
      wait: options.wait,
      deadline: Date.now() + options.timeoutMs,
      dryRun: options.dryRun,
      waiter: options.waiter,
      progress: options.progress,
    });
  } catch (error) {
    if (options.dryRun) throw error;
    record.status = 'failed';
    record.description = `${kind} failed: ${redactUrlPasswords((error as Error).message.split('\n')[0]!)}`;
    record.finishedAt = new Date().toISOString();
    // The error the user sees is the one that stopped the rollout.
    await recordOutcome(store, record, options.progress);
    throw error;
  }
  if (options.dryRun) return { ...record, description: planned.description };
  record.status = 'deployed';
  record.description = planned.description;
  record.finishedAt = new Date().toISOString();
  await store.save(record);
  if (run.deployed) {
    run.deployed.status = 'superseded';
    await store.save(run.deployed);
  }
  return record;
}

/**
 * Writes a failed revision's record, waiting a while for an API server that cannot be reached (the
 * outage that stopped the rollout often outlasts the client's retries). If it stays away, the
 * record stays pending and the next run marks it interrupted.
 */
async function recordOutcome(
  store: ReleaseStore,
  record: ReleaseRecord,
  progress: ProgressListener,
): Promise<void> {
  const until = Date.now() + OUTCOME_GRACE_MS;
  for (let told = false; ; told = true) {
    try {
      return await store.save(record);
    } catch (error) {
      if (!(error instanceof KubeConnectionError) || Date.now() >= until) return;
      if (!told)
        progress({
          type: 'info',
          message: `${error.message.replace(/^.*?: cannot/, 'cannot')}; retrying to record revision ${record.revision} as ${record.status}`,
        });
      await sleep(OUTCOME_RETRY_MS);
    }
  }
}

async function ensureNamespace(client: ClusterApi, namespace: string): Promise<void> {
  const ref = { apiVersion: 'v1', kind: 'Namespace', name: namespace };
  if (await client.get(ref)) return;
  await client.create({ ...ref, metadata: { name: namespace } }).catch((error: unknown) => {
    if ((error as { status?: number }).status !== 409) throw error;
  });
}

function dedupe(refs: ObjectRef[]): ObjectRef[] {
  const seen = new Set<string>();
  return refs.filter((ref) => {
    const key = refKey(ref);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface Planned {
  /** Typed values as the blueprint saw them (not recorded: the record keeps the redacted user values). */
  readonly typedValues?: unknown;
  readonly manifests: Manifest[];
  readonly digest: string;
  readonly values: Record<string, unknown>;
  readonly blueprint: ReleaseRecord['blueprint'];
  readonly notes: readonly string[];
  readonly description: string;
  readonly rollbackOf?: number;
  readonly backup?: string;
  readonly adopted?: AdoptedLayer;
}

export interface Revisions {
  readonly deployed: ReleaseRecord | undefined;
  /** A newer revision than the deployed one that did not finish (failed or interrupted). */
  readonly latest: ReleaseRecord | undefined;
  /** Objects of both: these are the release's, and pruned when not rendered any more. */
  readonly previous: readonly ObjectRef[];
}

/** The revisions an operation starts from; `summaries` newest first (ReleaseStore.summaries). */
export async function revisionsOf(
  store: ReleaseStore,
  target: Pick<ReleaseTarget, 'namespace' | 'release'>,
  summaries: readonly RecordSummary[],
): Promise<Revisions> {
  const { namespace, release } = target;
  const deployedSummary = summaries.find((s) => s.status === 'deployed');
  const deployed = deployedSummary
    ? await store.load(namespace, release, deployedSummary.revision)
    : undefined;
  const latest =
    summaries[0] && summaries[0].revision !== deployed?.revision
      ? await store.load(namespace, release, summaries[0].revision)
      : undefined;
  const previous = dedupe([...refsOf(deployed?.manifests ?? []), ...refsOf(latest?.manifests ?? [])]);
  return { deployed, latest, previous };
}

async function plan(
  request: DeployRequest,
  target: ReleaseTarget<ClusterApi>,
  stored: StoredSecrets,
  store: ReleaseStore,
  summaries: RecordSummary[],
  deployed: ReleaseRecord | undefined,
): Promise<Planned> {
  if (request.kind === 'rollback') {
    const wanted = request.revision ?? summaries.find((s) => s.status === 'superseded')?.revision;
    if (wanted === undefined)
      throw releaseError(
        'BERTH_ROLLBACK_NONE',
        `release ${target.release} has no earlier revision to roll back to`,
      );
    const source = await store.load(target.namespace, target.release, wanted);
    if (!source) {
      throw releaseError(
        'BERTH_REVISION_NOT_FOUND',
        `release ${target.release} has no revision ${wanted}`,
        `berth history ${target.release} lists the revisions kept`,
      );
    }
    const manifests = restoreSecrets(source.manifests, stored);
    return {
      manifests,
      digest: source.digest,
      values: source.values,
      blueprint: source.blueprint,
      notes: source.notes,
      description: `rollback to ${wanted}`,
      rollbackOf: wanted,
      ...(source.adopted ? { adopted: source.adopted } : {}),
    };
  }
  checkSameBlueprint(target.release, deployed, request.blueprint);
  const adopted = request.adopted ?? deployed?.adopted;
  const rendered = await renderRevision(target, request, stored, adopted);
  const manifests = [...rendered.manifests];
  return {
    manifests,
    digest: revisionDigest(manifests, request.values),
    typedValues: rendered.values,
    values: redactCredentials(request.values),
    blueprint: rendered.blueprint,
    notes: rendered.notes,
    description: request.kind === 'install' ? 'install complete' : 'upgrade complete',
    ...(adopted ? { adopted } : {}),
  };
}

/** --atomic: put the last good revision back, or remove a failed first install. The lock is still ours. */
async function undoFailed(
  target: ReleaseTarget<ClusterApi>,
  store: ReleaseStore,
  failedRevision: number,
  deployed: ReleaseRecord | undefined,
  options: DeployOptions,
  cause: unknown,
): Promise<BerthError> {
  const reason = (cause as Error).message;
  const failed = await store.load(target.namespace, target.release, failedRevision);
  if (deployed) {
    const summaries = await store.summaries(target.namespace, target.release);
    const stored = await readGeneratedSecrets(target.client, target.namespace, target.release);
    const planned = await plan(
      { kind: 'rollback', revision: deployed.revision },
      target,
      stored,
      store,
      summaries,
      deployed,
    );
    const previous = dedupe([...refsOf(deployed.manifests), ...refsOf(failed?.manifests ?? [])]);
    const run = {
      planned: { ...planned, description: `rollback to ${deployed.revision} (--atomic)` },
      kind: 'rollback' as const,
      revision: failedRevision + 1,
      previous,
      deployed,
    };
    // Putting back a known-good revision is not bound by the (often short) time-out the failed rollout had.
    await execute(target, store, run, {
      ...options,
      adopt: false,
      pinned: undefined,
      timeoutMs: Math.max(options.timeoutMs, ATOMIC_ROLLBACK_MS),
    });
    return new BerthError('BERTH_ROLLED_BACK', reason, {
      recovery: `rolled back to revision ${deployed.revision} (--atomic)`,
      exitCode: ExitCode.runtime,
      cause,
    });
  }
  const kept = await removeFailedInstall(target, failed, options.progress);
  for (const s of await store.summaries(target.namespace, target.release))
    await store.remove(target.namespace, target.release, s.revision);
  const keptNote = kept ? '; kept its data volumes and the generated credentials they were created with' : '';
  return new BerthError('BERTH_INSTALL_REMOVED', reason, {
    recovery: `removed the failed install of ${target.release} (--atomic)${keptNote}`,
    exitCode: ExitCode.runtime,
    cause,
    hint: 'berth uninstall --delete-data removes what was kept',
  });
}

/**
 * Deletes what a failed first install created, except what keep.ts keeps: claims stay (whoever
 * created them), and while any claim of the release is left, so do the generated Secrets holding the
 * passwords that data was initialised with, for a reinstall to find. Returns whether anything was kept.
 */
async function removeFailedInstall(
  target: ReleaseTarget<ClusterApi>,
  failed: ReleaseRecord | undefined,
  progress: ProgressListener,
): Promise<boolean> {
  const { client, namespace, release } = target;
  const refs = refsOf(failed?.manifests ?? []);
  const remove = async (previous: ObjectRef[], deleteData: boolean) => {
    const { changes } = await computeChanges(client, {
      release,
      manifests: [],
      previous,
      adopt: false,
      deleteData,
    });
    for (const change of changes) {
      if (change.action === 'prune') await client.delete(change.ref);
      else if (change.ref.kind !== 'PersistentVolumeClaim')
        progress({ type: 'kept', object: describeRef(change.ref), reason: change.reason });
    }
  };
  await remove(
    refs.filter((ref) => ref.kind !== 'Secret'),
    false,
  );
  // Listed once the workloads are gone, so no claim appears after the decision.
  const claims = await client.list({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    namespace,
    labelSelector: instanceSelector(release),
  });
  for (const claim of claims)
    progress({
      type: 'kept',
      object: describeRef(refOf(claim)),
      reason: keepReason('PersistentVolumeClaim', undefined)!,
    });
  await remove(
    refs.filter((ref) => ref.kind === 'Secret'),
    claims.length === 0,
  );
  return claims.length > 0;
}
