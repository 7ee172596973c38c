/** One function per check: requirements in, a pass/warn/fail verdict with a message and a hint out. */
import { describeTarget, KubeApiError, KubeConnectionError, KubeUnknownKindError } from '../kube/errors.ts';
import type { LiveObject } from '../kube/types.ts';
import { SECURITY_EXCEPTION_ANNOTATION } from '../render/policies.ts';
import { capacityVerdict, nodeCapacities } from './capacity.ts';
import type { CheckId, CrdNeed, PreflightCheck, PreflightClient, Requirements } from './model.ts';
import { enforcedLevel, type PodSecurityLevel, podSecurityViolations } from './pod-security.ts';
import { describeMissing, grantCommand, missingPermissions } from './rbac.ts';
import { groupOf } from './requirements.ts';
import { formatVersion, parseVersion, satisfies } from './semver.ts';

export interface CheckContext {
  readonly client: PreflightClient;
  readonly requirements: Requirements;
  readonly release: string;
  readonly blueprint: string;
}

export const CHECK_TITLES: Readonly<Record<CheckId, string>> = {
  'kube-version': 'Kubernetes version',
  namespace: 'Namespace',
  rbac: 'Permissions',
  'storage-class': 'StorageClass',
  'ingress-class': 'IngressClass',
  crds: 'CustomResourceDefinitions',
  'existing-secrets': 'Existing Secrets',
  'existing-claims': 'Existing PersistentVolumeClaims',
  capacity: 'CPU and memory',
  'pod-security': 'Pod Security',
};

function check(
  id: CheckId,
  outcome: PreflightCheck['outcome'],
  message: string,
  extra: { hint?: string | undefined; details?: readonly string[] } = {},
): PreflightCheck {
  return {
    id,
    title: CHECK_TITLES[id],
    outcome,
    message,
    ...(extra.hint ? { hint: extra.hint } : {}),
    ...(extra.details && extra.details.length > 0 ? { details: extra.details } : {}),
  };
}

function isForbidden(err: unknown): boolean {
  return err instanceof KubeApiError && (err.status === 403 || err.status === 401);
}

/**
 * Runs a check; a permission error while looking makes it a warning (preflight could not tell),
 * any other API error too. An unreachable cluster ends preflight.
 */
export async function guarded(id: CheckId, run: () => Promise<PreflightCheck>): Promise<PreflightCheck> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof KubeConnectionError) throw err;
    const why = isForbidden(err)
      ? `not allowed to ${(err as KubeApiError).verb} ${describeTarget({ kind: (err as KubeApiError).kind, name: (err as KubeApiError).objectName, namespace: (err as KubeApiError).namespace })}`
      : err instanceof Error
        ? err.message.split('\n')[0]!
        : String(err);
    return check(id, 'warn', `could not check: ${why}`, {
      hint: isForbidden(err)
        ? 'the kubeconfig user may not read what this check needs; ask a cluster admin to run preflight, or check by hand'
        : 'run again with BERTH_DEBUG=1 for details',
    });
  }
}

function list(
  client: PreflightClient,
  apiVersion: string,
  kind: string,
  namespace?: string,
): Promise<LiveObject[]> {
  return client.list({ apiVersion, kind, namespace });
}

export async function checkKubeVersion({ client, requirements }: CheckContext): Promise<PreflightCheck> {
  const server = await client.serverVersion();
  const version =
    parseVersion(server.gitVersion) ?? parseVersion(`${server.major}.${server.minor.replace(/\D+$/, '')}`);
  const range = requirements.kubeVersion;
  if (!version)
    return check('kube-version', 'warn', `cannot parse the server version "${server.gitVersion}"`);
  if (satisfies(version, range)) {
    return check(
      'kube-version',
      'pass',
      `Kubernetes ${formatVersion(version)} satisfies ${range || 'any version'}`,
    );
  }
  return check(
    'kube-version',
    'fail',
    `Kubernetes ${formatVersion(version)} is outside the supported range ${range}`,
    {
      hint: `use a cluster whose version satisfies ${range}, or a blueprint version that supports ${formatVersion(version)}`,
    },
  );
}

