/** `berth import helm-values`: chart values files become berth values that render. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { importHelmValues } from '../../src/import/helm-values/index.ts';
import { find, podSpec, renderValues } from '../support/render.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/helm-values/${name}`, import.meta.url));

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
    assert.equal((find(rendered, 'Deployment', 'dify-api').spec as any).replicas, 2);
    const csghub = await importHelmValues('csghub', fixture('csghub-chart.yaml'));
    assert.equal((csghub.values as any).global.imageRegistry, 'opencsg-registry.cn-beijing.cr.aliyuncs.com');
    await renderValues('csghub', csghub.values, 'csghub');
  });
});
