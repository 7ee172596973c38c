import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { requiredCrds } from '../../src/blueprints/csghub/blueprint.ts';
import { manifestsYaml } from '../../src/cli/commands/render.ts';
import { schemaViolations } from '../../src/render/openapi.ts';
import { assertGolden } from '../support/golden.ts';
import { envOf, find, names, podSpec, renderExample, renderValues } from '../support/render.ts';

const MINIMAL = 'examples/csghub/values-minimal.yaml';
const PRODUCTION = 'examples/csghub/values-production.yaml';

const claimSize = (result: Awaited<ReturnType<typeof renderExample>>, statefulSet: string) =>
  (find(result, 'StatefulSet', statefulSet) as any).spec.volumeClaimTemplates[0].spec.resources.requests
    .storage;

describe('csghub blueprint', () => {
  test('minimal example matches its golden file', async () => {
    assertGolden('csghub/minimal.yaml', manifestsYaml(await renderExample('csghub', [MINIMAL])));
  });

  test('production example matches its golden file', async () => {
    assertGolden('csghub/production.yaml', manifestsYaml(await renderExample('csghub', [PRODUCTION])));
  });

  test('every rendered object validates against the OpenAPI schema', async () => {
    for (const files of [[MINIMAL], [PRODUCTION]]) {
      const result = await renderExample('csghub', files, [
        'networkPolicy.enabled=true',
        'csghub.logging.enabled=true',
        'csghub.logging.elasticsearch.host=es.example',
        'ingress.tls.enabled=true',
      ]);
      assert.deepEqual(await schemaViolations(result.manifests.map((m) => m.object)), []);
    }
  });

  test('defaults render the chart components and bundled dependencies', async () => {
    const result = await renderExample('csghub', []);
    assert.deepEqual(names(result, 'Deployment'), [
      'Deployment/csghub-coredns',
      'Deployment/csghub-temporal',
      'Deployment/csghub-accounting',
      'Deployment/csghub-casdoor',
      'Deployment/csghub-mirror',
      'Deployment/csghub-proxy',
      'Deployment/csghub-runner',
      'Deployment/csghub-server',
      'Deployment/csghub-user',
      'Deployment/csghub-portal',
    ]);
    assert.deepEqual(names(result, 'StatefulSet'), [
      'StatefulSet/csghub-gitaly',
      'StatefulSet/csghub-minio',
      'StatefulSet/csghub-nats',
      'StatefulSet/csghub-postgresql',
      'StatefulSet/csghub-redis',
      'StatefulSet/csghub-registry',
      'StatefulSet/csghub-builder',
      'StatefulSet/csghub-gitlab-shell',
    ]);
    assert.deepEqual(names(result, 'Job'), [
      'Job/csghub-create-databases',
      'Job/csghub-migrate',
      'Job/csghub-seed',
    ]);
    assert.deepEqual(names(result, 'DaemonSet'), [], 'the log collector is opt-in');
    const stageOf = (name: string) =>
      result.manifests.find(
        (m) => m.component && m.object.metadata.name === name && m.object.kind !== 'Service',
      )?.stage;
    assert.equal(stageOf('csghub-postgresql'), 'dependencies');
    assert.equal(stageOf('csghub-temporal'), 'migrations');
    assert.equal(stageOf('csghub-migrate'), 'migrations');
    assert.equal(stageOf('csghub-server'), 'backends');
    assert.equal(stageOf('csghub-seed'), 'frontends');
    assert.equal(stageOf('csghub-portal'), 'frontends');
  });

  test('persistence defaults follow the guide', async () => {
    const result = await renderExample('csghub', []);
    const sizes = {
      'csghub-postgresql': '50Gi',
      'csghub-redis': '10Gi',
      'csghub-minio': '200Gi',
      'csghub-registry': '200Gi',
      'csghub-gitaly': '200Gi',
      'csghub-builder': '50Gi',
      'csghub-nats': '10Gi',
      'csghub-gitlab-shell': '1Gi',
    };
    for (const [name, size] of Object.entries(sizes)) assert.equal(claimSize(result, name), size, name);
    const sized = await renderExample(
      'csghub',
      [],
      [
        'dependencies.gitaly.persistence.size=1Ti',
        'csghub.builder.persistence.size=80Gi',
        'global.storageClass=fast',
      ],
    );
    assert.equal(claimSize(sized, 'csghub-gitaly'), '1Ti');
    assert.equal(claimSize(sized, 'csghub-builder'), '80Gi');
    assert.equal(
      (find(sized, 'StatefulSet', 'csghub-nats') as any).spec.volumeClaimTemplates[0].spec.storageClassName,
      'fast',
    );
  });

  test('ingress.hosts[] are more names of the portal; chart-style TLS certificates are used as given', async () => {
    const values = {
      csghub: { domain: 'hub.example.org' },
      ingress: {
        hosts: [
          { host: 'hub.corp.example' },
          { host: 'models.corp.example', paths: [{ path: '/models', pathType: 'Prefix' }] },
        ],
        tls: { enabled: true },
      },
    };
    const portal = find(await renderValues('csghub', values, 'csghub'), 'Ingress', 'csghub-csghub') as any;
    const routes = (rule: any) =>
      rule.http.paths.map((p: any) => `${p.path} ${p.pathType}->${p.backend.service.name}`);
    assert.deepEqual(
      portal.spec.rules.map((r: any) => r.host),
      ['csghub.hub.example.org', 'hub.corp.example', 'models.corp.example'],
    );
    assert.deepEqual(routes(portal.spec.rules[1]), routes(portal.spec.rules[0]));
    assert.deepEqual(routes(portal.spec.rules[2]), ['/models Prefix->csghub-portal']);
    assert.deepEqual(portal.spec.tls[0].hosts.slice(-2), ['hub.corp.example', 'models.corp.example']);

    const certificates = [
      { secretName: 'portal-tls', hosts: ['csghub.hub.example.org', 'hub.corp.example'] },
      {
        secretName: 'rest-tls',
        hosts: ['casdoor.hub.example.org', 'minio.hub.example.org', 'registry.hub.example.org'],
      },
    ];
    const chartTls = { ...values, ingress: { ...values.ingress, tls: certificates } };
    const result = await renderValues('csghub', chartTls, 'csghub');
    for (const name of ['csghub-csghub', 'csghub-minio'])
      assert.deepEqual((find(result, 'Ingress', name) as any).spec.tls, certificates);
    assert.deepEqual(
      (find(result, 'Ingress', 'csghub-minio') as any).spec.rules.map((r: any) => r.host),
      ['minio.hub.example.org'],
    );
  });

  test('the domain gives one Ingress per sub-domain and the public URLs', async () => {
    const result = await renderExample(
      'csghub',
      [],
      ['csghub.domain=hub.example.org', 'ingress.className=nginx'],
    );
    assert.deepEqual(names(result, 'Ingress'), [
      'Ingress/csghub-casdoor',
      'Ingress/csghub-csghub',
      'Ingress/csghub-minio',
      'Ingress/csghub-registry',
    ]);
    const hosts = result.manifests
      .filter((m) => m.object.kind === 'Ingress')
      .map((m) => (m.object.spec as any).rules[0].host);
    assert.deepEqual(hosts, [
      'casdoor.hub.example.org',
      'csghub.hub.example.org',
      'minio.hub.example.org',
      'registry.hub.example.org',
    ]);
    const csghub = find(result, 'Ingress', 'csghub-csghub') as any;
    assert.equal(csghub.spec.ingressClassName, 'nginx');
    assert.deepEqual(
      csghub.spec.rules[0].http.paths.map((p: any) => `${p.path}->${p.backend.service.name}`),
      ['/->csghub-portal', '/api/->csghub-server', '/hf/->csghub-server', '/.*\\.git(/.*)?$->csghub-server'],
    );
    const server = find(result, 'ConfigMap', 'csghub-server') as any;
    assert.equal(server.data.STARHUB_SERVER_PUBLIC_DOMAIN, 'http://csghub.hub.example.org:30080');
    assert.equal(server.data.STARHUB_SERVER_CASDOOR_ENDPOINT, 'http://casdoor.hub.example.org:30080');
    assert.equal(server.data.STARHUB_SERVER_S3_ENDPOINT, 'minio.hub.example.org:30080');
    assert.equal(server.data.STARHUB_SERVER_SSH_DOMAIN, 'ssh://git@csghub.hub.example.org:30022');
    assert.ok(result.notes.some((n) => n.includes('http://csghub.hub.example.org:30080')));
  });

  test('NodePort entry: gitlab-shell keeps port 22 on node port 30022; LoadBalancer warns about port 22', async () => {
    const nodePort = await renderExample('csghub', [MINIMAL]);
    const svc = find(nodePort, 'Service', 'csghub-gitlab-shell') as any;
    assert.equal(svc.spec.type, 'NodePort');
    assert.deepEqual(svc.spec.ports, [
      { name: 'ssh', port: 22, targetPort: 'ssh', protocol: 'TCP', nodePort: 30022 },
    ]);
    assert.ok(!nodePort.warnings.some((w) => w.includes('port 22')));
    const lb = await renderExample(
      'csghub',
      [],
      ['csghub.entry.type=LoadBalancer', 'ingress.tls.enabled=true'],
    );
    const lbSvc = find(lb, 'Service', 'csghub-gitlab-shell') as any;
    assert.equal(lbSvc.spec.type, 'LoadBalancer');
    assert.equal(lbSvc.spec.ports[0].nodePort, undefined);
    assert.ok(lb.warnings.some((w) => w.includes('port 22') && w.includes('sshd')));
    assert.equal(
      (find(lb, 'ConfigMap', 'csghub-server') as any).data.STARHUB_SERVER_PUBLIC_DOMAIN,
      'https://csghub.example.com',
    );
    const custom = await renderExample(
      'csghub',
      [],
      ['csghub.entry.nodePorts.ssh=31022', 'csghub.entry.nodePorts.http=31080'],
    );
    assert.equal((find(custom, 'Service', 'csghub-gitlab-shell') as any).spec.ports[0].nodePort, 31022);
    assert.equal(
      (find(custom, 'ConfigMap', 'csghub-server') as any).data.STARHUB_SERVER_PUBLIC_DOMAIN,
      'http://csghub.example.com:31080',
    );
  });

  test('the runner mounts the kubeconfig Secret by name, never its content', async () => {
    const result = await renderExample('csghub', [], ['csghub.runner.kubeconfigSecret=my-kubeconfigs']);
    const runner = podSpec(find(result, 'Deployment', 'csghub-runner'));
    assert.deepEqual(
      runner.volumes.find((v: any) => v.name === 'kube-configs'),
      {
        name: 'kube-configs',
        secret: { secretName: 'my-kubeconfigs' },
      },
    );
    assert.equal(envOf(find(result, 'Deployment', 'csghub-runner')).HOME, '/var/lib/csghub');
    assert.ok(!names(result, 'Secret').includes('Secret/my-kubeconfigs'), 'berth never creates it');
    assert.ok(result.notes.some((n) => n.includes('create secret generic my-kubeconfigs')));
  });

  test('Knative Serving is a documented prerequisite', async () => {
    const result = await renderExample('csghub', []);
    assert.ok(requiredCrds.includes('services.serving.knative.dev'));
    assert.ok(result.notes.some((n) => n.includes('Knative Serving must be installed')));
  });

  test('admin credentials are generated into a Secret and the notes say how to read them', async () => {
    const result = await renderExample('csghub', []);
    assert.ok(result.generatedSecrets.includes('csghub-app'));
    const secret = find(result, 'Secret', 'csghub-app') as any;
    assert.equal(secret.stringData['admin-username'], 'root');
    assert.equal(secret.stringData['admin-password'].length, 24);
    assert.ok(!JSON.stringify(result.manifests).includes('Root@1234'), 'no fixed default password');
    assert.ok(
      result.notes.includes(
        "  kubectl -n csghub get secret csghub-app -o jsonpath='{.data.admin-password}' | base64 -d",
      ),
    );
    // Casdoor receives it at start-up through its init container, never through a ConfigMap.
    const casdoor = podSpec(find(result, 'Deployment', 'csghub-casdoor'));
    const init = casdoor.initContainers[0];
    assert.deepEqual(init.env.find((e: any) => e.name === 'ADMIN_PASSWORD').valueFrom, {
      secretKeyRef: { name: 'csghub-app', key: 'admin-password' },
    });
    assert.match(
      (find(result, 'ConfigMap', 'csghub-casdoor') as any).data['init_data.json'],
      /@@ADMIN_PASSWORD@@/,
    );
  });

  test('integrations remove the bundled services entirely and wire the external ones', async () => {
    const result = await renderExample('csghub', [PRODUCTION]);
    for (const dep of ['postgresql', 'redis', 'minio', 'registry']) {
      assert.ok(
        !names(result).some((n) => n.endsWith(`/csghub-${dep}`)),
        `${dep}: ${names(result).join(' ')}`,
      );
    }
    assert.deepEqual(names(result, 'StatefulSet'), [
      'StatefulSet/csghub-gitaly',
      'StatefulSet/csghub-nats',
      'StatefulSet/csghub-builder',
      'StatefulSet/csghub-gitlab-shell',
    ]);
    const server = find(result, 'ConfigMap', 'csghub-server') as any;
    assert.equal(server.data.STARHUB_DATABASE_HOST, 'csghub-pg.cluster-xxx.cn-north-1.rds.amazonaws.com.cn');
    assert.equal(server.data.STARHUB_SERVER_S3_ENDPOINT, 's3.cn-north-1.amazonaws.com.cn');
    assert.equal(server.data.STARHUB_SERVER_DOCKER_REG_BASE, 'harbor.example.com/csghub');
    const env = envOf(find(result, 'Deployment', 'csghub-server'));
    assert.deepEqual(env.POSTGRES_PASSWORD, { secretKeyRef: { name: 'csghub-pg', key: 'password' } });
    assert.deepEqual(env.STARHUB_SERVER_REDIS_PASSWORD, {
      secretKeyRef: { name: 'csghub-redis', key: 'password' },
    });
    assert.deepEqual(env.STARHUB_SERVER_S3_ACCESS_KEY_ID, {
      secretKeyRef: { name: 'csghub-s3', key: 'accessKey' },
    });
    const builder = envOf(find(result, 'StatefulSet', 'csghub-builder'));
    assert.deepEqual(builder.REGISTRY_PASSWORD, { secretKeyRef: { name: 'csghub-harbor', key: 'password' } });
    assert.equal(builder.DOCKER_HOST, 'tcp://buildkit-docker.build.svc.cluster.local:2375');
    assert.equal(
      podSpec(find(result, 'StatefulSet', 'csghub-builder')).containers.length,
      1,
      'no DinD sidecar',
    );
    assert.deepEqual(names(result, 'Ingress'), ['Ingress/csghub-casdoor', 'Ingress/csghub-csghub']);
    assert.deepEqual((find(result, 'Ingress', 'csghub-csghub') as any).spec.tls, [
      { hosts: ['csghub.hub.example.com', 'casdoor.hub.example.com'], secretName: 'csghub-tls' },
    ]);
    assert.deepEqual(names(result, 'DaemonSet'), ['DaemonSet/csghub-fluentd']);
    assert.ok(!result.warnings.some((w) => w.includes('bundled')));
  });

  test('an integration without its Secret or host is rejected', async () => {
    await assert.rejects(
      renderExample('csghub', [], ['integrations.postgresql.enabled=true']),
      /existingSecret/,
    );
    await assert.rejects(
      renderExample(
        'csghub',
        [],
        ['integrations.registry.enabled=true', 'integrations.registry.existingSecret=x'],
      ),
      /host/,
    );
    await assert.rejects(renderExample('csghub', [], ['csghub.logging.enabled=true']), /elasticsearch/);
  });

  test('secrets of config files are filled at start-up, not stored in ConfigMaps', async () => {
    const result = await renderExample('csghub', []);
    const configMaps = result.manifests.filter((m) => m.object.kind === 'ConfigMap');
    const secretValues = Object.values((find(result, 'Secret', 'csghub-app') as any).stringData).filter(
      (v) => v !== 'root',
    ) as string[];
    for (const value of secretValues) {
      assert.ok(!JSON.stringify(configMaps).includes(value), 'a generated value leaked into a ConfigMap');
    }
    const gitaly = podSpec(find(result, 'StatefulSet', 'csghub-gitaly'));
    assert.equal(gitaly.initContainers[0].name, 'render-config');
    assert.match(gitaly.initContainers[0].args[0], /@@GITALY_TOKEN@@/);
  });

  test('pods run as non-root; ports below 1024 stay on the Services only', async () => {
    const result = await renderExample('csghub', []);
    for (const m of result.manifests) {
      if (!['Deployment', 'StatefulSet', 'Job'].includes(m.object.kind)) continue;
      const spec = podSpec(m.object);
      assert.equal(spec.securityContext.runAsNonRoot, true, m.object.metadata.name);
      for (const c of spec.containers)
        for (const p of c.ports ?? [])
          assert.ok(p.containerPort >= 1024, `${m.object.metadata.name} ${p.name}`);
    }
    const dns = find(result, 'Service', 'csghub-coredns') as any;
    assert.deepEqual(
      dns.spec.ports.map((p: any) => `${p.port}/${p.protocol}`),
      ['53/UDP', '53/TCP'],
    );
    assert.match(
      (find(result, 'ConfigMap', 'csghub-coredns') as any).data.Corefile,
      /rewrite name regex \(\.\*\)\\\.space\\\.app\\\.internal/,
    );
  });

  test('extraEnv and scheduling land on the right component', async () => {
    const result = await renderExample(
      'csghub',
      [],
      [
        'services.portal.extraEnv[0].name=CSGHUB_PORTAL_SENSITIVE_CHECK_X',
        'services.portal.extraEnv[0].value=1',
        'services.runner.customNodeSelector.pool=system',
      ],
    );
    assert.equal(envOf(find(result, 'Deployment', 'csghub-portal')).CSGHUB_PORTAL_SENSITIVE_CHECK_X, '1');
    assert.equal(
      envOf(find(result, 'Deployment', 'csghub-server')).CSGHUB_PORTAL_SENSITIVE_CHECK_X,
      undefined,
    );
    assert.deepEqual(podSpec(find(result, 'Deployment', 'csghub-runner')).nodeSelector, { pool: 'system' });
  });
});
