/**
 * Records of scheduled backups. A scheduled run is one Job (from the release's backup CronJob)
 * whose pod backs up every store in turn; each step writes its objects to its termination message,
 * as a `berth backup` Job does. berth turns finished runs into backup records when it lists,
 * restores or guards an upgrade: the run needs no permission to write records in the cluster, and
 * the record is kept after the CronJob's history drops the Job.
 */

import type { KubeClient } from '../kube/client.ts';
import { diagnose } from '../kube/diagnose.ts';
import { jobReadiness } from '../kube/readiness/job.ts';
import { formatPodProblem } from '../kube/readiness/pod-problems.ts';
import type { LiveObject } from '../kube/types.ts';
import type { ReleaseStore } from '../release/store.ts';
import { stepName } from './jobs.ts';
import { storeRecord } from './plan.ts';
import type { BackupRecord, BackupStatus, BackupStore, StoreRecord } from './record.ts';
import { jobPods, objectsOf, terminatedContainers } from './results.ts';
import { platformVersion } from './settings.ts';
import type { Store } from './stores.ts';

/** Label of a scheduled run's Job (set on the CronJob's job template). */
export const SCHEDULED_LABEL = 'berth.dev/scheduled';
/** Annotation of a scheduled run's Job: what the run backs up, as rendered (ScheduledPlan). */
export const PLAN_ANNOTATION = 'berth.dev/backup-plan';

/** What every run of a release's backup CronJob does; the CronJob carries it as PLAN_ANNOTATION. */
export interface ScheduledPlan {
  readonly target: string;
  readonly blueprint: BackupRecord['blueprint'];
  readonly platform: string;
  /** The stores the run backs up, in the order its pod runs them. */
  readonly stores: readonly Pick<Store, 'component' | 'kind'>[];
  /** The stores it leaves out, with the reason. */
  readonly notRun: readonly StoreRecord[];
}

interface JobShape {
  metadata: { name: string; creationTimestamp?: string; annotations?: Record<string, string> };
  spec?: { template?: { spec?: { initContainers?: { name: string }[]; containers?: { name: string }[] } } };
  status?: {
    startTime?: string;
    completionTime?: string;
    conditions?: { type: string; status: string; lastTransitionTime?: string }[];
  };
}

export interface RunContext {
  readonly release: string;
  readonly namespace: string;
  /** The release revision whose CronJob started the run. */
  readonly revision: number;
  /** Why a failed run failed: the Job's state, its pod's problems and Warning events. */
  readonly failure?: string;
}

function planOf(job: JobShape): ScheduledPlan | undefined {
  const text = job.metadata.annotations?.[PLAN_ANNOTATION];
  if (!text) return undefined;
  try {
    return JSON.parse(text) as ScheduledPlan;
  } catch {
    return undefined;
  }
}

function runStatus(job: LiveObject): BackupStatus {
  const readiness = jobReadiness(job);
  return !readiness.done ? 'running' : readiness.ok ? 'succeeded' : 'failed';
}

/**
 * The backup record of one scheduled run, from its Job and pods (plain objects). The pod runs the
 * stores in order, so the first store that did not finish in a failed run is the one that failed.
 */
