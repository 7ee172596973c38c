import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { contract } from '../../src/blueprints/model-router/contract.ts';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import { render } from '../../src/render/render.ts';
import { checkContract } from '../../src/verify/contract.ts';
import { variants } from '../matrix/model-router.ts';
import { envOf, find, fixedSecrets, podSpec } from '../support/render.ts';

const NAME = 'model-router-router';

async function renderValues(values: unknown) {
  return render(await getBlueprint('model-router'), structuredClone(values), {
    release: 'model-router',
    namespace: 'model-router',
    secretValues: fixedSecrets,
  });
}

function applicationYml(result: Awaited<ReturnType<typeof renderValues>>): any {
  return parse((find(result, 'ConfigMap', 'model-router-config') as any).data['application.yml']);
}

function container(result: Awaited<ReturnType<typeof renderValues>>): any {
  return podSpec(find(result, 'Deployment', NAME)).containers[0];
}

const facts = (violations: { fact: string }[]) => [...new Set(violations.map((v) => v.fact))];

describe('model-router upstream contract', () => {
  test('contract pins the blueprint version', async () => {
    assert.equal(contract.upstreamVersion, (await getBlueprint('model-router')).appVersion);
  });

  for (const [name, values] of Object.entries(variants)) {
    test(`variant ${name} satisfies the upstream contract`, async () => {
      assert.deepEqual(checkContract(contract, await renderValues(values)), []);
    });
    test(`variant ${name} with networkPolicy and monitoring satisfies the upstream contract`, async () => {
      const result = await renderValues({
        ...(values as object),
        networkPolicy: { enabled: true },
        monitoring: { serviceMonitor: { enabled: true }, prometheusRule: { enabled: true } },
      });
      assert.deepEqual(checkContract(contract, result), []);
    });
  }
});