export async function checkNamespace({ client, requirements }: CheckContext): Promise<PreflightCheck> {
  const { namespace } = requirements;
  const live = await client.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  if (live) return check('namespace', 'pass', `namespace ${namespace} exists`);
  return check('namespace', 'warn', `namespace ${namespace} does not exist yet`, {
    hint: `install with --create-namespace, or kubectl create namespace ${namespace}`,
  });
}

export async function checkRbac({ client, requirements }: CheckContext): Promise<PreflightCheck> {
  const missing = await missingPermissions(client, requirements.permissions, requirements.namespace);
  const asked = requirements.permissions.reduce((n, p) => n + p.verbs.length, 0);
  if (missing.length === 0) {
    return check(
      'rbac',
      'pass',
      `allowed all ${asked} verbs on ${requirements.permissions.length} kinds in namespace ${requirements.namespace}`,
    );
  }
  const details = missing.map(describeMissing);
  return check(
    'rbac',
    'fail',
    `missing ${missing.reduce((n, m) => n + m.verbs.length, 0)} of ${asked} permissions the install needs`,
    {
      details,
      hint: `ask a cluster admin to grant them, e.g. ${grantCommand(missing, requirements.namespace)} plus a RoleBinding to your user or ServiceAccount`,
    },
  );
}

function isDefault(object: LiveObject, annotations: readonly string[]): boolean {
  return annotations.some((a) => object.metadata.annotations?.[a] === 'true');
}

const DEFAULT_STORAGE_CLASS = [
  'storageclass.kubernetes.io/is-default-class',
  'storageclass.beta.kubernetes.io/is-default-class',
];
const DEFAULT_INGRESS_CLASS = ['ingressclass.kubernetes.io/is-default-class'];

export async function checkStorageClasses({ client, requirements }: CheckContext): Promise<PreflightCheck> {
  if (requirements.storage.length === 0)
    return check('storage-class', 'pass', 'no persistent volumes requested');
  const classes = await list(client, 'storage.k8s.io/v1', 'StorageClass');
  const names = classes.map((c) => c.metadata.name);
  const defaults = classes.filter((c) => isDefault(c, DEFAULT_STORAGE_CLASS)).map((c) => c.metadata.name);
  const details: string[] = [];
  for (const need of requirements.storage) {
    const claims = need.claims.join(', ');
    if (need.storageClass === undefined) {
      if (defaults.length === 0) details.push(`no default StorageClass for ${claims}`);
    } else if (!names.includes(need.storageClass)) {
      details.push(`StorageClass ${need.storageClass} does not exist (needed by ${claims})`);
    }
  }
  const available =
    names.length > 0 ? names.map((n) => (defaults.includes(n) ? `${n} (default)` : n)).join(', ') : 'none';
  if (details.length > 0) {
    return check(
      'storage-class',
      'fail',
      `${details.length === 1 ? 'a StorageClass is' : 'StorageClasses are'} missing`,
      {
        details,
        hint: `StorageClasses in the cluster: ${available}. Set global.storageClass (or dependencies.<name>.persistence.storageClass) to one of them, or mark one as default (kubectl annotate storageclass <name> storageclass.kubernetes.io/is-default-class=true)`,
      },
    );
  }
  const used = requirements.storage.map((n) => n.storageClass ?? `${defaults[0]} (default)`);
  return check(
    'storage-class',
    'pass',
    `StorageClass ${[...new Set(used)].join(', ')} available for ${requirements.storage.reduce((n, s) => n + s.claims.length, 0)} claims`,
  );
}

