import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { offlineImages } from '../../src/blueprints/swanlab/images.ts';
import { swanlabValues } from '../../src/blueprints/swanlab/values.ts';
import { manifestsYaml } from '../../src/cli/commands/render.ts';
import { schemaViolations } from '../../src/render/openapi.ts';
import { assertGolden } from '../support/golden.ts';
import { envOf, find, names, podSpec, renderExample } from '../support/render.ts';

const MINIMAL = 'examples/swanlab/values-minimal.yaml';
const PRODUCTION = 'examples/swanlab/values-production.yaml';

/** The guide's FAQ list of images to mirror, as berth values paths (service.* → services.*, helper → swanlab.helperImage). */
const GUIDE_IMAGES = [
  'services.gateway.image',
  'services.gateway.identifyImage',
  'swanlab.helperImage',
  'services.server.image',
  'services.house.image',
  'services.house.logImage',
  'services.house.fbImage',
  'services.cloud.image',
  'services.next.image',
  'dependencies.postgres.image',
  'dependencies.redis.image',
  'dependencies.s3.image',
  'dependencies.clickhouse.image',
];

const EXTERNAL = [
  'integrations.postgres.enabled=true',
  'integrations.postgres.host=pg.example',
  'integrations.postgres.existingSecret=pg',
  'integrations.redis.enabled=true',
  'integrations.redis.host=redis.example',
  'integrations.redis.existingSecret=redis',
  'integrations.clickhouse.enabled=true',
  'integrations.clickhouse.host=ch.example',
  'integrations.clickhouse.existingSecret=ch',
];

function podImages(result: Awaited<ReturnType<typeof renderExample>>): Set<string> {
  const images = new Set<string>();
  for (const { object } of result.manifests) {
    const spec = (object.spec as any)?.template?.spec;
    if (!spec) continue;
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) images.add(c.image);
  }
  return images;
}

