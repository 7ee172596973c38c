/**
 * install / upgrade / rollback share one flow: lock, recover an interrupted run, compute the
 * manifests, record a pending revision, apply in stages, then mark it deployed (or failed, and with
 * `atomic` put the last good revision back).
 */

import { setTimeout as sleep } from 'node:timers/promises';
import type { Blueprint } from '../blueprints/blueprint.ts';
import { BerthError, ExitCode } from '../errors.ts';
import type { KubeClient } from '../kube/client.ts';
import { KubeConnectionError } from '../kube/errors.ts';
import { describeRef, type ObjectRef, refOf } from '../kube/types.ts';
import { redactCredentials, redactUrlPasswords } from '../plan/redact.ts';
import { runPreflight } from '../preflight/index.ts';
import type { KubeObject } from '../render/model.ts';
import { type Manifest, render } from '../render/render.ts';
import { BERTH_VERSION } from '../version.ts';
import { applyInStages, checkOwnership, type ReadinessWaiter, refKey } from './apply.ts';
import { instanceSelector } from './labels.ts';
import { acquireLock, type HeldLock } from './lock.ts';
import type { ProgressListener } from './progress.ts';
import { manifestDigest, type RecordedManifest, type ReleaseRecord, recordedManifest } from './record.ts';
import { keptSecretValues, readGeneratedSecrets, type StoredSecrets } from './secrets.ts';
import { type RecordSummary, ReleaseStore } from './store.ts';

export interface ReleaseTarget {
  readonly client: KubeClient;
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
  /** Run the preflight checks before install/upgrade writes anything; a failed check stops it. */
  readonly preflight: boolean;
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

export type DeployRequest =
  | {
      readonly kind: 'install' | 'upgrade';
      readonly blueprint: Blueprint;
      readonly values: Record<string, unknown>;
      readonly rotateSecrets: readonly string[];
      readonly installIfMissing?: boolean;
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
  target: ReleaseTarget,
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
async function settleDeployed(store: ReleaseStore, target: ReleaseTarget, summaries: RecordSummary[]) {
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
  target: ReleaseTarget,
  request: DeployRequest,
  options: DeployOptions,
): Promise<ReleaseResult> {
  const { client, namespace, release } = target;
  const store = new ReleaseStore(client);
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

    const deployedSummary = summaries.find((s) => s.status === 'deployed');
    const deployed = deployedSummary
      ? await store.load(namespace, release, deployedSummary.revision)
      : undefined;
    const latest =
      summaries[0] && summaries[0].revision !== deployed?.revision
        ? await store.load(namespace, release, summaries[0].revision)
        : undefined;
    const previous = dedupe([...refsOf(deployed?.manifests ?? []), ...refsOf(latest?.manifests ?? [])]);
    const stored = await readGeneratedSecrets(client, namespace, release);

    // `upgrade --install` of a missing release is an install, and says so.
    const effective = request.kind === 'upgrade' && kind === 'install' ? { ...request, kind } : request;
    const planned = await plan(effective, target, stored, store, summaries);
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
      await preflightGate(target, request.blueprint, planned, options);
    const backup = await dataGuard(target, store, request, kind, deployed, planned, options);
    const revision = (summaries[0]?.revision ?? 0) + 1;
    let record: ReleaseRecord;
    try {
      const relied = backup ? { ...planned, backup } : planned;
      record = await execute(target, store, { planned: relied, kind, revision, previous, deployed }, options);
    } catch (error) {
      if (options.atomic && !options.dryRun)
        throw await undoFailed(target, store, revision, deployed, options, error);
      throw error;
    }
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
  target: ReleaseTarget,
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
  };
  const plan = {
    release: target.release,
    manifests: planned.manifests,
    previous: run.previous,
    wait: options.wait,
    deadline: Date.now() + options.timeoutMs,
    adopt: options.adopt,
    dryRun: options.dryRun,
    waiter: options.waiter,
    progress: options.progress,
  };
  const live = await checkOwnership(target.client, plan);
  if (!options.dryRun) await store.save(record);
  try {
    await applyInStages(target.client, plan, live);
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

async function ensureNamespace(client: KubeClient, namespace: string): Promise<void> {
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

async function preflightGate(
  target: ReleaseTarget,
  blueprint: Blueprint,
  planned: Planned,
  options: DeployOptions,
): Promise<void> {
  const report = await runPreflight({
    client: target.client,
    blueprint,
    values: planned.typedValues,
    manifests: planned.manifests,
    namespace: target.namespace,
    release: target.release,
  });
  for (const check of report.checks.filter((c) => c.outcome === 'warn')) {
    options.progress({ type: 'info', message: `preflight warning: ${check.message}` });
  }
  const failed = report.checks.filter((c) => c.outcome === 'fail');
  if (failed.length === 0) return;
  throw new BerthError(
    'BERTH_PREFLIGHT_FAILED',
    [
      'preflight failed; nothing was changed:',
      ...failed.flatMap((c) => [
        `  ${c.title}: ${c.message}`,
        ...(c.details ?? []).map((detail) => `    ${detail}`),
        ...(c.hint ? [`    fix: ${c.hint}`] : []),
      ]),
    ].join('\n'),
    {
      exitCode: ExitCode.runtime,
      hint: 'fix the cluster or the values, or pass --skip-preflight to install anyway',
    },
  );
}

interface Planned {
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
}

/** Backups before upgrades and restores on rollbacks across a platform version change (src/backup). */
async function dataGuard(
  target: ReleaseTarget,
  store: ReleaseStore,
  request: DeployRequest,
  kind: Execution['kind'],
  deployed: ReleaseRecord | undefined,
  planned: Planned,
  options: DeployOptions,
): Promise<string | undefined> {
  if (!deployed || options.dryRun) return undefined;
  const { upgradeGuard, rollbackGuard } = await import('../backup/guard.ts');
  if (kind === 'upgrade') return upgradeGuard(target, deployed, planned, options);
  if (request.kind === 'rollback' && planned.rollbackOf !== undefined)
    await rollbackGuard(target, store, deployed, planned.rollbackOf, request.restore ?? false, options);
  return undefined;
}

async function plan(
  request: DeployRequest,
  target: ReleaseTarget,
  stored: StoredSecrets,
  store: ReleaseStore,
  summaries: RecordSummary[],
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
    };
  }
  const rendered = await render(request.blueprint, request.values, {
    release: target.release,
    namespace: target.namespace,
    secretValues: keptSecretValues(
      stored,
      request.rotateSecrets.map((name) =>
        name.startsWith(`${target.release}-`) ? name : `${target.release}-${name}`,
      ),
    ),
  });
  const manifests = [...rendered.manifests];
  return {
    manifests,
    digest: manifestDigest(manifests),
    typedValues: rendered.values,
    values: redactCredentials(request.values),
    blueprint: rendered.blueprint,
    notes: rendered.notes,
    description: request.kind === 'install' ? 'install complete' : 'upgrade complete',
  };
}

/** --atomic: put the last good revision back, or remove a failed first install. The lock is still ours. */
async function undoFailed(
  target: ReleaseTarget,
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
      timeoutMs: Math.max(options.timeoutMs, ATOMIC_ROLLBACK_MS),
    });
    return new BerthError(
      'BERTH_ROLLED_BACK',
      `${reason}\nrolled back to revision ${deployed.revision} (--atomic)`,
      { exitCode: ExitCode.runtime, cause },
    );
  }
  const kept = await removeFailedInstall(target, failed, options.progress);
  for (const s of await store.summaries(target.namespace, target.release))
    await store.remove(target.namespace, target.release, s.revision);
  const keptNote = kept ? '; kept its data volumes and the generated credentials they were created with' : '';
  return new BerthError(
    'BERTH_INSTALL_REMOVED',
    `${reason}\nremoved the failed install of ${target.release} (--atomic)${keptNote}`,
    { exitCode: ExitCode.runtime, cause, hint: 'berth uninstall --delete-data removes what was kept' },
  );
}

