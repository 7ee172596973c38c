import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { manifestsYaml } from '../../src/cli/commands/render.ts';
import { schemaViolations } from '../../src/render/openapi.ts';
import { assertGolden } from '../support/golden.ts';
import { envOf, find, names, podSpec, renderExample } from '../support/render.ts';

const MINIMAL = 'examples/langfuse/values-minimal.yaml';
const PRODUCTION = 'examples/langfuse/values-production.yaml';

describe('langfuse blueprint', () => {
  test('minimal example matches its golden file', async () => {
    assertGolden('langfuse/minimal.yaml', manifestsYaml(await renderExample('langfuse', [MINIMAL])));
  });

  test('production example matches its golden file', async () => {
    assertGolden('langfuse/production.yaml', manifestsYaml(await renderExample('langfuse', [PRODUCTION])));
  });

  test('every rendered object validates against the OpenAPI schema', async () => {
    for (const files of [[MINIMAL], [PRODUCTION]]) {
      const result = await renderExample('langfuse', files, [
        'networkPolicy.enabled=true',
        'langfuse.keda.enabled=true',
      ]);
      assert.deepEqual(await schemaViolations(result.manifests.map((m) => m.object)), []);
    }
  });

  test('defaults bundle every dependency with persistence', async () => {
    const result = await renderExample('langfuse', []);
    assert.deepEqual(names(result, 'StatefulSet'), [
      'StatefulSet/langfuse-clickhouse',
      'StatefulSet/langfuse-minio',
      'StatefulSet/langfuse-postgresql',
      'StatefulSet/langfuse-redis',
    ]);
    const pg = find(result, 'StatefulSet', 'langfuse-postgresql') as any;
    assert.equal(pg.spec.volumeClaimTemplates[0].spec.resources.requests.storage, '20Gi');
    assert.deepEqual(names(result, 'Job'), ['Job/langfuse-migrate']);
    const minio = podSpec(find(result, 'StatefulSet', 'langfuse-minio'));
    assert.match(minio.containers[0].args[0], /^mkdir -p \/data\/langfuse && exec minio server/);
  });

  test('production topology: no bundled dependency, env points at the external services', async () => {
    const result = await renderExample('langfuse', [PRODUCTION]);
    assert.deepEqual(names(result, 'StatefulSet'), []);
    assert.deepEqual(names(result, 'Job'), ['Job/langfuse-migrate'], 'only the migrations');
    assert.deepEqual(names(result, 'Secret'), [], 'secrets come from the user, none is generated');
    for (const name of ['langfuse-web', 'langfuse-worker']) {
      const env = envOf(find(result, 'Deployment', name));
      assert.equal(
        env.DATABASE_URL,
        'postgresql://$(DATABASE_USERNAME):$(DATABASE_PASSWORD)@langfuse-pg.cluster-xxx.us-east-1.rds.amazonaws.com:5432/langfuse?sslmode=require',
      );
      assert.deepEqual(env.DATABASE_PASSWORD, {
        secretKeyRef: { name: 'langfuse-pg-credentials', key: 'password' },
      });
      assert.equal(env.CLICKHOUSE_URL, 'http://chi-langfuse-cluster-0-0.langfuse.svc:8123');
      assert.equal(env.CLICKHOUSE_MIGRATION_URL, 'clickhouse://chi-langfuse-cluster-0-0.langfuse.svc:9000');
      assert.equal(env.CLICKHOUSE_CLUSTER_ENABLED, 'true');
      assert.equal(env.CLICKHOUSE_CLUSTER_NAME, 'default');
      assert.equal(env.REDIS_HOST, 'langfuse-redis.xxx.cache.amazonaws.com');
      assert.equal(env.REDIS_TLS_ENABLED, 'true');
      assert.deepEqual(env.REDIS_AUTH, {
        secretKeyRef: { name: 'langfuse-redis-credentials', key: 'password' },
      });
      assert.equal(env.LANGFUSE_S3_EVENT_UPLOAD_BUCKET, 'langfuse-events');
      assert.equal(env.LANGFUSE_S3_MEDIA_UPLOAD_BUCKET, 'langfuse-media');
      assert.equal(env.LANGFUSE_S3_EVENT_UPLOAD_ENDPOINT, undefined, 'empty endpoint means AWS');
      assert.deepEqual(env.LANGFUSE_S3_EVENT_UPLOAD_ACCESS_KEY_ID, {
        secretKeyRef: { name: 'langfuse-s3', key: 'accessKey' },
      });
      assert.deepEqual(env.SALT, { secretKeyRef: { name: 'langfuse-app', key: 'salt' } });
      assert.equal(env.NEXTAUTH_URL, 'https://langfuse.example.com');
    }
    assert.equal(names(result, 'HorizontalPodAutoscaler').length, 2);
    const web = find(result, 'Deployment', 'langfuse-web') as any;
    assert.equal(web.spec.replicas, undefined, 'the HPA owns the replica count');
    const ingress = find(result, 'Ingress', 'langfuse') as any;
    assert.equal(ingress.metadata.annotations['cert-manager.io/cluster-issuer'], 'letsencrypt-prod');
    assert.equal(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-body-size'], '50m');
    assert.deepEqual(ingress.spec.tls, [{ hosts: ['langfuse.example.com'], secretName: 'langfuse-tls' }]);
    assert.deepEqual((find(result, 'PodDisruptionBudget', 'langfuse-web') as any).spec.minAvailable, 2);
  });

  test('ENCRYPTION_KEY is generated as 64 hex characters', async () => {
    const { render } = await import('../../src/render/render.ts');
    const { getBlueprint } = await import('../../src/blueprints/registry.ts');
    const result = await render(await getBlueprint('langfuse'), {}, { release: 'lf', namespace: 'ns' });
    const secret = find(result, 'Secret', 'lf-app') as any;
    assert.match(secret.stringData['encryption-key'], /^[0-9a-f]{64}$/);
    assert.match(secret.stringData.salt, /^[0-9a-f]{64}$/);
  });

  test('KEDA scales the worker instead of an HPA', async () => {
    const result = await renderExample(
      'langfuse',
      [],
      ['langfuse.keda.enabled=true', 'services.worker.autoscaling.enabled=true'],
    );
    const scaled = find(result, 'ScaledObject', 'langfuse-worker') as any;
    assert.equal(scaled.spec.triggers[0].type, 'redis');
    assert.equal(scaled.spec.triggers[0].metadata.listName, 'bull:ingestion-queue:wait');
    assert.ok(!names(result).includes('HorizontalPodAutoscaler/langfuse-worker'));
  });

  test('extraEnv, scheduling fields and labels land on the right pods', async () => {
    const result = await renderExample(
      'langfuse',
      [],
      [
        'services.web.extraEnv[0].name=AUTH_DISABLE_SIGNUP',
        'services.web.extraEnv[0].value=true',
        'services.worker.customNodeSelector.pool=workers',
        'services.worker.customTolerations[0].key=dedicated',
        'services.worker.customTolerations[0].operator=Exists',
        'services.web.customLabels.team=obs',
        'services.web.customAnnotations.note=hi',
      ],
    );
    const web = find(result, 'Deployment', 'langfuse-web');
    const worker = find(result, 'Deployment', 'langfuse-worker');
    assert.equal(envOf(web).AUTH_DISABLE_SIGNUP, 'true');
    assert.equal(envOf(worker).AUTH_DISABLE_SIGNUP, undefined);
    assert.deepEqual(podSpec(worker).nodeSelector, { pool: 'workers' });
    assert.deepEqual(podSpec(worker).tolerations, [{ key: 'dedicated', operator: 'Exists' }]);
    assert.equal(podSpec(web).nodeSelector, undefined);
    assert.equal((web.spec as any).template.metadata.labels.team, 'obs');
    assert.equal((web.spec as any).template.metadata.annotations.note, 'hi');
  });

  test('an external integration removes the bundled service entirely', async () => {
    const result = await renderExample(
      'langfuse',
      [],
      [
        'integrations.redis.enabled=true',
        'integrations.redis.host=redis.example',
        'integrations.redis.existingSecret=redis-creds',
      ],
    );
    assert.ok(!names(result).some((n) => n.includes('langfuse-redis')), names(result).join(' '));
    assert.equal(envOf(find(result, 'Deployment', 'langfuse-web')).REDIS_HOST, 'redis.example');
  });
});
