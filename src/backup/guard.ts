/**
 * What backups mean to upgrades and rollbacks. An upgrade that changes the platform version
 * migrates the schemas when the new version starts, so (per `backup.beforeUpgrade`) it takes a
 * backup first or needs a recent one; a rollback across such a change puts old code on a migrated
 * schema, so it refuses unless it may restore the backup the upgrade took.
 */
import { BerthError } from '../errors.ts';
import type { ReleaseTarget } from '../release/engine.ts';
import type { ProgressListener } from '../release/progress.ts';
import type { ReleaseRecord } from '../release/record.ts';
import type { ReleaseStore } from '../release/store.ts';
import type { KubeObject } from '../render/model.ts';
import type { BackupValues } from '../values/vocabulary/backup.ts';
import { restoreData, scaleBack } from './restore.ts';
import { listBackups, takeBackup } from './run.ts';
import { backupSettings, platformVersion } from './settings.ts';
import { inventory } from './stores.ts';

interface Revision {
  readonly blueprint: { readonly version: string };
  readonly manifests: readonly { readonly stage: string; readonly object: KubeObject }[];
}

interface GuardOptions {
  readonly timeoutMs: number;
  readonly progress: ProgressListener;
}

function namesReplicas(
  manifests: readonly { readonly object: KubeObject }[],
  ref: { readonly kind: string; readonly name: string },
): boolean {
  const object = manifests.find(
    (m) => m.object.kind === ref.kind && m.object.metadata.name === ref.name,
  )?.object;
  return (object?.spec as { replicas?: number } | undefined)?.replicas !== undefined;
}

function hasStores(record: ReleaseRecord): boolean {
  return inventory(record.manifests, record.values, record.namespace).stores.length > 0;
}

/**
 * Before an upgrade from `deployed` to `planned`: the id of the backup the upgrade relies on
 * (taken now, or a recent one), or undefined when none is needed. Throws when one is required.
 */
export async function upgradeGuard(
  t: ReleaseTarget,
  deployed: ReleaseRecord,
  planned: Revision & { readonly typedValues?: unknown },
  options: GuardOptions,
): Promise<string | undefined> {
  const settings =
    (planned.typedValues as { backup?: BackupValues } | undefined)?.backup ?? backupSettings(deployed.values);
  if (settings.beforeUpgrade === 'off' || !hasStores(deployed)) return undefined;
  if (settings.beforeUpgrade === 'required') {
    const since = Date.now() - settings.maxAgeHours * 3600_000;
    const recent = (await listBackups(t)).find(
      (b) => b.status === 'succeeded' && Date.parse(b.startedAt) >= since,
    );
    if (recent) {
      options.progress({ type: 'info', message: `upgrade relies on backup ${recent.id}` });
      return recent.id;
    }
    throw new BerthError(
      'BERTH_BACKUP_REQUIRED',
      `upgrade of ${t.release} needs a backup newer than ${settings.maxAgeHours} hours (backup.beforeUpgrade=required), and there is none; nothing was changed`,
      { hint: `berth backup ${t.release}, then upgrade again (or set backup.beforeUpgrade=auto)` },
    );
  }
  if (
    platformVersion(deployed.blueprint, deployed.manifests) ===
    platformVersion(planned.blueprint, planned.manifests)
  )
    return undefined;
  options.progress({
    type: 'info',
    message: 'the platform version changes: backing up its data first (backup.beforeUpgrade=auto)',
  });
  const backup = await takeBackup(t, {
    wait: true,
    timeoutMs: options.timeoutMs,
    trigger: 'upgrade',
    progress: options.progress,
  });
  return backup.id;
}

/**
 * Before a rollback from `deployed` to revision `source`: refuses across a platform version change
 * unless `restore`, which restores the backup the upgrade away from `source` took (writers stay
 * down; the rollback's own apply brings the old version back). Returns what to do once the old
 * revision is applied: scale the autoscaled writers back.
 */
export async function rollbackGuard(
  t: ReleaseTarget,
  store: ReleaseStore,
  deployed: ReleaseRecord,
  source: number,
  restore: boolean,
  options: GuardOptions,
): Promise<(() => Promise<void>) | undefined> {
  const from = await store.load(t.namespace, t.release, source);
  if (!from || !hasStores(deployed) || backupSettings(deployed.values).beforeUpgrade === 'off')
    return undefined;
  const before = platformVersion(from.blueprint, from.manifests);
  if (before === platformVersion(deployed.blueprint, deployed.manifests)) return undefined;
  let backup: string | undefined;
  for (let revision = source + 1; revision <= deployed.revision && !backup; revision++) {
    const record = await store.load(t.namespace, t.release, revision);
    if (record && platformVersion(record.blueprint, record.manifests) !== before) backup = record.backup;
  }
  if (restore && backup) {
    options.progress({
      type: 'info',
      message: `restoring backup ${backup}, taken before the upgrade away from revision ${source}`,
    });
    const { writersDown } = await restoreData(t, {
      backup,
      timeoutMs: options.timeoutMs,
      progress: options.progress,
      scaleUp: false,
    });
    // The rollback's apply sets the replicas its manifests name; autoscaled writers name none, and
    // an autoscaler never scales up from zero, so they go back to what they ran once the old version is applied.
    const autoscaled = writersDown.filter((w) => !namesReplicas(from.manifests, w.ref));
    return async () => {
      if (autoscaled.length === 0) return;
      await scaleBack(t.client, autoscaled, {
        deadline: Date.now() + options.timeoutMs,
        progress: (message) => options.progress({ type: 'info', message }),
      });
    };
  }
  const why = `revision ${source} runs an earlier platform version than revision ${deployed.revision}, whose start migrated the database schemas; old images on a migrated schema is not a rollback`;
  throw new BerthError(
    'BERTH_ROLLBACK_MIGRATED',
    restore
      ? `${why}, and no backup was taken before that upgrade; nothing was changed`
      : `${why}; nothing was changed`,
    {
      hint: backup
        ? `berth rollback ${t.release} ${source} --restore puts back the data of backup ${backup}, taken before the upgrade (writes since then are lost)`
        : `restore a backup taken at revision ${source} by hand (berth backups ${t.release}; berth restore), or upgrade forward`,
    },
  );
}
