/**
 * A scheduled run's Job and pod (plain objects, as the API returns them) become a backup record;
 * records of backups the retention Job removed are expired.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BackupRecord, BackupStatus, StoreRecord } from '../../src/backup/record.ts';
import { expiredBackups } from '../../src/backup/retention.ts';
import { PLAN_ANNOTATION, type ScheduledPlan, scheduledRecord } from '../../src/backup/scheduled.ts';
import type { LiveObject } from '../../src/kube/types.ts';
import { backupSchema } from '../../src/values/vocabulary/backup.ts';

const plan: ScheduledPlan = {
  target: 'pvc:lf-backups',
  blueprint: { name: 'langfuse', version: '1.4.0', appVersion: '3.225.4' },
  platform: '1.4.0+abc',
  stores: [
    { component: 'postgresql', kind: 'postgresql' },
    { component: 'minio', kind: 'minio' },
  ],
  notRun: [{ component: 'redis', status: 'skipped', method: 'none', objects: [], reason: 'caches' }],
};

function job(conditions: { type: string; status: string }[], withPlan = true): LiveObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: 'lf-backup-29410000',
      namespace: 'ns',
      creationTimestamp: '2026-11-30T03:00:00Z',
      ...(withPlan ? { annotations: { [PLAN_ANNOTATION]: JSON.stringify(plan) } } : {}),
    },
    spec: {
      backoffLimit: 0,
      template: {
        spec: {
          initContainers: [{ name: 'backup-postgresql' }],
          containers: [{ name: 'backup-minio' }],
        },
      },
    },
    status: {
      startTime: '2026-11-30T03:00:01Z',
      conditions: conditions.map((c) => ({ ...c, lastTransitionTime: '2026-11-30T03:02:00Z' })),
      ...(conditions.some((c) => c.type === 'Complete') ? { completionTime: '2026-11-30T03:01:00Z' } : {}),
    },
  };
}

function pod(states: Record<string, { exitCode: number; reason?: string; message?: string }>): LiveObject {
  const status = (name: string) => ({ name, state: states[name] ? { terminated: states[name] } : {} });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'lf-backup-29410000-x7k2p', namespace: 'ns' },
    status: {
      initContainerStatuses: [status('backup-postgresql')],
      containerStatuses: [status('backup-minio')],
    },
  };
}

const context = { release: 'lf', namespace: 'ns', revision: 3 };
const byStore = (stores: readonly StoreRecord[]) => Object.fromEntries(stores.map((s) => [s.component, s]));

describe('records of scheduled backup runs', () => {
  test('a completed run: every store with the objects its step reported, where the run wrote them', () => {
    const record = scheduledRecord(
      job([{ type: 'Complete', status: 'True' }]),
      [
        pod({
          'backup-postgresql': { exitCode: 0, message: `langfuse.dump 2048 ${'a'.repeat(64)}\n` },
          'backup-minio': { exitCode: 0, message: '{"prefix":"langfuse","size":4096,"objects":3}\n' },
        }),
      ],
      context,
    )!;
    assert.equal(record.id, 'lf-backup-29410000');
    assert.equal(record.status, 'succeeded');
    assert.equal(record.trigger, 'schedule');
    assert.equal(record.revision, 3);
    assert.deepEqual(record.blueprint, plan.blueprint);
    assert.equal(record.startedAt, '2026-11-30T03:00:01Z');
    assert.equal(record.finishedAt, '2026-11-30T03:01:00Z');
    const stores = byStore(record.stores);
    assert.deepEqual(stores.postgresql!.objects, [
      { name: 'langfuse.dump', bytes: 2048, sha256: 'a'.repeat(64) },
    ]);
    assert.equal(stores.postgresql!.location, 'pvc:lf-backups/lf/lf-backup-29410000/postgresql');
    assert.equal(stores.postgresql!.job, 'lf-backup-29410000');
    assert.deepEqual(stores.minio!.objects, [{ name: 'langfuse', bytes: 4096, objects: 3 }]);
    assert.equal(stores.redis!.status, 'skipped');
  });

  test('a failed step: that store failed with its exit and the Job events, the earlier one succeeded', () => {
    const record = scheduledRecord(
      job([{ type: 'Failed', status: 'True' }]),
      [
        pod({
          'backup-postgresql': { exitCode: 0, message: `langfuse.dump 10 ${'b'.repeat(64)}` },
          'backup-minio': { exitCode: 1, reason: 'Error' },
        }),
      ],
      {
        ...context,
        failure: 'Job failed: BackoffLimitExceeded\nwarning Job/lf-backup-29410000 BackoffLimitExceeded',
      },
    )!;
    assert.equal(record.status, 'failed');
    const stores = byStore(record.stores);
    assert.equal(stores.postgresql!.status, 'succeeded');
    assert.equal(stores.minio!.status, 'failed');
    assert.match(
      stores.minio!.reason!,
      /^container backup-minio exited with code 1 \(Error\)\nJob failed: BackoffLimitExceeded/,
    );
    assert.equal(record.reason, 'minio: container backup-minio exited with code 1 (Error)');
    assert.equal(record.finishedAt, '2026-11-30T03:02:00Z');
  });

  test('a later step that crashed means the earlier stores finished, even when their status is not reported', () => {
    const record = scheduledRecord(
      job([{ type: 'Failed', status: 'True' }]),
      [pod({ 'backup-minio': { exitCode: 1, reason: 'Error' } })],
      context,
    )!;
    const stores = byStore(record.stores);
    assert.deepEqual([stores.postgresql!.status, stores.minio!.status], ['succeeded', 'failed']);
  });

  test('a failed run whose pod is gone: the first unfinished store is blamed, the rest were not run', () => {
    const record = scheduledRecord(job([{ type: 'Failed', status: 'True' }]), [], {
      ...context,
      failure: 'Job failed: DeadlineExceeded',
    })!;
    const stores = byStore(record.stores);
    assert.equal(stores.postgresql!.status, 'failed');
    assert.match(
      stores.postgresql!.reason!,
      /the run failed while this store was backed up\nJob failed: DeadlineExceeded/,
    );
    assert.equal(stores.minio!.status, 'skipped');
    assert.equal(stores.minio!.reason, 'not run: an earlier store failed');
  });

  test('a running run: running, its stores pending, no finish time', () => {
    const record = scheduledRecord(job([]), [pod({ 'backup-postgresql': { exitCode: 0 } })], context)!;
    assert.equal(record.status, 'running');
    assert.equal(record.finishedAt, undefined);
    const stores = byStore(record.stores);
    assert.equal(stores.postgresql!.status, 'succeeded');
    assert.equal(stores.minio!.status, 'pending');
  });

  test('a Job without the plan annotation is not a scheduled run of berth', () => {
    assert.equal(scheduledRecord(job([{ type: 'Complete', status: 'True' }], false), [], context), undefined);
  });
});

describe('retention of scheduled backups', () => {
  const settings = (values: Record<string, unknown>) => backupSchema.parse(values);
  const now = Date.parse('2026-11-30T12:00:00Z');
  const backup = (
    id: string,
    startedAt: string,
    target = 'pvc:lf-backups',
    status: BackupStatus = 'succeeded',
  ) => ({ id, startedAt, target, status }) as BackupRecord;
  const backups = [
    backup('old', '2026-11-20T03:00:00Z'),
    backup('recent', '2026-11-29T03:00:00Z'),
    backup('elsewhere', '2026-11-01T03:00:00Z', 's3://other/place'),
    backup('stuck', '2026-11-01T03:00:00Z', 'pvc:lf-backups', 'running'),
  ];

  test('backups on the scheduled target older than the retention are expired, as the retention Job removes them', () => {
    const expired = expiredBackups(backups, 'lf', settings({ schedule: '@daily', retention: 7 }), now);
    assert.deepEqual(
      expired.map((b) => b.id),
      ['old'],
    );
  });

  test('without a schedule nothing expires: no retention Job runs', () => {
    assert.deepEqual(expiredBackups(backups, 'lf', settings({ retention: 1 }), now), []);
  });
});