describe('model-router defects found against upstream', () => {
  test('probes only hit actuator paths Spring Security serves anonymously', async () => {
    const c = container(await renderValues({}));
    assert.equal(c.readinessProbe.httpGet.path, '/actuator/health');
    assert.notEqual(c.livenessProbe.httpGet?.path, '/actuator/health/liveness');
    assert.deepEqual(
      facts(checkContract(contract, await renderValues({}))).includes('router.public-endpoints'),
      false,
    );
  });

  test('the redis health indicator is off, so /actuator/health is UP without Redis', async () => {
    assert.equal(applicationYml(await renderValues({})).management.health.redis.enabled, false);
  });

  test('the rendered application.yml is an additional config location, so it beats the image defaults', async () => {
    const result = await renderValues({});
    const env = envOf(find(result, 'Deployment', NAME));
    assert.equal(env.SPRING_CONFIG_ADDITIONAL_LOCATION, 'file:/app/config/application.yml');
    const mount = container(result).volumeMounts.find((m: any) => m.mountPath === '/app/config');
    assert.ok(mount?.readOnly);
  });

  test('service types the user leaves out have no instances (the image defaults point at 172.16.30.6)', async () => {
    const services = applicationYml(await renderValues({})).model.services;
    assert.deepEqual(services.embedding, { instances: [] });
    assert.equal(services.chat.adapter, 'normal');
    assert.equal(services.chat['rate-limit'].capacity, 1000);
    assert.equal(services.chat.instances[0]['base-url'], 'http://ollama-service:11434');
  });

  test("the user's router.config wins over the rendered settings", async () => {
    const yml = applicationYml(
      await renderValues({
        router: { config: { management: { endpoints: { web: { exposure: { include: 'health' } } } }, x: 1 } },
      }),
    );
    assert.equal(yml.management.endpoints.web.exposure.include, 'health');
    assert.equal(yml.management.health.redis.enabled, false);
    assert.equal(yml.x, 1);
  });

  test('the API key is wired into jairouter.security.api-key.keys with the service permissions', async () => {
    const result = await renderValues(variants.everyServiceType);
    const c = container(result);
    const byName = Object.fromEntries(c.env.map((e: any) => [e.name, e]));
    assert.deepEqual(byName.JAIROUTER_SECURITY_APIKEY_KEYS_0_KEYVALUE.valueFrom.secretKeyRef, {
      name: 'model-router-api-key',
      key: 'api-key',
    });
    assert.equal(byName.JAIROUTER_SECURITY_APIKEY_KEYS_0_ENABLED.value, 'true');
    assert.equal(
      byName.JAIROUTER_SECURITY_APIKEY_KEYS_0_PERMISSIONS.value,
      'chat,embedding,rerank,tts,stt,imgGen,imgEdit',
    );
    assert.equal(byName.API_KEY, undefined);
    assert.equal(byName.ADMIN_API_KEY, undefined);
    const own = envOf(find(await renderValues(variants.existingSecret), 'Deployment', NAME));
    assert.deepEqual((own.JAIROUTER_SECURITY_APIKEY_KEYS_0_KEYVALUE as any).secretKeyRef, {
      name: 'my-router',
      key: 'token',
    });
  });

  test('a generated JWT secret and admin password replace the published defaults; no user/user123456 account', async () => {
    const result = await renderValues({});
    const byName = Object.fromEntries(container(result).env.map((e: any) => [e.name, e]));
    for (const name of ['JAIROUTER_SECURITY_JWT_SECRET', 'JWT_SECRET'])
      assert.deepEqual(byName[name].valueFrom.secretKeyRef, { name: 'model-router-auth', key: 'jwt-secret' });
    assert.deepEqual(byName.INITIAL_ADMIN_PASSWORD.valueFrom.secretKeyRef, {
      name: 'model-router-auth',
      key: 'admin-password',
    });
    const accounts = applicationYml(result).jairouter.security.jwt.accounts;
    assert.deepEqual(
      accounts.map((a: any) => a.username),
      ['admin'],
    );
  });

  test("the pods run as the image's uid 10010", async () => {
    const pod = podSpec(find(await renderValues({}), 'Deployment', NAME));
    assert.equal(pod.securityContext.runAsUser, 10010);
    assert.equal(pod.securityContext.runAsGroup, 10010);
    assert.equal(pod.securityContext.fsGroup, 10010);
  });

  test('no ReadWriteMany claims by default; a ReadWriteOnce claim makes the router a pod that never surges', async () => {
    const plain = await renderValues({});
    assert.deepEqual(
      plain.manifests.filter((m) => m.object.kind === 'PersistentVolumeClaim'),
      [],
    );
    const claimed = await renderValues(variants.persistentLogsSinglePod);
    const claims = claimed.manifests.filter((m) => m.object.kind === 'PersistentVolumeClaim');
    assert.equal(claims.length, 2);
    for (const claim of claims) assert.deepEqual((claim.object as any).spec.accessModes, ['ReadWriteOnce']);
    // A pod on a ReadWriteOnce claim is replaced, never surged next to the old one.
    assert.deepEqual((find(claimed, 'Deployment', NAME) as any).spec.strategy, { type: 'Recreate' });
    assert.equal((find(plain, 'Deployment', NAME) as any).spec.strategy.type, 'RollingUpdate');
    assert.match(
      (
        await renderValues({
          ...(variants.persistentLogsSinglePod as object),
          services: { router: { replicas: 2 } },
        })
      ).warnings.join(' '),
      /ReadWriteOnce claim .* they all have to land on one node/,
    );
  });

  test('with networkPolicy and a ServiceMonitor the default monitoring namespace may scrape', async () => {
    const result = await renderValues({
      networkPolicy: { enabled: true },
      monitoring: { serviceMonitor: { enabled: true } },
    });
    const policy = find(result, 'NetworkPolicy', NAME) as any;
    const peers = policy.spec.ingress.flatMap((rule: any) => rule.from ?? []);
    assert.ok(
      peers.some(
        (p: any) => p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'monitoring',
      ),
    );
  });
});
