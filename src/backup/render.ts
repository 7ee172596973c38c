/**
 * Scheduled backups: with `backup.schedule`, one CronJob per bundled store runs the same pod as
 * `berth backup` (each run's id is its Job's name), and a daily CronJob removes backups older than
 * `backup.retention` days from the target.
 */
import type { Manifest } from '../render/render.ts';
import type { BackupValues } from '../values/vocabulary/backup.ts';
import { kubeName, storeLabels, storePodSpec } from './jobs.ts';
import { backupClaim, transferImage } from './run.ts';
import { inventory } from './stores.ts';
import { parseTarget, type Target } from './target.ts';

const RETENTION_SCHEDULE = '30 4 * * *';

/** `mc rm --older-than` works on claims (local paths) and buckets alike. */
export function retentionScript(target: Target, release: string, days: number): string {
  const path =
    target.kind === 'pvc'
      ? `/backup/${release}/`
      : `dst/${[target.bucket, target.prefix, release].filter(Boolean).join('/')}/`;
  return ['set -eu', `mc rm --recursive --force --older-than ${days}d "${path}" || true`].join('\n');
}

export function scheduledBackups(
  release: string,
  namespace: string,
  manifests: readonly Manifest[],
  values: Record<string, unknown>,
  settings: BackupValues,
): Manifest[] {
  if (!settings.schedule) return [];
  const target = parseTarget(settings.to || `pvc:${release}-backups`, 'backup.to', settings.s3);
  const { stores } = inventory(manifests, values, namespace);
  const image = transferImage(stores);
  const cron = (name: string, schedule: string, component: string, podSpec: object) => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: kubeName([release, name], 52),
      namespace,
      labels: storeLabels(release, undefined, 'backup', stores[0]?.blueprint),
    },
    spec: {
      schedule,
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 0,
          template: {
            metadata: {
              labels: {
                ...storeLabels(release, undefined, 'backup', stores[0]?.blueprint),
                'berth.dev/store': component,
              },
              annotations: settings.podAnnotations,
            },
            spec: podSpec,
          },
        },
      },
    },
  });
  const jobs = stores
    .filter((store) => store.kind !== 'clickhouse' || target.kind === 's3')
    .map((store) =>
      cron(
        `backup-${store.component}`,
        settings.schedule,
        store.component,
        storePodSpec({
          release,
          namespace,
          store,
          operation: 'backup',
          target,
          id: undefined,
          transferImage: image,
        }),
      ),
    );
  if (jobs.length === 0) return [];
  const retention = storePodSpec({
    release,
    namespace,
    store: stores[0]!,
    operation: 'backup',
    target,
    id: undefined,
    transferImage: image,
  });
  const [main] = retention.containers;
  const prune = {
    ...retention,
    initContainers: undefined,
    containers: [
      {
        ...main!,
        name: 'retention',
        image,
        command: ['/bin/sh', '-c', retentionScript(target, release, settings.retention)],
        securityContext: { ...main!.securityContext, runAsUser: 1000 },
      },
    ],
  };
  const claim =
    target.kind === 'pvc' && target.claim === `${release}-backups`
      ? [{ stage: 'dependencies', object: backupClaim(release, namespace, settings.pvc) } as Manifest]
      : [];
  return [
    ...claim,
    ...[...jobs, cron('backup-retention', RETENTION_SCHEDULE, 'retention', prune)].map(
      (object) => ({ stage: 'frontends', object }) as Manifest,
    ),
  ];
}

/**
 * The stores `berth backup` and `berth restore` reach, with the components their Jobs run as: the
 * release's network policies admit them even when no schedule renders a CronJob.
 */
export function backupCallers(
  manifests: readonly Manifest[],
  values: Record<string, unknown>,
  namespace: string,
): Map<string, Set<string>> {
  const { stores } = inventory(manifests, values, namespace);
  return new Map(stores.map((store) => [store.component, new Set(['backup', 'restore'])]));
}
