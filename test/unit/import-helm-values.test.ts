/** `berth import helm-values`: chart values files become berth values that render. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import { csghubRules } from '../../src/import/helm-values/csghub.ts';
import { importByRules } from '../../src/import/helm-values/engine.ts';
import { importHelmValues } from '../../src/import/helm-values/index.ts';
import { find, podSpec, renderValues } from '../support/render.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/helm-values/${name}`, import.meta.url));

const csghubSchema = (await getBlueprint('csghub')).schema;

describe('import helm-values', () => {
  test('SwanLab: every key of the guide maps, and the result renders', async () => {
    const { values, report } = await importHelmValues('swanlab', fixture('swanlab-guide.yaml'));
    assert.deepEqual(report.unsupported, []);
    assert.ok(
      report.changed.some((c) => c.from === 'service.server.replicas' && c.to === 'services.server.replicas'),
    );
    assert.ok(
      report.changed.some(
        (c) =>
          c.from === 'dependencies.postgres.persistence.storageSize' &&
          c.to === 'dependencies.postgres.persistence.size',
      ),
    );
    const result = await renderValues('swanlab', values, 'swanlab');
    assert.equal((find(result, 'Deployment', 'swanlab-server').spec as any).replicas, 3);
  });

  test('Langfuse: chart values map to the surface, inline secrets are refused, the result renders', async () => {
    const { values, report } = await importHelmValues('langfuse', fixture('langfuse-chart.yaml'));
    assert.deepEqual(
      report.unsupported.map((u) => u.key),
      ['postgresql.auth.password'],
    );
    const result = await renderValues('langfuse', values, 'langfuse');
    const web = podSpec(find(result, 'Deployment', 'langfuse-web'));
    assert.equal(web.serviceAccountName, 'langfuse');
    assert.equal(web.nodeSelector.pool, 'langfuse');
    assert.equal(web.containers[0].livenessProbe.initialDelaySeconds, 60);
    assert.equal((find(result, 'Service', 'langfuse-web').spec as any).type, 'LoadBalancer');
    const pg = podSpec(find(result, 'StatefulSet', 'langfuse-postgresql')).containers[0];
    assert.equal(
      pg.env.find((e: any) => e.name === 'POSTGRES_PASSWORD').valueFrom.secretKeyRef.name,
      'langfuse-postgres',
    );
    assert.equal(
      podSpec(find(result, 'Deployment', 'langfuse-worker')).containers[0].env.find(
        (e: any) => e.name === 'REDIS_TLS_ENABLED',
      ).value,
      'true',
    );
  });

  test('Dify community chart and CSGHub chart examples import and render', async () => {
    const dify = await importHelmValues('dify', fixture('dify-chart.yaml'));
    const rendered = await renderValues('dify', dify.values, 'dify');
    const api = find(rendered, 'Deployment', 'dify-api') as any;
    assert.equal(api.spec.replicas, 2);
    assert.equal(podSpec(api).priorityClassName, 'dify-high');
    assert.equal(podSpec(api).containers[0].livenessProbe.initialDelaySeconds, 45);
    assert.equal(podSpec(api).containers[0].livenessProbe.timeoutSeconds, 10);
    assert.ok(podSpec(api).containers[0].volumeMounts.some((m: any) => m.mountPath === '/etc/ssl/corp'));
    assert.deepEqual(api.spec.strategy.rollingUpdate, { maxUnavailable: 0, maxSurge: 1 });
    assert.equal((dify.values as any).dify.storage.persistence.size, '50Gi');
    assert.deepEqual(podSpec(find(rendered, 'Deployment', 'dify-worker-beat')).nodeSelector, {
      pool: 'dify',
    });
    assert.deepEqual(
      dify.report.unsupported.filter((u) => u.reason === 'no berth equivalent'),
      [],
      'every Dify key is mapped or refused with its own reason',
    );
    const csghub = await importHelmValues('csghub', fixture('csghub-chart.yaml'));
    assert.equal((csghub.values as any).global.imageRegistry, 'opencsg-registry.cn-beijing.cr.aliyuncs.com');
    await renderValues('csghub', csghub.values, 'csghub');
  });

  test('CSGHub chart: every key of its values and guide maps or says why not; the result renders', async () => {
    const { values, report } = await importHelmValues('csghub', fixture('csghub-chart.yaml'));
    const v = values as any;
    assert.equal(v.csghub.domain, 'hub.example.com');
    assert.deepEqual(v.csghub.entry, {
      type: 'NodePort',
      nodePorts: { http: 30080, https: 30443, ssh: 30022 },
    });
    assert.deepEqual(v.ingress.tls, { enabled: true, secretName: 'hub-tls' });
    assert.deepEqual(v.csghub.runner, { namespace: 'spaces', kubeconfigSecret: 'csghub-kube-configs' });
    assert.deepEqual(v.services.server.extraEnv, [{ name: 'STARHUB_SERVER_SAAS', value: 'false' }]);
    assert.deepEqual(v.services.server.serviceAccount, {
      create: true,
      automountServiceAccountToken: false,
      annotations: { 'iam.example.com/role': 'csghub' },
    });
    assert.deepEqual(
      report.unsupported.filter((u) => u.reason === 'no berth equivalent'),
      [],
      'every key is mapped or refused with its own reason',
    );
    assert.ok(report.unsupported.some((u) => u.key === 'csghub.server.postgresql.password'));
    const rendered = await renderValues('csghub', values, 'csghub');
    const server = find(rendered, 'Deployment', 'csghub-server');
    assert.deepEqual(podSpec(server).nodeSelector, { pool: 'csghub' });
    assert.equal(podSpec(server).serviceAccountName, 'csghub-server');
  });

  test('CSGHub chart with external stores: the connection of each component lands in integrations', () => {
    const chart = {
      global: { postgresql: { enabled: false }, redis: { enabled: false }, objectStore: { enabled: false } },
      csghub: {
        server: {
          postgresql: { host: 'pg', port: 5433, database: 'srv' },
          redis: { host: 'rd', port: 6380 },
          objectStore: { endpoint: 'https://s3.example', region: 'eu', bucket: 'srv-bucket' },
        },
        portal: { postgresql: { database: 'prt' }, objectStore: { bucket: 'prt-bucket' } },
      },
    };
    const { values } = importByRules(csghubSchema, csghubRules, chart);
    assert.deepEqual((values as any).integrations, {
      postgresql: { enabled: true, host: 'pg', port: 5433, databases: { server: 'srv', portal: 'prt' } },
      redis: { enabled: true, host: 'rd', port: 6380 },
      s3: {
        enabled: true,
        endpoint: 'https://s3.example',
        region: 'eu',
        buckets: { server: 'srv-bucket', portal: 'prt-bucket' },
      },
    });
  });
});
