import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { manifestsYaml } from '../../src/cli/commands/render.ts';
import { schemaViolations } from '../../src/render/openapi.ts';
import { assertGolden } from '../support/golden.ts';
import { envOf, find, names, podSpec, renderExample } from '../support/render.ts';

const MINIMAL = 'examples/model-router/values-minimal.yaml';
const PRODUCTION = 'examples/model-router/values-production.yaml';
const NAME = 'model-router-router';

const checksumOf = async (sets: string[]) =>
  (find(await renderExample('model-router', [MINIMAL], sets), 'Deployment', NAME).spec as any).template
    .metadata.annotations['berth.dev/config-checksum'];

describe('model-router blueprint', () => {
  test('minimal and production examples match their golden files', async () => {
    assertGolden('model-router/minimal.yaml', manifestsYaml(await renderExample('model-router', [MINIMAL])));
    assertGolden(
      'model-router/production.yaml',
      manifestsYaml(await renderExample('model-router', [PRODUCTION])),
    );
  });

  test('every rendered object validates, the VPA included', async () => {
    for (const files of [[MINIMAL], [PRODUCTION]]) {
      const result = await renderExample('model-router', files, ['router.nodePort.enabled=true']);
      assert.deepEqual(await schemaViolations(result.manifests.map((m) => m.object)), []);
    }
    const bad = {
      apiVersion: 'autoscaling.k8s.io/v1',
      kind: 'VerticalPodAutoscaler',
      metadata: { name: 'x' },
      spec: {},
    };
    assert.equal(
      (await schemaViolations([bad as any])).length,
      1,
      'the VPA schema rejects a spec without targetRef',
    );
  });

  test('application.yml is rendered from typed values in the keys JAiRouter reads', async () => {
    const result = await renderExample('model-router', [PRODUCTION]);
    const config = parse((find(result, 'ConfigMap', 'model-router-config') as any).data['application.yml']);
    assert.equal(config.server.port, 8080);
    assert.equal(config.model['load-balance'].type, 'least-connections');
    assert.deepEqual(config.model['rate-limit'], {
      enabled: true,
      algorithm: 'token-bucket',
      capacity: 1000,
      rate: 100,
      scope: 'service',
    });
    assert.equal(config.model['circuit-breaker'].failureThreshold, 5);
    assert.deepEqual(config.model.services.chat.instances[0], {
      name: 'llama3.2:3b',
      'base-url': 'http://ollama-service:11434',
      path: '/v1/chat/completions',
      weight: 2,
    });
    assert.equal(config.model.services.embedding['load-balance'].type, 'round-robin');
    assert.equal(config.management.endpoints.web.exposure.include, 'health,info,prometheus');
    const pod = podSpec(find(result, 'Deployment', NAME));
    assert.ok(pod.volumes.some((v: any) => v.configMap?.name === 'model-router-config'));
    assert.deepEqual(pod.containers[0].livenessProbe.tcpSocket, { port: 'http' });
    assert.equal(pod.containers[0].readinessProbe.httpGet.path, '/actuator/health');
  });

  test('a config change rolls the pods; a replica change does not touch the checksum', async () => {
    const base = await checksumOf([]);
    assert.notEqual(base, await checksumOf(['router.rateLimit.rate=50']));
    assert.notEqual(base, await checksumOf(['router.loadBalance.type=random']));
    assert.equal(base, await checksumOf(['services.router.replicas=3']));
  });

  test('the API key comes from a generated Secret or an existing one', async () => {
    const generated = await renderExample('model-router', [MINIMAL]);
    assert.deepEqual(envOf(find(generated, 'Deployment', NAME)).JAIROUTER_SECURITY_APIKEY_KEYS_0_KEYVALUE, {
      secretKeyRef: { name: 'model-router-api-key', key: 'api-key' },
    });
    assert.deepEqual(names(generated, 'Secret'), ['Secret/model-router-api-key', 'Secret/model-router-auth']);
    const existing = await renderExample('model-router', [PRODUCTION]);
    assert.deepEqual(names(existing, 'Secret'), ['Secret/model-router-auth']);
    const env = envOf(find(existing, 'Deployment', NAME));
    assert.deepEqual(env.JAIROUTER_SECURITY_APIKEY_KEYS_0_KEYVALUE, {
      secretKeyRef: { name: 'jairouter-secret', key: 'api-key' },
    });
    assert.equal(
      env.JAVA_OPTS,
      '-Xms512m -Xmx1024m -XX:+UseG1GC -XX:+UseContainerSupport -XX:MaxRAMPercentage=75.0',
    );
  });

  test('config store and logs are emptyDirs unless a claim is asked for', async () => {
    const plain = await renderExample('model-router', [PRODUCTION]);
    assert.deepEqual(names(plain, 'PersistentVolumeClaim'), []);
    const claimed = await renderExample(
      'model-router',
      [],
      ['router.persistence.logs.enabled=true', 'router.persistence.logs.storageClass=fast'],
    );
    const claim = find(claimed, 'PersistentVolumeClaim', 'model-router-router-logs') as any;
    assert.deepEqual(claim.spec.accessModes, ['ReadWriteOnce']);
    assert.equal(claim.spec.storageClassName, 'fast');
    assert.equal(claim.spec.resources.requests.storage, '10Gi');
    const own = await renderExample(
      'model-router',
      [],
      ['router.persistence.logs.existingClaim=shared-logs'],
    );
    assert.ok(!names(own).includes('PersistentVolumeClaim/model-router-router-logs'));
    assert.ok(
      podSpec(find(own, 'Deployment', NAME)).volumes.some(
        (v: any) => v.persistentVolumeClaim?.claimName === 'shared-logs',
      ),
    );
  });

  test("non-root as the image's uid 10010 with every capability dropped", async () => {
    const pod = podSpec(find(await renderExample('model-router', []), 'Deployment', NAME));
    assert.equal(pod.securityContext.runAsUser, 10010);
    assert.equal(pod.securityContext.fsGroup, 10010);
    assert.deepEqual(pod.containers[0].securityContext.capabilities, { drop: ['ALL'] });
  });

  test('ClusterIP Service, plus a NodePort Service when asked', async () => {
    const plain = await renderExample('model-router', []);
    assert.deepEqual(names(plain, 'Service'), [`Service/${NAME}`]);
    const result = await renderExample(
      'model-router',
      [],
      ['router.nodePort.enabled=true', 'router.nodePort.port=30081'],
    );
    const nodePort = find(result, 'Service', 'model-router-nodeport') as any;
    assert.equal(nodePort.spec.type, 'NodePort');
    assert.deepEqual(nodePort.spec.ports[0], {
      name: 'http',
      port: 80,
      targetPort: 'http',
      protocol: 'TCP',
      nodePort: 30081,
    });
    assert.equal((find(result, 'Service', NAME) as any).spec.type, 'ClusterIP');
  });

  test('Ingress with class, host, TLS, body size and proxy timeouts', async () => {
    const ingress = find(await renderExample('model-router', [PRODUCTION]), 'Ingress', 'model-router') as any;
    assert.equal(ingress.spec.ingressClassName, 'nginx');
    assert.deepEqual(ingress.spec.tls, [{ hosts: ['jairouter.example.com'], secretName: 'jairouter-tls' }]);
    assert.equal(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-body-size'], '10m');
    assert.equal(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'], '300');
    assert.equal(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-send-timeout'], '300');
  });

  test('HPA on CPU, memory and a custom pods metric with scale-up/down behavior; PDB keeps 2', async () => {
    const result = await renderExample('model-router', [PRODUCTION]);
    const hpa = find(result, 'HorizontalPodAutoscaler', NAME) as any;
    assert.equal(hpa.spec.minReplicas, 3);
    assert.deepEqual(
      hpa.spec.metrics.map((m: any) => m.type),
      ['Resource', 'Resource', 'Pods'],
    );
    assert.deepEqual(hpa.spec.metrics[2].pods, {
      metric: { name: 'http_requests_per_second' },
      target: { type: 'AverageValue', averageValue: '100' },
    });
    assert.deepEqual(hpa.spec.behavior, {
      scaleUp: {
        stabilizationWindowSeconds: 60,
        policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }],
      },
      scaleDown: {
        stabilizationWindowSeconds: 300,
        policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }],
      },
    });
    assert.equal((find(result, 'Deployment', NAME).spec as any).replicas, undefined);
    assert.equal((find(result, 'PodDisruptionBudget', NAME) as any).spec.minAvailable, 2);
    const spread = podSpec(find(result, 'Deployment', NAME)).topologySpreadConstraints;
    assert.equal(spread[0].whenUnsatisfiable, 'DoNotSchedule');
    const vpa = find(result, 'VerticalPodAutoscaler', NAME) as any;
    assert.equal(vpa.spec.updatePolicy.updateMode, 'Off');
    assert.deepEqual(vpa.spec.resourcePolicy.containerPolicies[0].maxAllowed, { cpu: '2', memory: '2Gi' });
    assert.deepEqual(result.warnings, []);
    const fighting = await renderExample(
      'model-router',
      [PRODUCTION],
      ['services.router.verticalAutoscaling.updateMode=Auto'],
    );
    assert.match(fighting.warnings.join(' '), /VPA/);
  });

  test('NetworkPolicy: in only from the ingress (and monitoring) namespace; out DNS, 80/443 and the backends', async () => {
    const policy = find(await renderExample('model-router', [PRODUCTION]), 'NetworkPolicy', NAME) as any;
    assert.deepEqual(policy.spec.policyTypes, ['Ingress', 'Egress']);
    assert.deepEqual(policy.spec.ingress, [
      {
        from: [
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
        ],
        ports: [{ port: 'http', protocol: 'TCP' }],
      },
    ]);
    assert.deepEqual(policy.spec.egress, [
      {
        ports: [
          { port: 53, protocol: 'UDP' },
          { port: 53, protocol: 'TCP' },
        ],
      },
      {
        ports: [
          { port: 80, protocol: 'TCP' },
          { port: 443, protocol: 'TCP' },
        ],
      },
      {
        ports: [
          { port: 8000, protocol: 'TCP' },
          { port: 11434, protocol: 'TCP' },
        ],
      },
    ]);
    assert.deepEqual(names(await renderExample('model-router', []), 'NetworkPolicy'), []);
  });

  test('ServiceMonitor and the guide alerts only when monitoring is enabled', async () => {
    const off = await renderExample('model-router', [MINIMAL]);
    assert.deepEqual([...names(off, 'ServiceMonitor'), ...names(off, 'PrometheusRule')], []);
    const on = await renderExample('model-router', [PRODUCTION]);
    const monitor = find(on, 'ServiceMonitor', NAME) as any;
    assert.deepEqual(monitor.spec.endpoints[0].path, '/actuator/prometheus');
    const rules = (find(on, 'PrometheusRule', 'model-router') as any).spec.groups[0].rules;
    assert.deepEqual(
      rules.map((r: any) => r.alert),
      ['JAiRouterDown', 'JAiRouterHighErrorRate', 'JAiRouterHighMemoryUsage'],
    );
    assert.match(rules[1].expr, /> 0\.1$/);
    assert.match(rules[2].expr, /> 0\.9$/);
  });

  test('scheduling fields land on the router pods', async () => {
    const result = await renderExample(
      'model-router',
      [],
      [
        'services.router.customNodeSelector.pool=gateway',
        'services.router.customTolerations[0].key=dedicated',
        'services.router.customTolerations[0].operator=Exists',
        'services.router.customLabels.team=ai',
      ],
    );
    const deployment = find(result, 'Deployment', NAME) as any;
    assert.deepEqual(podSpec(deployment).nodeSelector, { pool: 'gateway' });
    assert.deepEqual(podSpec(deployment).tolerations, [{ key: 'dedicated', operator: 'Exists' }]);
    assert.equal(deployment.spec.template.metadata.labels.team, 'ai');
    assert.equal(deployment.spec.template.metadata.annotations['prometheus.io/path'], '/actuator/prometheus');
  });
});
