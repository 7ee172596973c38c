import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LiveObject } from '../../src/kube/types.ts';
import { capacityVerdict, nodeCapacities } from '../../src/preflight/capacity.ts';
import { checkCrds } from '../../src/preflight/checks.ts';
import { formatChecklist } from '../../src/preflight/format.ts';
import { type PreflightClient, preflightExitCode, worstOutcome } from '../../src/preflight/model.ts';
import { enforcedLevel, podSecurityViolations } from '../../src/preflight/pod-security.ts';
import { podRequests } from '../../src/preflight/pods.ts';
import { blueprintPrerequisites } from '../../src/preflight/prerequisites.ts';
import { formatCpu, formatMemory, parseQuantity } from '../../src/preflight/quantity.ts';
import { deriveRequirements, guessPlural } from '../../src/preflight/requirements.ts';
import { preflightRequirements } from '../../src/preflight/run.ts';
import { checkRange, parseVersion, satisfies } from '../../src/preflight/semver.ts';
import { valueReferences } from '../../src/preflight/values-walk.ts';
import type { KubeObject } from '../../src/render/model.ts';
import { renderExample } from '../support/render.ts';

async function requirementsOf(blueprint: string, sets: string[] = []) {
  const result = await renderExample(blueprint, [], sets);
  return preflightRequirements({
    blueprint: { name: blueprint, kubeVersion: '>=1.24.0' },
    values: result.values,
    manifests: result.manifests,
    namespace: 'shop',
    release: blueprint,
  });
}

describe('semver range', () => {
  const v = (text: string) => parseVersion(text)!;
  test('parses server versions, ignoring vendor suffixes', () => {
    assert.deepEqual(parseVersion('v1.35.4'), [1, 35, 4]);
    assert.deepEqual(parseVersion('v1.28.3-gke.1200'), [1, 28, 3]);
    assert.deepEqual(parseVersion('1.30.0+k3s1'), [1, 30, 0]);
    assert.deepEqual(parseVersion('1.24'), [1, 24, 0]);
    assert.equal(parseVersion('one.two'), undefined);
  });
  test('comparators joined by spaces are ANDed', () => {
    assert.equal(satisfies(v('1.24.0'), '>=1.24.0'), true);
    assert.equal(satisfies(v('1.23.17'), '>=1.24.0'), false);
    assert.equal(satisfies(v('1.35.4'), '>=1.24.0 <1.36.0'), true);
    assert.equal(satisfies(v('1.36.0'), '>=1.24.0 <1.36.0'), false);
    assert.equal(satisfies(v('1.25.0'), '>1.24 <=1.25'), true);
    assert.equal(satisfies(v('1.24.0'), '>1.24'), false);
    assert.equal(satisfies(v('1.26.1'), '>= 1.26.0 < 1.27'), true, 'a space after the operator');
    assert.equal(satisfies(v('1.26.1'), '1.26.1'), true, 'a bare version means =');
  });
  test('|| is OR; empty and * allow all', () => {
    assert.equal(satisfies(v('1.20.0'), '<1.21 || >=1.30'), true);
    assert.equal(satisfies(v('1.25.0'), '<1.21 || >=1.30'), false);
    assert.equal(satisfies(v('1.2.3'), ''), true);
    assert.equal(satisfies(v('1.2.3'), '*'), true);
  });
  test('rejects what it cannot read', () => {
    assert.throws(() => checkRange('~1.24'), /kubeVersion range "~1.24"/);
    assert.throws(() => satisfies(v('1.24.0'), '>=abc'), /not a comparator/);
  });
});

describe('quantities', () => {
  test('parse and format', () => {
    assert.equal(parseQuantity('500m'), 0.5);
    assert.equal(parseQuantity('2'), 2);
    assert.equal(parseQuantity('512Mi'), 512 * 2 ** 20);
    assert.equal(parseQuantity('1G'), 1e9);
    assert.equal(parseQuantity('1e3'), 1000);
    assert.equal(parseQuantity('lots'), undefined);
    assert.equal(formatCpu(0.25), '250m');
    assert.equal(formatCpu(1.95), '1.95');
    assert.equal(formatMemory(5 * 2 ** 30), '5Gi');
    assert.equal(formatMemory(1.5 * 2 ** 20), '1.5Mi');
  });
});

