/**
 * `berth adopt helm` end to end: the real Helm 4 installs a chart of our own that reproduces the
 * official Langfuse chart 1.x (names, selector labels, Secret keys, claims), berth takes it over,
 * and hands it back with --undo. On kwok no container runs, so the data markers are API-level:
 * claim UIDs and the passwords in Secrets.
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
  helmReleases,
  testChart,
  upgradeAdopted,
  waitForClaims,
} from './support/adopt.ts';
import { berth, secretData } from './support/berth.ts';
import { helm, kubectl, kubectlJson, withNamespace } from './support/cluster.ts';

const CHART = testChart('langfuse');

const INSTALL_VALUES = [
  '--set',
  'langfuse.salt.value=salt-of-the-chart',
  '--set',
  'langfuse.encryptionKey.value=0000000000000000000000000000000000000000000000000000000000000001',
  '--set',
  'langfuse.nextauth.secret.value=nextauth-of-the-chart',
  '--set',
  'clickhouse.replicaCount=1',
  '--set',
  'clickhouse.clusterEnabled=false',
];

describe('berth adopt helm', { concurrency: true }, () => {
  // Helm 4 applies server-side by default; releases Helm 3 installed were applied client-side.
  for (const serverSide of [true, false])
    test(`takes over a Langfuse chart install (${serverSide ? 'server' : 'client'}-side apply) with its volumes and passwords, and hands it back`, async (t) => {
      const ns = await withNamespace(t, `adopt-${serverSide ? 'ssa' : 'csa'}`);
      await helm(['install', 'langfuse', CHART, '-n', ns, `--server-side=${serverSide}`, ...INSTALL_VALUES], {
        timeoutMs: 120_000,
      });
      const claims = [
        'data-langfuse-postgresql-0',
        'valkey-data-langfuse-redis-primary-0',
        'data-langfuse-clickhouse-shard0-0',
        'langfuse-s3',
      ];
      await waitForClaims(ns, claims);
      const uidsBefore = await claimUids(ns);
      const pgPassword = (await secretData(ns, 'langfuse-postgresql'))['postgres-password'];
      const redisPassword = (await secretData(ns, 'langfuse-redis'))['valkey-password'];
      const chPassword = (await secretData(ns, 'langfuse-clickhouse'))['admin-password'];
      const s3Password = (await secretData(ns, 'langfuse-s3'))['root-password'];
      assert.ok(pgPassword && redisPassword && chPassword && s3Password);

      // The plan changes nothing.
      const dry = await berth(['adopt', 'helm', 'langfuse', 'langfuse', '-n', ns, '--dry-run']);
      assertOk(dry, 'dry run');
      assert.match(dry.stdout, /would adopt Helm release langfuse \(chart langfuse 1\.5\.41, revision 1\)/);
      assert.match(dry.stdout, /StatefulSet\/langfuse-postgresql/);
      assert.match(dry.stdout, /PersistentVolumeClaim\/valkey-data-langfuse-redis-primary-0 → redis/);
      assert.match(dry.stdout, /ConfigMap\/langfuse-post-install-note \(post-install, post-upgrade\)/);
      await assertHelmsOnly(ns, 'langfuse');

      // Same volumes, same passwords.
      const { uidsAfter, valuesOut } = await adoptKeepingClaims(
        t,
        ns,
        'langfuse',
        'langfuse',
        claims,
        uidsBefore,
      );
      assert.equal((await secretData(ns, 'langfuse-postgresql')).password, pgPassword);
      assert.equal((await secretData(ns, 'langfuse-redis')).password, redisPassword);
      assert.equal((await secretData(ns, 'langfuse-clickhouse')).password, chPassword);
      assert.equal((await secretData(ns, 'langfuse-minio'))['root-password'], s3Password);
      const app = await secretData(ns, 'langfuse-app');
      assert.equal(app.salt, 'salt-of-the-chart');
      assert.equal(app['nextauth-secret'], 'nextauth-of-the-chart');

      // The stores read the data where the chart left it, with the selectors Kubernetes keeps.
      const postgres = await kubectlJson<{
        spec: {
          selector: { matchLabels: Record<string, string> };
          serviceName: string;
          template: {
            spec: {
              containers: {
                args?: string[];
                env: { name: string; value?: string }[];
                volumeMounts: { name: string; mountPath: string }[];
              }[];
            };
          };
        };
      }>(['get', 'statefulset', 'langfuse-postgresql', '-n', ns]);
      assert.equal(postgres.spec.selector.matchLabels['app.kubernetes.io/component'], 'primary');
      assert.equal(postgres.spec.serviceName, 'langfuse-postgresql-hl');
      const container = postgres.spec.template.spec.containers[0]!;
      assert.equal(container.volumeMounts.find((m) => m.name === 'data')?.mountPath, '/bitnami/postgresql');
      assert.equal(container.env.find((e) => e.name === 'PGDATA')?.value, '/bitnami/postgresql/data');
      // Bitnami kept its server settings outside PGDATA: berth gives them as arguments and a ConfigMap.
      assert.ok(container.args?.includes('listen_addresses=*'), JSON.stringify(container.args));
      assert.match(
        (
          await kubectl([
            'get',
            'configmap',
            'langfuse-postgresql-adopted',
            '-n',
            ns,
            '-o',
            'jsonpath={.data.pg_hba\\.conf}',
          ])
        ).stdout,
        /^host all all 0\.0\.0\.0\/0 md5$/m,
      );
      const redis = await kubectlJson<{
        spec: {
          template: { spec: { volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[] } };
        };
      }>(['get', 'statefulset', 'langfuse-redis', '-n', ns]);
      assert.equal(
        redis.spec.template.spec.volumes.find((v) => v.name === 'data')?.persistentVolumeClaim?.claimName,
        'valkey-data-langfuse-redis-primary-0',
      );

      await assertHelmOwnsNothing(ns);
      // Fields only the chart set are gone from what berth took over: no stale owner kept them.
      const web = await kubectlJson<{
        metadata: { labels: Record<string, string> };
        spec: { template: { spec: { containers: { env: { name: string }[] }[] } } };
      }>(['get', 'deployment', 'langfuse-web', '-n', ns]);
      assert.equal(web.metadata.labels['helm.sh/chart'], undefined);
      assert.equal(web.metadata.labels['app.kubernetes.io/managed-by'], 'berth');
      assert.ok(!web.spec.template.spec.containers[0]!.env.some((e) => e.name === 'DATABASE_HOST'));
      // The chart's Deployment that berth replaced with its own is gone; the claim it used stays.
      assert.equal(
        (await kubectl(['get', 'deployment', 'langfuse-s3', '-n', ns], { allowFailure: true })).code,
        1,
      );

      // The chart's layout is kept with the release: a later upgrade needs no file from the adoption.
      assert.match(readFileSync(valuesOut, 'utf8'), /patches:/);
      await upgradeAdopted(ns, 'langfuse', 'langfuse', 'services.web.replicas=2');
      assert.deepEqual(await claimUids(ns), uidsAfter);
      assert.equal((await secretData(ns, 'langfuse-postgresql')).password, pgPassword);
      const kept = await kubectlJson<{
        spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
      }>(['get', 'statefulset', 'langfuse-postgresql', '-n', ns]);
      assert.equal(
        kept.spec.template.spec.containers[0]!.env.find((e) => e.name === 'PGDATA')?.value,
        '/bitnami/postgresql/data',
      );
      const layers = await berth(['values', '--release', 'langfuse', '-n', ns, '--layers']);
      assertOk(layers, 'values --layers');
      assert.match(layers.stdout, /services\.web\.replicas\s+2\s+revision 2/);
      assert.match(layers.stdout, /patches\[0\]\.target\.kind\s+\S+\s+adopted \(chart langfuse 1\.5\.41\)/);

      // Hand it back: Helm lists it again and can upgrade it.
      const undoStarted = Date.now();
      const undo = await berth(['adopt', 'helm', 'langfuse', '-n', ns, '--undo']);
      assertOk(undo, 'undo');
      t.diagnostic(`undo took ${((Date.now() - undoStarted) / 1000).toFixed(1)} s`);
      await assertHelmsOnly(ns, 'langfuse');
      const helmUpgrade = await helm(['upgrade', 'langfuse', CHART, '-n', ns, ...INSTALL_VALUES], {
        timeoutMs: 120_000,
        allowFailure: true,
      });
      assert.equal(helmUpgrade.code, 0, helmUpgrade.stderr);
      assert.equal((await secretData(ns, 'langfuse-postgresql'))['postgres-password'], pgPassword);
      assert.deepEqual(
        Object.fromEntries(claims.map((c) => [c, uidsBefore[c]])),
        Object.fromEntries(claims.map((c) => [c, uidsAfter[c]])),
      );
    });

  test('refuses a chart it does not recognise, and a release Flux still reconciles', async (t) => {
    const ns = await withNamespace(t, 'adopt-refuse');
    await helm(
      [
        'install',
        'langfuse',
        CHART,
        '-n',
        ns,
        ...INSTALL_VALUES,
        '--set',
        'clickhouse.replicaCount=3',
        '--set',
        'clickhouse.clusterEnabled=true',
      ],
      {
        timeoutMs: 120_000,
      },
    );
    const cluster = await berth(['adopt', 'helm', 'langfuse', 'langfuse', '-n', ns]);
    assert.equal(cluster.code, 1, cluster.stderr);
    assert.match(cluster.stderr, /3-replica cluster with ZooKeeper/);
    const missing = await berth(['adopt', 'helm', 'not-installed', 'langfuse', '-n', ns]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no Helm release not-installed in namespace/);
    const notAdopted = await berth(['adopt', 'helm', 'langfuse', '-n', ns, '--undo']);
    assert.equal(notAdopted.code, 1);
    assert.match(notAdopted.stderr, /was not adopted from Helm by berth/);
    const other = await berth(['adopt', 'helm', 'langfuse', 'model-router', '-n', ns]);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /no adoption profile for model-router/);
    await kubectl(['label', 'deployment', 'langfuse-web', '-n', ns, 'helm.toolkit.fluxcd.io/name=langfuse']);
    const flux = await berth(['adopt', 'helm', 'langfuse', 'langfuse', '-n', ns, '--dry-run']);
    assert.equal(flux.code, 1);
    assert.match(flux.stderr, /still reconciled.*\n.*Flux/);
    assert.deepEqual(
      (await helmReleases(ns)).map((r) => [r.name, r.status]),
      [['langfuse', 'deployed']],
    );
  });
});
