/**
 * The SwanLab self-hosted chart profile on plain objects shaped like the chart's (0.3.x): which
 * versions it recognises, the chart's names, and what it keeps — passwords, volumes, data paths.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ChartObjects, recognise } from '../../src/adopt/charts/index.ts';
import { swanlabNames, swanlabSelfHosted } from '../../src/adopt/charts/swanlab.ts';
import type { HelmRelease } from '../../src/adopt/helm-record.ts';
import { storeLayout } from '../../src/adopt/layout.ts';
import { blueprint as swanlab } from '../../src/blueprints/swanlab/blueprint.ts';
import { importByRules, isInlineSecret } from '../../src/import/helm-values/engine.ts';
import { swanlabRules } from '../../src/import/helm-values/swanlab.ts';
import type { LiveObject } from '../../src/kube/types.ts';
import { render } from '../../src/render/render.ts';

type Json = Record<string, unknown>;

const release = (config: Json = {}, name = 'swanlab', version = '0.3.0'): HelmRelease => ({
  name,
  namespace: 'ns',
  revision: 1,
  status: 'deployed',
  chart: { name: 'self-hosted', version, appVersion: '2.7.0' },
  config,
  objects: [],
  hooks: [],
  applyMethod: 'ssa',
});

const fromSecret = (name: string, secret: string, key: string) => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key } },
});

const workload = (kind: string, name: string, pod: Json, spec: Json = {}): LiveObject => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: { name },
  spec: { ...spec, template: { spec: pod } },
});

/** The chart's objects for release `swanlab` (fullname swanlab-self-hosted), with these Secrets. */
function chartObjects(secrets: Record<string, Record<string, string>>, prefix = 'swanlab-self-hosted') {
  const credentials = (store: string) => `${prefix}-${store}-credentials`;
  const store = (part: string) =>
    workload('Deployment', `${prefix}-${part}`, {
      containers: [{ name: part, env: [] }],
      volumes: [{ name: 'v', persistentVolumeClaim: { claimName: `${prefix}-${part}-pvc` } }],
    });
  const objects = [
    workload('Deployment', `${prefix}-server`, {
      containers: [
        {
          name: 'server',
          env: [
            fromSecret('DATABASE_URL', credentials('postgres'), 'primaryUrl'),
            fromSecret('REDIS_URL', credentials('redis'), 'url'),
            fromSecret('ACCESS_KEY', credentials('s3'), 'accessKey'),
            fromSecret('SECRET_KEY', credentials('s3'), 'secretKey'),
          ],
        },
      ],
    }),
    workload(
      'StatefulSet',
      `${prefix}-house`,
      {
        containers: [
          {
            name: 'house',
            env: [
              fromSecret('SH_DB_USERNAME', credentials('clickhouse'), 'username'),
              fromSecret('SH_DB_PASSWORD', credentials('clickhouse'), 'password'),
            ],
          },
        ],
      },
      { volumeClaimTemplates: [{ metadata: { name: 'house' } }] },
    ),
    ...['postgres', 'redis', 'clickhouse', 's3'].map(store),
  ];
  const chart: ChartObjects = {
    get: (kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name),
    secret: (name) => secrets[name],
  };
  return chart;
}

/** The chart's Secrets with its default credentials. */
const chartDefaults = (prefix = 'swanlab-self-hosted'): Record<string, Record<string, string>> => ({
  [`${prefix}-postgres-credentials`]: {
    primaryUrl: `postgres://swanlab:swanlab-postgres@${prefix}-postgres:5432/app`,
  },
  [`${prefix}-redis-credentials`]: { url: `redis://default@${prefix}-redis:6379/0` },
  [`${prefix}-clickhouse-credentials`]: { username: 'swanlab', password: 'swanlab-clickhouse' },
  [`${prefix}-s3-credentials`]: { accessKey: 'swanlab', secretKey: 'swanlab-s3' },
});
const CHART_DEFAULTS = chartDefaults();

