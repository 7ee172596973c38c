/**
 * `berth backup`: one Job per bundled store of the deployed revision, each watched to the end, and
 * a record of what was written (object names, sizes, checksums) or why it failed.
 */
import { MINIO_DEFAULTS } from '../blueprints/shared/dependency-defaults.ts';
import { BerthError, ExitCode } from '../errors.ts';
import type { KubeClient } from '../kube/client.ts';
import { jobReadiness } from '../kube/readiness/job.ts';
import { waitForReady } from '../kube/wait.ts';
import type { ReleaseTarget } from '../release/engine.ts';
import { acquireLock } from '../release/lock.ts';
import type { ProgressListener } from '../release/progress.ts';
import type { ReleaseRecord } from '../release/record.ts';
import { ReleaseStore } from '../release/store.ts';
import type { BackupValues } from '../values/vocabulary/backup.ts';
import { storeJob } from './jobs.ts';
import { planBackup, storeRecord } from './plan.ts';
import { type BackupRecord, BackupStore, type StoreRecord } from './record.ts';
import { resultOf } from './results.ts';
import { expiredBackups } from './retention.ts';
import { recordScheduledRuns } from './scheduled.ts';
import { backupSettings, platformVersion } from './settings.ts';
import { inventory, type Store } from './stores.ts';
import { describeTarget, parseTarget, type S3Settings, type Target } from './target.ts';

export interface BackupRequest {
  /** `pvc:<claim>` or `s3://bucket/prefix`; default: `backup.to`, then pvc:<release>-backups. */
  readonly to?: string;
  /** Overrides of `backup.s3.*` for an s3:// target. */
  readonly s3?: Partial<Pick<S3Settings, 'endpoint' | 'existingSecret'>>;
  /** Stores backed up only on request (`redis`), besides `backup.redis`. */
  readonly include?: readonly string[];
  readonly wait: boolean;
  readonly timeoutMs: number;
  readonly trigger: BackupRecord['trigger'];
  readonly progress: ProgressListener;
}

/** The mc client ships in the MinIO server image; the release's own MinIO image when it has one. */
export function transferImage(stores: readonly Store[]): string {
  const minio = stores.find((s) => s.kind === 'minio');
  return minio?.image ?? `${MINIO_DEFAULTS.image.repository}:${MINIO_DEFAULTS.image.tag}`;
}

export async function deployedRecord(t: ReleaseTarget): Promise<ReleaseRecord> {
  const store = new ReleaseStore(t.client);
  const deployed = (await store.summaries(t.namespace, t.release)).find((s) => s.status === 'deployed');
  const record = deployed ? await store.load(t.namespace, t.release, deployed.revision) : undefined;
  if (!record)
    throw new BerthError(
      'BERTH_RELEASE_NOT_FOUND',
      `release ${t.release} has no deployed revision in namespace ${t.namespace}`,
    );
  return record;
}

/** The target a backup of `record` goes to. */
export function resolveTarget(
  record: ReleaseRecord,
  to: string | undefined,
  s3?: BackupRequest['s3'],
): Target {
  const settings = backupSettings(record.values);
  const text = to || settings.to || `pvc:${record.release}-backups`;
  return parseTarget(text, to ? '--to' : 'backup.to', { ...settings.s3, ...s3 });
}

function backupId(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** The default claim is made on first use; any other claim must exist. */
async function ensureClaim(client: KubeClient, record: ReleaseRecord, target: Target): Promise<void> {
  if (target.kind !== 'pvc') return;
  const ref = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    namespace: record.namespace,
    name: target.claim,
  };
  if (await client.get(ref)) return;
  if (target.claim !== `${record.release}-backups`)
    throw new BerthError(
      'BERTH_BACKUP_TARGET',
      `--to pvc:${target.claim}: no such PersistentVolumeClaim in namespace ${record.namespace}`,
    );
  await client.create(backupClaim(record.release, record.namespace, backupSettings(record.values).pvc));
}

/** The claim behind pvc:<release>-backups; it outlives the release (uninstall keeps it). */
export function backupClaim(release: string, namespace: string, pvc: BackupValues['pvc']) {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: `${release}-backups`,
      namespace,
      labels: { 'app.kubernetes.io/instance': release, 'app.kubernetes.io/component': 'backup' },
      annotations: { 'berth.dev/resource-policy': 'keep' },
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: pvc.size } },
      ...(pvc.storageClass ? { storageClassName: pvc.storageClass } : {}),
    },
  };
}