export async function checkIngressClasses({ client, requirements }: CheckContext): Promise<PreflightCheck> {
  if (requirements.ingressClasses.length === 0) return check('ingress-class', 'pass', 'no Ingress rendered');
  const classes = await list(client, 'networking.k8s.io/v1', 'IngressClass');
  const names = classes.map((c) => c.metadata.name);
  const defaults = classes.filter((c) => isDefault(c, DEFAULT_INGRESS_CLASS)).map((c) => c.metadata.name);
  const available = `IngressClasses in the cluster: ${names.join(', ') || 'none'}`;
  const failures: string[] = [];
  const warnings: string[] = [];
  const found: string[] = [];
  for (const need of requirements.ingressClasses) {
    if (need.className === undefined) {
      if (defaults.length === 0) warnings.push(`no default IngressClass for ${need.ingresses.join(', ')}`);
      else found.push(`${defaults[0]} (default)`);
    } else if (!names.includes(need.className)) {
      failures.push(`IngressClass ${need.className} does not exist (needed by ${need.ingresses.join(', ')})`);
    } else found.push(need.className);
  }
  if (failures.length > 0) {
    return check('ingress-class', 'fail', 'the Ingress names an IngressClass the cluster does not have', {
      details: [...failures, ...warnings],
      hint: `${available}. Set ingress.className to one of them, or install that ingress controller`,
    });
  }
  if (warnings.length > 0) {
    return check(
      'ingress-class',
      'warn',
      'no IngressClass is named and none is the default: the Ingress may not be served',
      {
        details: warnings,
        hint: `${available}. Set ingress.className, or mark one default (kubectl annotate ingressclass <name> ingressclass.kubernetes.io/is-default-class=true)`,
      },
    );
  }
  return check('ingress-class', 'pass', `IngressClass ${found.join(', ')} available`);
}

const GROUP_HINTS: Readonly<Record<string, string>> = {
  'monitoring.coreos.com':
    'install the Prometheus Operator (e.g. kube-prometheus-stack), or set monitoring.serviceMonitor.enabled=false and monitoring.prometheusRule.enabled=false',
  'keda.sh': 'install KEDA, or turn off the KEDA scaling option of the component',
  'autoscaling.k8s.io':
    'install the Vertical Pod Autoscaler, or turn off services.<name>.verticalAutoscaling',
  'cert-manager.io':
    'install cert-manager (and the issuer), or remove ingress.tls.clusterIssuer / ingress.tls.issuer and provide the TLS Secret yourself',
  'external-secrets.io': 'install the External Secrets Operator',
  'serving.knative.dev':
    'install Knative Serving (serving-crds.yaml, serving-core.yaml and a networking layer such as Kourier)',
};

function crdGroup(need: CrdNeed): string {
  return need.apiVersion ? groupOf(need.apiVersion) : need.name.slice(need.name.indexOf('.') + 1);
}

async function crdPresent(client: PreflightClient, need: CrdNeed): Promise<boolean> {
  if (need.apiVersion && need.kind) {
    try {
      await client.resourceInfo(need.apiVersion, need.kind);
      return true;
    } catch (err) {
      if (err instanceof KubeUnknownKindError) return false;
      throw err;
    }
  }
  const crd = await client.get({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    name: need.name,
  });
  return crd !== undefined;
}

export async function checkCrds({ client, requirements }: CheckContext): Promise<PreflightCheck> {
  const { crds, issuers, namespace } = requirements;
  if (crds.length === 0) return check('crds', 'pass', 'no custom resources needed');
  const present = await Promise.all(crds.map((need) => crdPresent(client, need)));
  const missing = crds.filter((_, i) => !present[i]);
  const details = missing.map(
    (m) =>
      `${m.name}${m.apiVersion ? ` (${m.apiVersion} ${m.kind})` : ''} is not installed, needed by ${m.neededBy.join(', ')}`,
  );
  const missingGroups = new Set(missing.map(crdGroup));
  if (!missingGroups.has('cert-manager.io')) {
    const found = await Promise.all(
      issuers.map((issuer) =>
        client.get({
          apiVersion: 'cert-manager.io/v1',
          kind: issuer.kind,
          name: issuer.name,
          ...(issuer.kind === 'Issuer' ? { namespace } : {}),
        }),
      ),
    );
    for (const [i, issuer] of issuers.entries()) {
      if (!found[i]) {
        details.push(
          `${issuer.kind} ${issuer.name}${issuer.kind === 'Issuer' ? ` in namespace ${namespace}` : ''} does not exist, named by ${issuer.ingresses.join(', ')}`,
        );
        missingGroups.add('cert-manager.io');
      }
    }
  }
  if (details.length === 0) {
    return check(
      'crds',
      'pass',
      `${crds.map((c) => c.name).join(', ')} installed${issuers.length > 0 ? `; ${issuers.map((i) => `${i.kind} ${i.name}`).join(', ')} present` : ''}`,
    );
  }
  const hints = [...missingGroups].map(
    (g) =>
      GROUP_HINTS[g] ??
      `install the CustomResourceDefinitions of ${g}, or turn off the feature that renders them`,
  );
  return check(
    'crds',
    'fail',
    `${details.length} custom resource prerequisite${details.length === 1 ? ' is' : 's are'} missing`,
    {
      details,
      hint: hints.join('; '),
    },
  );
}

