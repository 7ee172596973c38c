import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { contract } from '../../src/blueprints/csghub/contract.ts';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import { render } from '../../src/render/render.ts';
import { checkContract } from '../../src/verify/contract.ts';
import { releaseView } from '../../src/verify/view.ts';
import { variants } from '../matrix/csghub.ts';
import { envOf, find, fixedSecrets, podSpec, renderExample } from '../support/render.ts';

const renderValues = async (values: unknown) =>
  render(await getBlueprint('csghub'), values as Record<string, unknown>, {
    release: 'csghub',
    namespace: 'csghub',
    secretValues: fixedSecrets,
  });

const violations = async (values: unknown, fact: string) =>
  checkContract(contract, await renderValues(values)).filter((v) => v.fact === fact);

describe('csghub upstream contract', () => {
  for (const [name, values] of Object.entries(variants)) {
    test(`variant ${name} honours the contract`, async () => {
      assert.deepEqual(checkContract(contract, await renderValues(values)), []);
    });
  }

  test('the contract follows the pinned version', async () => {
    assert.equal(contract.upstreamVersion, (await getBlueprint('csghub')).appVersion);
  });

  test('server, user and accounting get an API token of at least 128 characters', async () => {
    assert.deepEqual(await violations({}, 'server.api-token-length'), []);
    const view = releaseView(await renderValues({}));
    for (const role of ['server', 'user', 'accounting']) {
      const token = view.component(role)?.container(role)?.env.get('STARHUB_SERVER_API_TOKEN')?.value ?? '';
      assert.ok(token.length >= 128, `${role}: ${token.length} characters`);
    }
  });

  test('Temporal is bundled and every workflow worker dials it; integrations.temporal replaces it', async () => {
    assert.deepEqual(await violations({}, 'workflow.endpoint'), []);
    const result = await renderValues({});
    const endpoint = releaseView(result)
      .component('server')
      ?.container('server')
      ?.env.get('OPENCSG_WORKFLOW_SERVER_ENDPOINT')?.value;
    assert.equal(endpoint, 'csghub-temporal.csghub.svc:7233');
    assert.ok(find(result, 'Service', 'csghub-temporal'));
    const external = await renderValues({ integrations: { temporal: { enabled: true, host: 't.example' } } });
    assert.ok(!external.manifests.some((m) => m.object.metadata.name === 'csghub-temporal'));
    assert.equal(
      releaseView(external).component('user')?.container('user')?.env.get('OPENCSG_WORKFLOW_SERVER_ENDPOINT')
        ?.value,
      't.example:7233',
    );
  });

  test('server, Gitaly and gitlab-shell share one generated JWT secret', async () => {
    assert.deepEqual(await violations({}, 'gitlab-shell.jwt-secret'), []);
    const server = envOf(find(await renderExample('csghub', []), 'Deployment', 'csghub-server'));
    assert.deepEqual(server.STARHUB_SERVER_GITALY_JWT_SECRET, {
      secretKeyRef: { name: 'csghub-app', key: 'gitlab-shell-secret' },
    });
  });

  test('spaces: the namespace is rendered and the pull Secret is named; the seed loads without truncating', async () => {
    for (const fact of [
      'runner.namespace',
      'runner.image-pull-secret',
      'seed.loaded',
      'server.schema-before-roles',
    ]) {
      assert.deepEqual(await violations({}, fact), [], fact);
    }
    const result = await renderValues({});
    assert.ok(find(result, 'Namespace', 'space'));
    assert.equal(
      releaseView(result)
        .component('runner')
        ?.container('runner')
        ?.env.get('STARHUB_SERVER_DOCKER_IMAGE_PULL_SECRET')?.value,
      'csghub-space-pull',
    );
    assert.ok(find(result, 'Secret', 'csghub-space-pull'));
  });

  test('the rootless Docker-in-Docker sidecar declares its privilege instead of failing', async () => {
    const builder = find(await renderValues({}), 'StatefulSet', 'csghub-builder');
    const docker = podSpec(builder).containers.find((c: { name: string }) => c.name === 'docker');
    assert.equal(docker.securityContext.privileged, true);
  });
});

