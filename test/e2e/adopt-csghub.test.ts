/**
 * `berth adopt helm` of a CSGHub chart 1.2.x install, end to end: the real Helm 4 installs a chart of
 * our own that reproduces the official one (names, selector labels, Secret keys, claims, the
 * ConfigMaps the applications read their secrets from), berth takes it over, upgrades it, and hands
 * it back with --undo. On kwok no container runs, so the data markers are API-level: claim UIDs
 * and the credentials in Secrets.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  adoptKeepingClaims,
  assertHelmOwnsNothing,
  assertHelmsOnly,
  assertOk,
  claimUids,
  testChart,
  waitForClaims,
} from './support/adopt.ts';
import { berth, secretData } from './support/berth.ts';
import { helm, kubectl, kubectlJson, withNamespace } from './support/cluster.ts';
import { csghubPrerequisites } from './support/prerequisites.ts';

const CHART = testChart('csghub');
const STORES = ['postgresql', 'redis', 'minio', 'gitaly', 'nats', 'registry', 'gitlab-shell', 'builder'];

interface Workload {
  spec: {
    strategy?: Record<string, unknown>;
    selector: { matchLabels: Record<string, string> };
    template: {
      spec: {
        securityContext?: { runAsUser?: number };
        containers: { image: string; env?: { name: string; value?: string }[] }[];
      };
    };
  };
}

const envOf = (workload: Workload) =>
  Object.fromEntries((workload.spec.template.spec.containers[0]!.env ?? []).map((e) => [e.name, e.value]));

test('berth adopt helm takes over a CSGHub chart install with its volumes and credentials, and hands it back', async (t) => {
  const ns = await withNamespace(t, 'adopt-csghub');
  // The space namespace and the IngressClass are cluster-wide, the node ports cluster-unique:
  // this test's own (the guide's are 30080/30443/30022), removed after it.
  const spaces = `${ns}-space`;
  const ingressClass = `${ns}-nginx`;
  t.after(() => kubectl(['delete', 'namespace', spaces, '--wait=false', '--ignore-not-found']));
  t.after(() => kubectl(['delete', 'ingressclass', ingressClass, '--ignore-not-found']));
  await csghubPrerequisites(ns);
  const install = [
    '-n',
    ns,
    '--set',
    `global.runner.namespace=${spaces}`,
    '--set',
    `ingress-nginx.controller.ingressClassResource.name=${ingressClass}`,
    '--set',
    'ingress-nginx.controller.service.nodePorts.http=31180',
    '--set',
    'ingress-nginx.controller.service.nodePorts.https=31543',
    '--set',
    'ingress-nginx.controller.service.nodePorts.tcp.22=31122',
  ];
  await helm(['install', 'csghub', CHART, ...install], { timeoutMs: 120_000 });
  const claims = STORES.map((store) => `data-csghub-${store}-0`);
  await waitForClaims(ns, claims);
  const uidsBefore = await claimUids(ns);
  const pg = await secretData(ns, 'csghub-postgresql');
  const redis = (await secretData(ns, 'csghub-redis')).REDIS_PASSWD;
  const minio = (await secretData(ns, 'csghub-minio')).MINIO_ROOT_PASSWORD;
  const nats = (await secretData(ns, 'csghub-nats')).NATS_PASSWORD;
  const server = await kubectlJson<{ data: Record<string, string> }>([
    'get',
    'configmap',
    'csghub-server',
    '-n',
    ns,
  ]);
  assert.ok(pg.postgres && pg.csghub_server && redis && minio && nats);

  // The plan changes nothing.
  const dry = await berth(['adopt', 'helm', 'csghub', 'csghub', '-n', ns, '--dry-run']);
  assertOk(dry, 'dry run');
  assert.match(dry.stdout, /would adopt Helm release csghub \(chart csghub 1\.2\.3, revision 1\)/);
  for (const store of ['postgresql', 'redis', 'minio', 'gitaly', 'nats'])
    assert.match(dry.stdout, new RegExp(`PersistentVolumeClaim/data-csghub-${store}-0 → ${store}`));
  assert.match(dry.stdout, /ConfigMap\/csghub-postgresql-init \(post-install, post-upgrade\)/);
  assert.match(dry.stderr, /the chart's registry kept them in MinIO/);
  await assertHelmsOnly(ns, 'csghub');

  // Same volumes, same credentials.
  const { uidsAfter, valuesOut } = await adoptKeepingClaims(t, ns, 'csghub', 'csghub', claims, uidsBefore);
  assert.equal((await secretData(ns, 'csghub-postgresql')).password, pg.postgres);
  assert.equal((await secretData(ns, 'csghub-redis')).password, redis);
  assert.equal((await secretData(ns, 'csghub-minio'))['root-password'], minio);
  assert.equal((await secretData(ns, 'csghub-nats')).password, nats);
  const app = await secretData(ns, 'csghub-app');
  assert.equal(app['jwt-signing-key'], server.data.STARHUB_JWT_SIGNING_KEY);
  assert.equal(app['server-api-token'], server.data.STARHUB_SERVER_API_TOKEN);
  assert.equal(app['gitaly-token'], server.data.STARHUB_SERVER_GITALY_TOKEN);
  assert.equal(app['casdoor-client-secret'], '33bd85106818efd90c57fb35ffc787aabbff6f7a');

  // PostgreSQL runs the chart's image as its user on the same data directory, selected as before.
  const postgres = await kubectlJson<Workload>(['get', 'statefulset', 'csghub-postgresql', '-n', ns]);
  assert.deepEqual(postgres.spec.selector.matchLabels, {
    'app.kubernetes.io/name': 'postgresql',
    'app.kubernetes.io/instance': 'csghub',
  });
  assert.equal(
    postgres.spec.template.spec.containers[0]!.image,
    'opencsg-registry.cn-beijing.cr.aliyuncs.com/opencsg_public/postgres:15.7',
  );
  assert.equal(postgres.spec.template.spec.securityContext?.runAsUser, 999);
  assert.equal(envOf(postgres).PGDATA, '/var/lib/postgresql/data');
  // The applications sign in to it as the chart's superuser, and to Casdoor as the chart's client.
  const serverDeployment = await kubectlJson<Workload>(['get', 'deployment', 'csghub-server', '-n', ns]);
  assert.equal(serverDeployment.spec.selector.matchLabels['app.kubernetes.io/name'], 'server');
  assert.equal(envOf(serverDeployment).STARHUB_DATABASE_USERNAME, 'postgres');
  // berth runs the server with Recreate where the chart left a defaulted rolling update.
  assert.deepEqual(serverDeployment.spec.strategy, { type: 'Recreate' });
  const serverConfig = await kubectlJson<{ data: Record<string, string> }>([
    'get',
    'configmap',
    'csghub-server',
    '-n',
    ns,
  ]);
  assert.equal(serverConfig.data.STARHUB_SERVER_CASDOOR_CLIENT_ID, '7a97bc5168cb75ffc514');
  assert.equal(
    serverConfig.data.STARHUB_DATABASE_USERNAME,
    undefined,
    "the chart's key is gone with its owner",
  );

  // gitlab-shell reads the chart's host keys, the builder its work directory, from the chart's claims.
  for (const [set, path] of [
    ['csghub-gitlab-shell', '/srv/gitlab-shell/keys'],
    ['csghub-builder', '/opt/data'],
  ] as const) {
    const workload = await kubectlJson<{
      spec: {
        template: { spec: { containers: { volumeMounts?: { name: string; mountPath: string }[] }[] } };
      };
    }>(['get', 'statefulset', set, '-n', ns]);
    const mounted = workload.spec.template.spec.containers.flatMap((c) => c.volumeMounts ?? []);
    assert.equal(
      mounted.find((m) => m.mountPath === path)?.name,
      'data',
      `${set} mounts its claim at ${path}`,
    );
  }

  // The chart's ingress-nginx stays the entry: it serves berth's Ingresses and forwards SSH to gitlab-shell.
  await kubectl(['get', 'deployment', 'csghub-ingress-nginx-controller', '-n', ns]);
  const ingress = await kubectlJson<{ spec: { ingressClassName?: string } }>([
    'get',
    'ingress',
    'csghub-csghub',
    '-n',
    ns,
  ]);
  assert.equal(ingress.spec.ingressClassName, ingressClass);
  const ssh = await kubectlJson<{ spec: { type: string } }>([
    'get',
    'service',
    'csghub-gitlab-shell',
    '-n',
    ns,
  ]);
  assert.equal(ssh.spec.type, 'ClusterIP');
  const ingressClassLabels = await kubectlJson<{ metadata: { labels?: Record<string, string> } }>([
    'get',
    'ingressclass',
    ingressClass,
  ]);
  assert.notEqual(ingressClassLabels.metadata.labels?.['app.kubernetes.io/managed-by'], 'Helm');

  await assertHelmOwnsNothing(ns);

  // A later upgrade with the values berth deployed with keeps volumes and credentials.
  const upgrade = await berth([
    'upgrade',
    'csghub',
    'csghub',
    '-n',
    ns,
    '-f',
    valuesOut,
    '--set',
    'services.portal.replicas=2',
  ]);
  assertOk(upgrade, 'upgrade');
  assert.match(upgrade.stdout, /revision 2/);
  assert.deepEqual(await claimUids(ns), uidsAfter);
  assert.equal((await secretData(ns, 'csghub-postgresql')).password, pg.postgres);

  // Hand it back: Helm lists it again and can upgrade it, with the chart's own passwords.
  const undo = await berth(['adopt', 'helm', 'csghub', '-n', ns, '--undo']);
  assertOk(undo, 'undo');
  await assertHelmsOnly(ns, 'csghub');
  const helmUpgrade = await helm(['upgrade', 'csghub', CHART, ...install], {
    timeoutMs: 120_000,
    allowFailure: true,
  });
  assert.equal(helmUpgrade.code, 0, helmUpgrade.stderr);
  assert.deepEqual(await secretData(ns, 'csghub-postgresql').then((s) => [s.postgres, s.csghub_server]), [
    pg.postgres,
    pg.csghub_server,
  ]);
  const uidsBack = await claimUids(ns);
  for (const claim of claims) assert.equal(uidsBack[claim], uidsBefore[claim], `${claim} handed back`);
});
