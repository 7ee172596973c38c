/**
 * The dify adoption profile on plain objects: which chart versions it takes, and how a running
 * BorisPolonsky/dify-helm install maps onto berth (kept credentials, data volumes, application
 * environment, notes), and what it refuses.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { difyCommunity } from '../../src/adopt/charts/dify.ts';
import { type ChartObjects, recognise } from '../../src/adopt/charts/index.ts';
import { BITNAMI_POSTGRES_SERVER } from '../../src/adopt/charts/profile.ts';
import type { HelmRelease } from '../../src/adopt/helm-record.ts';
import { applicationEnv } from '../../src/adopt/layout.ts';
import type { BerthError } from '../../src/errors.ts';
import type { LiveObject } from '../../src/kube/types.ts';
import type { KubeObject } from '../../src/render/model.ts';

type Json = Record<string, any>;

const helmRelease = (name: string, version: string, config: Json = {}): HelmRelease => ({
  name,
  namespace: 'ns',
  revision: 1,
  status: 'deployed',
  chart: { name: 'dify', version, appVersion: '1.14.2' },
  config,
  objects: [],
  hooks: [],
  applyMethod: 'ssa',
});

const b64 = (value: string) => Buffer.from(value).toString('base64');
const object = (kind: string, name: string, rest: Json): LiveObject => ({
  apiVersion: kind === 'Secret' || kind === 'ConfigMap' ? 'v1' : 'apps/v1',
  kind,
  metadata: { name },
  ...rest,
});

const deployment = (name: string, container: Json, claim?: string) =>
  object('Deployment', name, {
    spec: {
      template: {
        spec: {
          containers: [{ name: 'c', ...container }],
          volumes: claim ? [{ name: 'app-data', persistentVolumeClaim: { claimName: claim } }] : [],
        },
      },
    },
  });

const statefulSet = (name: string, template: string, image = 'docker.io/bitnamilegacy/x:1') =>
  object('StatefulSet', name, {
    spec: {
      template: { spec: { containers: [{ name: 'c', image }] } },
      volumeClaimTemplates: [{ metadata: { name: template } }],
    },
  });

const CREDENTIALS = {
  SECRET_KEY: 'chart-secret-key',
  DB_USERNAME: 'postgres',
  DB_PASSWORD: 'chart-db-password',
  REDIS_PASSWORD: 'chart-redis-password',
  WEAVIATE_API_KEY: 'chart-weaviate-key',
  PLUGIN_DAEMON_KEY: 'chart-plugin-daemon-key',
  INNER_API_KEY_FOR_PLUGIN: 'chart-inner-key',
  CODE_EXECUTION_API_KEY: 'chart-sandbox-key',
};

/** A default install of chart 0.37 (fullname `fullname`, Bitnami stores of release `release`). */
function install(
  release: string,
  fullname: string,
  change: (objects: LiveObject[]) => LiveObject[] = (o) => o,
) {
  const objects = change([
    object('Secret', `${fullname}-api`, {
      data: Object.fromEntries(Object.entries(CREDENTIALS).map(([k, v]) => [k, b64(v)])),
    }),
    object('ConfigMap', `${fullname}-api`, { data: { DB_DATABASE: 'dify', LOG_LEVEL: 'INFO' } }),
    deployment(
      `${fullname}-api`,
      {
        env: [{ name: 'LOG_LEVEL', value: 'INFO' }],
        envFrom: [{ configMapRef: { name: `${fullname}-api` } }, { secretRef: { name: `${fullname}-api` } }],
      },
      fullname,
    ),
    deployment(`${fullname}-plugin-daemon`, {}, `${fullname}-plugin-daemon`),
    statefulSet(`${release}-postgresql-primary`, 'data'),
    statefulSet(`${release}-postgresql-read`, 'data'),
    statefulSet(`${release}-redis-master`, 'redis-data'),
    statefulSet('weaviate', 'weaviate-data', 'cr.weaviate.io/semitechnologies/weaviate:1.27.27'),
  ]);
  const chartObjects: ChartObjects = {
    get: (kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name),
    secret: (name) => {
      const data = objects.find((o) => o.kind === 'Secret' && o.metadata.name === name)?.data as
        | Record<string, string>
        | undefined;
      return (
        data &&
        Object.fromEntries(
          Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
        )
      );
    },
  };
  return chartObjects;
}

