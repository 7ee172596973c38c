/**
 * `berth adopt helm` for SwanLab end to end: the real Helm 4 installs a chart of our own that
 * reproduces SwanLab's self-hosted chart 0.3.x (names, selector labels, Secret keys, claims, the
 * applications' environment), berth takes it over and hands it back with --undo. On kwok no
 * container runs, so the data markers are API-level: claim UIDs and the passwords in Secrets.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  adoptKeepingClaims,
  assertHelmOwnsNothing,
  assertHelmsOnly,
  assertOk,
  claimUids,
  testChart,
  upgradeAdopted,
  waitForClaims,
} from './support/adopt.ts';
import { berth, secretData } from './support/berth.ts';
import { helm, kubectl, kubectlJson, withNamespace } from './support/cluster.ts';

const CHART = testChart('swanlab');
// PostgreSQL keeps the chart's default password; ClickHouse and MinIO get the user's own.
const INSTALL_VALUES = [
  '--set',
  'dependencies.clickhouse.password=clickhouse-of-the-chart',
  '--set',
  'dependencies.s3.secretKey=minio-of-the-chart',
];
const NAME = 'swanlab-self-hosted';
const STORE_CLAIMS = ['postgres', 'redis', 'clickhouse', 's3'].map((store) => `${NAME}-${store}-pvc`);
const CLAIMS = [...STORE_CLAIMS, `house-${NAME}-house-0`];

interface Pod {
  spec: {
    template: {
      spec: {
        securityContext?: { runAsUser?: number; fsGroup?: number };
        containers: {
          env: { name: string; value?: string }[];
          volumeMounts: { name: string; mountPath: string }[];
        }[];
        volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[];
      };
    };
  };
}

const statefulSet = (ns: string, name: string) => kubectlJson<Pod>(['get', 'statefulset', name, '-n', ns]);
const claimOf = (pod: Pod) =>
  pod.spec.template.spec.volumes.find((v) => v.name === 'data')?.persistentVolumeClaim?.claimName;
const envOf = (pod: Pod, name: string) =>
  pod.spec.template.spec.containers[0]!.env.find((e) => e.name === name)?.value;

describe('berth adopt helm (SwanLab)', { concurrency: true }, () => {
  // Helm 4 applies server-side by default; releases Helm 3 installed were applied client-side.
  for (const serverSide of [true, false])
    test(`takes over a SwanLab self-hosted chart install (${serverSide ? 'server' : 'client'}-side apply) with its volumes and passwords, and hands it back`, async (t) => {
      const ns = await withNamespace(t, `adopt-swanlab-${serverSide ? 'ssa' : 'csa'}`);
      await helm(['install', 'swanlab', CHART, '-n', ns, `--server-side=${serverSide}`, ...INSTALL_VALUES], {
        timeoutMs: 120_000,
      });
      await waitForClaims(ns, CLAIMS);
      const uidsBefore = await claimUids(ns);
      const pgPassword = (await secretData(ns, `${NAME}-postgres-credentials`)).password;
      const chPassword = (await secretData(ns, `${NAME}-clickhouse-credentials`)).password;
      const s3Password = (await secretData(ns, `${NAME}-s3-credentials`)).secretKey;
      assert.deepEqual(
        [pgPassword, chPassword, s3Password],
        ['swanlab-postgres', 'clickhouse-of-the-chart', 'minio-of-the-chart'],
      );

      // The plan changes nothing.
      const dry = await berth(['adopt', 'helm', 'swanlab', 'swanlab', '-n', ns, '--dry-run']);
      assertOk(dry, 'dry run');
      assert.match(dry.stdout, /would adopt Helm release swanlab \(chart self-hosted 0\.3\.0, revision 1\)/);
      assert.match(
        dry.stdout,
        new RegExp(
          `PersistentVolumeClaim/${NAME}-postgres-pvc → postgres \\(was Deployment/${NAME}-postgres\\)`,
        ),
      );
      assert.match(dry.stdout, /swanlab-minio\/root-password/);
      assert.match(dry.stderr, /MinIO: berth's root user is berth-admin, the chart's was swanlab/);
      assert.match(dry.stderr, /postgres: the install runs with the chart's default password/);
      assert.ok(!`${dry.stdout}${dry.stderr}`.includes('of-the-chart'), 'no password in the plan');
      // The passwords the chart values held are kept from the install, not reported as lost.
      assert.doesNotMatch(dry.stderr, /chart value dependencies\.\w+\.(password|secretKey)/);
      await assertHelmsOnly(ns, 'swanlab');
      assert.deepEqual(await claimUids(ns), uidsBefore);

      // Same volumes, same passwords, in berth's own Secrets.
      const { valuesOut } = await adoptKeepingClaims(t, ns, 'swanlab', 'swanlab', CLAIMS, uidsBefore);
      assert.equal((await secretData(ns, 'swanlab-postgresql')).password, pgPassword);
      assert.equal((await secretData(ns, 'swanlab-clickhouse')).password, chPassword);
      assert.equal((await secretData(ns, 'swanlab-minio'))['root-password'], s3Password);

      // berth's stores mount the chart's claims, with the chart's data paths and users.
      const postgres = await statefulSet(ns, 'swanlab-postgresql');
      assert.equal(claimOf(postgres), `${NAME}-postgres-pvc`);
      const mounts = postgres.spec.template.spec.containers[0]!.volumeMounts;
      assert.equal(mounts.find((m) => m.name === 'data')?.mountPath, '/var/lib/postgresql');
      assert.equal(envOf(postgres, 'PGDATA'), '/var/lib/postgresql/data');
      assert.equal(postgres.spec.template.spec.securityContext?.runAsUser, 999);
      const redis = await statefulSet(ns, 'swanlab-redis');
      assert.equal(claimOf(redis), `${NAME}-redis-pvc`);
      assert.equal(envOf(redis, 'REDIS_ARGS'), '--requirepass $(REDIS_PASSWORD)');
      assert.equal(claimOf(await statefulSet(ns, 'swanlab-clickhouse')), `${NAME}-clickhouse-pvc`);
      assert.equal(claimOf(await statefulSet(ns, 'swanlab-minio')), `${NAME}-s3-pvc`);

      await assertHelmOwnsNothing(ns);
      // The chart's workloads are gone; its claims and Secrets stay.
      for (const [kind, name] of [
        ['deployment', `${NAME}-postgres`],
        ['deployment', `${NAME}-server`],
        ['statefulset', `${NAME}-house`],
      ])
        assert.equal(
          (await kubectl(['get', kind!, name!, '-n', ns], { allowFailure: true })).code,
          1,
          `${kind}/${name}`,
        );
      assert.equal((await secretData(ns, `${NAME}-s3-credentials`)).secretKey, s3Password);

      // A later upgrade, without the values file, keeps volumes and passwords.
      assert.match(readFileSync(valuesOut, 'utf8'), /existingClaim: swanlab-self-hosted-postgres-pvc/);
      await upgradeAdopted(ns, 'swanlab', 'swanlab', 'services.server.replicas=2');
      const uidsUpgraded = await claimUids(ns);
      for (const claim of CLAIMS)
        assert.equal(uidsUpgraded[claim], uidsBefore[claim], `${claim} kept by upgrade`);
      assert.equal((await secretData(ns, 'swanlab-postgresql')).password, pgPassword);
      assert.equal(claimOf(await statefulSet(ns, 'swanlab-postgresql')), `${NAME}-postgres-pvc`);

      // Hand it back: Helm lists it again and can upgrade it; its workloads come back on the same claims.
      const undo = await berth(['adopt', 'helm', 'swanlab', '-n', ns, '--undo']);
      assertOk(undo, 'undo');
      await assertHelmsOnly(ns, 'swanlab');
      const helmUpgrade = await helm(['upgrade', 'swanlab', CHART, '-n', ns, ...INSTALL_VALUES], {
        timeoutMs: 120_000,
        allowFailure: true,
      });
      assert.equal(helmUpgrade.code, 0, helmUpgrade.stderr);
      assert.equal((await secretData(ns, `${NAME}-clickhouse-credentials`)).password, chPassword);
      const handedBack = await kubectlJson<Pod>(['get', 'deployment', `${NAME}-postgres`, '-n', ns]);
      assert.equal(
        handedBack.spec.template.spec.volumes[0]?.persistentVolumeClaim?.claimName,
        `${NAME}-postgres-pvc`,
      );
      const uidsBack = await claimUids(ns);
      for (const claim of CLAIMS)
        assert.equal(uidsBack[claim], uidsBefore[claim], `${claim} kept by hand-back`);
    });

  test("a release named like the chart keeps SwanLab-House's StatefulSet and claims in place", async (t) => {
    const ns = await withNamespace(t, 'adopt-swanlab-named');
    await helm(['install', 'self-hosted', CHART, '-n', ns], { timeoutMs: 120_000 });
    const claims = ['house-self-hosted-house-0', 'self-hosted-postgres-pvc'];
    await waitForClaims(ns, claims);
    const uidsBefore = await claimUids(ns);
    const adopt = await berth(['adopt', 'helm', 'self-hosted', 'swanlab', '-n', ns]);
    assertOk(adopt, 'adopt');
    assert.match(adopt.stdout, /StatefulSet\/self-hosted-house/);
    assert.doesNotMatch(adopt.stderr, /SwanLab-House/);
    const uidsAfter = await claimUids(ns);
    for (const claim of claims) assert.equal(uidsAfter[claim], uidsBefore[claim], `${claim} kept`);
    const house = await kubectlJson<{ spec: { volumeClaimTemplates: { metadata: { name: string } }[] } }>([
      'get',
      'statefulset',
      'self-hosted-house',
      '-n',
      ns,
    ]);
    assert.deepEqual(
      house.spec.volumeClaimTemplates.map((c) => c.metadata.name),
      ['house'],
    );
    assert.equal((await secretData(ns, 'self-hosted-postgresql')).password, 'swanlab-postgres');
    await assertHelmOwnsNothing(ns);
  });
});