export async function checkSecrets({ client, requirements }: CheckContext): Promise<PreflightCheck> {
  const { secrets, namespace } = requirements;
  if (secrets.length === 0) return check('existing-secrets', 'pass', 'no existing Secrets referenced');
  const details: string[] = [];
  const found = await Promise.all(
    secrets.map((need) => client.get({ apiVersion: 'v1', kind: 'Secret', name: need.name, namespace })),
  );
  for (const [i, need] of secrets.entries()) {
    const live = found[i];
    const refs = need.referencedBy.join(', ');
    if (!live) {
      details.push(`Secret ${need.name} does not exist in namespace ${namespace} (referenced by ${refs})`);
      continue;
    }
    // Only key names are read; values never leave this function.
    const present = new Set([
      ...Object.keys((live.data as Record<string, unknown> | undefined) ?? {}),
      ...Object.keys((live.stringData as Record<string, unknown> | undefined) ?? {}),
    ]);
    const lacking = need.keys.filter((k) => !present.has(k));
    if (lacking.length > 0) {
      details.push(
        `Secret ${need.name} lacks key${lacking.length === 1 ? '' : 's'} ${lacking.join(', ')} (referenced by ${refs})`,
      );
    }
  }
  if (details.length > 0) {
    return check(
      'existing-secrets',
      'fail',
      `${details.length} referenced Secret${details.length === 1 ? ' is' : 's are'} missing or incomplete`,
      {
        details,
        hint: `create the Secret with every documented key in namespace ${namespace} (kubectl create secret generic <name> -n ${namespace} --from-literal=<key>=...), or point secretKeys at the keys it has`,
      },
    );
  }
  return check(
    'existing-secrets',
    'pass',
    `${secrets.map((s) => s.name).join(', ')} present with ${secrets.reduce((n, s) => n + s.keys.length, 0)} documented keys`,
  );
}

export async function checkClaims({ client, requirements }: CheckContext): Promise<PreflightCheck> {
  const { claims, namespace } = requirements;
  if (claims.length === 0)
    return check('existing-claims', 'pass', 'no existing PersistentVolumeClaims referenced');
  const details: string[] = [];
  const found = await Promise.all(
    claims.map((need) =>
      client.get({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: need.name, namespace }),
    ),
  );
  for (const [i, need] of claims.entries()) {
    if (!found[i])
      details.push(
        `PersistentVolumeClaim ${need.name} does not exist in namespace ${namespace} (referenced by ${need.referencedBy.join(', ')})`,
      );
  }
  if (details.length > 0) {
    return check(
      'existing-claims',
      'fail',
      `${details.length} referenced PersistentVolumeClaim${details.length === 1 ? ' is' : 's are'} missing`,
      {
        details,
        hint: 'create the claim first, or clear persistence.existingClaim so berth creates one',
      },
    );
  }
  return check('existing-claims', 'pass', `${claims.map((c) => c.name).join(', ')} present`);
}