const refusal = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (error: BerthError) => error.code === 'BERTH_ADOPT_CHART' && pattern.test(error.message));

describe('dify adoption profile', () => {
  test('takes chart dify 0.36.x and 0.37.x; refuses other versions with the reason', () => {
    for (const version of ['0.36.0', '0.36.3', '0.37.0', '0.37.1'])
      assert.equal(recognise('dify', helmRelease('dify', version)), difyCommunity, version);
    for (const version of ['0.35.0', '0.38.0-rc2', '0.38.0', '1.36.0', '0.370.0'])
      refusal(
        () => recognise('dify', helmRelease('dify', version)),
        new RegExp(`chart dify ${version.replace(/\./g, '\\.')} is not one berth recognises for dify`),
      );
  });

  test('a default install: the chart credentials become berth kept secrets, each store keeps its claim', () => {
    const layout = difyCommunity.layout(helmRelease('dify', '0.37.0'), install('dify', 'dify'), {});
    assert.deepEqual(Object.fromEntries(layout.seeds), {
      'dify-app': {
        'secret-key': 'chart-secret-key',
        'plugin-daemon-key': 'chart-plugin-daemon-key',
        'plugin-inner-api-key': 'chart-inner-key',
        'sandbox-api-key': 'chart-sandbox-key',
      },
      'dify-postgresql': { password: 'chart-db-password' },
      'dify-redis': { password: 'chart-redis-password' },
      'dify-weaviate': { 'api-key': 'chart-weaviate-key' },
    });
    assert.deepEqual(layout.stores, [
      {
        dependency: 'postgresql',
        workload: { kind: 'StatefulSet', name: 'dify-postgresql-primary' },
        claim: 'data-dify-postgresql-primary-0',
        mountPath: '/bitnami/postgresql',
        env: { PGDATA: '/bitnami/postgresql/data' },
        uid: 1001,
        server: BITNAMI_POSTGRES_SERVER,
      },
      {
        dependency: 'redis',
        workload: { kind: 'StatefulSet', name: 'dify-redis-master' },
        claim: 'redis-data-dify-redis-master-0',
        uid: 1001,
      },
      {
        dependency: 'weaviate',
        workload: { kind: 'StatefulSet', name: 'weaviate' },
        claim: 'weaviate-data-weaviate-0',
        uid: 1000,
      },
    ]);
    assert.deepEqual(layout.appEnv, { DB_USERNAME: 'postgres' });
    assert.deepEqual(layout.values, {
      integrations: { postgresql: { pluginDatabase: 'dify' } },
      dify: { storage: { type: 'pvc', persistence: { existingClaim: 'dify' } } },
      dependencies: {
        weaviate: {
          image: { tag: '1.27.27' },
          podSecurityContext: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 },
          persistence: { existingClaim: 'weaviate-data-weaviate-0' },
        },
        pluginStorage: { persistence: { existingClaim: 'dify-plugin-daemon' } },
        postgresql: {
          podSecurityContext: { runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001 },
          persistence: { existingClaim: 'data-dify-postgresql-primary-0' },
        },
        redis: {
          podSecurityContext: { runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001 },
          persistence: { existingClaim: 'redis-data-dify-redis-master-0' },
        },
      },
      extraObjects: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'dify-postgresql-adopted' },
          data: BITNAMI_POSTGRES_SERVER.files,
        },
      ],
    });
    assert.deepEqual(layout.leaveRunning, []);
    assert.equal(layout.notes.length, 3);
    assert.match(layout.notes[0]!, /Weaviate: the chart's files belong to root.*fsGroup 1000/);
    assert.equal(
      layout.notes[1],
      "claim dify (uploaded files) is mounted by berth's api and worker at /app/api/storage",
    );
    assert.equal(
      layout.notes[2],
      "claim dify-plugin-daemon (installed plugins) is mounted by berth's plugin daemon at /app/storage",
    );
  });

  test('a release without "dify" in its name, a standalone PostgreSQL and the 0.36 sandbox key from env', () => {
    const objects = install('team', 'team-dify', (list) =>
      list
        .filter((o) => o.metadata.name !== 'team-postgresql-primary')
        .concat(
          statefulSet('team-postgresql', 'data'),
          object('Secret', 'team-dify-sandbox', { data: { API_KEY: b64('sandbox-from-env') } }),
        )
        .map((o) =>
          o.kind === 'Deployment' && o.metadata.name === 'team-dify-api'
            ? deployment(
                'team-dify-api',
                {
                  envFrom: [
                    { configMapRef: { name: 'team-dify-api' } },
                    { secretRef: { name: 'team-dify-api' } },
                  ],
                  env: [
                    {
                      name: 'CODE_EXECUTION_API_KEY',
                      valueFrom: { secretKeyRef: { name: 'team-dify-sandbox', key: 'API_KEY' } },
                    },
                  ],
                },
                'team-dify',
              )
            : o,
        ),
    );
    const layout = difyCommunity.layout(helmRelease('team', '0.36.0'), objects, {});
    assert.equal(layout.seeds.get('team-app')?.['sandbox-api-key'], 'sandbox-from-env');
    assert.equal(layout.seeds.get('team-postgresql')?.password, 'chart-db-password');
    const postgres = layout.stores.find((s) => s.dependency === 'postgresql');
    assert.deepEqual(postgres?.workload, { kind: 'StatefulSet', name: 'team-postgresql' });
    assert.equal(postgres?.claim, 'data-team-postgresql-0');
    assert.deepEqual((layout.values.dify as Json).storage.persistence, { existingClaim: 'team-dify' });
    // berth's StatefulSet team-postgresql has the chart's name: applied over in place, no existingClaim.
    assert.equal((layout.values.dependencies as Json).postgresql.persistence, undefined);
  });

  test('an empty chart key is not kept: berth generates one for both sides', () => {
    const objects = install('dify', 'dify', (l) =>
      l.map((o) =>
        o.kind === 'Secret' && o.metadata.name === 'dify-api'
          ? { ...o, data: { ...(o.data as Json), INNER_API_KEY_FOR_PLUGIN: '' } }
          : o,
      ),
    );
    const app = difyCommunity.layout(helmRelease('dify', '0.37.0'), objects, {}).seeds.get('dify-app');
    assert.equal(app?.['plugin-inner-api-key'], undefined);
    assert.equal(app?.['secret-key'], 'chart-secret-key');
  });

  test('a SECRET_KEY that cannot be read is refused, unless the user names the Secret that holds it', () => {
    const noKey = install('dify', 'dify', (l) =>
      l.filter((o) => !(o.kind === 'Secret' && o.metadata.name === 'dify-api')),
    );
    refusal(
      () => difyCommunity.layout(helmRelease('dify', '0.37.0'), noKey, {}),
      /SECRET_KEY cannot be read/,
    );
    const layout = difyCommunity.layout(helmRelease('dify', '0.37.0'), noKey, {
      dify: { existingSecret: 'dify-keys' },
    });
    assert.equal(layout.seeds.get('dify-app'), undefined);
  });

  test('external PostgreSQL and Redis: no seeds or stores for them, their values come from the importer', () => {
    const layout = difyCommunity.layout(
      helmRelease('dify', '0.37.0', {
        postgresql: { enabled: false },
        externalPostgres: { enabled: true },
        redis: { enabled: false },
      }),
      install('dify', 'dify'),
      {},
    );
    assert.deepEqual(
      layout.stores.map((s) => s.dependency),
      ['weaviate'],
    );
    assert.equal(layout.seeds.get('dify-postgresql'), undefined);
    assert.equal(layout.seeds.get('dify-redis'), undefined);
    assert.deepEqual(layout.appEnv, {});
  });

  test('Redis with Sentinel is refused unless berth uses it as integrations.redis, then left running', () => {
    const config = { redis: { sentinel: { enabled: true } } };
    refusal(
      () => difyCommunity.layout(helmRelease('dify', '0.37.0', config), install('dify', 'dify'), {}),
      /Redis with Sentinel/,
    );
    const layout = difyCommunity.layout(helmRelease('dify', '0.37.0', config), install('dify', 'dify'), {
      integrations: { redis: { enabled: true } },
    });
    assert.deepEqual(layout.leaveRunning, ['dify-redis']);
    assert.equal(
      layout.stores.find((s) => s.dependency === 'redis'),
      undefined,
    );
  });

  test('refuses what it cannot carry over: no api Deployment, MySQL, another database, files or vectors elsewhere', () => {
    const without = (name: string) =>
      install('dify', 'dify', (l) => l.filter((o) => o.metadata.name !== name));
    refusal(
      () => difyCommunity.layout(helmRelease('dify', '0.37.0'), without('dify-api'), {}),
      /Deployment dify-api is missing/,
    );
    refusal(
      () =>
        difyCommunity.layout(
          helmRelease('dify', '0.37.0', { externalMysql: { enabled: true } }),
          install('dify', 'dify'),
          {},
        ),
      /MySQL/,
    );
    const otherDatabase = install('dify', 'dify', (l) =>
      l.map((o) =>
        o.kind === 'ConfigMap' ? object('ConfigMap', 'dify-api', { data: { DB_DATABASE: 'difydb' } }) : o,
      ),
    );
    refusal(
      () => difyCommunity.layout(helmRelease('dify', '0.37.0'), otherDatabase, {}),
      /the chart's database is difydb/,
    );
    const s3 = install('dify', 'dify', (l) =>
      l.map((o) =>
        o.metadata.name === 'dify-api' && o.kind === 'Deployment'
          ? deployment('dify-api', { envFrom: [{ secretRef: { name: 'dify-api' } }] })
          : o,
      ),
    );
    refusal(
      () => difyCommunity.layout(helmRelease('dify', '0.37.0'), s3, {}),
      /uploaded files in external object storage/,
    );
    assert.equal(
      difyCommunity.layout(helmRelease('dify', '0.37.0'), s3, { integrations: { s3: { enabled: true } } })
        .values.dify,
      undefined,
    );
    const external = helmRelease('dify', '0.37.0', { weaviate: { enabled: false } });
    refusal(() => difyCommunity.layout(external, install('dify', 'dify'), {}), /external vector store/);
    const layout = difyCommunity.layout(external, install('dify', 'dify'), {
      integrations: { qdrant: { enabled: true } },
    });
    assert.equal(
      layout.stores.find((s) => s.dependency === 'weaviate'),
      undefined,
    );
  });

  test("berth's application containers take the chart's database user where they set one", () => {
    const api: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'dify-api' },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'api',
                env: [
                  { name: 'MODE', value: 'api' },
                  { name: 'DB_USERNAME', value: 'dify' },
                ],
              },
              { name: 'side', env: [{ name: 'MODE', value: 'x' }] },
            ],
          },
        },
      },
    };
    assert.deepEqual(applicationEnv(api, { DB_USERNAME: 'postgres' }), {
      target: { kind: 'Deployment', name: 'dify-api' },
      patch: [
        { op: 'test', path: '/spec/template/spec/containers/0/env/1/name', value: 'DB_USERNAME' },
        {
          op: 'replace',
          path: '/spec/template/spec/containers/0/env/1',
          value: { name: 'DB_USERNAME', value: 'postgres' },
        },
      ],
    });
  });
});