/**
 * Deletes what a failed first install created, except data: claims stay (whoever created them),
 * and while any claim of the release is left, so do the generated Secrets holding the passwords
 * that data was initialised with, for a reinstall to find. Returns whether anything was kept.
 */
async function removeFailedInstall(
  target: ReleaseTarget,
  failed: ReleaseRecord | undefined,
  progress: ProgressListener,
): Promise<boolean> {
  const { client, namespace, release } = target;
  const refs = refsOf(failed?.manifests ?? []).reverse();
  const isData = (ref: ObjectRef) => ref.kind === 'PersistentVolumeClaim' || ref.kind === 'Secret';
  for (const ref of refs.filter((r) => !isData(r))) await client.delete(ref);
  // Listed once the workloads are gone, so no claim appears after the decision.
  const claims = await client.list({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    namespace,
    labelSelector: instanceSelector(release),
  });
  const generated = claims.length
    ? new Set((await readGeneratedSecrets(client, namespace, release)).keys())
    : new Set<string>();
  for (const claim of claims)
    progress({ type: 'kept', object: describeRef(refOf(claim)), reason: 'data volume' });
  for (const ref of refs.filter(isData)) {
    if (ref.kind === 'PersistentVolumeClaim') continue;
    if (generated.has(ref.name)) {
      progress({ type: 'kept', object: describeRef(ref), reason: 'generated credentials of kept data' });
      continue;
    }
    await client.delete(ref);
  }
  return claims.length > 0;
}
