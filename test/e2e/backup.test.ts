/**
 * berth backup / backups / restore end to end on the local control plane. No container runs there
 * (kwok completes Jobs), so this checks what berth asks of the cluster: one Job per bundled store
 * with the store's image, the exact script (the one test/unit/backup-postgres.test.ts runs against
 * a real PostgreSQL) and credentials by Secret reference; records; failures; restore stages.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { storeScript } from '../../src/backup/commands.ts';
import { berth, decodedRecords } from './support/berth.ts';
import { kubectl, kubectlJson, withNamespace } from './support/cluster.ts';

interface Container {
  name: string;
  image: string;
  command: string[];
  env: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
}
interface Job {
  metadata: { name: string };
  spec: {
    template: {
      spec: { containers: Container[]; volumes: { persistentVolumeClaim?: { claimName: string } }[] };
    };
  };
}

/** Where `marker` first appears in `output`; it must appear. */
function positionIn(output: string): (marker: string) => number {
  return (marker) => {
    const index = output.indexOf(marker);
    assert.ok(index >= 0, `${marker} reported:\n${output}`);
    return index;
  };
}

function assertOk(result: { code: number; stderr: string }, what: string): void {
  assert.equal(result.code, 0, `${what} failed:\n${result.stderr}`);
}

/** The annotation the local control plane's fault injection reads, as a --set path. */
const SIMULATE = 'berth\\.dev/simulate';

const jobsOf = async (ns: string, selector: string) =>
  (await kubectlJson<{ items: Job[] }>(['get', 'jobs', '-n', ns, '-l', selector])).items;