describe('requirements from rendered objects', () => {
  test('langfuse defaults: kinds and verbs, the default StorageClass, requests, no CRDs or Secrets', async () => {
    const r = await requirementsOf('langfuse');
    const perms = Object.fromEntries(r.permissions.map((p) => [`${p.kind}`, p.verbs.join(',')]));
    assert.equal(perms.StatefulSet, 'create,patch,get,list,watch,delete');
    assert.equal(perms.Secret, 'create,patch,get,list,watch,delete');
    assert.equal(perms.Lease, 'create,patch,get,delete');
    assert.deepEqual(
      r.storage.map((s) => s.storageClass),
      [undefined],
    );
    assert.equal(r.storage[0]!.claims.length, 4);
    assert.deepEqual(r.crds, []);
    assert.deepEqual(r.secrets, []);
    assert.deepEqual(r.ingressClasses, []);
    assert.equal(r.resources.pods, 7, 'six long-running pods and the migration Job');
    assert.equal(formatCpu(r.resources.cpu), '2.05');
  });

  test('named StorageClass, IngressClass, cert-manager issuer and a KEDA ScaledObject', async () => {
    const r = await requirementsOf('langfuse', [
      'global.storageClass=fast',
      'ingress.enabled=true',
      'ingress.host=lf.example.com',
      'ingress.className=nginx',
      'ingress.tls.enabled=true',
      'ingress.tls.clusterIssuer=letsencrypt',
      'langfuse.keda.enabled=true',
    ]);
    assert.deepEqual(
      r.storage.map((s) => s.storageClass),
      ['fast'],
    );
    assert.deepEqual(r.ingressClasses, [{ className: 'nginx', ingresses: ['Ingress/langfuse'] }]);
    assert.deepEqual(r.issuers, [
      { kind: 'ClusterIssuer', name: 'letsencrypt', ingresses: ['Ingress/langfuse'] },
    ]);
    assert.deepEqual(
      r.crds.map((c) => c.name),
      ['certificates.cert-manager.io', 'clusterissuers.cert-manager.io', 'scaledobjects.keda.sh'],
    );
    assert.ok(r.permissions.some((p) => p.kind === 'ScaledObject' && p.apiVersion.startsWith('keda.sh/')));
    assert.equal(r.secrets.length, 0, 'cert-manager creates the TLS Secret');
  });

  test('a TLS Secret without an issuer must exist with tls.crt and tls.key', async () => {
    const r = await requirementsOf('langfuse', [
      'ingress.enabled=true',
      'ingress.host=lf.example.com',
      'ingress.tls.enabled=true',
      'ingress.tls.secretName=lf-tls',
    ]);
    assert.deepEqual(
      r.secrets.map((s) => [s.name, s.keys]),
      [['lf-tls', ['tls.crt', 'tls.key']]],
    );
  });

  test('blueprint prerequisites: CSGHub exports requiredCrds', async () => {
    const prerequisites = await blueprintPrerequisites({ name: 'csghub' });
    assert.ok(prerequisites.crds?.includes('services.serving.knative.dev'));
    assert.deepEqual(await blueprintPrerequisites({ name: 'langfuse' }), {});
    assert.deepEqual(await blueprintPrerequisites({ name: 'no-such-blueprint' }), {});
    const r = await requirementsOf('csghub');
    assert.ok(
      r.crds.some(
        (c) => c.name === 'services.serving.knative.dev' && c.neededBy[0] === 'blueprint prerequisite',
      ),
    );
  });

  test('a missing CustomResourceDefinition fails the check, named with who needs it and how to install it', async () => {
    const r = await requirementsOf('csghub');
    const installed = new Set(['routes.serving.knative.dev']);
    const client = {
      get: async (ref: { name: string }) =>
        installed.has(ref.name) ? ({ metadata: { name: ref.name } } as LiveObject) : undefined,
      resourceInfo: async () => {
        throw new Error('not asked: the needs name CRDs');
      },
    } as unknown as PreflightClient;
    const result = await checkCrds({ client, requirements: r, release: 'r', blueprint: 'csghub' });
    assert.equal(result.outcome, 'fail');
    assert.ok(
      result.details?.includes(
        'services.serving.knative.dev is not installed, needed by blueprint prerequisite',
      ),
    );
    assert.ok(!result.details?.some((d) => d.startsWith('routes.serving.knative.dev')));
    assert.match(result.hint ?? '', /install Knative Serving/);
  });

  test('plural guesses follow Kubernetes conventions', () => {
    assert.equal(guessPlural('ServiceMonitor'), 'servicemonitors');
    assert.equal(guessPlural('Ingress'), 'ingresses');
    assert.equal(guessPlural('NetworkPolicy'), 'networkpolicies');
    assert.equal(guessPlural('ClusterIssuer'), 'clusterissuers');
  });

  test('the offline checklist names every need', async () => {
    const r = await requirementsOf('langfuse', ['global.storageClass=fast']);
    const text = formatChecklist(r, 'langfuse').join('\n');
    assert.match(text, /StorageClass fast exists/);
    assert.match(text, /create, patch, get, list, watch, delete statefulsets\.apps/);
    assert.match(text, /satisfies >=1\.24\.0/);
  });
});

