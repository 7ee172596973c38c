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
    assert.ok(result.notes.some((n) => n.includes('create secret docker-registry csghub-space-pull')));
  });

  test('the rootless Docker-in-Docker sidecar declares its privilege instead of failing', async () => {
    const builder = find(await renderValues({}), 'StatefulSet', 'csghub-builder');
    const docker = podSpec(builder).containers.find((c: { name: string }) => c.name === 'docker');
    assert.equal(docker.securityContext.privileged, true);
  });
});