export interface StoreRun {
  readonly store: Store;
  readonly job: ReturnType<typeof storeJob>;
  readonly record: StoreRecord;
}

/** Creates the store's Job and, with `wait`, watches it to the end; a failure throws with the Job's events. */
export async function runStoreJob(
  client: KubeClient,
  job: ReturnType<typeof storeJob>,
  options: {
    wait: boolean;
    timeoutMs: number;
    progress: ProgressListener;
    podAnnotations: Record<string, string>;
  },
): Promise<void> {
  const withAnnotations = {
    ...job,
    spec: {
      ...job.spec,
      template: {
        ...job.spec.template,
        metadata: { ...job.spec.template.metadata, annotations: options.podAnnotations },
      },
    },
  };
  await client.create(withAnnotations);
  options.progress({
    type: 'info',
    message: `job/${job.metadata.name} created (${job.spec.template.spec.containers.map((c) => c.image).join(', ')})`,
  });
  if (!options.wait) return;
  await waitForReady(client, [job], {
    timeoutMs: options.timeoutMs,
    onProgress: (p) => options.progress({ type: 'info', message: `job/${job.metadata.name}: ${p.message}` }),
  });
}

export async function takeBackup(t: ReleaseTarget, request: BackupRequest): Promise<BackupRecord> {
  const release = await deployedRecord(t);
  const target = resolveTarget(release, request.to, request.s3);
  const settings = backupSettings(release.values);
  const { stores, uncovered } = inventory(release.manifests, release.values, t.namespace, {
    redis: settings.redis === 'rdb' || (request.include ?? []).includes('redis'),
  });
  const backups = new BackupStore(t.client);
  let id = backupId(new Date());
  for (let n = 2; await backups.load(t.namespace, t.release, id); n++) id = `${backupId(new Date())}-${n}`;

  const plan = planBackup({ stores, uncovered });
  const records: StoreRecord[] = [...plan.notRun];
  const runs: StoreRun[] = plan.runs.map((store) => {
    const job = storeJob({
      release: t.release,
      namespace: t.namespace,
      store,
      operation: 'backup',
      target,
      id,
      transferImage: transferImage(stores),
    });
    const record = storeRecord(store, {
      release: t.release,
      id,
      target: describeTarget(target),
      job: job.metadata.name,
    });
    records.push(record);
    return { store, job, record };
  });
  const backup: BackupRecord = {
    apiVersion: 'berth.dev/v1',
    kind: 'Backup',
    id,
    release: t.release,
    namespace: t.namespace,
    revision: release.revision,
    blueprint: release.blueprint,
    platform: platformVersion(release.blueprint, release.manifests),
    target: describeTarget(target),
    trigger: request.trigger,
    status: 'running',
    startedAt: new Date().toISOString(),
    stores: records,
  };
  for (const u of uncovered)
    request.progress({ type: 'info', message: `${u.component}: not backed up: ${u.reason}` });
  if (runs.length === 0) {
    backup.status = 'failed';
    backup.reason = 'the release has no bundled store berth can back up to this target';
    backup.finishedAt = new Date().toISOString();
    await backups.save(backup);
    throw new BerthError('BERTH_BACKUP_NOTHING', `release ${t.release}: ${backup.reason}`);
  }
  await ensureClaim(t.client, release, target);
  await backups.save(backup);
  request.progress({
    type: 'info',
    message: `backup ${id} of ${t.release} (revision ${release.revision}) to ${backup.target}`,
  });
  const deadline = Date.now() + request.timeoutMs;
  for (const run of runs) {
    const { job } = run;
    try {
      await runStoreJob(t.client, job, {
        wait: request.wait,
        timeoutMs: Math.max(1000, deadline - Date.now()),
        progress: request.progress,
        podAnnotations: settings.podAnnotations,
      });
    } catch (error) {
      const message = (error as Error).message;
      run.record.status = 'failed';
      run.record.reason = message;
      for (const other of runs.filter((r) => r.record.status === 'pending')) {
        other.record.status = 'skipped';
        other.record.reason = 'not run: an earlier store failed';
      }
      backup.status = 'failed';
      backup.reason = `${run.store.component}: ${message.split('\n')[0]}`;
      backup.finishedAt = new Date().toISOString();
      await backups.save(backup);
      throw new BerthError(
        'BERTH_BACKUP_FAILED',
        `backup ${id} of ${run.store.component} failed:\n${message}`,
        {
          exitCode: ExitCode.runtime,
          hint: `the failed record is kept (berth backups ${t.release}); the Job's pod logs: kubectl logs job/${job.metadata.name} -n ${t.namespace}`,
          cause: error,
        },
      );
    }
    if (!request.wait) continue;
    run.record.status = 'succeeded';
    run.record.objects = await resultOf(t.client, t.namespace, job.metadata.name, 'backup');
    await backups.save(backup);
  }
  if (request.wait) {
    backup.status = 'succeeded';
    backup.finishedAt = new Date().toISOString();
    await backups.save(backup);
  }
  return backup;
}

