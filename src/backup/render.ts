/**
 * Scheduled backups: with `backup.schedule`, one CronJob whose runs back up every bundled store in
 * turn, each with the same containers as `berth backup` (a run's id is its Job's name; it becomes
 * a record as scheduled.ts describes), and a daily CronJob that removes backups older than
 * `backup.retention` days from the target.
 */
import type { Manifest } from '../render/render.ts';
import type { BackupValues } from '../values/vocabulary/backup.ts';
import { kubeName, runPodSpec, storeLabels, storePodSpec } from './jobs.ts';
import { planBackup } from './plan.ts';
import { retentionScript } from './retention.ts';
import { backupClaim, transferImage } from './run.ts';
import { PLAN_ANNOTATION, SCHEDULED_LABEL, type ScheduledPlan } from './scheduled.ts';
import { platformVersion } from './settings.ts';
import { inventory, type Store } from './stores.ts';
import { describeTarget, parseTarget } from './target.ts';

const RETENTION_SCHEDULE = '30 4 * * *';

export interface ScheduleInput {
  readonly release: string;
  readonly namespace: string;
  readonly blueprint: ScheduledPlan['blueprint'];
  readonly manifests: readonly Manifest[];
  /** The user values (integrations that replace bundled stores). */
  readonly values: Record<string, unknown>;
  readonly settings: BackupValues;
}

export function scheduledBackups(input: ScheduleInput): Manifest[] {
  const { release, namespace, manifests, settings } = input;
  if (!settings.schedule) return [];
  const target = parseTarget(settings.to || `pvc:${release}-backups`, 'backup.to', settings.s3);
  const found = inventory(manifests, input.values, namespace, { redis: settings.redis === 'rdb' });
  const { runs, notRun } = planBackup(found);
  const [first, ...rest] = runs;
  if (!first) return [];
  const image = transferImage(found.stores);
  const labels = storeLabels(release, undefined, 'backup', first.blueprint);
  const job = (store: Store) => ({
    release,
    namespace,
    store,
    operation: 'backup' as const,
    target,
    id: undefined,
    transferImage: image,
  });
  const plan: ScheduledPlan = {
    target: describeTarget(target),
    blueprint: input.blueprint,
    platform: platformVersion(input.blueprint, manifests),
    stores: runs.map(({ component, kind }) => ({ component, kind })),
    notRun,
  };
  // Each run becomes a record when berth next lists backups; the Jobs of a daily schedule's retention stay until then.
  const history = Math.min(settings.retention, 100);
  const cron = (name: string, schedule: string, jobMetadata: object, podSpec: object) => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: kubeName([release, name], 52), namespace, labels },
    spec: {
      schedule,
      concurrencyPolicy: 'Forbid',
      successfulJobsHistoryLimit: history,
      failedJobsHistoryLimit: history,
      jobTemplate: {
        metadata: jobMetadata,
        spec: {
          backoffLimit: 0,
          template: { metadata: { labels, annotations: settings.podAnnotations }, spec: podSpec },
        },
      },
    },
  });
  const backups = cron(
    'backup',
    settings.schedule,
    {
      labels: { ...labels, [SCHEDULED_LABEL]: 'true' },
      annotations: { [PLAN_ANNOTATION]: JSON.stringify(plan) },
    },
    runPodSpec([job(first), ...rest.map(job)]),
  );
  const retention = storePodSpec(job(first));
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
    ...[backups, cron('backup-retention', RETENTION_SCHEDULE, { labels }, prune)].map(
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
  // Redis too: a backup may include it on request (--include redis).
  const { stores } = inventory(manifests, values, namespace, { redis: true });
  return new Map(stores.map((store) => [store.component, new Set(['backup', 'restore'])]));
}