export async function checkCapacity({
  client,
  requirements,
  release,
}: CheckContext): Promise<PreflightCheck> {
  const [nodes, pods] = await Promise.all([
    list(client, 'v1', 'Node'),
    client
      .list({ apiVersion: 'v1', kind: 'Pod', fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' })
      .catch((err: unknown): undefined => {
        if (!isForbidden(err)) throw err;
        return undefined;
      }),
  ]);
  const capacities = nodeCapacities(nodes, pods, { namespace: requirements.namespace, release });
  const verdict = capacityVerdict(requirements.resources, capacities, pods !== undefined);
  const caveat =
    pods === undefined
      ? ' (pods in other namespaces could not be listed: compared with allocatable capacity, not free)'
      : '';
  return check('capacity', verdict.outcome, `${verdict.message}${caveat}`, {
    details: verdict.details,
    ...(verdict.outcome === 'pass'
      ? {}
      : {
          hint:
            verdict.outcome === 'fail'
              ? 'lower services.<name>.replicas or resources.requests, or add nodes'
              : 'the release fits, with little room left for rolling updates and other workloads',
        }),
  });
}

const WARN_LABEL = 'pod-security.kubernetes.io/warn';

/** The privilege a blueprint declares on purpose, with its reason (from the pod annotation render writes). */
function declaredExceptions(templates: CheckContext['requirements']['podTemplates']): string[] {
  return templates.flatMap((template) => {
    const text = template.annotations?.[SECURITY_EXCEPTION_ANNOTATION];
    return text ? text.split('\n').map((line) => `${template.owner} ${line} (declared exception)`) : [];
  });
}

export async function checkPodSecurity({ client, requirements }: CheckContext): Promise<PreflightCheck> {
  const { namespace, podTemplates } = requirements;
  let live: LiveObject | undefined;
  try {
    live = await client.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  } catch (err) {
    if (!isForbidden(err)) throw err;
    // Without the namespace's labels, pods that meet "restricted" pass whatever level is enforced.
    const violations = podSecurityViolations(podTemplates, 'restricted');
    if (violations.length === 0) {
      return check(
        'pod-security',
        'pass',
        `cannot read namespace ${namespace}'s labels, but the pods meet "restricted", the strictest level`,
      );
    }
    return check(
      'pod-security',
      'warn',
      `cannot read namespace ${namespace}'s labels, and ${violations.length} fields do not meet "restricted"`,
      {
        details: [...violations.map((v) => `${v.field}: ${v.problem}`), ...declaredExceptions(podTemplates)],
        hint: `ask a cluster admin which level namespace ${namespace} enforces (label pod-security.kubernetes.io/enforce)`,
      },
    );
  }
  const labels = live?.metadata.labels;
  const enforced = enforcedLevel(labels);
  const warned = enforcedLevel(
    labels?.[WARN_LABEL] ? { 'pod-security.kubernetes.io/enforce': labels[WARN_LABEL] } : undefined,
  );
  const enforcedViolations = podSecurityViolations(podTemplates, enforced);
  const fix = (level: PodSecurityLevel) =>
    `change the values that add these fields, or relabel the namespace (kubectl label namespace ${namespace} pod-security.kubernetes.io/enforce=${level === 'restricted' ? 'baseline' : 'privileged'} --overwrite) if your policy allows it`;
  if (enforcedViolations.length > 0) {
    return check(
      'pod-security',
      'fail',
      `namespace ${namespace} enforces Pod Security "${enforced}" and ${enforcedViolations.length} field${enforcedViolations.length === 1 ? '' : 's'} violate it`,
      {
        details: [
          ...enforcedViolations.map((v) => `${v.field}: ${v.problem}`),
          ...declaredExceptions(podTemplates),
        ],
        hint: fix(enforced),
      },
    );
  }
  const warnedViolations = podSecurityViolations(podTemplates, warned);
  if (warnedViolations.length > 0) {
    return check(
      'pod-security',
      'warn',
      `namespace ${namespace} warns on Pod Security "${warned}" and ${warnedViolations.length} field${warnedViolations.length === 1 ? '' : 's'} violate it`,
      {
        details: [
          ...warnedViolations.map((v) => `${v.field}: ${v.problem}`),
          ...declaredExceptions(podTemplates),
        ],
        hint: fix(warned),
      },
    );
  }
  const meets =
    podSecurityViolations(podTemplates, 'restricted').length === 0
      ? 'restricted'
      : podSecurityViolations(podTemplates, 'baseline').length === 0
        ? 'baseline'
        : 'privileged';
  const level = live ? `enforces "${enforced}"` : 'does not exist yet (no level enforced)';
  const exceptions = declaredExceptions(podTemplates);
  return check(
    'pod-security',
    'pass',
    `namespace ${namespace} ${level}; the pods meet "${meets}"`,
    exceptions.length ? { details: exceptions } : {},
  );
}