describe('existingSecret walking over typed values', () => {
  test('langfuse: integrations and langfuse.existingSecret, with their secretKeys', async () => {
    const result = await renderExample(
      'langfuse',
      [],
      [
        'integrations.postgresql.enabled=true',
        'integrations.postgresql.existingSecret=pg',
        'integrations.postgresql.host=db.example.com',
        'langfuse.existingSecret=app-keys',
      ],
    );
    const refs = valueReferences(result.values).secrets;
    assert.deepEqual(
      refs.map((r) => [r.path, r.name, r.keys]),
      [
        ['langfuse.existingSecret', 'app-keys', ['encryption-key', 'nextauth-secret', 'salt']],
        ['integrations.postgresql.existingSecret', 'pg', ['password', 'username']],
      ],
    );
  });

  test('disabled integrations are skipped even when they name a Secret', () => {
    const refs = valueReferences({
      integrations: {
        redis: { enabled: false, existingSecret: 'r', secretKeys: { url: 'url' } },
        s3: { enabled: true, existingSecret: 's3', secretKeys: { accessKey: 'ak', secretKey: 'sk' } },
      },
      dependencies: { pg: { persistence: { enabled: true, existingClaim: 'pg-data' } } },
      off: { enabled: false, nested: { existingSecret: 'x' } },
    });
    assert.deepEqual(
      refs.secrets.map((r) => [r.path, r.keys]),
      [['integrations.s3.existingSecret', ['ak', 'sk']]],
    );
    assert.deepEqual(refs.claims, [{ name: 'pg-data', path: 'dependencies.pg.persistence.existingClaim' }]);
  });

  const integrationCases = [
    {
      blueprint: 'swanlab',
      integration: 'postgres',
      extra: 'integrations.postgres.host=db.example.com',
      keys: ['password', 'primaryUrl', 'replicaUrl', 'username'],
    },
    {
      blueprint: 'dify',
      integration: 's3',
      extra: 'integrations.s3.endpoint=https://s3.example.com',
      keys: ['accessKey', 'secretKey'],
    },
  ];
  for (const c of integrationCases) {
    test(`${c.blueprint}: integrations.${c.integration} needs its documented keys`, async () => {
      const r = await requirementsOf(c.blueprint, [
        `integrations.${c.integration}.enabled=true`,
        `integrations.${c.integration}.existingSecret=external`,
        c.extra,
      ]);
      const secret = r.secrets.find((s) => s.name === 'external');
      assert.deepEqual(secret?.keys, c.keys);
      assert.ok(secret?.referencedBy.includes(`values integrations.${c.integration}.existingSecret`));
      assert.ok(
        secret?.referencedBy.some((ref) => ref.startsWith('Deployment/')),
        'pods read it too',
      );
    });
  }
});

