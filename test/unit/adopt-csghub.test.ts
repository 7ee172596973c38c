/**
 * The CSGHub chart 1.2.x adoption profile on plain objects: which chart versions it takes, and what
 * it keeps of an install (credentials, data volumes and how they are read, the applications'
 * database user and OAuth client), what it refuses and what it says does not carry over.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { recognise } from '../../src/adopt/charts/index.ts';
import type { ChartObjects } from '../../src/adopt/charts/profile.ts';
import type { HelmRelease } from '../../src/adopt/helm-record.ts';
import { applicationEnv, keepImmutable } from '../../src/adopt/layout.ts';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import type { BerthError } from '../../src/errors.ts';
import { csghubRules } from '../../src/import/helm-values/csghub.ts';
import { importByRules } from '../../src/import/helm-values/engine.ts';
import type { LiveObject } from '../../src/kube/types.ts';
import { render } from '../../src/render/render.ts';

type Json = Record<string, any>;

const release = (version: string, config: Json = {}): HelmRelease => ({
  name: 'hub',
  namespace: 'ns',
  revision: 1,
  status: 'deployed',
  chart: { name: 'csghub', version, appVersion: 'v1.2.0' },
  config,
  objects: [],
  hooks: [],
  applyMethod: 'ssa',
});

const store = (name: string, image: string): LiveObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name },
  spec: {
    selector: { matchLabels: { 'app.kubernetes.io/name': name.replace('hub-', '') } },
    template: { spec: { containers: [{ name: 'c', image }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }],
  },
});

const configMap = (name: string, data: Record<string, string>): LiveObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data,
});

/** A CSGHub 1.2.3 install as the chart leaves it, without the objects `leave` names. */
function install(leave: readonly string[] = [], secrets: Record<string, Record<string, string>> = {}) {
  const objects: LiveObject[] = [
    configMap('hub-server', {
      STARHUB_JWT_SIGNING_KEY: 'jwt-of-the-chart',
      STARHUB_SERVER_API_TOKEN: 'a'.repeat(128),
      STARHUB_SERVER_GITALY_TOKEN: 'gitaly-of-the-chart',
    }),
    configMap('hub-casdoor', {
      STARHUB_SERVER_CASDOOR_CLIENT_ID: 'client-of-the-chart',
      STARHUB_SERVER_CASDOOR_CLIENT_SECRET: 'client-secret-of-the-chart',
    }),
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hub-casdoor' }, type: 'kubernetes.io/tls' },
    store('hub-postgresql', 'registry.example/opencsg_public/postgres:15.7'),
    store('hub-redis', 'registry.example/opencsg_public/redis:7.2.5'),
    store('hub-minio', 'registry.example/opencsg_public/minio/minio:RELEASE.2024-07-15T19-02-30Z'),
    store('hub-gitaly', 'registry.example/opencsg_public/gitaly:v17.5.0'),
    store('hub-nats', 'registry.example/opencsg_public/csghub_nats:2.10.16'),
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'hub-ingress-nginx-controller' } },
  ].filter((o) => !leave.includes(`${o.kind}/${o.metadata.name}`));
  const data: Record<string, Record<string, string>> = {
    'hub-postgresql': { postgres: 'pg-super', csghub_server: 'pg-server' },
    'hub-redis': { REDIS_PASSWD: 'redis-of-the-chart' },
    'hub-minio': { MINIO_ROOT_USER: 'minio', MINIO_ROOT_PASSWORD: 'minio-of-the-chart' },
    'hub-nats': { NATS_USERNAME: 'natsadmin', NATS_PASSWORD: 'nats-of-the-chart' },
    ...secrets,
  };
  const chart: ChartObjects = {
    get: (kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name),
    secret: (name) => data[name],
  };
  return chart;
}

const layoutOf = (config: Json = {}, objects = install()) =>
  recognise('csghub', release('1.2.3', config)).layout(release('1.2.3', config), objects, {});