export function scheduledRecord(
  live: LiveObject,
  pods: readonly LiveObject[],
  context: RunContext,
): BackupRecord | undefined {
  const job = live as unknown as JobShape;
  const plan = planOf(job);
  if (!plan) return undefined;
  const id = job.metadata.name;
  const status = runStatus(live);
  const states = terminatedContainers(pods);
  const podSpec = job.spec?.template?.spec;
  const containers = [...(podSpec?.initContainers ?? []), ...(podSpec?.containers ?? [])].map((c) => c.name);
  const outcomes = plan.stores.map((store) => {
    const exits = containers
      .filter((name) => ['backup', 'upload'].some((step) => name === stepName(step, store.component)))
      .map((name) => ({ name, state: states.get(name) }));
    return {
      store,
      crashed: exits.find((e) => e.state && e.state.exitCode !== 0),
      done: exits.length > 0 && exits.every((e) => e.state?.exitCode === 0),
    };
  });
  const crashedAt = outcomes.findIndex((o) => o.crashed);
  const failedAt = status !== 'failed' ? -1 : crashedAt >= 0 ? crashedAt : outcomes.findIndex((o) => !o.done);
  const stores = outcomes.map(({ store, crashed, done }, index): StoreRecord => {
    const record = storeRecord(store, { release: context.release, id, target: plan.target, job: id });
    const objects = () => objectsOf(states, stepName('backup', store.component));
    if (index === failedAt) {
      const exit = crashed
        ? `container ${crashed.name} exited with code ${crashed.state!.exitCode}${crashed.state!.reason ? ` (${crashed.state!.reason})` : ''}`
        : 'the run failed while this store was backed up';
      return { ...record, status: 'failed', reason: [exit, context.failure].filter(Boolean).join('\n') };
    }
    if (failedAt >= 0 && index > failedAt)
      return { ...record, status: 'skipped', reason: 'not run: an earlier store failed' };
    // The pod runs the stores in order: a store before the one that failed has finished.
    if (status === 'succeeded' || done || failedAt > index)
      return { ...record, status: 'succeeded', objects: objects() };
    return record;
  });
  const failed = stores.find((s) => s.status === 'failed');
  const finished = job.status?.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
  return {
    apiVersion: 'berth.dev/v1',
    kind: 'Backup',
    id,
    release: context.release,
    namespace: context.namespace,
    revision: context.revision,
    blueprint: plan.blueprint,
    platform: plan.platform,
    target: plan.target,
    trigger: 'schedule',
    status,
    startedAt: job.status?.startTime ?? job.metadata.creationTimestamp ?? new Date(0).toISOString(),
    ...(status === 'running'
      ? {}
      : {
          finishedAt: job.status?.completionTime ?? finished?.lastTransitionTime ?? new Date().toISOString(),
        }),
    stores: [...plan.notRun, ...stores],
    ...(failed
      ? { reason: `${failed.component}: ${failed.reason?.split('\n')[0] ?? 'failed'}` }
      : context.failure
        ? { reason: context.failure.split('\n')[0]! }
        : {}),
  };
}

/** The Job's state, its pods' problems and its Warning events, one per line. */
async function failureOf(client: KubeClient, job: LiveObject, namespace: string): Promise<string> {
  const ref = { apiVersion: 'batch/v1', kind: 'Job', namespace, name: job.metadata.name };
  const { podProblems, events } = await diagnose(client, ref, job);
  return [
    jobReadiness(job).message,
    ...podProblems.map(formatPodProblem),
    ...events.map((e) => `warning ${e.object} ${e.reason}${e.message ? `: ${e.message}` : ''}`),
  ].join('\n');
}

/** The revision that was deployed with the run's platform: the newest kept one that matches. */
async function revisionOf(
  releases: ReleaseStore,
  context: Omit<RunContext, 'revision'>,
  plan: ScheduledPlan,
) {
  const kept = (await releases.summaries(context.namespace, context.release)).filter(
    (s) => s.status === 'deployed' || s.status === 'superseded',
  );
  for (const summary of kept) {
    const record = await releases.load(context.namespace, context.release, summary.revision);
    if (record && platformVersion(record.blueprint, record.manifests) === plan.platform)
      return record.revision;
  }
  return kept[0]?.revision ?? 0;
}

/**
 * Records the finished scheduled runs of `release` that have no finished record yet, and returns
 * every scheduled run's record (running ones unsaved: they are looked at again next time).
 */
export async function recordScheduledRuns(
  client: KubeClient,
  backups: BackupStore,
  releases: ReleaseStore,
  target: { readonly namespace: string; readonly release: string },
  known: readonly BackupRecord[],
): Promise<BackupRecord[]> {
  const finished = new Set(known.filter((b) => b.status !== 'running').map((b) => b.id));
  const jobs = await client.list({
    apiVersion: 'batch/v1',
    kind: 'Job',
    namespace: target.namespace,
    labelSelector: `app.kubernetes.io/instance=${target.release},${SCHEDULED_LABEL}=true`,
  });
  const records: BackupRecord[] = [];
  for (const job of jobs) {
    const plan = planOf(job as unknown as JobShape);
    if (!plan || finished.has(job.metadata.name)) continue;
    const status = runStatus(job);
    const context = {
      ...target,
      revision: await revisionOf(releases, target, plan),
      ...(status === 'failed' ? { failure: await failureOf(client, job, target.namespace) } : {}),
    };
    const pods = await jobPods(client, target.namespace, job.metadata.name);
    const record = scheduledRecord(job, pods, context);
    if (!record) continue;
    if (record.status !== 'running') await backups.save(record);
    records.push(record);
  }
  return records;
}
