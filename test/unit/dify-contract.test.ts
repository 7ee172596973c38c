import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blueprint } from '../../src/blueprints/dify/blueprint.ts';
import { contract, SANDBOX_CAPABILITIES } from '../../src/blueprints/dify/contract.ts';
import type { RenderContext } from '../../src/render/context.ts';
import type { ComponentSpec } from '../../src/render/model.ts';
import { deploymentStrategy } from '../../src/render/policies.ts';
import { type RenderResult, render } from '../../src/render/render.ts';
import { validateValues } from '../../src/values/validate.ts';
import { checkContract } from '../../src/verify/contract.ts';
import { releaseView } from '../../src/verify/view.ts';
import { variants } from '../matrix/dify.ts';
import { fixedSecrets } from '../support/render.ts';

const renderValues = (values: unknown): Promise<RenderResult> =>
  render(blueprint, values, { release: 'dify', namespace: 'dify', secretValues: fixedSecrets });

/** The blueprint's own description of a component, before render applies the policies. */
function componentSpec(values: unknown, name: string): ComponentSpec {
  const parsed = validateValues(blueprint.schema, values);
  const ctx: RenderContext = {
    release: 'dify',
    namespace: 'dify',
    blueprint: { name: blueprint.name, version: blueprint.version, appVersion: blueprint.appVersion },
    common: parsed,
  };
  const found = blueprint.build(parsed, ctx).components.find((c) => c.name === name);
  assert.ok(found, `no component ${name}`);
  return found;
}

describe('dify upstream contract', () => {
  test('contract is for the pinned version', () => {
    assert.equal(contract.upstreamVersion, blueprint.appVersion);
    for (const fact of contract.facts) assert.ok(fact.source.file && fact.source.ref, fact.id);
  });

  for (const [name, values] of Object.entries(variants)) {
    test(`variant ${name}: every upstream fact holds`, async () => {
      assert.deepEqual(checkContract(contract, await renderValues(values)), []);
    });
  }
});

describe('dify defects', () => {
  test('the sandbox declares root and exactly the capabilities its chroot/setuid runner uses', () => {
    const container = componentSpec({}, 'sandbox').containers[0]!;
    const exception = container.securityException;
    assert.ok(exception, 'no security exception on the sandbox');
    assert.equal(exception.runAsRoot, true);
    assert.deepEqual([...(exception.addCapabilities ?? [])].sort(), [...SANDBOX_CAPABILITIES]);
    assert.notEqual(exception.privileged, true);
    assert.notEqual(exception.seccompUnconfined, true);
    assert.match(exception.reason, /chroot/);
    assert.equal(componentSpec({}, 'sandbox').podSecurity?.runAsUser, undefined, 'no pod-level non-root uid');
  });

  test('worker-beat is a singleton: never two schedulers, not even during a rollout', () => {
    assert.equal(componentSpec({}, 'worker-beat').singleton, true);
  });

  test('the migration Job is admitted by the PostgreSQL and Redis NetworkPolicies', async () => {
    const result = await renderValues({ networkPolicy: { enabled: true } });
    const violations = checkContract(contract, result).filter((v) => v.fact === 'migrate.reaches-databases');
    assert.deepEqual(violations, []);
    // and it is really there to be checked
    assert.ok(releaseView(result).components.some((c) => c.kind === 'Job' && c.name.startsWith('migrate-')));
  });

  test('defaults ask for no ReadWriteMany volume: files go to the bundled MinIO', async () => {
    const result = await renderValues({});
    const claims = result.manifests.filter((m) => m.object.kind === 'PersistentVolumeClaim');
    const templates = result.manifests.flatMap(
      (m) => ((m.object.spec as any)?.volumeClaimTemplates as any[] | undefined) ?? [],
    );
    for (const claim of [...claims.map((m) => m.object), ...templates])
      assert.ok(!(claim.spec as any).accessModes.includes('ReadWriteMany'), JSON.stringify(claim.metadata));
    const api = releaseView(result).component('api')!.container('api')!;
    assert.equal(api.env.get('STORAGE_TYPE')?.value, 's3');
  });

  test('a ReadWriteOnce shared volume is the default for pvc storage and never surges', () => {
    const values = { dify: { storage: { type: 'pvc' } } };
    for (const name of ['api', 'worker']) {
      const spec = componentSpec(values, name);
      const storage = spec.volumes?.find((v) => v.name === 'storage');
      assert.deepEqual(storage?.persistence?.accessModes, ['ReadWriteOnce']);
      assert.deepEqual(
        deploymentStrategy(spec).strategy,
        { type: 'Recreate' },
        `${name} would attach the claim on two nodes`,
      );
    }
    const rwx = componentSpec(
      { dify: { storage: { type: 'pvc', persistence: { accessModes: ['ReadWriteMany'] } } } },
      'api',
    );
    assert.notDeepEqual(deploymentStrategy(rwx).strategy, { type: 'Recreate' });
  });

  test('the plugin daemon volume (ReadWriteOnce) never surges', () => {
    assert.deepEqual(deploymentStrategy(componentSpec({}, 'plugin-daemon')).strategy, { type: 'Recreate' });
  });

  test('dify.extraConfig overrides a setting berth passes as env (env would shadow envFrom)', async () => {
    const url = 'redis://broker.example:6379/3';
    const result = await renderValues({ dify: { extraConfig: { CELERY_BROKER_URL: url } } });
    for (const name of ['api', 'worker', 'worker-beat']) {
      const env = releaseView(result).component(name)!.container(name)!.env;
      assert.equal(env.get('CELERY_BROKER_URL')?.value, url, name);
    }
  });

  test('vector store settings override berth-computed endpoints', async () => {
    const result = await renderValues({
      dify: { vectorStore: { settings: { WEAVIATE_GRPC_ENDPOINT: 'grpc://weaviate.other:50051' } } },
    });
    const env = releaseView(result).component('api')!.container('api')!.env;
    assert.equal(env.get('WEAVIATE_GRPC_ENDPOINT')?.value, 'grpc://weaviate.other:50051');
  });

  test('external PostgreSQL TLS: the daemon gets a mode it accepts, api gets sslmode in DB_EXTRAS', async () => {
    const result = await renderValues(variants['external-postgres-verify-full']);
    const view = releaseView(result);
    assert.equal(
      view.component('plugin-daemon')!.container('plugin-daemon')!.env.get('DB_SSL_MODE')?.value,
      'require',
    );
    assert.equal(view.component('api')!.container('api')!.env.get('DB_EXTRAS')?.value, 'sslmode=verify-full');
    assert.deepEqual(
      checkContract(contract, result).filter((v) => v.fact === 'plugin-daemon.db-ssl-mode'),
      [],
    );
  });

  test('an Ingress keeps streams and uploads whole; an override that cuts them breaks the contract', async () => {
    const plain = await renderValues({ ingress: { enabled: true, host: 'dify.example.com' } });
    assert.deepEqual(checkContract(contract, plain), []);
    const cut = await renderValues({
      ingress: {
        enabled: true,
        host: 'dify.example.com',
        annotations: { 'nginx.ingress.kubernetes.io/proxy-buffering': 'on' },
      },
    });
    assert.deepEqual(
      checkContract(contract, cut).map((v) => v.fact),
      ['ingress.streaming-and-uploads'],
    );
  });
});