describe('CSGHub chart 1.2.x adoption profile', () => {
  test('takes the 1.2.x charts (CSGHub v1.2.0, as berth pins it) and refuses the others with the reason', () => {
    for (const version of ['1.2.0', '1.2.3'])
      assert.equal(recognise('csghub', release(version)).versions, '1.2.x (CSGHub v1.2.0)');
    for (const version of ['1.3.0', '1.8.1', '1.2.3-rc.1', '11.2.0']) {
      assert.throws(
        () => recognise('csghub', release(version)),
        (e: BerthError) =>
          e.code === 'BERTH_ADOPT_CHART' &&
          e.message.includes(`chart csghub ${version} is not one berth recognises for csghub`),
      );
    }
  });

  test("keeps the install's credentials as berth's generated secrets", () => {
    const { seeds } = layoutOf();
    assert.deepEqual(Object.fromEntries(seeds), {
      'hub-app': {
        'jwt-signing-key': 'jwt-of-the-chart',
        'server-api-token': 'a'.repeat(128),
        'gitaly-token': 'gitaly-of-the-chart',
        'casdoor-client-secret': 'client-secret-of-the-chart',
      },
      'hub-postgresql': { password: 'pg-super' },
      'hub-redis': { password: 'redis-of-the-chart' },
      'hub-minio': { 'root-password': 'minio-of-the-chart' },
      'hub-nats': { password: 'nats-of-the-chart' },
    });
  });

  test("takes over each store's claim where the chart's image left the data", () => {
    const { stores, values } = layoutOf();
    assert.deepEqual(
      stores.map((s) => [s.dependency, `${s.workload.kind}/${s.workload.name}`, s.claim, s.uid, s.env]),
      [
        [
          'postgresql',
          'StatefulSet/hub-postgresql',
          'data-hub-postgresql-0',
          999,
          { PGDATA: '/var/lib/postgresql/data' },
        ],
        ['redis', 'StatefulSet/hub-redis', 'data-hub-redis-0', 999, undefined],
        ['minio', 'StatefulSet/hub-minio', 'data-hub-minio-0', 1000, undefined],
        ['gitaly', 'StatefulSet/hub-gitaly', 'data-hub-gitaly-0', 1000, undefined],
        ['nats', 'StatefulSet/hub-nats', 'data-hub-nats-0', 1000, undefined],
      ],
    );
    const deps = values.dependencies as Json;
    // berth's StatefulSets have the chart's names: the claim templates find the claims, no existingClaim.
    assert.deepEqual(deps.postgresql, {
      image: { repository: 'registry.example/opencsg_public/postgres', tag: '15.7' },
      podSecurityContext: { runAsUser: 999, runAsGroup: 999, fsGroup: 999 },
    });
    assert.deepEqual(deps.gitaly.image, {
      repository: 'registry.example/opencsg_public/gitaly',
      tag: 'v17.5.0',
    });
    assert.equal(deps.redis.image, undefined, "berth's Valkey reads Redis 7.2 data");
    assert.equal(deps.redis.persistence, undefined);
  });

  test("berth's applications use the chart's superuser, OAuth client and Casdoor certificate", () => {
    const { appEnv, values } = layoutOf();
    assert.deepEqual(appEnv, {
      STARHUB_SERVER_CASDOOR_CLIENT_ID: 'client-of-the-chart',
      STARHUB_DATABASE_USERNAME: 'postgres',
      CSGHUB_PORTAL_DATABASE_USERNAME: 'postgres',
      DB_USERNAME: 'postgres',
      PGUSER: 'postgres',
      POSTGRES_USER: 'postgres',
    });
    assert.deepEqual(values.csghub, { casdoor: { jwtSecret: 'hub-casdoor' } });
    assert.deepEqual(values.patches, [
      {
        target: { kind: 'ConfigMap', name: 'hub-server' },
        patch: { data: { STARHUB_SERVER_CASDOOR_CLIENT_ID: 'client-of-the-chart' } },
      },
    ]);
  });

  test("every variable berth's workloads name the database user in follows the chart's superuser", async () => {
    const layout = layoutOf();
    const { manifests } = await render(await getBlueprint('csghub'), layout.values, {
      release: 'hub',
      namespace: 'ns',
    });
    const named: string[] = [];
    for (const { object } of manifests) {
      const pod = object.spec as Json | undefined;
      const spec = pod?.template?.spec ?? pod?.jobTemplate?.spec?.template?.spec;
      const operations = (applicationEnv(object, layout.appEnv)?.patch ?? []) as Json[];
      for (const [index, container] of ((spec?.containers ?? []) as Json[]).entries()) {
        for (const user of (container.env ?? []) as Json[]) {
          if (user.value !== 'csghub' || !/USER(NAME)?$/.test(user.name)) continue;
          named.push(user.name);
          const set = operations.filter(
            (op) => op.path.includes(`/containers/${index}/env/`) && op.value.name === user.name,
          );
          assert.deepEqual(
            set.map((op) => op.value.value),
            ['postgres'],
            `${object.kind}/${object.metadata.name} ${container.name} ${user.name}`,
          );
        }
      }
    }
    assert.ok(named.includes('STARHUB_DATABASE_USERNAME') && named.includes('PGUSER'), named.join());
  });

  test("gitlab-shell keeps its host keys: berth's mounts follow the chart's claim template at the same path", () => {
    const mounts = (name: string) => [{ name, mountPath: '/srv/gitlab-shell/keys' }];
    const statefulSet = (template: string) => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'hub-gitlab-shell' },
      spec: {
        selector: { matchLabels: { app: 'x' } },
        serviceName: 'hub-gitlab-shell',
        template: {
          spec: {
            initContainers: [{ name: 'host-keys', volumeMounts: mounts(template) }],
            containers: [
              {
                name: 'gitlab-shell',
                volumeMounts: [{ name: 'config', mountPath: '/opt/gitlab-shell' }, ...mounts(template)],
              },
            ],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: template }, spec: { accessModes: ['ReadWriteOnce'] } }],
      },
    });
    const operations = (keepImmutable(statefulSet('keys'), statefulSet('data')).patch?.patch ?? []) as Json[];
    // Each rename checks first that the entry at that position is still berth's mount.
    assert.deepEqual(operations.slice(1), [
      { op: 'test', path: '/spec/template/spec/initContainers/0/volumeMounts/0/name', value: 'keys' },
      { op: 'replace', path: '/spec/template/spec/initContainers/0/volumeMounts/0/name', value: 'data' },
      { op: 'test', path: '/spec/template/spec/containers/0/volumeMounts/1/name', value: 'keys' },
      { op: 'replace', path: '/spec/template/spec/containers/0/volumeMounts/1/name', value: 'data' },
    ]);
    assert.equal(operations[0]?.path, '/spec/volumeClaimTemplates');
  });

  test("the chart's ingress-nginx stays the entry: berth's Ingresses use its class, SSH stays behind it", () => {
    const layout = layoutOf({
      'ingress-nginx': { controller: { ingressClassResource: { name: 'hub-nginx' } } },
    });
    assert.deepEqual(layout.leaveRunning, ['hub-ingress-nginx', 'hub-nginx']);
    assert.deepEqual(layout.values.ingress, { className: 'hub-nginx' });
    assert.deepEqual(layout.values.services, { gitlabShell: { service: { type: 'ClusterIP' } } });
    const without = layoutOf({}, install(['Deployment/hub-ingress-nginx-controller']));
    assert.deepEqual(without.leaveRunning, []);
    assert.equal(without.values.ingress, undefined);
  });

  test('the values it derives are valid berth values, and the chart 1.2 keys import', async () => {
    const blueprint = await getBlueprint('csghub');
    const imported = importByRules(blueprint.schema, csghubRules, {
      global: {
        domain: 'hub.example.com',
        minio: { enabled: true },
        runner: {
          namespace: 'spaces',
          internalDomain: [{ domain: 'app.internal', host: '192.0.2.10', port: 30213 }],
          kubeConfig: { secretName: 'hub-kube' },
        },
      },
    });
    assert.deepEqual(imported.report.unsupported, []);
    const values = imported.values as Json;
    assert.equal(values.csghub.domain, 'hub.example.com');
    assert.deepEqual(values.csghub.runner, {
      namespace: 'spaces',
      internalDomains: [{ domain: 'app.internal', host: '192.0.2.10', port: 30213 }],
      kubeconfigSecret: 'hub-kube',
    });
    assert.equal(values.integrations.s3.enabled, false);
    const parsed = blueprint.schema.safeParse(layoutOf().values);
    assert.ok(parsed.success, parsed.error?.message);
  });

  test('says what does not carry over', () => {
    const notes = layoutOf().notes.join('\n');
    assert.match(notes, /berth's root user is berth-admin, the chart's was minio/);
    assert.match(notes, /space images: the chart's registry kept them in MinIO/);
    assert.match(notes, /Root@1234/);
  });

  test('stores the chart did not bundle are left to integrations', () => {
    const layout = layoutOf({ global: { postgresql: { enabled: false }, minio: { enabled: false } } });
    assert.deepEqual(
      layout.stores.map((s) => s.dependency),
      ['redis', 'gitaly', 'nats'],
    );
    assert.equal(layout.seeds.get('hub-postgresql'), undefined);
    assert.equal(layout.appEnv.STARHUB_DATABASE_USERNAME, undefined);
  });

  test('refuses an install whose Gitaly is external: berth would serve no repositories', () => {
    assert.throws(
      () => layoutOf({ global: { gitaly: { enabled: false } } }),
      /the chart uses an external Gitaly \(global.gitaly.enabled false\); berth always runs its own/,
    );
  });

  test('refuses an install whose secrets or superuser password it cannot read', () => {
    assert.throws(
      () => layoutOf({}, install(['ConfigMap/hub-server'])),
      /the chart's ConfigMap hub-server is missing, so the secrets the install runs with cannot be read/,
    );
    assert.throws(
      () => layoutOf({}, install([], { 'hub-postgresql': { csghub_server: 'pg-server' } })),
      /Secret hub-postgresql has no key postgres \(the superuser's password\)/,
    );
  });
});
