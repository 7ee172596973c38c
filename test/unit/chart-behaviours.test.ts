/**
 * What the official Langfuse chart's own tests exercise, each expressed in berth values and
 * rendered: workload identity, security contexts, affinity, a CA bundle, init containers, sidecars,
 * envFrom, probe timings, the Service, the rollout, several Ingress hosts and bundled database
 * credentials from an existing Secret. Plus: a user's env value replaces berth's.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RenderResult } from '../../src/render/render.ts';
import { find, podSpec, renderValues } from '../support/render.ts';

type Json = Record<string, any>;

const langfuse = (values: Json): Promise<RenderResult> => renderValues('langfuse', values, 'lf');

const web = (result: RenderResult) => find(result, 'Deployment', 'lf-web');
const mainOf = (result: RenderResult) => podSpec(web(result)).containers[0] as Json;

describe('Langfuse chart behaviours in berth values', () => {
  test('a ServiceAccount with workload identity annotations, used by the pods', async () => {
    const result = await langfuse({
      services: {
        web: {
          serviceAccount: {
            create: true,
            name: 'langfuse',
            annotations: { 'iam.gke.io/gcp-service-account': 'lf@p.iam.gserviceaccount.com' },
          },
        },
      },
    });
    const account = find(result, 'ServiceAccount', 'langfuse');
    assert.equal(
      account.metadata.annotations?.['iam.gke.io/gcp-service-account'],
      'lf@p.iam.gserviceaccount.com',
    );
    assert.equal(podSpec(web(result)).serviceAccountName, 'langfuse');
    // The migrate Job runs with the web's values: same account, rendered once.
    assert.equal(podSpec(find(result, 'Job', 'lf-migrate')).serviceAccountName, 'langfuse');
    assert.equal(result.manifests.filter((m) => m.object.kind === 'ServiceAccount').length, 1);
    assert.equal(podSpec(web(result)).automountServiceAccountToken, false);
  });

  test('pod and container securityContext laid over the policy; a weaker one is a warning', async () => {
    const tightened = await langfuse({
      services: {
        web: { podSecurityContext: { fsGroup: 2000 }, securityContext: { readOnlyRootFilesystem: true } },
      },
    });
    assert.equal(podSpec(web(tightened)).securityContext.fsGroup, 2000);
    assert.equal(podSpec(web(tightened)).securityContext.runAsNonRoot, true);
    assert.equal(mainOf(tightened).securityContext.readOnlyRootFilesystem, true);
    assert.equal(
      tightened.warnings.some((w) => w.includes('weakens')),
      false,
    );

    const weakened = await langfuse({
      services: { worker: { securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN'] } } } },
    });
    const warning = weakened.warnings.find((w) => w.includes('weakens'));
    assert.match(String(warning), /^worker\/worker: .*privileged; capabilities NET_ADMIN/);
    const worker = find(weakened, 'Deployment', 'lf-worker');
    assert.match(
      String((worker.spec as Json).template.metadata.annotations['berth.dev/security-exceptions']),
      /worker: set in values/,
    );
  });

  test('affinity, extra volumes and mounts for a CA bundle, init containers, sidecars, envFrom', async () => {
    const affinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: {} } },
        ],
      },
    };
    const result = await langfuse({
      services: {
        web: {
          affinity,
          extraVolumes: [{ name: 'ca', configMap: { name: 'corp-ca' } }],
          extraVolumeMounts: [{ name: 'ca', mountPath: '/etc/ssl/certs/corp.pem', subPath: 'ca.pem' }],
          extraEnv: [{ name: 'NODE_EXTRA_CA_CERTS', value: '/etc/ssl/certs/corp.pem' }],
          initContainers: [{ name: 'wait-for-vault', image: 'busybox:1.37', command: ['sh', '-c', 'true'] }],
          sidecars: [
            {
              name: 'cloud-sql-proxy',
              image: 'gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.14.0',
              resources: { requests: { cpu: '50m', memory: '64Mi' } },
            },
          ],
          envFrom: [{ secretRef: { name: 'langfuse-sso' } }],
        },
      },
    });
    const pod = podSpec(web(result));
    assert.deepEqual(pod.affinity, affinity);
    assert.deepEqual(pod.volumes.at(-1), { name: 'ca', configMap: { name: 'corp-ca' } });
    assert.deepEqual(mainOf(result).volumeMounts.at(-1), {
      name: 'ca',
      mountPath: '/etc/ssl/certs/corp.pem',
      subPath: 'ca.pem',
    });
    assert.equal(pod.initContainers[0].name, 'wait-for-vault');
    const proxy = pod.containers.find((c: Json) => c.name === 'cloud-sql-proxy');
    assert.deepEqual(proxy.resources, {
      requests: { cpu: '50m', memory: '64Mi' },
      limits: { memory: '128Mi' },
    });
    assert.deepEqual(proxy.securityContext.capabilities, { drop: ['ALL'] });
    assert.deepEqual(mainOf(result).envFrom, [{ secretRef: { name: 'langfuse-sso' } }]);
  });

  test('probe timings change, the handler stays; a whole probe replaces ours', async () => {
    const result = await langfuse({
      services: {
        web: {
          probes: {
            liveness: { initialDelaySeconds: 30, timeoutSeconds: 10 },
            readiness: { httpGet: { path: '/api/public/health', port: 'http' }, periodSeconds: 3 },
          },
        },
      },
    });
    const main = mainOf(result);
    assert.equal(main.livenessProbe.initialDelaySeconds, 30);
    assert.equal(main.livenessProbe.timeoutSeconds, 10);
    assert.equal(main.livenessProbe.httpGet.path, '/api/public/health');
    assert.equal(main.readinessProbe.periodSeconds, 3);
    assert.equal(main.readinessProbe.httpGet.path, '/api/public/health');
  });

  test('Service type and annotations, rollout strategy', async () => {
    const result = await langfuse({
      services: {
        web: {
          service: {
            type: 'LoadBalancer',
            annotations: { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' },
            loadBalancerSourceRanges: ['10.0.0.0/8'],
          },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
        },
      },
    });
    const service = find(result, 'Service', 'lf-web');
    assert.equal((service.spec as Json).type, 'LoadBalancer');
    assert.deepEqual((service.spec as Json).loadBalancerSourceRanges, ['10.0.0.0/8']);
    assert.equal(
      service.metadata.annotations?.['service.beta.kubernetes.io/aws-load-balancer-internal'],
      'true',
    );
    assert.deepEqual((web(result).spec as Json).strategy.rollingUpdate, {
      maxSurge: '25%',
      maxUnavailable: 0,
    });
  });

  test('several Ingress hosts with their paths and TLS entries', async () => {
    const result = await langfuse({
      ingress: {
        enabled: true,
        hosts: [
          { host: 'langfuse.example.com', paths: [{ path: '/', pathType: 'Prefix' }] },
          { host: 'lf.internal.example.com' },
        ],
        tls: [{ secretName: 'lf-tls', hosts: ['langfuse.example.com', 'lf.internal.example.com'] }],
      },
    });
    const ingress = find(result, 'Ingress', 'lf');
    const spec = ingress.spec as Json;
    assert.deepEqual(
      spec.rules.map((r: Json) => r.host),
      ['langfuse.example.com', 'lf.internal.example.com'],
    );
    assert.equal(spec.rules[0].http.paths[0].backend.service.name, 'lf-web');
    assert.deepEqual(spec.tls, [
      { hosts: ['langfuse.example.com', 'lf.internal.example.com'], secretName: 'lf-tls' },
    ]);
    const env = Object.fromEntries(mainOf(result).env.map((e: Json) => [e.name, e.value]));
    assert.equal(env.NEXTAUTH_URL, 'https://langfuse.example.com');
  });

  test('bundled database credentials from an existing Secret', async () => {
    const result = await langfuse({
      dependencies: {
        postgresql: { auth: { existingSecret: 'pg-auth', secretKeys: { password: 'postgres-password' } } },
      },
    });
    assert.ok(
      !result.manifests.some((m) => m.object.metadata.name === 'lf-postgresql' && m.object.kind === 'Secret'),
    );
    const pg = podSpec(find(result, 'StatefulSet', 'lf-postgresql')).containers[0] as Json;
    const password = pg.env.find((e: Json) => e.name === 'POSTGRES_PASSWORD');
    assert.deepEqual(password.valueFrom, { secretKeyRef: { name: 'pg-auth', key: 'postgres-password' } });
    const appPassword = mainOf(result).env.find((e: Json) => e.name === 'DATABASE_PASSWORD');
    assert.deepEqual(appPassword.valueFrom, { secretKeyRef: { name: 'pg-auth', key: 'postgres-password' } });
  });

  test("a user's env value replaces berth's in place", async () => {
    const ours = await langfuse({});
    const theirs = await langfuse({
      services: { web: { extraEnv: [{ name: 'LANGFUSE_LOG_LEVEL', value: 'debug' }] } },
    });
    const names = (r: RenderResult) => mainOf(r).env.map((e: Json) => e.name);
    assert.deepEqual(names(theirs), names(ours));
    const level = mainOf(theirs).env.find((e: Json) => e.name === 'LANGFUSE_LOG_LEVEL');
    assert.equal(level.value, 'debug');
  });
});
