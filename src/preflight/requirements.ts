/**
 * What an install needs from the cluster, derived from the blueprint, its typed values and the
 * rendered objects alone (no cluster): the basis of every check and of `--offline`.
 */
import type { KubeObject } from '../render/model.ts';
import type {
  ClaimNeed,
  CrdNeed,
  IngressClassNeed,
  IssuerNeed,
  PermissionNeed,
  Requirements,
  SecretNeed,
  StorageNeed,
} from './model.ts';
import {
  asArray,
  asObject,
  describeObject,
  podClaimRefs,
  podSecretRefs,
  podTemplates,
  workloadRequests,
} from './pods.ts';
import { valueReferences } from './values-walk.ts';

/** API groups every conformant cluster serves; any other group is a CRD (or an aggregated API). */
export const BUILTIN_GROUPS: ReadonlySet<string> = new Set([
  '',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
]);

/** The verbs berth's release engine uses on every object it manages (apply = patch, which creates). */
export const MANAGED_VERBS = ['create', 'patch', 'get', 'list', 'watch', 'delete'] as const;

/** Kinds berth touches for itself, whatever the blueprint renders. */
export const ENGINE_PERMISSIONS: readonly PermissionNeed[] = [
  {
    apiVersion: 'v1',
    kind: 'Secret',
    verbs: ['create', 'patch', 'get', 'list', 'delete'],
    reason: 'release records',
  },
  {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    verbs: ['create', 'patch', 'get', 'delete'],
    reason: 'release lock',
  },
];

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** The REST plural Kubernetes derives for a kind (used when discovery cannot tell, e.g. offline). */
export function guessPlural(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** `statefulsets.apps`, `secrets` — kubectl's name for a resource. */
export function resourceName(plural: string, group: string): string {
  return group ? `${plural}.${group}` : plural;
}

export interface RequirementsInput {
  readonly kubeVersion: string;
  readonly namespace: string;
  /** Typed values (after validation); user values work too, with fewer defaults filled in. */
  readonly values: unknown;
  readonly objects: readonly KubeObject[];
  /** CRDs the blueprint needs beyond what it renders (by full name, e.g. `services.serving.knative.dev`). */
  readonly requiredCrds?: readonly string[];
}

function permissions(objects: readonly KubeObject[]): PermissionNeed[] {
  const byKind = new Map<
    string,
    { apiVersion: string; kind: string; verbs: Set<string>; reasons: Set<string> }
  >();
  const add = (need: PermissionNeed) => {
    const key = `${groupOf(need.apiVersion)}/${need.kind}`;
    const entry = byKind.get(key) ?? {
      apiVersion: need.apiVersion,
      kind: need.kind,
      verbs: new Set<string>(),
      reasons: new Set<string>(),
    };
    for (const verb of need.verbs) entry.verbs.add(verb);
    entry.reasons.add(need.reason);
    byKind.set(key, entry);
  };
  for (const object of objects) {
    add({ apiVersion: object.apiVersion, kind: object.kind, verbs: MANAGED_VERBS, reason: 'rendered' });
  }
  for (const need of ENGINE_PERMISSIONS) add(need);
  return [...byKind.values()]
    .map((e) => ({
      apiVersion: e.apiVersion,
      kind: e.kind,
      verbs: MANAGED_VERBS.filter((v) => e.verbs.has(v)),
      reason: [...e.reasons].join(', '),
    }))
    .sort((a, b) => `${groupOf(a.apiVersion)}/${a.kind}`.localeCompare(`${groupOf(b.apiVersion)}/${b.kind}`));
}

function storage(objects: readonly KubeObject[]): StorageNeed[] {
  const byClass = new Map<string | undefined, string[]>();
  const add = (className: unknown, claim: string) => {
    // An explicit "" asks for no dynamic provisioning (a pre-created PersistentVolume): nothing to check.
    if (className === '') return;
    const key = typeof className === 'string' ? className : undefined;
    byClass.set(key, [...(byClass.get(key) ?? []), claim]);
  };
  for (const object of objects) {
    const spec = asObject(object.spec) ?? {};
    if (object.kind === 'PersistentVolumeClaim') add(spec.storageClassName, describeObject(object));
    for (const template of asArray(spec.volumeClaimTemplates)) {
      const name = asObject(template.metadata)?.name;
      add(
        asObject(template.spec)?.storageClassName,
        `${describeObject(object)} (volumeClaimTemplates ${String(name)})`,
      );
    }
  }
  return [...byClass.entries()]
    .map(([storageClass, claims]) => ({ storageClass, claims }))
    .sort((a, b) => (a.storageClass ?? '').localeCompare(b.storageClass ?? ''));
}

const LEGACY_INGRESS_CLASS = 'kubernetes.io/ingress.class';
const CLUSTER_ISSUER = 'cert-manager.io/cluster-issuer';
const ISSUER = 'cert-manager.io/issuer';

function ingresses(objects: readonly KubeObject[]): KubeObject[] {
  return objects.filter((o) => o.kind === 'Ingress' && groupOf(o.apiVersion) === 'networking.k8s.io');
}

function ingressClasses(objects: readonly KubeObject[]): IngressClassNeed[] {
  const byClass = new Map<string | undefined, string[]>();
  for (const ingress of ingresses(objects)) {
    const named =
      asObject(ingress.spec)?.ingressClassName ?? ingress.metadata.annotations?.[LEGACY_INGRESS_CLASS];
    const key = typeof named === 'string' && named !== '' ? named : undefined;
    byClass.set(key, [...(byClass.get(key) ?? []), describeObject(ingress)]);
  }
  return [...byClass.entries()].map(([className, list]) => ({ className, ingresses: list }));
}

function issuers(objects: readonly KubeObject[]): IssuerNeed[] {
  const out: IssuerNeed[] = [];
  for (const ingress of ingresses(objects)) {
    const annotations = ingress.metadata.annotations ?? {};
    const pairs = [
      ['ClusterIssuer', annotations[CLUSTER_ISSUER]],
      ['Issuer', annotations[ISSUER]],
    ] as const;
    for (const [kind, name] of pairs) {
      if (!name) continue;
      const existing = out.find((i) => i.kind === kind && i.name === name);
      if (existing) (existing.ingresses as string[]).push(describeObject(ingress));
      else out.push({ kind, name, ingresses: [describeObject(ingress)] });
    }
  }
  return out;
}

function crds(
  objects: readonly KubeObject[],
  issuerNeeds: readonly IssuerNeed[],
  required: readonly string[],
): CrdNeed[] {
  const byName = new Map<string, { apiVersion?: string; kind?: string; neededBy: string[] }>();
  const add = (name: string, neededBy: string, apiVersion?: string, kind?: string) => {
    const entry = byName.get(name) ?? {
      ...(apiVersion ? { apiVersion } : {}),
      ...(kind ? { kind } : {}),
      neededBy: [],
    };
    if (!entry.neededBy.includes(neededBy)) entry.neededBy.push(neededBy);
    byName.set(name, entry);
  };
  for (const object of objects) {
    const group = groupOf(object.apiVersion);
    if (BUILTIN_GROUPS.has(group)) continue;
    add(
      resourceName(guessPlural(object.kind), group),
      describeObject(object),
      object.apiVersion,
      object.kind,
    );
  }
  for (const issuer of issuerNeeds) {
    for (const ingress of issuer.ingresses) {
      add('certificates.cert-manager.io', ingress, 'cert-manager.io/v1', 'Certificate');
      add(
        resourceName(guessPlural(issuer.kind), 'cert-manager.io'),
        ingress,
        'cert-manager.io/v1',
        issuer.kind,
      );
    }
  }
  for (const name of required) add(name, 'blueprint prerequisite');
  return [...byName.entries()]
    .map(([name, e]) => ({ name, ...e }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function secrets(values: unknown, objects: readonly KubeObject[]): SecretNeed[] {
  const rendered = new Set(objects.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name));
  const byName = new Map<string, { keys: Set<string>; referencedBy: Set<string> }>();
  const add = (name: string, keys: readonly string[], from: string) => {
    if (rendered.has(name)) return;
    const entry = byName.get(name) ?? { keys: new Set<string>(), referencedBy: new Set<string>() };
    for (const key of keys) entry.keys.add(key);
    entry.referencedBy.add(from);
    byName.set(name, entry);
  };
  for (const ref of valueReferences(values).secrets) add(ref.name, ref.keys, `values ${ref.path}`);
  for (const template of podTemplates(objects)) {
    for (const ref of podSecretRefs(template)) {
      if (!ref.optional) add(ref.name, ref.key ? [ref.key] : [], ref.from);
    }
  }
  for (const ingress of ingresses(objects)) {
    const annotations = ingress.metadata.annotations ?? {};
    // cert-manager creates the TLS Secret when an issuer is named.
    if (annotations[CLUSTER_ISSUER] || annotations[ISSUER]) continue;
    asArray(asObject(ingress.spec)?.tls).forEach((tls, i) => {
      if (typeof tls.secretName === 'string' && tls.secretName !== '') {
        add(tls.secretName, ['tls.crt', 'tls.key'], `${describeObject(ingress)} spec.tls[${i}]`);
      }
    });
  }
  return [...byName.entries()]
    .map(([name, e]) => ({ name, keys: [...e.keys].sort(), referencedBy: [...e.referencedBy].sort() }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function claims(values: unknown, objects: readonly KubeObject[]): ClaimNeed[] {
  const rendered = new Set(
    objects.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => o.metadata.name),
  );
  const byName = new Map<string, Set<string>>();
  const add = (name: string, from: string) => {
    if (rendered.has(name)) return;
    byName.set(name, (byName.get(name) ?? new Set<string>()).add(from));
  };
  for (const ref of valueReferences(values).claims) add(ref.name, `values ${ref.path}`);
  for (const template of podTemplates(objects)) {
    for (const ref of podClaimRefs(template)) add(ref.name, ref.from);
  }
  return [...byName.entries()]
    .map(([name, from]) => ({ name, referencedBy: [...from].sort() }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function deriveRequirements(input: RequirementsInput): Requirements {
  const { objects } = input;
  const issuerNeeds = issuers(objects);
  const workloads = workloadRequests(objects);
  return {
    kubeVersion: input.kubeVersion,
    namespace: input.namespace,
    permissions: permissions(objects),
    storage: storage(objects),
    ingressClasses: ingressClasses(objects),
    crds: crds(objects, issuerNeeds, input.requiredCrds ?? []),
    issuers: issuerNeeds,
    secrets: secrets(input.values, objects),
    claims: claims(input.values, objects),
    resources: {
      pods: workloads.reduce((n, w) => n + w.replicas, 0),
      cpu: workloads.reduce((n, w) => n + w.replicas * w.cpu, 0),
      memory: workloads.reduce((n, w) => n + w.replicas * w.memory, 0),
      workloads,
    },
    podTemplates: podTemplates(objects),
  };
}