describe('backup and restore', { concurrency: true }, () => {
  test('langfuse: one Job per bundled store, a record, a failed Job, and a staged restore', async (t) => {
    const ns = await withNamespace(t, 'backup');
    assertOk(await berth(['install', 'lf', 'langfuse', '-n', ns]), 'install');

    const run = await berth(['backup', 'lf', '-n', ns, '-o', 'json']);
    assertOk(run, 'backup');
    const backup = JSON.parse(run.stdout);
    assert.equal(backup.status, 'succeeded');
    assert.equal(backup.target, 'pvc:lf-backups');
    const byStore = Object.fromEntries(backup.stores.map((s: { component: string }) => [s.component, s]));
    assert.equal(byStore.postgresql.status, 'succeeded');
    assert.equal(byStore.minio.status, 'succeeded');
    assert.equal(byStore.clickhouse.status, 'succeeded');
    assert.match(byStore.clickhouse.method, /FORMAT Native/);
    assert.equal(byStore.redis.status, 'skipped');

    const jobs = await jobsOf(ns, `berth.dev/backup=${backup.id}`);
    assert.deepEqual(jobs.map((j) => j.metadata.name).sort(), [
      `lf-backup-${backup.id}-clickhouse`,
      `lf-backup-${backup.id}-minio`,
      `lf-backup-${backup.id}-postgresql`,
    ]);
    // ClickHouse into the claim: the client in the ClickHouse image, its password by reference.
    const ch = jobs.find((j) => j.metadata.name.endsWith('clickhouse'))!.spec.template.spec;
    assert.match(ch.containers[0]!.image, /clickhouse\/clickhouse-server:/);
    assert.equal(ch.containers[0]!.command.at(-1), storeScript('clickhouse', 'backup', 'pvc'));
    assert.deepEqual(ch.containers[0]!.env.find((e) => e.name === 'CLICKHOUSE_PASSWORD')?.valueFrom, {
      secretKeyRef: { name: 'lf-clickhouse', key: 'password' },
    });
    assert.deepEqual(ch.volumes[0]!.persistentVolumeClaim, { claimName: 'lf-backups' });
    const pg = jobs.find((j) => j.metadata.name.endsWith('postgresql'))!.spec.template.spec;
    const [dump] = pg.containers;
    assert.equal(dump!.image, 'docker.io/library/postgres:17.6-alpine');
    assert.equal(dump!.command.at(-1), storeScript('postgresql', 'backup'));
    const env = Object.fromEntries(dump!.env.map((e) => [e.name, e]));
    assert.deepEqual(env.PGPASSWORD!.valueFrom, { secretKeyRef: { name: 'lf-postgresql', key: 'password' } });
    assert.equal(env.PGHOST!.value, `lf-postgresql.${ns}.svc`);
    assert.equal(env.BACKUP_DIR!.value, '/backup/lf/$(BACKUP_ID)/postgresql');
    assert.deepEqual(pg.volumes[0]!.persistentVolumeClaim, { claimName: 'lf-backups' });
    const minio = jobs.find((j) => j.metadata.name.endsWith('minio'))!.spec.template.spec.containers[0]!;
    assert.equal(minio.image, 'docker.io/minio/minio:RELEASE.2025-07-23T15-54-02Z');
    assert.equal(minio.env.find((e) => e.name === 'BUCKETS')?.value, 'langfuse');
    // The password is referenced, never copied into a Job or printed.
    const password = (
      await kubectl(['get', 'secret', 'lf-postgresql', '-n', ns, '-o', 'jsonpath={.data.password}'])
    ).stdout;
    const plain = Buffer.from(password, 'base64').toString();
    assert.ok(!JSON.stringify(jobs).includes(plain));
    assert.ok(!run.stdout.includes(plain) && !run.stderr.includes(plain));

    const listed = JSON.parse((await berth(['backups', 'lf', '-n', ns, '-o', 'json'])).stdout);
    assert.deepEqual(
      listed.items.map((b: { id: string; status: string }) => [b.id, b.status]),
      [[backup.id, 'succeeded']],
    );

    const restore = await berth(['restore', 'lf', '-n', ns, '--backup', backup.id]);
    assertOk(restore, 'restore');
    const at = positionIn(restore.stderr);
    assert.ok(at('[writers-down] scaling') < at('[writers-down] ready'));
    for (const store of ['postgresql', 'clickhouse', 'minio']) {
      assert.ok(
        at('[writers-down] ready') < at(`[restore] ${store} from`),
        `${store} restored after the writers stopped`,
      );
      assert.ok(
        at(`[restore] ${store} ready`) < at('[writers-up] scaling'),
        `writers start after ${store} is restored`,
      );
    }
    assert.ok(at('[writers-up] scaling') < at('[writers-up] ready'));
    assert.match(restore.stderr, /deployment\/lf-web/);
    const restoreJobs = await jobsOf(ns, 'app.kubernetes.io/component=restore');
    const chRestore = restoreJobs.find((j) => j.metadata.name.endsWith('clickhouse'))!;
    assert.equal(
      chRestore.spec.template.spec.containers[0]!.command.at(-1),
      storeScript('clickhouse', 'restore', 'pvc'),
    );
    const pgRestore = restoreJobs.find((j) => j.metadata.name.endsWith('postgresql'))!;
    assert.equal(
      pgRestore.spec.template.spec.containers[0]!.command.at(-1),
      storeScript('postgresql', 'restore'),
    );
    const web = await kubectlJson<{ spec: { replicas: number }; status: { readyReplicas?: number } }>([
      'get',
      'deployment',
      'lf-web',
      '-n',
      ns,
    ]);
    assert.equal(web.spec.replicas, 1);
    assert.equal(web.status.readyReplicas, 1);

    // A Job that fails: a clear error with the Job's state, and a failed record. The upgrade changes
    // backup.* only, which is a revision of its own that berth backup then follows.
    const annotated = await berth([
      'upgrade',
      'lf',
      'langfuse',
      '-n',
      ns,
      '--set',
      `backup.podAnnotations.${SIMULATE}=exit-error`,
      '-o',
      'json',
    ]);
    assertOk(annotated, 'upgrade');
    assert.deepEqual(
      [JSON.parse(annotated.stdout).status, JSON.parse(annotated.stdout).revision],
      ['deployed', 2],
    );
    const failed = await berth(['backup', 'lf', '-n', ns]);
    assert.equal(failed.code, 3, failed.stderr);
    assert.match(failed.stderr, /error: backup \S+ of clickhouse failed/);
    assert.match(failed.stderr, /Job failed: BackoffLimitExceeded/);
    const after = JSON.parse((await berth(['backups', 'lf', '-n', ns, '-o', 'json'])).stdout).items;
    assert.equal(after.length, 2);
    assert.equal(after[0].status, 'failed');
    const stores = Object.fromEntries(
      after[0].stores.map((s: { component: string; status: string }) => [s.component, s.status]),
    );
    assert.deepEqual([stores.clickhouse, stores.minio, stores.postgresql], ['failed', 'skipped', 'skipped']);
    assert.match(failed.stderr, /pod \S+ \(container backup\) Error: exit code 1/);

    const refused = await berth(['restore', 'lf', '-n', ns, '--backup', after[0].id]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /only a succeeded backup can be restored/);
  });

  test('scheduled runs become records: a completed run with its objects is restorable, a failed run keeps its events', async (t) => {
    const ns = await withNamespace(t, 'scheduled');
    const schedule = ['--set', 'backup.schedule=0 3 * * *'];
    assertOk(await berth(['install', 'lf', 'langfuse', '-n', ns, ...schedule]), 'install');
    const runJob = async (name: string, condition: 'complete' | 'failed') => {
      await kubectl(['create', 'job', `--from=cronjob/lf-backup`, name, '-n', ns]);
      await kubectl(['wait', `--for=condition=${condition}`, `job/${name}`, '-n', ns, '--timeout=60s']);
    };
    await runJob('lf-backup-run1', 'complete');
    // No container runs here: write on the finished pod what the steps' scripts write as their termination messages.
    const dump = `langfuse.dump 2048 ${'c'.repeat(64)}`;
    const bucket = '{"prefix":"langfuse","size":4096,"objects":3}';
    const [pod] = (
      await kubectlJson<{ items: { metadata: { name: string }; status: Record<string, unknown> }[] }>([
        'get',
        'pods',
        '-n',
        ns,
        '-l',
        'job-name=lf-backup-run1',
      ])
    ).items;
    type Status = { name: string; state: { terminated?: { message?: string } } };
    const withMessage = (statuses: Status[] = []) =>
      statuses.map((c) => {
        const message = { 'backup-postgresql': dump, 'backup-minio': bucket }[c.name];
        return message && c.state.terminated
          ? { ...c, state: { terminated: { ...c.state.terminated, message } } }
          : c;
      });
    await kubectl([
      'patch',
      'pod',
      pod!.metadata.name,
      '-n',
      ns,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: {
          initContainerStatuses: withMessage(pod!.status.initContainerStatuses as Status[]),
          containerStatuses: withMessage(pod!.status.containerStatuses as Status[]),
        },
      }),
    ]);

    const listed = JSON.parse((await berth(['backups', 'lf', '-n', ns, '-o', 'json'])).stdout).items;
    const run1 = listed.find((b: { id: string }) => b.id === 'lf-backup-run1');
    assert.ok(run1, JSON.stringify(listed));
    assert.deepEqual([run1.status, run1.trigger, run1.revision], ['succeeded', 'schedule', 1]);
    const stores = Object.fromEntries(run1.stores.map((s: { component: string }) => [s.component, s]));
    assert.deepEqual(stores.postgresql.objects, [
      { name: 'langfuse.dump', bytes: 2048, sha256: 'c'.repeat(64) },
    ]);
    assert.deepEqual(stores.minio.objects, [{ name: 'langfuse', bytes: 4096, objects: 3 }]);
    assert.equal(stores.postgresql.location, 'pvc:lf-backups/lf/lf-backup-run1/postgresql');
    // The record is kept once the Job is gone (the CronJob's history drops old runs).
    await kubectl(['delete', 'job', 'lf-backup-run1', '-n', ns, '--cascade=background']);
    const kept = JSON.parse((await berth(['backups', 'lf', '-n', ns, '-o', 'json'])).stdout).items;
    assert.equal(kept.find((b: { id: string }) => b.id === 'lf-backup-run1')?.status, 'succeeded');

    const restore = await berth(['restore', 'lf', '-n', ns, '--backup', 'lf-backup-run1']);
    assertOk(restore, 'restore of a scheduled run');
    const pgRestore = (await jobsOf(ns, 'app.kubernetes.io/component=restore')).find((j) =>
      j.metadata.name.endsWith('postgresql'),
    )!;
    const env = Object.fromEntries(pgRestore.spec.template.spec.containers[0]!.env.map((e) => [e.name, e]));
    assert.equal(env.BACKUP_ID!.value, 'lf-backup-run1', 'the restore reads where the run wrote');

    const failing = [...schedule, '--set', `backup.podAnnotations.${SIMULATE}=exit-error`];
    assertOk(await berth(['upgrade', 'lf', 'langfuse', '-n', ns, ...failing]), 'upgrade');
    await runJob('lf-backup-run2', 'failed');
    const after = JSON.parse((await berth(['backups', 'lf', '-n', ns, '-o', 'json'])).stdout).items;
    const run2 = after.find((b: { id: string }) => b.id === 'lf-backup-run2');
    assert.equal(run2?.status, 'failed', JSON.stringify(after));
    assert.equal(run2.revision, 2);
    const failedStores = Object.fromEntries(run2.stores.map((s: { component: string }) => [s.component, s]));
    assert.equal(failedStores.postgresql.status, 'succeeded');
    assert.equal(failedStores.minio.status, 'failed');
    assert.match(failedStores.minio.reason, /container backup-minio exited with code 1/);
    assert.match(failedStores.minio.reason, /Job failed: BackoffLimitExceeded/);
    assert.match(failedStores.minio.reason, /warning Job\/lf-backup-run2 BackoffLimitExceeded/);
    const table = await berth(['backups', 'lf', '-n', ns]);
    assert.match(table.stdout, /lf-backup-run2\s+failed\s+2\s+langfuse-\S+\s+schedule/);
    const refused = await berth(['restore', 'lf', '-n', ns, '--backup', 'lf-backup-run2']);
    assert.equal(refused.code, 1);
  });

  test('--include redis: an RDB copy Job with the Redis image and its password by reference; an unknown store is refused', async (t) => {
    const ns = await withNamespace(t, 'redis');
    assertOk(await berth(['install', 'lf', 'langfuse', '-n', ns]), 'install');
    const bad = await berth(['backup', 'lf', '-n', ns, '--include', 'redis,weaviate']);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stderr, /--include: expected a comma-separated list of redis, got "redis,weaviate"/);
    assert.equal((await jobsOf(ns, 'app.kubernetes.io/component=backup')).length, 0, 'nothing was created');

    const run = await berth(['backup', 'lf', '-n', ns, '--include', 'redis', '-o', 'json']);
    assertOk(run, 'backup --include redis');
    const backup = JSON.parse(run.stdout);
    const redis = backup.stores.find((s: { component: string }) => s.component === 'redis');
    assert.deepEqual([redis.status, redis.method], ['succeeded', 'redis-cli --rdb (a copy of the dataset)']);
    const [job] = (await jobsOf(ns, `berth.dev/backup=${backup.id}`)).filter((j) =>
      j.metadata.name.endsWith('redis'),
    );
    const container = job!.spec.template.spec.containers[0]!;
    assert.equal(container.image, 'docker.io/valkey/valkey:8.1.3-alpine');
    assert.equal(container.command.at(-1), storeScript('redis', 'backup'));
    const env = Object.fromEntries(container.env.map((e) => [e.name, e]));
    assert.deepEqual(env.REDISCLI_AUTH!.valueFrom, { secretKeyRef: { name: 'lf-redis', key: 'password' } });
    assert.equal(env.REDIS_HOST!.value, `lf-redis.${ns}.svc`);

    // The restore stops the server, rewrites its data volume from the copy, and starts it again.
    const restore = await berth(['restore', 'lf', '-n', ns, '--backup', backup.id]);
    assertOk(restore, 'restore');
    const at = positionIn(restore.stderr);
    assert.ok(
      at('[restore] stopping statefulset/lf-redis') < at('[restore] scaling statefulset/lf-redis back'),
    );
    assert.ok(at('[restore] scaling statefulset/lf-redis back') < at('[restore] redis ready'));
    const redisRestore = (await jobsOf(ns, 'app.kubernetes.io/component=restore')).find((j) =>
      j.metadata.name.endsWith('redis'),
    )!.spec.template.spec;
    const restoring = redisRestore.containers[0]!;
    assert.equal(restoring.command.at(-1), storeScript('redis', 'restore'));
    assert.equal(restoring.env.find((e) => e.name === 'REDIS_DATA')?.value, '/data');
    assert.ok(
      redisRestore.volumes.some((v) => v.persistentVolumeClaim?.claimName === 'data-lf-redis-0'),
      'the server data volume is mounted',
    );
    const server = await kubectlJson<{ spec: { replicas: number }; status: { readyReplicas?: number } }>([
      'get',
      'statefulset',
      'lf-redis',
      '-n',
      ns,
    ]);
    assert.deepEqual([server.spec.replicas, server.status.readyReplicas], [1, 1]);
  });

  test('upgrade guard: required blocks an upgrade without a recent backup, then passes and names it', async (t) => {
    const ns = await withNamespace(t, 'guard');
    const required = ['--set', 'backup.beforeUpgrade=required'];
    assertOk(await berth(['install', 'lf', 'langfuse', '-n', ns, ...required]), 'install');
    const upgrade = () =>
      berth(['upgrade', 'lf', 'langfuse', '-n', ns, ...required, '--set', 'services.web.replicas=2']);
    const blocked = await upgrade();
    assert.equal(blocked.code, 1, blocked.stderr);
    assert.match(blocked.stderr, /needs a backup newer than 24 hours \(backup.beforeUpgrade=required\)/);
    assert.match(blocked.stderr, /hint: berth backup lf/);
    const web = await kubectlJson<{ spec: { replicas: number } }>(['get', 'deployment', 'lf-web', '-n', ns]);
    assert.equal(web.spec.replicas, 1, 'a blocked upgrade changes nothing');

    const backup = JSON.parse((await berth(['backup', 'lf', '-n', ns, '-o', 'json'])).stdout);
    const passed = await upgrade();
    assertOk(passed, 'upgrade with a recent backup');
    assert.match(passed.stderr, new RegExp(`upgrade relies on backup ${backup.id}`));
    const revision2 = (await decodedRecords(ns)).map((r) => JSON.parse(r)).find((r) => r.revision === 2);
    assert.equal(revision2.backup, backup.id);
  });

  test('a platform version change: auto backup first; rollback refuses, then restores with --restore', async (t) => {
    const ns = await withNamespace(t, 'migrated');
    // The worker is autoscaled: its manifest names no replicas, its HorizontalPodAutoscaler does.
    const autoscaled = ['--set', 'services.worker.autoscaling.enabled=true'];
    assertOk(await berth(['install', 'lf', 'langfuse', '-n', ns, ...autoscaled]), 'install');
    // Same platform version (only replicas change): no backup.
    const twoWeb = [...autoscaled, '--set', 'services.web.replicas=2'];
    const same = await berth(['upgrade', 'lf', 'langfuse', '-n', ns, ...twoWeb]);
    assertOk(same, 'upgrade without a version change');
    assert.doesNotMatch(same.stderr, /backing up/);
    const upgrade = await berth([
      'upgrade',
      'lf',
      'langfuse',
      '-n',
      ns,
      ...twoWeb,
      '--set',
      'services.worker.image.tag=3.225.3',
    ]);
    assertOk(upgrade, 'upgrade to another platform version');
    assert.match(upgrade.stderr, /the platform version changes: backing up its data first/);
    const [backup] = JSON.parse((await berth(['backups', 'lf', '-n', ns, '-o', 'json'])).stdout).items;
    assert.equal(backup.trigger, 'upgrade');
    assert.equal(backup.revision, 2);
    assert.ok(
      upgrade.stderr.indexOf('completed') < upgrade.stderr.indexOf('[dependencies] applying'),
      'the backup finished before anything was applied',
    );

    const refused = await berth(['rollback', 'lf', '2', '-n', ns]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /revision 2 runs an earlier platform version than revision 3, whose start migrated the database schemas/,
    );
    assert.match(
      refused.stderr,
      new RegExp(`berth rollback lf 2 --restore puts back the data of backup ${backup.id}`),
    );
    const worker = async () =>
      (
        await kubectlJson<{ spec: { template: { spec: { containers: { image: string }[] } } } }>([
          'get',
          'deployment',
          'lf-worker',
          '-n',
          ns,
        ])
      ).spec.template.spec.containers[0]!.image;
    assert.equal(
      await worker(),
      'docker.io/langfuse/langfuse-worker:3.225.3',
      'a refused rollback changes nothing',
    );

    const workerReplicas = async () =>
      (await kubectlJson<{ spec: { replicas: number } }>(['get', 'deployment', 'lf-worker', '-n', ns])).spec
        .replicas;
    const before = await workerReplicas();
    assert.ok(before > 0);
    const rollback = await berth(['rollback', 'lf', '2', '-n', ns, '--restore']);
    assertOk(rollback, 'rollback --restore');
    const at = (marker: string) => rollback.stderr.indexOf(marker);
    assert.ok(at(`restoring backup ${backup.id}`) >= 0, rollback.stderr);
    assert.ok(at('[writers-down] ready') < at('[restore] postgresql ready'));
    assert.ok(
      at('[restore] postgresql ready') < at('[dependencies] applying'),
      'data restored before the old version starts',
    );
    assert.equal(await worker(), 'docker.io/langfuse/langfuse-worker:3.225.4');
    const restoreJobs = await jobsOf(ns, 'app.kubernetes.io/component=restore');
    const pg = restoreJobs.find((j) => j.metadata.name.endsWith('postgresql'))!.spec.template.spec
      .containers[0]!;
    assert.equal(pg.command.at(-1), storeScript('postgresql', 'restore'));
    assert.equal(pg.env.find((e) => e.name === 'BACKUP_ID')?.value, backup.id);
    const web = await kubectlJson<{ spec: { replicas: number }; status: { readyReplicas?: number } }>([
      'get',
      'deployment',
      'lf-web',
      '-n',
      ns,
    ]);
    assert.deepEqual(
      [web.spec.replicas, web.status.readyReplicas],
      [2, 2],
      'the writers are back at the old revision',
    );
    assert.equal(await workerReplicas(), before, 'the autoscaled worker runs the replicas it ran before');
    assert.ok(
      at('[dependencies] applying') < rollback.stderr.lastIndexOf('[writers-up] ready'),
      'scaled back once the old version is applied',
    );
  });
});