describe('SwanLab self-hosted chart profile', () => {
  test('recognises chart self-hosted 0.3.x for swanlab and refuses other versions and charts with the reason', () => {
    assert.equal(recognise('swanlab', release()).chart, 'self-hosted');
    assert.equal(recognise('swanlab', release({}, 'swanlab', '0.3.7')), swanlabSelfHosted);
    assert.throws(
      () => recognise('swanlab', release({}, 'swanlab', '0.2.6')),
      /chart self-hosted 0\.2\.6 is not one berth recognises for swanlab \(self-hosted 0\.3\.x \(SwanLab 2\.7\)\)/,
    );
    assert.throws(() => recognise('swanlab', release({}, 'swanlab', '1.0.0')), /not one berth recognises/);
    assert.throws(
      () => recognise('langfuse', release()),
      /chart self-hosted 0\.3\.0 is not one berth recognises for langfuse/,
    );
  });

  test("names the chart's objects as its helpers do: release or <release>-self-hosted, overrides, 40 characters", () => {
    assert.equal(swanlabNames(release()).store('postgres'), 'swanlab-self-hosted-postgres');
    assert.equal(swanlabNames(release({}, 'my-self-hosted')).house, 'my-self-hosted-house');
    assert.equal(swanlabNames(release({ nameOverride: 'tracker' })).server, 'swanlab-tracker-server');
    assert.equal(swanlabNames(release({ nameOverride: 'lab' })).server, 'swanlab-server');
    assert.equal(swanlabNames(release({ fullnameOverride: 'sl' })).store('s3'), 'sl-s3');
    assert.equal(
      swanlabNames(release({ dependencies: { redis: { fullnameOverride: 'cache' } } })).store('redis'),
      'cache',
    );
    // 40 characters, then a trailing dash trimmed.
    const long = swanlabNames(release({}, 'a-very-long-release-name-of-self-hosted'));
    assert.equal(long.fullname, 'a-very-long-release-name-of-self-hosted');
    assert.equal(long.store('clickhouse'), 'a-very-long-release-name-of-self-hosted');
    assert.equal(swanlabNames(release({}, 'a-very-long-release-name-of-swanlab-x')).server.length, 40);
  });

  test("keeps the passwords the applications run with, the chart's claims and its data layout", () => {
    const layout = swanlabSelfHosted.layout(release(), chartObjects(CHART_DEFAULTS), {});
    assert.deepEqual(Object.fromEntries(layout.seeds), {
      'swanlab-postgresql': { password: 'swanlab-postgres' },
      'swanlab-clickhouse': { password: 'swanlab-clickhouse' },
      'swanlab-minio': { 'root-password': 'swanlab-s3' },
    });
    assert.deepEqual(
      layout.stores.map((s) => [s.dependency, s.component, s.workload.name, s.claim, s.uid]),
      [
        ['postgres', 'postgresql', 'swanlab-self-hosted-postgres', 'swanlab-self-hosted-postgres-pvc', 999],
        ['redis', 'redis', 'swanlab-self-hosted-redis', 'swanlab-self-hosted-redis-pvc', 999],
        [
          'clickhouse',
          'clickhouse',
          'swanlab-self-hosted-clickhouse',
          'swanlab-self-hosted-clickhouse-pvc',
          101,
        ],
        ['s3', 'minio', 'swanlab-self-hosted-s3', 'swanlab-self-hosted-s3-pvc', 1000],
      ],
    );
    const postgres = layout.stores[0]!;
    assert.equal(postgres.mountPath, '/var/lib/postgresql');
    assert.deepEqual(postgres.env, { PGDATA: '/var/lib/postgresql/data' });
    assert.deepEqual(layout.stores[1]!.env, { REDIS_ARGS: '--requirepass $(REDIS_PASSWORD)' });
    assert.deepEqual((layout.values.dependencies as Json).postgres, {
      podSecurityContext: { runAsUser: 999, runAsGroup: 999, fsGroup: 999 },
      persistence: { existingClaim: 'swanlab-self-hosted-postgres-pvc' },
    });
    assert.deepEqual(layout.appEnv, {});
    assert.deepEqual(layout.leaveRunning, []);
    const notes = layout.notes.join('\n');
    assert.match(notes, /MinIO: berth's root user is berth-admin, the chart's was swanlab/);
    assert.match(notes, /Redis: the chart ran it without a password/);
    assert.match(notes, /postgres, clickhouse, s3: the install runs with the chart's default password/);
    assert.match(notes, /house-swanlab-self-hosted-house-N .* stay in place unused/);
    assert.match(notes, /redis \(berth: uid 999\), s3 \(berth: uid 1000\) ran as root in the chart/);
    for (const secret of ['swanlab-postgres', 'swanlab-clickhouse', 'swanlab-s3'])
      assert.ok(!notes.includes(secret), 'no password in the notes');
  });

  test('passwords set in the chart are kept, and no default-password note; stores on integrations are left alone', () => {
    const objects = chartObjects({
      ...CHART_DEFAULTS,
      'swanlab-self-hosted-postgres-credentials': {
        primaryUrl: 'postgres://swanlab:p%40ss@swanlab-self-hosted-postgres:5432/app',
      },
      'swanlab-self-hosted-clickhouse-credentials': { username: 'swanlab', password: 'ch-secret' },
      'swanlab-self-hosted-s3-credentials': { accessKey: 'swanlab', secretKey: 's3-secret' },
    });
    const own = swanlabSelfHosted.layout(release(), objects, {});
    assert.equal(own.seeds.get('swanlab-postgresql')?.password, 'p@ss');
    assert.ok(!own.notes.some((n) => n.includes('default password')));

    const external = swanlabSelfHosted.layout(
      release({ integrations: { postgres: { enabled: true }, s3: { enabled: true } } }),
      objects,
      {},
    );
    assert.deepEqual(
      external.stores.map((s) => s.dependency),
      ['redis', 'clickhouse'],
    );
    assert.deepEqual([...external.seeds.keys()], ['swanlab-clickhouse']);
    assert.ok(!external.notes.some((n) => n.startsWith('MinIO')));
    assert.ok(external.notes.some((n) => n.startsWith('redis (berth: uid 999) ran as root')));
  });

  test('a release named like its chart keeps house in place: no note about its claims', () => {
    const objects = chartObjects(chartDefaults('self-hosted'), 'self-hosted');
    const layout = swanlabSelfHosted.layout(release({}, 'self-hosted'), objects, {});
    assert.ok(!layout.notes.some((n) => n.includes('SwanLab-House')));
    assert.equal(layout.stores[0]!.claim, 'self-hosted-postgres-pvc');
  });

  test("refuses a PostgreSQL role other than berth's, a store password it cannot read, and an install whose server is missing", () => {
    const objects = chartObjects({
      ...CHART_DEFAULTS,
      'swanlab-self-hosted-postgres-credentials': { primaryUrl: 'postgres://admin:pw@h:5432/app' },
    });
    assert.throws(
      () => swanlabSelfHosted.layout(release(), objects, {}),
      /the chart's PostgreSQL role is admin \(dependencies\.postgres\.username\); berth's SwanLab connects as swanlab/,
    );
    const withoutS3 = chartDefaults();
    delete withoutS3['swanlab-self-hosted-s3-credentials'];
    assert.throws(
      () => swanlabSelfHosted.layout(release(), chartObjects(withoutS3), {}),
      /the s3 password cannot be read from swanlab-self-hosted-server SECRET_KEY/,
    );
    const missing = { ...objects, get: () => undefined };
    assert.throws(
      () => swanlabSelfHosted.layout(release(), missing, {}),
      /the chart's Deployment swanlab-self-hosted-server is missing/,
    );
  });

  test("berth's bundled stores take the chart's layout: PostgreSQL's mount and PGDATA, Redis without append-only", async () => {
    const layout = swanlabSelfHosted.layout(release(), chartObjects(CHART_DEFAULTS), {});
    const { manifests } = await render(swanlab, layout.values, { release: 'swanlab', namespace: 'ns' });
    const statefulSet = (name: string) =>
      manifests.find((m) => m.object.kind === 'StatefulSet' && m.object.metadata.name === name)!.object;
    const [postgres, redis] = layout.stores;
    assert.deepEqual(storeLayout(statefulSet('swanlab-postgresql'), postgres!, 'swanlab')?.patch, [
      { op: 'test', path: '/spec/template/spec/containers/0/volumeMounts/0/name', value: 'data' },
      {
        op: 'replace',
        path: '/spec/template/spec/containers/0/volumeMounts/0/mountPath',
        value: '/var/lib/postgresql',
      },
      { op: 'test', path: '/spec/template/spec/containers/0/env/3/name', value: 'PGDATA' },
      {
        op: 'replace',
        path: '/spec/template/spec/containers/0/env/3',
        value: { name: 'PGDATA', value: '/var/lib/postgresql/data' },
      },
    ]);
    const redisPatch = storeLayout(statefulSet('swanlab-redis'), redis!, 'swanlab')?.patch as Json[];
    assert.deepEqual(redisPatch.at(-1)?.value, {
      name: 'REDIS_ARGS',
      value: '--requirepass $(REDIS_PASSWORD)',
    });
    assert.match(String(redisPatch.at(-1)?.path), /^\/spec\/template\/spec\/containers\/0\/env\/\d+$/);
  });

  test("the stores' passwords written into the chart values are inline secrets, not values lost in the adoption", () => {
    const { report } = importByRules(swanlab.schema, swanlabRules, {
      dependencies: { postgres: { password: 'p' }, clickhouse: { password: 'c' }, s3: { secretKey: 's' } },
    });
    assert.deepEqual(
      report.unsupported.map((u) => [u.key, isInlineSecret(u.reason)]),
      [
        ['dependencies.postgres.password', true],
        ['dependencies.clickhouse.password', true],
        ['dependencies.s3.secretKey', true],
      ],
    );
  });
});
