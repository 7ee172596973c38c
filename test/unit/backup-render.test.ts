/** Scheduled backups render from values; stores are found in every blueprint's manifests. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { storeScript } from '../../src/backup/commands.ts';
import { PLAN_ANNOTATION, SCHEDULED_LABEL, type ScheduledPlan } from '../../src/backup/scheduled.ts';
import { inventory } from '../../src/backup/stores.ts';
import { find, renderExample } from '../support/render.ts';

interface Container {
  name: string;
  image: string;
  command: string[];
  env: { name: string; value?: string; valueFrom?: object }[];
}

interface CronJob {
  spec: {
    schedule: string;
    successfulJobsHistoryLimit: number;
    jobTemplate: {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
      spec: {
        template: {
          spec: {
            initContainers?: Container[];
            containers: Container[];
          };
        };
      };
    };
  };
}

describe('scheduled backups', () => {
  test('no schedule, no CronJob', async () => {
    const result = await renderExample('langfuse', []);
    assert.equal(result.manifests.filter((m) => m.object.kind === 'CronJob').length, 0);
  });

  test('backup.schedule renders one CronJob whose pod backs up each store in turn, a claim and a retention CronJob', async () => {
    const result = await renderExample('langfuse', [], ['backup.schedule=0 3 * * *', 'backup.retention=7']);
    const names = result.manifests
      .filter((m) => m.object.kind === 'CronJob')
      .map((m) => m.object.metadata.name);
    assert.deepEqual(names.sort(), ['langfuse-backup', 'langfuse-backup-retention']);
    const cron = find(result, 'CronJob', 'langfuse-backup') as unknown as CronJob;
    assert.equal(cron.spec.schedule, '0 3 * * *');
    assert.equal(cron.spec.successfulJobsHistoryLimit, 7);
    const pod = cron.spec.jobTemplate.spec.template.spec;
    // The stores run in the release's order, the last as the main container.
    const steps = [...(pod.initContainers ?? []), ...pod.containers];
    assert.deepEqual(
      steps.map((c) => c.name),
      ['backup-postgresql', 'backup-clickhouse', 'backup-minio'],
    );
    // ClickHouse dumps its tables through the client into the claim.
    const ch = steps.find((c) => c.name === 'backup-clickhouse')!;
    assert.equal(ch.command.at(-1), storeScript('clickhouse', 'backup', 'pvc'));
    assert.equal(
      ch.env.find((e) => e.name === 'BACKUP_DIR')?.value,
      '/backup/langfuse/$(BACKUP_ID)/clickhouse',
    );
    assert.equal(pod.containers.length, 1);
    const pg = steps.find((c) => c.name === 'backup-postgresql')!;
    assert.equal(pg.image, 'docker.io/library/postgres:17.6-alpine');
    assert.equal(pg.command.at(-1), storeScript('postgresql', 'backup'));
    assert.deepEqual(pg.env.find((e) => e.name === 'BACKUP_ID')?.valueFrom, {
      fieldRef: { fieldPath: "metadata.labels['job-name']" },
    });
    assert.equal(
      pg.env.find((e) => e.name === 'BACKUP_DIR')?.value,
      '/backup/langfuse/$(BACKUP_ID)/postgresql',
    );
    assert.equal(cron.spec.jobTemplate.metadata.labels[SCHEDULED_LABEL], 'true');
    const plan = JSON.parse(cron.spec.jobTemplate.metadata.annotations![PLAN_ANNOTATION]!) as ScheduledPlan;
    assert.equal(plan.target, 'pvc:langfuse-backups');
    assert.equal(plan.blueprint.name, 'langfuse');
    assert.deepEqual(
      plan.stores.map((s) => s.component),
      ['postgresql', 'clickhouse', 'minio'],
    );
    assert.deepEqual(
      plan.notRun.map((s) => [s.component, s.status]),
      [['redis', 'skipped']],
    );
    const retention = find(result, 'CronJob', 'langfuse-backup-retention') as unknown as CronJob;
    assert.match(
      retention.spec.jobTemplate.spec.template.spec.containers[0]!.command.at(-1)!,
      /mc rm --recursive --force --older-than 7d "\/backup\/langfuse\/"/,
    );
    assert.ok(find(result, 'PersistentVolumeClaim', 'langfuse-backups'));
  });

  test('an S3 target adds ClickHouse (BACKUP ... TO S3) and uploads Postgres dumps with mc', async () => {
    const result = await renderExample(
      'langfuse',
      [],
      ['backup.schedule=@daily', 'backup.to=s3://backups/berth', 'backup.s3.existingSecret=s3-creds'],
    );
    const pod = (find(result, 'CronJob', 'langfuse-backup') as unknown as CronJob).spec.jobTemplate.spec
      .template.spec;
    const steps = [...(pod.initContainers ?? []), ...pod.containers];
    assert.deepEqual(
      steps.map((c) => c.name),
      ['backup-postgresql', 'upload-postgresql', 'backup-clickhouse', 'backup-minio'],
    );
    assert.equal(steps[2]!.command.at(-1), storeScript('clickhouse', 'backup', 's3'));
    const upload = steps[1]!;
    assert.equal(upload.image, 'docker.io/minio/minio:RELEASE.2025-07-23T15-54-02Z');
    assert.deepEqual(upload.env.find((e) => e.name === 'S3_SECRET_KEY')?.valueFrom, {
      secretKeyRef: { name: 's3-creds', key: 'secret-key' },
    });
    assert.equal(
      result.manifests.filter(
        (m) => m.object.kind === 'PersistentVolumeClaim' && m.object.metadata.name === 'langfuse-backups',
      ).length,
      0,
    );
  });
});

describe('Redis RDB copies on request', () => {
  test('backup.redis=rdb adds a step with the Redis image, its password by reference', async () => {
    const result = await renderExample('langfuse', [], ['backup.schedule=@daily', 'backup.redis=rdb']);
    const cron = find(result, 'CronJob', 'langfuse-backup') as unknown as CronJob;
    const pod = cron.spec.jobTemplate.spec.template.spec;
    const redis = [...(pod.initContainers ?? []), ...pod.containers].find((c) => c.name === 'backup-redis');
    assert.ok(redis, 'a redis step');
    assert.equal(redis.image, 'docker.io/valkey/valkey:8.1.3-alpine');
    assert.equal(redis.command.at(-1), storeScript('redis', 'backup'));
    for (const name of ['REDISCLI_AUTH', 'VALKEYCLI_AUTH'])
      assert.deepEqual(redis.env.find((e) => e.name === name)?.valueFrom, {
        secretKeyRef: { name: 'langfuse-redis', key: 'password' },
      });
    const plan = JSON.parse(cron.spec.jobTemplate.metadata.annotations![PLAN_ANNOTATION]!) as ScheduledPlan;
    assert.ok(plan.stores.some((s) => s.kind === 'redis'));
    assert.ok(!plan.notRun.some((s) => s.component === 'redis'));
  });

  test('to an S3 target, the copy is written to files and uploaded with mc, as the dumps are', async () => {
    const result = await renderExample(
      'langfuse',
      [],
      [
        'backup.schedule=@daily',
        'backup.redis=rdb',
        'backup.to=s3://backups/berth',
        'backup.s3.existingSecret=s3-creds',
      ],
    );
    const pod = (find(result, 'CronJob', 'langfuse-backup') as unknown as CronJob).spec.jobTemplate.spec
      .template.spec;
    const names = [...(pod.initContainers ?? []), ...pod.containers].map((c) => c.name);
    assert.equal(names[names.indexOf('backup-redis') + 1], 'upload-redis');
  });

  test('without it, Redis is left out with the reason and how to ask for it', async () => {
    const result = await renderExample('langfuse', []);
    const found = inventory(result.manifests, {}, 'langfuse');
    assert.match(found.uncovered.find((u) => u.component === 'redis')!.reason, /--include redis/);
    const included = inventory(result.manifests, {}, 'langfuse', { redis: true });
    assert.ok(included.stores.some((s) => s.kind === 'redis'));
  });
});

describe('stores of every blueprint', () => {
  const cases: [string, string[], string[]][] = [
    ['langfuse', ['clickhouse', 'minio', 'postgresql'], ['redis']],
    ['dify', ['minio', 'postgresql'], ['redis', 'weaviate']],
    ['swanlab', ['clickhouse', 'minio', 'postgresql'], ['redis']],
    ['csghub', ['minio', 'postgresql'], ['gitaly', 'nats', 'redis', 'registry']],
    ['model-router', [], []],
  ];
  for (const [blueprint, stores, uncovered] of cases) {
    test(blueprint, async () => {
      const result = await renderExample(blueprint, []);
      const found = inventory(result.manifests, {}, blueprint);
      assert.deepEqual(found.stores.map((s) => s.component).sort(), stores);
      assert.deepEqual(found.uncovered.map((s) => s.component).sort(), uncovered);
    });
  }

  test('an external store is not backed up, with a pointer to the provider', async () => {
    const values = {
      integrations: { postgresql: { enabled: true, existingSecret: 'pg', host: 'db.example.com' } },
    };
    const result = await renderExample(
      'langfuse',
      [],
      [
        'integrations.postgresql.enabled=true',
        'integrations.postgresql.existingSecret=pg',
        'integrations.postgresql.host=db.example.com',
      ],
    );
    const found = inventory(result.manifests, values, 'langfuse');
    assert.ok(!found.stores.some((s) => s.kind === 'postgresql'));
    const external = found.uncovered.find((u) => u.component === 'postgresql');
    assert.equal(external?.kind, 'external');
    assert.match(external!.reason, /point-in-time recovery/);
  });
});

describe('scheduled backups in an air-gapped cluster', () => {
  test('backup pods pull with the release pull secrets, from the mirror', async () => {
    const result = await renderExample(
      'langfuse',
      [],
      [
        'backup.schedule=0 3 * * *',
        'global.imagePullSecrets[0]=regcred',
        'global.imageRegistry=harbor.internal/m',
      ],
    );
    const cronJobs = result.manifests.filter((m) => m.object.kind === 'CronJob').map((m) => m.object as any);
    assert.ok(cronJobs.length >= 2);
    for (const cron of cronJobs) {
      const pod = cron.spec.jobTemplate.spec.template.spec;
      assert.deepEqual(pod.imagePullSecrets, [{ name: 'regcred' }], cron.metadata.name);
      for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
        assert.match(container.image, /^harbor\.internal\/m\//, `${cron.metadata.name} ${container.name}`);
      }
    }
  });
});