function template(spec: Record<string, unknown>) {
  return { owner: 'Deployment/web', path: 'spec.template.spec', spec };
}

const restrictedContainer = {
  name: 'app',
  securityContext: {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  },
};

describe('pod security', () => {
  test('rendered langfuse pods meet restricted', async () => {
    const r = await requirementsOf('langfuse');
    assert.deepEqual(podSecurityViolations(r.podTemplates, 'restricted'), []);
  });

  test('reads the enforce label', () => {
    assert.equal(enforcedLevel({ 'pod-security.kubernetes.io/enforce': 'baseline' }), 'baseline');
    assert.equal(enforcedLevel({}), 'privileged');
    assert.equal(enforcedLevel(undefined), 'privileged');
  });

  test('baseline: hostPath, privileged, unsafe sysctls, host ports, added capabilities', () => {
    const violations = podSecurityViolations(
      [
        template({
          securityContext: { sysctls: [{ name: 'net.ipv4.tcp_syncookies' }, { name: 'kernel.msgmax' }] },
          volumes: [{ name: 'host', hostPath: { path: '/var' } }],
          containers: [
            {
              name: 'a',
              securityContext: { privileged: true, capabilities: { add: ['CHOWN', 'SYS_ADMIN'] } },
              ports: [{ containerPort: 80, hostPort: 80 }],
            },
          ],
        }),
      ],
      'baseline',
    );
    assert.deepEqual(
      violations.map((v) => v.field),
      [
        'Deployment/web spec.template.spec.securityContext.sysctls[1].name',
        'Deployment/web spec.template.spec.volumes[0].hostPath',
        'Deployment/web spec.template.spec.containers[0].securityContext.privileged',
        'Deployment/web spec.template.spec.containers[0].securityContext.capabilities.add[1]',
        'Deployment/web spec.template.spec.containers[0].ports[0].hostPort',
      ],
    );
  });

  test('restricted: root, escalation, seccomp, capabilities, volume types', () => {
    const ok = template({ containers: [restrictedContainer] });
    assert.deepEqual(podSecurityViolations([ok], 'restricted'), []);
    const bad = template({
      securityContext: { runAsUser: 0 },
      volumes: [{ name: 'n', nfs: { server: 'x', path: '/' } }],
      initContainers: [{ name: 'init', securityContext: { runAsNonRoot: false } }],
      containers: [restrictedContainer],
    });
    const fields = podSecurityViolations([bad], 'restricted').map((v) =>
      v.field.replace('Deployment/web spec.template.spec.', ''),
    );
    assert.deepEqual(fields, [
      'volumes[0].nfs',
      'securityContext.runAsUser',
      'initContainers[0].securityContext.allowPrivilegeEscalation',
      'initContainers[0].securityContext.runAsNonRoot',
      'initContainers[0].securityContext.seccompProfile.type',
      'initContainers[0].securityContext.capabilities.drop',
    ]);
    assert.deepEqual(podSecurityViolations([bad], 'privileged'), []);
  });
});

function node(name: string, cpu: string, memory: string, spec: Record<string, unknown> = {}): LiveObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec,
    status: { allocatable: { cpu, memory } },
  };
}

function pod(
  namespace: string,
  nodeName: string,
  cpu: string,
  memory: string,
  labels: Record<string, string> = {},
): LiveObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `p-${cpu}`, namespace, labels },
    spec: { nodeName, containers: [{ name: 'c', resources: { requests: { cpu, memory } } }] },
    status: { phase: 'Running' },
  };
}

