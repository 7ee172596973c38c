import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { manifestsYaml } from '../../src/cli/commands/render.ts';
import { find, podSpec, renderExample } from '../support/render.ts';

const workloads = (result: Awaited<ReturnType<typeof renderExample>>) =>
  result.manifests
    .filter((m) => ['Deployment', 'StatefulSet', 'Job'].includes(m.object.kind))
    .map((m) => m.object);

describe('production policies apply to every workload', () => {
  test('same input renders byte-identical output', async () => {
    const a = manifestsYaml(await renderExample('langfuse', ['examples/langfuse/values-production.yaml']));
    const b = manifestsYaml(await renderExample('langfuse', ['examples/langfuse/values-production.yaml']));
    assert.equal(a, b);
    const c = manifestsYaml(await renderExample('langfuse', ['examples/langfuse/values-minimal.yaml']));
    const d = manifestsYaml(await renderExample('langfuse', ['examples/langfuse/values-minimal.yaml']));
    assert.equal(c, d);
  });

  test('non-root, no privilege escalation, drop ALL, seccomp RuntimeDefault, requests and memory limits', async () => {
    const result = await renderExample('langfuse', []);
    for (const object of workloads(result)) {
      const pod = podSpec(object);
      assert.equal(pod.securityContext.runAsNonRoot, true, object.metadata.name);
      assert.deepEqual(pod.securityContext.seccompProfile, { type: 'RuntimeDefault' });
      assert.equal(pod.automountServiceAccountToken, false);
      for (const container of pod.containers) {
        assert.equal(container.securityContext.allowPrivilegeEscalation, false);
        assert.deepEqual(container.securityContext.capabilities, { drop: ['ALL'] });
        assert.ok(
          container.resources.requests.cpu && container.resources.requests.memory,
          `${object.metadata.name} requests`,
        );
        assert.ok(container.resources.limits.memory, `${object.metadata.name} memory limit`);
        if (object.kind !== 'Job')
          assert.ok(container.readinessProbe, `${object.metadata.name} readiness probe`);
      }
    }
  });

  test('standard labels on every object', async () => {
    const result = await renderExample('langfuse', [], [], { release: 'obs' });
    for (const { object } of result.manifests) {
      assert.equal(object.metadata.labels?.['app.kubernetes.io/instance'], 'obs');
      assert.equal(object.metadata.labels?.['app.kubernetes.io/managed-by'], 'berth');
      assert.equal(object.metadata.labels?.['app.kubernetes.io/name'], 'langfuse');
    }
  });

  test('rolling update never drops below the desired count', async () => {
    const web = find(await renderExample('langfuse', []), 'Deployment', 'langfuse-web') as any;
    assert.deepEqual(web.spec.strategy, {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
  });

  for (const [preset, expected] of [
    ['soft', 'ScheduleAnyway'],
    ['hard', 'DoNotSchedule'],
    ['none', undefined],
  ] as const) {
    test(`anti-affinity preset ${preset} → ${expected ?? 'no'} spread constraint, PDB for replicated components`, async () => {
      const result = await renderExample(
        'langfuse',
        [],
        [`global.podAntiAffinityPreset=${preset}`, 'services.web.replicas=3'],
      );
      const spread = podSpec(find(result, 'Deployment', 'langfuse-web')).topologySpreadConstraints;
      assert.equal(spread?.[0]?.whenUnsatisfiable, expected);
      if (expected) assert.equal(spread[0].labelSelector.matchLabels['app.kubernetes.io/component'], 'web');
      assert.equal(
        podSpec(find(result, 'Deployment', 'langfuse-worker')).topologySpreadConstraints,
        undefined,
        'single replica',
      );
      assert.deepEqual((find(result, 'PodDisruptionBudget', 'langfuse-web') as any).spec.maxUnavailable, 1);
      assert.ok(
        !result.manifests.some(
          (m) => m.object.kind === 'PodDisruptionBudget' && m.object.metadata.name === 'langfuse-worker',
        ),
      );
    });
  }

  test('global.imageRegistry and imagePullSecrets reach every pod', async () => {
    const result = await renderExample(
      'langfuse',
      [],
      ['global.imageRegistry=registry.local/mirror', 'global.imagePullSecrets={pull}'],
    );
    for (const object of workloads(result)) {
      const pod = podSpec(object);
      for (const container of pod.containers) assert.match(container.image, /^registry\.local\/mirror\//);
      assert.deepEqual(pod.imagePullSecrets, [{ name: 'pull' }]);
    }
  });

  test('persistence: storageClass falls back to global, existingClaim replaces the claim template', async () => {
    const result = await renderExample(
      'langfuse',
      [],
      [
        'global.storageClass=fast',
        'dependencies.redis.persistence.storageClass=slow',
        'dependencies.postgresql.persistence.existingClaim=pg-data',
        'dependencies.minio.persistence.enabled=false',
      ],
    );
    const claim = (name: string) =>
      (find(result, 'StatefulSet', name) as any).spec.volumeClaimTemplates?.[0]?.spec;
    assert.equal(claim('langfuse-clickhouse').storageClassName, 'fast');
    assert.equal(claim('langfuse-redis').storageClassName, 'slow');
    assert.equal(claim('langfuse-postgresql'), undefined);
    assert.deepEqual(
      podSpec(find(result, 'StatefulSet', 'langfuse-postgresql')).volumes.find((v: any) => v.name === 'data'),
      { name: 'data', persistentVolumeClaim: { claimName: 'pg-data' } },
    );
    assert.deepEqual(
      podSpec(find(result, 'StatefulSet', 'langfuse-minio')).volumes.find((v: any) => v.name === 'data'),
      {
        name: 'data',
        emptyDir: {},
      },
    );
  });

  test('network policies let only the app reach the databases', async () => {
    const result = await renderExample(
      'langfuse',
      [],
      ['networkPolicy.enabled=true', 'ingress.enabled=true', 'ingress.host=lf.example.com'],
    );
    const pg = find(result, 'NetworkPolicy', 'langfuse-postgresql') as any;
    const callers = pg.spec.ingress[0].from.map(
      (f: any) => f.podSelector.matchLabels['app.kubernetes.io/component'],
    );
    assert.deepEqual(callers, ['backup', 'migrate', 'restore', 'web', 'worker']);
    assert.equal(pg.spec.ingress.length, 1, 'no open rule for a database');
    const web = find(result, 'NetworkPolicy', 'langfuse-web') as any;
    assert.equal(web.spec.ingress.length, 2, 'the ingress target also accepts outside traffic');
  });
});
