/**
 * The component surface reaches every component of every blueprint: each field set on every
 * `services.<name>` and `dependencies.<dep>` shows up on every workload the blueprint renders, under
 * the policy, and still passes the wiring verifier and the OpenAPI validation.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { blueprintNames, getBlueprint } from '../../src/blueprints/registry.ts';
import { render } from '../../src/render/render.ts';
import { podTemplateOf } from '../../src/verify/view.ts';
import { fixedSecrets } from '../support/render.ts';

type Json = Record<string, any>;

const surface = {
  serviceAccount: { create: true, annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/r' } },
  podSecurityContext: { fsGroupChangePolicy: 'OnRootMismatch' },
  securityContext: { readOnlyRootFilesystem: true },
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['ai'] }] }],
      },
    },
  },
  tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }],
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  topologySpreadConstraints: [
    { maxSkew: 2, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
  ],
  priorityClassName: 'platform-high',
  extraVolumes: [{ name: 'ca-bundle', configMap: { name: 'corp-ca' } }],
  extraVolumeMounts: [{ name: 'ca-bundle', mountPath: '/etc/ssl/corp', readOnly: true }],
  initContainers: [{ name: 'wait', image: 'busybox:1.37', command: ['true'] }],
  sidecars: [{ name: 'proxy', image: 'envoyproxy/envoy:v1.31.0' }],
  envFrom: [{ secretRef: { name: 'corp-env' } }],
  extraEnv: [{ name: 'SURFACE_CHECK', value: 'yes' }],
  probes: { readiness: { periodSeconds: 17 } },
  lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
  podLabels: { team: 'ml' },
  podAnnotations: { 'example.com/pod': 'yes' },
  labels: { 'cost-center': 'ai' },
  annotations: { 'example.com/workload': 'yes' },
  service: { type: 'LoadBalancer', annotations: { 'example.com/lb': 'internal' } },
  hostAliases: [{ ip: '10.0.0.9', hostnames: ['license.corp'] }],
  dnsConfig: { options: [{ name: 'ndots', value: '2' }] },
  terminationGracePeriodSeconds: 45,
};

async function everywhere(name: string): Promise<Json> {
  const defaults = (await getBlueprint(name)).schema.parse({}) as Json;
  // Every entry that runs pods (has an image); settings-only entries such as a storage volume are skipped.
  const fill = (group: Json) =>
    Object.fromEntries(
      Object.entries(group)
        .filter(([, entry]) => entry?.image)
        .map(([key]) => [key, structuredClone(surface)]),
    );
  const values: Json = {};
  for (const group of ['services', 'dependencies'])
    if (defaults[group]) values[group] = fill(defaults[group]);
  return values;
}

for (const name of blueprintNames()) {
  describe(`${name}: component surface`, () => {
    test('every field reaches every workload', async () => {
      const result = await render(await getBlueprint(name), await everywhere(name), {
        release: 'r',
        namespace: 'ns',
        secretValues: fixedSecrets,
      });
      const workloads = result.manifests.filter((m) => podTemplateOf(m.object));
      assert.ok(workloads.length > 0);
      for (const { object } of workloads) {
        const where = `${object.kind}/${object.metadata.name}`;
        const template = podTemplateOf(object) as Json;
        const pod = template.spec as Json;
        const main = pod.containers[0] as Json;
        assert.equal(object.metadata.labels?.['cost-center'], 'ai', where);
        assert.equal(object.metadata.annotations?.['example.com/workload'], 'yes', where);
        assert.equal(template.metadata.labels.team, 'ml', where);
        assert.equal(template.metadata.annotations['example.com/pod'], 'yes', where);
        assert.ok(pod.serviceAccountName, `${where}: serviceAccountName`);
        assert.equal(pod.automountServiceAccountToken, false, where);
        assert.equal(pod.securityContext.fsGroupChangePolicy, 'OnRootMismatch', where);
        assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault', `${where}: policy kept`);
        assert.deepEqual(pod.affinity, surface.affinity, where);
        assert.ok(
          pod.tolerations.some((t: Json) => t.key === 'gpu'),
          `${where}: tolerations`,
        );
        assert.equal(pod.nodeSelector['kubernetes.io/os'], 'linux', where);
        assert.deepEqual(pod.topologySpreadConstraints, surface.topologySpreadConstraints, where);
        assert.equal(pod.priorityClassName, 'platform-high', where);
        assert.ok(
          pod.volumes.some((v: Json) => v.name === 'ca-bundle'),
          `${where}: extraVolumes`,
        );
        assert.ok(
          main.volumeMounts.some((m: Json) => m.mountPath === '/etc/ssl/corp'),
          `${where}: extraVolumeMounts`,
        );
        assert.deepEqual(main.envFrom.at(-1), { secretRef: { name: 'corp-env' } }, where);
        assert.ok(
          main.env.some((e: Json) => e.name === 'SURFACE_CHECK' && e.value === 'yes'),
          `${where}: extraEnv`,
        );
        assert.deepEqual(main.lifecycle, surface.lifecycle, where);
        assert.equal(main.securityContext.readOnlyRootFilesystem, true, where);
        assert.deepEqual(main.securityContext.capabilities.drop, ['ALL'], `${where}: policy kept`);
        const init = (pod.initContainers as Json[]).find((c) => c.name === 'wait');
        assert.ok(init, `${where}: initContainers`);
        assert.equal(init.securityContext.allowPrivilegeEscalation, false, `${where}: init under the policy`);
        assert.equal(init.resources.limits.memory, '128Mi', `${where}: init resources defaulted`);
        assert.deepEqual(pod.hostAliases, surface.hostAliases, where);
        assert.deepEqual(pod.dnsConfig.options.at(-1), { name: 'ndots', value: '2' }, where);
        assert.equal(pod.terminationGracePeriodSeconds, 45, where);
        if (object.kind === 'Job') {
          assert.ok(!pod.containers.some((c: Json) => c.name === 'proxy'), `${where}: no sidecar on a Job`);
          continue;
        }
        const sidecar = (pod.containers as Json[]).find((c) => c.name === 'proxy');
        assert.ok(sidecar, `${where}: sidecars`);
        assert.equal(sidecar.securityContext.runAsNonRoot, true, `${where}: sidecar under the policy`);
        assert.ok(sidecar.resources.requests.memory, `${where}: sidecar resources defaulted`);
        if (main.readinessProbe)
          assert.equal(main.readinessProbe.periodSeconds, 17, `${where}: probe timing`);
      }
      const accounts = result.manifests.filter((m) => m.object.kind === 'ServiceAccount');
      assert.ok(accounts.length > 0);
      for (const { object } of accounts) {
        assert.equal(object.metadata.annotations?.['eks.amazonaws.com/role-arn'], 'arn:aws:iam::1:role/r');
        assert.equal(object.automountServiceAccountToken, false);
      }
      const services = result.manifests.filter(
        (m) => m.object.kind === 'Service' && m.component && !m.object.metadata.name.endsWith('-nodeport'),
      );
      for (const { object } of services) {
        const spec = object.spec as Json;
        // A fixed clusterIP (a release's own DNS server) stays as the blueprint set it.
        if (spec.clusterIP) continue;
        assert.equal(spec.type, 'LoadBalancer', `${object.metadata.name}: service.type`);
        assert.equal(object.metadata.annotations?.['example.com/lb'], 'internal');
      }
    });
  });
}
