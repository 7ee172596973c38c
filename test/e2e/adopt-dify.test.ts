/**
 * `berth adopt helm` of a Dify install: the real Helm 4 installs a chart of our own that reproduces
 * the community Dify chart (BorisPolonsky/dify-helm 0.37: names, selector labels, the Secret the
 * applications read their credentials from, claims), berth takes it over, upgrades it, and hands it
 * back with --undo. On kwok no container runs, so the data markers are API-level: claim UIDs and
 * the passwords in Secrets.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
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

const CHART = testChart('dify');
const secret = (what: string) => `${what}-${randomBytes(6).toString('hex')}`;
const CHART_SECRETS = {
  'global.appSecretKey': secret('app'),
  'global.internalApiKey': secret('internal'),
  'sandbox.auth.apiKey': secret('sandbox'),
  'postgresql.global.postgresql.auth.postgresPassword': secret('pg'),
  'redis.auth.password': secret('redis'),
  'weaviate.authentication.apikey.allowed_keys[0]': secret('weaviate'),
};
const INSTALL_VALUES = Object.entries(CHART_SECRETS).flatMap(([key, value]) => ['--set', `${key}=${value}`]);
const CLAIMS = [
  'data-dify-postgresql-primary-0',
  'redis-data-dify-redis-master-0',
  'weaviate-data-weaviate-0',
  'dify',
  'dify-plugin-daemon',
];

interface Workload {
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: {
      spec: {
        securityContext?: { runAsUser?: number };
        containers: {
          image: string;
          env?: { name: string; value?: string }[];
          volumeMounts?: { name: string; mountPath: string }[];
        }[];
        volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
      };
    };
  };
}

const workload = (ns: string, kind: string, name: string) =>
  kubectlJson<Workload>(['get', kind, name, '-n', ns]);
const claimOf = (w: Workload, volume: string) =>
  w.spec.template.spec.volumes?.find((v) => v.name === volume)?.persistentVolumeClaim?.claimName;
const exists = async (ns: string, kind: string, name: string) =>
  (await kubectl(['get', kind, name, '-n', ns], { allowFailure: true })).code === 0;

describe('berth adopt helm (Dify)', () => {
  test('takes over a community Dify chart install with its volumes and keys, upgrades it, and hands it back', async (t) => {
    const ns = await withNamespace(t, 'adopt-dify');
    await helm(['install', 'dify', CHART, '-n', ns, ...INSTALL_VALUES], { timeoutMs: 120_000 });
    await waitForClaims(ns, CLAIMS);
    const uidsBefore = await claimUids(ns);
    const chartApi = await secretData(ns, 'dify-api');
    assert.equal(chartApi.DB_PASSWORD, CHART_SECRETS['postgresql.global.postgresql.auth.postgresPassword']);

    // The plan changes nothing.
    const dry = await berth(['adopt', 'helm', 'dify', 'dify', '-n', ns, '--dry-run']);
    assertOk(dry, 'dry run');
    assert.match(dry.stdout, /would adopt Helm release dify \(chart dify 0\.37\.0, revision 1\)/);
    assert.match(dry.stdout, /PersistentVolumeClaim\/data-dify-postgresql-primary-0 → postgresql/);
    assert.match(dry.stdout, /PersistentVolumeClaim\/weaviate-data-weaviate-0 → weaviate/);
    assert.match(dry.stdout, /dify-app\/secret-key/);
    assert.match(dry.stderr, /claim dify \(uploaded files\) is mounted by berth's api and worker/);
    assert.doesNotMatch(dry.stdout, new RegExp(CHART_SECRETS['global.appSecretKey']));
    await assertHelmsOnly(ns, 'dify');
    assert.ok(await exists(ns, 'statefulset', 'dify-postgresql-primary'), 'the chart PostgreSQL still runs');
    assert.deepEqual(await claimUids(ns), uidsBefore);

    // Same volumes, same passwords and keys.
    const { uidsAfter } = await adoptKeepingClaims(t, ns, 'dify', 'dify', CLAIMS, uidsBefore);
    const keptSecrets = async () => ({
      postgres: (await secretData(ns, 'dify-postgresql')).password,
      redis: (await secretData(ns, 'dify-redis')).password,
      weaviate: (await secretData(ns, 'dify-weaviate'))['api-key'],
      app: await secretData(ns, 'dify-app'),
    });
    const kept = await keptSecrets();
    assert.equal(kept.postgres, CHART_SECRETS['postgresql.global.postgresql.auth.postgresPassword']);
    assert.equal(kept.redis, CHART_SECRETS['redis.auth.password']);
    assert.equal(kept.weaviate, CHART_SECRETS['weaviate.authentication.apikey.allowed_keys[0]']);
    assert.deepEqual(kept.app, {
      'secret-key': CHART_SECRETS['global.appSecretKey'],
      'plugin-daemon-key': CHART_SECRETS['global.internalApiKey'],
      'plugin-inner-api-key': CHART_SECRETS['global.internalApiKey'],
      'sandbox-api-key': CHART_SECRETS['sandbox.auth.apiKey'],
    });

    // berth's stores run on the chart's claims, where and as whom the chart's images left the data.
    const postgres = await workload(ns, 'statefulset', 'dify-postgresql');
    assert.equal(claimOf(postgres, 'data'), 'data-dify-postgresql-primary-0');
    const pg = postgres.spec.template.spec.containers[0]!;
    assert.equal(pg.volumeMounts?.find((m) => m.name === 'data')?.mountPath, '/bitnami/postgresql');
    assert.equal(pg.env?.find((e) => e.name === 'PGDATA')?.value, '/bitnami/postgresql/data');
    assert.equal(postgres.spec.template.spec.securityContext?.runAsUser, 1001);
    assert.equal(
      claimOf(await workload(ns, 'statefulset', 'dify-redis'), 'data'),
      'redis-data-dify-redis-master-0',
    );
    const weaviate = await workload(ns, 'statefulset', 'dify-weaviate');
    assert.equal(claimOf(weaviate, 'data'), 'weaviate-data-weaviate-0');
    assert.match(weaviate.spec.template.spec.containers[0]!.image, /weaviate:1\.27\.27$/);
    for (const name of ['dify-postgresql-primary', 'dify-redis-master', 'weaviate'])
      assert.equal(await exists(ns, 'statefulset', name), false, `the chart's ${name} is gone`);

    // The applications: the chart's selector, its database user, its file and plugin volumes.
    const api = await workload(ns, 'deployment', 'dify-api');
    assert.equal(api.spec.selector.matchLabels.component, 'api');
    assert.equal(claimOf(api, 'storage'), 'dify');
    assert.equal(
      api.spec.template.spec.containers[0]!.env?.find((e) => e.name === 'DB_USERNAME')?.value,
      'postgres',
    );
    assert.equal(claimOf(await workload(ns, 'deployment', 'dify-worker'), 'storage'), 'dify');
    assert.equal(
      claimOf(await workload(ns, 'deployment', 'dify-plugin-daemon'), 'storage'),
      'dify-plugin-daemon',
    );
    await assertHelmOwnsNothing(ns);

    // A later upgrade with the values berth deployed with keeps volumes and credentials.
    await upgradeAdopted(ns, 'dify', 'dify', 'services.web.replicas=2');
    assert.deepEqual(await claimUids(ns), uidsAfter);
    assert.deepEqual(await keptSecrets(), kept);

    // Hand it back: Helm lists it again and can upgrade it.
    const undo = await berth(['adopt', 'helm', 'dify', '-n', ns, '--undo']);
    assertOk(undo, 'undo');
    await assertHelmsOnly(ns, 'dify');
    const helmUpgrade = await helm(['upgrade', 'dify', CHART, '-n', ns, ...INSTALL_VALUES], {
      timeoutMs: 120_000,
      allowFailure: true,
    });
    assert.equal(helmUpgrade.code, 0, helmUpgrade.stderr);
    assert.ok(await exists(ns, 'statefulset', 'dify-postgresql-primary'), 'Helm re-created its PostgreSQL');
    const after = await claimUids(ns);
    for (const claim of CLAIMS)
      assert.equal(after[claim], uidsBefore[claim], `${claim} kept after the hand-back`);
  });
});
