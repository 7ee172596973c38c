/** Scheduled backups render from values; stores are found in every blueprint's manifests. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { storeScript } from '../../src/backup/commands.ts';
import { inventory } from '../../src/backup/stores.ts';
import { find, renderExample } from '../support/render.ts';

interface CronJob {
  spec: {
    schedule: string;
    jobTemplate: {
      spec: {
        template: {
          spec: {
            initContainers?: { name: string; image: string; command: string[] }[];
            containers: {
              name: string;
              image: string;
              command: string[];
              env: { name: string; valueFrom?: object }[];
            }[];
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

  test('backup.schedule renders one CronJob per store with the backup Job pod, a claim and a retention CronJob', async () => {
    const result = await renderExample('langfuse', [], ['backup.schedule=0 3 * * *', 'backup.retention=7']);
    const names = result.manifests
      .filter((m) => m.object.kind === 'CronJob')
      .map((m) => m.object.metadata.name);
    assert.deepEqual(names.sort(), [
      'langfuse-backup-minio',
      'langfuse-backup-postgresql',
      'langfuse-backup-retention',
    ]);
    const pg = find(result, 'CronJob', 'langfuse-backup-postgresql') as unknown as CronJob;
    assert.equal(pg.spec.schedule, '0 3 * * *');
    const [container] = pg.spec.jobTemplate.spec.template.spec.containers;
    assert.equal(container!.image, 'docker.io/library/postgres:17.6-alpine');
    assert.equal(container!.command.at(-1), storeScript('postgresql', 'backup'));
    assert.deepEqual(container!.env.find((e) => e.name === 'BACKUP_ID')?.valueFrom, {
      fieldRef: { fieldPath: "metadata.labels['job-name']" },
    });
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
    const ch = find(result, 'CronJob', 'langfuse-backup-clickhouse') as unknown as CronJob;
    assert.equal(
      ch.spec.jobTemplate.spec.template.spec.containers[0]!.command.at(-1),
      storeScript('clickhouse', 'backup'),
    );
    const pg = (find(result, 'CronJob', 'langfuse-backup-postgresql') as unknown as CronJob).spec.jobTemplate
      .spec.template.spec;
    assert.deepEqual([pg.initContainers?.[0]?.name, pg.containers[0]!.name], ['backup', 'upload']);
    assert.equal(pg.containers[0]!.image, 'docker.io/minio/minio:RELEASE.2025-07-23T15-54-02Z');
    assert.deepEqual(pg.containers[0]!.env.find((e) => e.name === 'S3_SECRET_KEY')?.valueFrom, {
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