describe('capacity math', () => {
  test('pod requests: containers sum, init containers max, sidecars add, limits stand in for requests', () => {
    const spec = {
      initContainers: [
        {
          name: 'sidecar',
          restartPolicy: 'Always',
          resources: { requests: { cpu: '100m', memory: '64Mi' } },
        },
        { name: 'migrate', resources: { requests: { cpu: '2', memory: '128Mi' } } },
      ],
      containers: [
        { name: 'a', resources: { requests: { cpu: '250m', memory: '256Mi' } } },
        { name: 'b', resources: { limits: { cpu: '250m', memory: '256Mi' } } },
      ],
    };
    const amount = podRequests(spec);
    assert.equal(formatCpu(amount.cpu), '2.1');
    assert.equal(formatMemory(amount.memory), '576Mi');
  });

  test('free capacity: cordoned and tainted nodes are left out; running pods (not the release) are subtracted', () => {
    const nodes = [
      node('a', '4', '8Gi'),
      node('b', '4', '8Gi', { unschedulable: true }),
      node('c', '4', '8Gi', { taints: [{ key: 'x', effect: 'NoSchedule' }] }),
      node('d', '4', '8Gi', { taints: [{ key: 'y', effect: 'PreferNoSchedule' }] }),
    ];
    const pods = [
      pod('other', 'a', '1', '1Gi'),
      pod('shop', 'a', '2', '2Gi', { 'app.kubernetes.io/instance': 'lf' }),
    ];
    const capacities = nodeCapacities(nodes, pods, { namespace: 'shop', release: 'lf' });
    assert.deepEqual(
      capacities.map((c) => [c.name, c.freeCpu, c.freeMemory / 2 ** 30]),
      [
        ['a', 3, 7],
        ['d', 4, 8],
      ],
    );
  });

  const totals = (cpu: number, memory: number, perPod = cpu) => ({
    pods: 1,
    cpu,
    memory,
    workloads: [{ workload: 'Deployment/web', replicas: 1, cpu: perPod, memory }],
  });
  const free = [
    { name: 'a', freeCpu: 4, freeMemory: 8 * 2 ** 30, allocatableCpu: 4, allocatableMemory: 8 * 2 ** 30 },
  ];

  test('pass under 80%, warn above, fail above 100% or when one pod fits no node', () => {
    assert.equal(capacityVerdict(totals(3, 2 ** 30), free, true).outcome, 'pass');
    const warn = capacityVerdict(totals(3.5, 2 ** 30), free, true);
    assert.equal(warn.outcome, 'warn');
    assert.match(warn.details[0]!, /CPU: needs 3.5 of 4 free \(88%, above 80%\)/);
    const fail = capacityVerdict(totals(400, 2 ** 30, 2), free, true);
    assert.equal(fail.outcome, 'fail');
    assert.match(fail.details[0]!, /CPU: needs 400, only 4 free/);
    const twoNodes = [...free, { ...free[0]!, name: 'b' }];
    const bigPod = capacityVerdict(totals(5, 2 ** 30, 5), twoNodes, false);
    assert.equal(bigPod.outcome, 'fail');
    assert.match(bigPod.details.join('\n'), /one pod requests 5 CPU.*more than any node has allocatable/);
    assert.equal(capacityVerdict(totals(1, 1), [], true).outcome, 'fail');
  });
});

describe('report outcome and exit codes', () => {
  test('the worst outcome wins; 0 pass, 4 warnings only, 3 any fail', () => {
    assert.equal(worstOutcome(['pass', 'warn', 'pass']), 'warn');
    assert.equal(worstOutcome(['warn', 'fail']), 'fail');
    assert.equal(worstOutcome([]), 'pass');
    assert.equal(preflightExitCode({ outcome: 'pass' }), 0);
    assert.equal(preflightExitCode({ outcome: 'warn' }), 4);
    assert.equal(preflightExitCode({ outcome: 'fail' }), 3);
  });

  test('deriveRequirements takes plain objects too (existing claims not rendered)', () => {
    const objects: KubeObject[] = [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: {
          template: {
            spec: {
              containers: [{ name: 'c', envFrom: [{ secretRef: { name: 'opt', optional: true } }] }],
              volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'shared' } }],
            },
          },
        },
      },
    ];
    const r = deriveRequirements({ kubeVersion: '', namespace: 'x', values: {}, objects });
    assert.deepEqual(r.claims, [
      { name: 'shared', referencedBy: ['Deployment/web spec.template.spec.volumes[0]'] },
    ]);
    assert.deepEqual(r.secrets, [], 'optional Secret references are not required');
  });
});