describe('csghub space DNS and pull credentials', () => {
  const SPACE_CALLERS = ['proxy', 'runner', 'server'];

  test('with csghub.runner.dnsServiceIP, the CoreDNS Service takes that IP and every pod that dials space URLs resolves through it', async () => {
    const values = { csghub: { runner: { dnsServiceIP: '10.43.0.11' } } };
    assert.deepEqual(await violations(values, 'spaces.dns'), []);
    const result = await renderValues(values);
    assert.equal((find(result, 'Service', 'csghub-coredns') as any).spec.clusterIP, '10.43.0.11');
    for (const name of SPACE_CALLERS) {
      const pod = podSpec(find(result, 'Deployment', `csghub-${name}`));
      assert.equal(pod.dnsPolicy, 'None', name);
      assert.deepEqual(pod.dnsConfig, {
        nameservers: ['10.43.0.11'],
        searches: ['csghub.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
        options: [{ name: 'ndots', value: '5' }],
      });
    }
    // Casdoor and the other roles never dial a space URL: they keep the cluster DNS.
    for (const name of ['casdoor', 'user', 'portal'])
      assert.equal(podSpec(find(result, 'Deployment', `csghub-${name}`)).dnsPolicy, undefined, name);
    assert.ok(!result.notes.some((n) => n.includes('make the cluster DNS forward')));
  });

  test('the release CoreDNS forwards every other name to the cluster DNS', async () => {
    const corefile = (await renderValues({})).manifests.find(
      (m) => m.object.kind === 'ConfigMap' && m.object.metadata.name === 'csghub-coredns',
    )?.object.data as Record<string, string>;
    assert.match(corefile.Corefile!, /forward \. \/etc\/resolv\.conf/);
  });

  test('without dnsServiceIP the cluster DNS forwards the space domain, and the network policy admits it', async () => {
    const result = await renderValues({ networkPolicy: { enabled: true } });
    assert.equal(podSpec(find(result, 'Deployment', 'csghub-proxy')).dnsPolicy, undefined);
    assert.ok(result.notes.some((n) => n.includes('make the cluster DNS forward')));
    const policy = find(result, 'NetworkPolicy', 'csghub-coredns') as any;
    const peers = policy.spec.ingress.flatMap((r: { from?: unknown[] }) => r.from ?? []);
    assert.ok(
      peers.some(
        (p: any) => p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'kube-system',
      ),
      JSON.stringify(peers),
    );
  });

  test('dnsServiceIP must be an IPv4 address', async () => {
    await assert.rejects(renderValues({ csghub: { runner: { dnsServiceIP: '10.43.0' } } }));
    await assert.rejects(renderValues({ csghub: { runner: { dnsServiceIP: 'coredns' } } }));
  });

  test('with the bundled registry, the space pull Secret is rendered from its generated login', async () => {
    const result = await renderValues({});
    const pull = result.manifests.find(
      (m) => m.object.kind === 'Secret' && m.object.metadata.name === 'csghub-space-pull',
    )?.object as any;
    assert.ok(pull, 'no csghub-space-pull Secret');
    assert.equal(pull.metadata.namespace, 'space');
    assert.equal(pull.type, 'kubernetes.io/dockerconfigjson');
    const registry = (find(result, 'Secret', 'csghub-registry') as any).stringData;
    const config = JSON.parse(pull.stringData['.dockerconfigjson']);
    assert.deepEqual(config.auths['registry.example.com:30080'], {
      username: registry.username,
      password: registry.password,
    });
    assert.ok(!result.notes.some((n) => n.includes('create secret docker-registry')));
  });

  test('with an external registry, a named pull Secret replaces the printed command', async () => {
    const registry = { enabled: true, host: 'harbor.example.com', existingSecret: 'harbor' };
    const printed = await renderValues({ integrations: { registry } });
    assert.ok(printed.notes.some((n) => n.includes('create secret docker-registry csghub-space-pull')));
    assert.ok(!printed.manifests.some((m) => m.object.metadata.name === 'csghub-space-pull'));
    const named = await renderValues({
      integrations: { registry },
      csghub: { runner: { imagePullSecret: 'harbor-pull' } },
    });
    assert.ok(!named.notes.some((n) => n.includes('create secret docker-registry')));
    assert.equal(
      releaseView(named).main('runner')?.value('STARHUB_SERVER_DOCKER_IMAGE_PULL_SECRET'),
      'harbor-pull',
    );
  });
});

describe('csghub server role', () => {
  test('the server writes nothing under /starhub-bin (root-owned; berth runs it as uid 1000)', async () => {
    assert.deepEqual(await violations({}, 'server.writable-paths'), []);
    const server = releaseView(await renderValues({})).main('server')!;
    const script = [...server.command, ...server.args].join(' ');
    assert.ok(!script.includes('init.sh'), script);
    assert.match(script, /starhub sync sync-as-client/);
    assert.match(script, /exec \/starhub-bin\/starhub start server/);
  });

  test('the server meters every running deploy in-process: one replica, recreated', async () => {
    assert.deepEqual(await violations({}, 'server.single'), []);
    const server = find(await renderValues({}), 'Deployment', 'csghub-server') as any;
    assert.equal(server.spec.strategy.type, 'Recreate');
    await assert.rejects(renderValues({ services: { server: { replicas: 2 } } }), /singleton/);
  });

  test('the portal image is the chart 1.2.1 fix of v1.2.0', async () => {
    assert.deepEqual(await violations({}, 'portal.image'), []);
    const portal = releaseView(await renderValues({})).main('portal')!;
    assert.match(portal.image, /csghub_portal:v1\.2\.1$/);
  });
});
