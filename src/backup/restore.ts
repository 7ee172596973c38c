/**
 * `berth restore`: in stages, each gated on readiness: the platform's writers scaled to zero (and
 * their pods gone), each store restored by a Job, the writers scaled back to what they ran.
 */
import { BerthError, ExitCode } from '../errors.ts';
import type { KubeClient } from '../kube/client.ts';
import { waitForReady } from '../kube/wait.ts';
import { compareVersions, parseVersion } from '../preflight/semver.ts';
import type { ReleaseTarget } from '../release/engine.ts';
import type { ProgressListener } from '../release/progress.ts';
import type { ReleaseRecord } from '../release/record.ts';
import { kubeName, storeJob } from './jobs.ts';
import type { BackupRecord } from './record.ts';
import { deployedRecord, findBackup, runStoreJob, transferImage, withReleaseLock } from './run.ts';
import { backupSettings } from './settings.ts';
import { inventory } from './stores.ts';
import { parseTarget } from './target.ts';

export interface RestoreRequest {
  readonly backup: string;
  readonly timeoutMs: number;
  readonly progress: ProgressListener;
  /** Leave the writers at zero (a rollback brings them back with its own manifests; writersDown says which). @default true */
  readonly scaleUp?: boolean;
}

export interface RestoreResult {
  readonly release: string;
  readonly backup: string;
  readonly stores: readonly string[];
  readonly writers: readonly string[];
  readonly notes: readonly string[];
}

/** A Deployment or StatefulSet of the platform, with the replicas it ran before the restore. */
export interface Writer {
  readonly ref: { apiVersion: string; kind: string; namespace: string; name: string };
  readonly component: string;
  readonly replicas: number;
}

const FIELD_MANAGER = 'berth-restore';
const POLL_MS = 1000;

function restoreError(message: string, hint?: string): BerthError {
  return new BerthError('BERTH_RESTORE_REFUSED', message, hint ? { hint } : {});
}

/** A backup taken by a newer blueprint may hold a schema the older release cannot read. */
export function checkRestorable(backup: BackupRecord, release: ReleaseRecord): void {
  if (backup.status !== 'succeeded')
    throw restoreError(`backup ${backup.id} is ${backup.status}; only a succeeded backup can be restored`);
  const from = parseVersion(backup.blueprint.version);
  const to = parseVersion(release.blueprint.version);
  if (backup.blueprint.name !== release.blueprint.name || (from && to && compareVersions(from, to) > 0))
    throw restoreError(
      `backup ${backup.id} was taken by ${backup.blueprint.name} ${backup.blueprint.version}, newer than the release's ${release.blueprint.name} ${release.blueprint.version}: its data may use a schema this version cannot read`,
      `upgrade the release to ${backup.blueprint.name} ${backup.blueprint.version} first, then restore`,
    );
}

async function liveWriters(client: KubeClient, release: ReleaseRecord): Promise<Writer[]> {
  const writers: Writer[] = [];
  for (const { stage, component, object } of release.manifests) {
    if (stage === 'dependencies' || (object.kind !== 'Deployment' && object.kind !== 'StatefulSet')) continue;
    const ref = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      namespace: release.namespace,
      name: object.metadata.name,
    };
    const live = await client.get(ref);
    const replicas = (live?.spec as { replicas?: number } | undefined)?.replicas ?? 0;
    if (replicas > 0) writers.push({ ref, component: component ?? object.metadata.name, replicas });
  }
  return writers;
}

async function scale(client: KubeClient, writer: Writer, replicas: number): Promise<void> {
  await client.apply(
    {
      apiVersion: writer.ref.apiVersion,
      kind: writer.ref.kind,
      metadata: { name: writer.ref.name, namespace: writer.ref.namespace },
      spec: { replicas },
    },
    { fieldManager: FIELD_MANAGER, force: true },
  );
}