describe('swanlab blueprint', () => {
  test('minimal and production examples match their golden files', async () => {
    assertGolden('swanlab/minimal.yaml', manifestsYaml(await renderExample('swanlab', [MINIMAL])));
    assertGolden('swanlab/production.yaml', manifestsYaml(await renderExample('swanlab', [PRODUCTION])));
  });

  test('every rendered object validates, with network policies and monitoring on', async () => {
    for (const files of [[MINIMAL], [PRODUCTION]]) {
      const result = await renderExample('swanlab', files, [
        'networkPolicy.enabled=true',
        'monitoring.serviceMonitor.enabled=true',
      ]);
      assert.deepEqual(await schemaViolations(result.manifests.map((m) => m.object)), []);
    }
  });

  test('defaults: every component, every bundled base service, gateway Service named after the release', async () => {
    const result = await renderExample('swanlab', []);
    assert.deepEqual(names(result, 'StatefulSet'), [
      'StatefulSet/swanlab-clickhouse',
      'StatefulSet/swanlab-minio',
      'StatefulSet/swanlab-postgresql',
      'StatefulSet/swanlab-redis',
      'StatefulSet/swanlab-house',
    ]);
    assert.deepEqual(names(result, 'Deployment'), [
      'Deployment/swanlab-server',
      'Deployment/swanlab-cloud',
      'Deployment/swanlab-gateway',
      'Deployment/swanlab-next',
    ]);
    const gateway = find(result, 'Service', 'swanlab') as any;
    assert.deepEqual(gateway.spec.ports[0], { name: 'web', port: 80, targetPort: 'web', protocol: 'TCP' });
    const pod = podSpec(find(result, 'Deployment', 'swanlab-gateway'));
    assert.equal(pod.initContainers[0].name, 'download-identify');
    assert.equal(pod.initContainers[0].image, 'repo.swanlab.cn/public/swanlab-helper/identify:v1.2');
    assert.ok(
      result.notes.some((n) => n.includes('kubectl port-forward --namespace swanlab svc/swanlab 8080:80')),
    );
    assert.ok(result.notes.some((n) => n.includes('http://127.0.0.1:8080')));
    assert.ok(result.notes.some((n) => n.includes('activates the admin account')));
    for (const name of ['swanlab-server', 'swanlab-next', 'swanlab-cloud', 'swanlab-gateway']) {
      assert.equal((find(result, 'Deployment', name).spec as any).replicas, 1);
    }
  });

  test('the offline image list equals the guide FAQ list and every image the pods use', async () => {
    const values = swanlabValues.parse({});
    const list = offlineImages(values);
    assert.deepEqual(
      list.map((i) => i.path),
      GUIDE_IMAGES,
    );
    const result = await renderExample('swanlab', []);
    assert.deepEqual([...podImages(result)].sort(), list.map((i) => i.image).sort());
    const mirrored = offlineImages(
      swanlabValues.parse({ global: { imageRegistry: 'mirror.local/swanlab' } }),
    );
    assert.ok(mirrored.every((i) => i.image.startsWith('mirror.local/swanlab/')));
  });

  test('the bundled MinIO makes swanlab-public public-read and swanlab-private private with its own image', async () => {
    const result = await renderExample('swanlab', []);
    const job = find(result, 'Job', 'swanlab-minio-buckets');
    assert.equal(result.manifests.find((m) => m.object === job)!.stage, 'migrations');
    const pod = podSpec(job);
    const minio = podSpec(find(result, 'StatefulSet', 'swanlab-minio'));
    assert.equal(pod.containers[0].image, minio.containers[0].image);
    const script = pod.containers[0].args[0] as string;
    assert.match(script, /mc anonymous set download berth\/swanlab-public/);
    assert.match(script, /mc anonymous set private berth\/swanlab-private/);
    assert.match(script, /mc mb --ignore-existing berth\/swanlab-public/);
  });

  test('integration switches remove the bundled services and read exactly the documented Secret keys', async () => {
    const result = await renderExample('swanlab', [PRODUCTION]);
    assert.deepEqual(names(result, 'Secret'), []);
    for (const dep of ['postgresql', 'redis', 'clickhouse', 'minio']) {
      assert.ok(!names(result).some((n) => n.includes(`swanlab-${dep}`)), dep);
    }
    const server = envOf(find(result, 'Deployment', 'swanlab-server'));
    assert.deepEqual(server.DATABASE_URL, {
      secretKeyRef: { name: 'integration-postgres', key: 'primaryUrl' },
    });
    assert.deepEqual(server.DATABASE_URL_REPLICA, {
      secretKeyRef: { name: 'integration-postgres', key: 'replicaUrl' },
    });
    assert.deepEqual(server.REDIS_URL, { secretKeyRef: { name: 'integration-redis', key: 'url' } });
    assert.deepEqual(server.ACCESS_KEY, { secretKeyRef: { name: 'integration-s3', key: 'accessKey' } });
    assert.deepEqual(server.SECRET_KEY, { secretKeyRef: { name: 'integration-s3', key: 'secretKey' } });
    assert.equal(server.SS_STORAGE_TYPE, 'remote');
    assert.equal(server.SS_PUBLIC_STORAGE_BUCKET, 'swanlab-public');
    assert.equal(server.SS_AVATAR_DOMAIN, 'https://xxx.xxxx.s3.com');
    assert.equal(server.SS_PRIVATE_STORAGE_REGION, 'cn-beijing');
    assert.equal(server.SS_PUBLIC_STORAGE_PATH_STYLE, 'false');
    const house = envOf(find(result, 'StatefulSet', 'swanlab-house'));
    assert.deepEqual(house.SH_DB_USERNAME, {
      secretKeyRef: { name: 'integration-clickhouse', key: 'username' },
    });
    assert.deepEqual(house.SH_DB_PASSWORD, {
      secretKeyRef: { name: 'integration-clickhouse', key: 'password' },
    });
    assert.equal(house.SH_DB_HOST, 'example.clickhouse');
    assert.equal(house.SH_DB_PORT, '9000');
    const fluentBit = envOf(find(result, 'StatefulSet', 'swanlab-house'), 2);
    assert.equal(fluentBit.CLICKHOUSE_PORT, '8123');
    const gatewayConfig = (find(result, 'ConfigMap', 'swanlab-gateway') as any).data[
      'dynamic.yaml'
    ] as string;
    assert.doesNotMatch(gatewayConfig, /swanlab-s3/, 'no route to a MinIO that is not there');
    assert.deepEqual(podSpec(find(result, 'Deployment', 'swanlab-server')).initContainers[0].args, [
      'example.postgres:5432',
      'example.redis:6379',
    ]);
  });

  test('each integration alone removes only its bundled service', async () => {
    const result = await renderExample('swanlab', [], EXTERNAL.slice(0, 3));
    assert.ok(!names(result).includes('StatefulSet/swanlab-postgresql'));
    assert.ok(names(result).includes('StatefulSet/swanlab-redis'));
    const env = envOf(find(result, 'Deployment', 'swanlab-server'));
    assert.equal(env.REDIS_URL, 'redis://default:$(REDIS_PASSWORD)@swanlab-redis.swanlab.svc:6379/0');
  });

  test('an enabled integration needs its existingSecret and host', async () => {
    await assert.rejects(
      renderExample('swanlab', [], ['integrations.postgres.enabled=true']),
      /existingSecret/,
    );
    await assert.rejects(
      renderExample('swanlab', [], ['integrations.s3.enabled=true', 'integrations.s3.existingSecret=s3']),
      /public\.endpoint/,
    );
  });

  test('persistence: storageClass, size and existingClaim for base services; house has no existingClaim', async () => {
    const result = await renderExample(
      'swanlab',
      [],
      [
        'dependencies.postgres.persistence.existingClaim=pg-data',
        'dependencies.clickhouse.persistence.storageClass=fast',
        'dependencies.clickhouse.persistence.size=100Gi',
        'services.house.persistence.storageClass=ssd',
        'services.house.persistence.size=30Gi',
      ],
    );
    const pg = find(result, 'StatefulSet', 'swanlab-postgresql') as any;
    assert.equal(pg.spec.volumeClaimTemplates, undefined);
    assert.ok(podSpec(pg).volumes.some((v: any) => v.persistentVolumeClaim?.claimName === 'pg-data'));
    const ch = (find(result, 'StatefulSet', 'swanlab-clickhouse') as any).spec.volumeClaimTemplates[0].spec;
    assert.equal(ch.storageClassName, 'fast');
    assert.equal(ch.resources.requests.storage, '100Gi');
    const house = (find(result, 'StatefulSet', 'swanlab-house') as any).spec.volumeClaimTemplates[0];
    assert.equal(house.metadata.name, 'house');
    assert.equal(house.spec.storageClassName, 'ssd');
    assert.equal(house.spec.resources.requests.storage, '30Gi');
    await assert.rejects(
      renderExample('swanlab', [], ['services.house.persistence.existingClaim=x']),
      /existingClaim/,
    );
  });

  test('scheduling fields land on the right pods', async () => {
    const result = await renderExample(
      'swanlab',
      [],
      [
        'services.house.customNodeSelector.pool=metrics',
        'services.house.customTolerations[0].key=dedicated',
        'services.house.customTolerations[0].operator=Exists',
        'services.next.customLabels.team=web',
        'services.server.customAnnotations.note=hi',
        'dependencies.redis.customNodeSelector.pool=db',
        'services.server.resources.limits.memory=3Gi',
      ],
    );
    const house = podSpec(find(result, 'StatefulSet', 'swanlab-house'));
    assert.deepEqual(house.nodeSelector, { pool: 'metrics' });
    assert.deepEqual(house.tolerations, [{ key: 'dedicated', operator: 'Exists' }]);
    assert.equal(podSpec(find(result, 'Deployment', 'swanlab-server')).nodeSelector, undefined);
    assert.equal(
      (find(result, 'Deployment', 'swanlab-next').spec as any).template.metadata.labels.team,
      'web',
    );
    const server = find(result, 'Deployment', 'swanlab-server') as any;
    assert.equal(server.spec.template.metadata.annotations.note, 'hi');
    assert.equal(podSpec(server).containers[0].resources.limits.memory, '3Gi');
    assert.deepEqual(podSpec(find(result, 'StatefulSet', 'swanlab-redis')).nodeSelector, { pool: 'db' });
  });

  test('production preset: guide replica counts and hard spread on replicated components', async () => {
    const result = await renderExample('swanlab', [PRODUCTION]);
    const replicas = (kind: string, name: string) => (find(result, kind, name).spec as any).replicas;
    assert.equal(replicas('Deployment', 'swanlab-server'), 3);
    assert.equal(replicas('StatefulSet', 'swanlab-house'), 3);
    assert.equal(replicas('Deployment', 'swanlab-next'), 2);
    assert.equal(replicas('Deployment', 'swanlab-cloud'), 1);
    const spread = podSpec(find(result, 'Deployment', 'swanlab-server')).topologySpreadConstraints;
    assert.equal(spread[0].whenUnsatisfiable, 'DoNotSchedule');
    assert.equal(spread[0].labelSelector.matchLabels['app.kubernetes.io/component'], 'server');
    assert.equal(podSpec(find(result, 'Deployment', 'swanlab-cloud')).topologySpreadConstraints, undefined);
    const soft = await renderExample('swanlab', [], ['services.next.replicas=2']);
    assert.equal(
      podSpec(find(soft, 'Deployment', 'swanlab-next')).topologySpreadConstraints[0].whenUnsatisfiable,
      'ScheduleAnyway',
    );
    const none = await renderExample(
      'swanlab',
      [],
      ['services.next.replicas=2', 'global.podAntiAffinityPreset=none'],
    );
    assert.equal(podSpec(find(none, 'Deployment', 'swanlab-next')).topologySpreadConstraints, undefined);
  });

  test('loginHost reaches next as API_DISPLAY_HOST only when set', async () => {
    const unset = await renderExample('swanlab', []);
    assert.equal(envOf(find(unset, 'Deployment', 'swanlab-next')).API_DISPLAY_HOST, undefined);
    const set = await renderExample('swanlab', [], ['global.settings.loginHost=https://swan.example.com']);
    assert.equal(envOf(find(set, 'Deployment', 'swanlab-next')).API_DISPLAY_HOST, 'https://swan.example.com');
  });

  test('the optional Ingress points at the gateway Service', async () => {
    assert.deepEqual(names(await renderExample('swanlab', []), 'Ingress'), []);
    const result = await renderExample('swanlab', [PRODUCTION]);
    const ingress = find(result, 'Ingress', 'swanlab') as any;
    assert.deepEqual(ingress.spec.rules[0].http.paths[0].backend, {
      service: { name: 'swanlab', port: { name: 'web' } },
    });
  });

  test('a gateway config change rolls the gateway pods', async () => {
    const checksum = async (sets: string[]) =>
      (find(await renderExample('swanlab', [], sets), 'Deployment', 'swanlab-gateway').spec as any).template
        .metadata.annotations['berth.dev/config-checksum'];
    const s3 = [
      'enabled=true',
      'existingSecret=s3',
      'public.endpoint=s3.example',
      'public.region=r',
      'public.bucket=pub',
      'public.domain=https://cdn.example',
      'private.endpoint=s3.example',
      'private.region=r',
      'private.bucket=priv',
    ].map((set) => `integrations.s3.${set}`);
    assert.notEqual(await checksum([]), await checksum(s3), 'dropping the MinIO routes changes the config');
    assert.equal(await checksum([]), await checksum(['services.gateway.replicas=2']));
  });
});