const OPTIONAL_STORES = ['redis'];

/** `--include a,b`: the stores backed up only on request. */
export function parseInclude(text: string): string[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.find((name) => !OPTIONAL_STORES.includes(name));
  if (unknown !== undefined || names.length === 0)
    throw new BerthError(
      'BERTH_FLAG_INVALID',
      `--include: expected a comma-separated list of ${OPTIONAL_STORES.join(', ')}, got "${text}"`,
    );
  return names;
}

/** Runs `fn` under the release's lock, so no upgrade changes the stores meanwhile. */
export async function withReleaseLock<T>(t: ReleaseTarget, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(t.client, t.namespace, t.release);
  try {
    return await fn();
  } finally {
    await lock.release().catch(() => undefined);
  }
}

/** `berth backup`. */
export function backupRelease(t: ReleaseTarget, request: BackupRequest): Promise<BackupRecord> {
  return withReleaseLock(t, () => takeBackup(t, request));
}

/** A running backup (`--no-wait`) is brought up to date from its Jobs. */
async function refresh(client: KubeClient, backup: BackupRecord): Promise<boolean> {
  let changed = false;
  for (const store of backup.stores) {
    if (store.status !== 'pending' || !store.job) continue;
    const live = await client.get({
      apiVersion: 'batch/v1',
      kind: 'Job',
      namespace: backup.namespace,
      name: store.job,
    });
    const readiness = live ? jobReadiness(live) : undefined;
    if (!readiness?.done) continue;
    store.status = readiness.ok ? 'succeeded' : 'failed';
    if (readiness.ok) store.objects = await resultOf(client, backup.namespace, store.job, 'backup');
    else store.reason = readiness.message;
    changed = true;
  }
  const states = backup.stores.map((s) => s.status);
  if (!states.includes('pending')) {
    backup.status = states.includes('failed') ? 'failed' : 'succeeded';
    backup.finishedAt ??= new Date().toISOString();
  }
  return changed;
}

/**
 * `berth backups`: the release's backup records, newest first; running backups are brought up to
 * date from their Jobs, and finished scheduled runs become records.
 */
export async function listBackups(t: ReleaseTarget): Promise<BackupRecord[]> {
  const store = new BackupStore(t.client);
  const releases = new ReleaseStore(t.client);
  const backups = await store.list(t.namespace, t.release);
  for (const backup of backups.filter((b) => b.status === 'running'))
    if (await refresh(t.client, backup)) await store.save(backup);
  const scheduled = await recordScheduledRuns(t.client, store, releases, t, backups);
  const ids = new Set(scheduled.map((b) => b.id));
  const all = [...backups.filter((b) => !ids.has(b.id)), ...scheduled];
  const deployed = (await releases.summaries(t.namespace, t.release)).find((s) => s.status === 'deployed');
  const record = deployed && (await releases.load(t.namespace, t.release, deployed.revision));
  const expired = new Set(
    record ? expiredBackups(all, t.release, backupSettings(record.values), Date.now()) : [],
  );
  for (const backup of expired) await store.remove(t.namespace, t.release, backup.id);
  return all.filter((b) => !expired.has(b)).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** One backup of the release, by id (a scheduled run is recorded first if it is not yet). */
export async function findBackup(t: ReleaseTarget, id: string): Promise<BackupRecord | undefined> {
  return (await listBackups(t)).find((b) => b.id === id);
}