async function podsGone(
  client: KubeClient,
  release: ReleaseRecord,
  writers: readonly Writer[],
  deadline: number,
): Promise<void> {
  const selector = (w: Writer) =>
    `app.kubernetes.io/instance=${release.release},app.kubernetes.io/component=${w.component}`;
  for (;;) {
    const left = (
      await Promise.all(
        writers.map((w) =>
          client.listMetadata({
            apiVersion: 'v1',
            kind: 'Pod',
            namespace: release.namespace,
            labelSelector: selector(w),
          }),
        ),
      )
    ).flat();
    if (left.length === 0) return;
    if (Date.now() > deadline)
      throw new BerthError(
        'BERTH_RESTORE_TIMEOUT',
        `writers still running: ${left.map((p) => p.metadata.name).join(', ')}`,
        { exitCode: ExitCode.runtime },
      );
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Stops a store's server (its StatefulSet to zero, its pods gone) while its data volume is rewritten. */
async function stopServer(
  client: KubeClient,
  release: ReleaseRecord,
  name: string,
  deadline: number,
  progress: (message: string) => void,
): Promise<Writer> {
  const ref = { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: release.namespace, name };
  const live = await client.get(ref);
  const server: Writer = {
    ref,
    component: live?.metadata.labels?.['app.kubernetes.io/component'] ?? name,
    replicas: (live?.spec as { replicas?: number } | undefined)?.replicas ?? 1,
  };
  progress(`[restore] stopping statefulset/${name} while its data volume is rewritten`);
  await scale(client, server, 0);
  await podsGone(client, release, [server], deadline);
  return server;
}

/** Restores backup `request.backup` into the deployed release; the caller holds the release lock. */
export async function restoreData(
  t: ReleaseTarget,
  request: RestoreRequest,
): Promise<{ readonly result: RestoreResult; readonly writersDown: readonly Writer[] }> {
  const release = await deployedRecord(t);
  const backup = await findBackup(t, request.backup);
  if (!backup)
    throw restoreError(
      `release ${t.release} has no backup ${request.backup}`,
      `berth backups ${t.release} lists them`,
    );
  checkRestorable(backup, release);
  const settings = backupSettings(release.values);
  const target = parseTarget(backup.target, `backup ${backup.id} target`, settings.s3);
  const succeeded = (component: string) =>
    backup.stores.some((b) => b.component === component && b.status === 'succeeded');
  const { stores } = inventory(release.manifests, release.values, t.namespace, {
    redis: succeeded('redis'),
  });
  // A Redis copy goes back into the data volume, so a server without one is left alone.
  const restorable = stores.filter((s) => succeeded(s.component) && (s.kind !== 'redis' || s.data));
  const deadline = Date.now() + request.timeoutMs;
  const progress = (message: string) => request.progress({ type: 'info', message });

  const writers = await liveWriters(t.client, release);
  progress(
    `[writers-down] scaling ${writers.map((w) => `${w.ref.kind.toLowerCase()}/${w.ref.name}`).join(', ') || 'nothing'} to 0`,
  );
  for (const writer of writers) await scale(t.client, writer, 0);
  await podsGone(t.client, release, writers, deadline);
  progress('[writers-down] ready: no writer pod runs');

  const stamp = Date.now().toString(36);
  for (const store of restorable) {
    progress(`[restore] ${store.component} from ${backup.target}`);
    const job = storeJob({
      release: t.release,
      namespace: t.namespace,
      store,
      operation: 'restore',
      target,
      id: backup.id,
      transferImage: transferImage(stores),
    });
    // A backup may be restored more than once: each run has its own Jobs.
    job.metadata.name = kubeName([t.release, 'restore', stamp, store.component]);
    const server =
      store.kind === 'redis'
        ? await stopServer(t.client, release, store.workload, deadline, progress)
        : undefined;
    try {
      await runStoreJob(t.client, job, {
        wait: true,
        timeoutMs: Math.max(1000, deadline - Date.now()),
        progress: request.progress,
        podAnnotations: settings.podAnnotations,
      });
    } catch (error) {
      throw new BerthError(
        'BERTH_RESTORE_FAILED',
        `restore of ${store.component} from backup ${backup.id} failed:\n${(error as Error).message}`,
        {
          exitCode: ExitCode.runtime,
          hint: `the writers stay scaled down so nothing writes to a half-restored store; fix the cause and run berth restore ${t.release} --backup ${backup.id} again`,
          cause: error,
        },
      );
    }
    if (server) await scaleBack(t.client, [server], { deadline, progress, stage: 'restore' });
    progress(`[restore] ${store.component} ready`);
  }
  const restored = new Set(restorable.map((s) => s.component));
  const notes = backup.stores
    .filter((s) => !restored.has(s.component))
    .map((s) =>
      s.status === 'succeeded'
        ? `${s.component}: not restored by berth restore; its copy is at ${s.location} (docs/backup.md says how to put it back)`
        : `${s.component}: not in this backup (${s.status}${s.reason ? `: ${s.reason.split('\n')[0]}` : ''})`,
    );
  const result = {
    release: t.release,
    backup: backup.id,
    stores: restorable.map((s) => s.component),
    writers: writers.map((w) => `${w.ref.kind.toLowerCase()}/${w.ref.name}`),
    notes,
  };
  if (request.scaleUp === false) return { result: { ...result, writers: [] }, writersDown: writers };
  await scaleBack(t.client, writers, { deadline, progress });
  return { result, writersDown: [] };
}

/** Writers-up: each writer back to the replicas it ran before the restore, watched until ready. */
export async function scaleBack(
  client: KubeClient,
  writers: readonly Writer[],
  options: {
    readonly deadline: number;
    readonly progress: (message: string) => void;
    /** The stage the progress lines name. @default 'writers-up' */
    readonly stage?: string;
  },
): Promise<void> {
  const { deadline } = options;
  const stage = `[${options.stage ?? 'writers-up'}]`;
  const progress = (message: string) => options.progress(`${stage} ${message}`);
  progress(`scaling ${writers.map((w) => `${w.ref.kind.toLowerCase()}/${w.ref.name}`).join(', ')} back`);
  for (const writer of writers) await scale(client, writer, writer.replicas);
  await waitForReady(
    client,
    writers.map((w) => w.ref),
    {
      timeoutMs: Math.max(1000, deadline - Date.now()),
      onProgress: (p) => progress(`${p.object.kind.toLowerCase()}/${p.object.name}: ${p.message}`),
    },
  );
  progress('ready');
}

/** `berth restore`, under the release's lock. */
export function restoreRelease(t: ReleaseTarget, request: RestoreRequest): Promise<RestoreResult> {
  return withReleaseLock(t, async () => (await restoreData(t, request)).result);
}
