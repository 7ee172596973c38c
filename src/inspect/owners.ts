/**
 * Ownership map: for each live object of a release (and each object that carries the release's
 * name), who claims it — berth, Helm, Argo CD, Flux, kapp — and which field managers hold which of
 * its top-level fields (a `kubectl edit`, a client-side `kubectl apply`, controllers).
 */
import type { LiveObject, ManagedFieldsEntry, ObjectRef } from '../kube/types.ts';
import { isPlainObject } from '../values/merge.ts';

export const CLAIM_TOOLS = ['berth', 'helm', 'argocd', 'flux', 'kapp'] as const;
export type ClaimTool = (typeof CLAIM_TOOLS)[number];

/** A tool's mark on an object: which of its releases/applications, and the label or annotation that says so. */
export interface Claim {
  readonly tool: ClaimTool;
  readonly owner: string;
  readonly evidence: string;
}

export type ManagerKind = 'berth' | 'kubectl' | 'helm' | 'argocd' | 'flux' | 'kapp' | 'controller' | 'other';

export interface FieldManager {
  readonly manager: string;
  readonly kind: ManagerKind;
  /** `Apply` (server-side apply) or `Update` (create, edit, patch, replace, client-side apply). */
  readonly operation: string;
  readonly subresource?: string | undefined;
  readonly time?: string | undefined;
  /** Top-level fields it holds; `metadata` is split into `metadata.labels`, `metadata.annotations`, … */
  readonly fields: readonly string[];
}

export interface ObjectOwnership {
  /** `Kind/name`. */
  readonly object: string;
  readonly ref: ObjectRef;
  /** Listed in the release's record (berth applied it). */
  readonly recorded: boolean;
  readonly claims: readonly Claim[];
  readonly managers: readonly FieldManager[];
  /** Claimed by another tool or release, or with fields held by someone other than berth and the controllers. */
  readonly contested: boolean;
}

/** The ownership map of a release (src/inspect/release-owners.ts reads it from the cluster). */
export interface OwnershipReport {
  readonly release: string;
  readonly namespace: string;
  /** The newest recorded revision; undefined when berth has no record of the release. */
  readonly revision: number | undefined;
  readonly objects: readonly ObjectOwnership[];
  /** Kinds that could not be read (not served, or not allowed), with why. */
  readonly skipped: readonly string[];
}

const BERTH_MANAGED = { instance: 'app.kubernetes.io/instance', managedBy: 'app.kubernetes.io/managed-by' };

// Helm 3 marks what it installs with this label and these annotations (`helm upgrade` refuses to
// take objects without them).
const HELM = {
  managedBy: 'Helm',
  release: 'meta.helm.sh/release-name',
  namespace: 'meta.helm.sh/release-namespace',
} as const;

// Argo CD tracks by annotation `<app>:<group>/<kind>:<namespace>/<name>` (the default since 3.0) or
// by a configured label (app.kubernetes.io/instance by default, which berth uses itself, so only
// the argocd.argoproj.io/instance variant is evidence).
const ARGO = { label: 'argocd.argoproj.io/instance', annotation: 'argocd.argoproj.io/tracking-id' } as const;

const FLUX = [
  {
    label: 'kustomize.toolkit.fluxcd.io/name',
    namespace: 'kustomize.toolkit.fluxcd.io/namespace',
    what: 'Kustomization',
  },
  {
    label: 'helm.toolkit.fluxcd.io/name',
    namespace: 'helm.toolkit.fluxcd.io/namespace',
    what: 'HelmRelease',
  },
] as const;

const KAPP = 'kapp.k14s.io/app';

function qualified(name: string, namespace: string | undefined): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Every tool whose labels or annotations claim `object`. */
export function claimsOf(metadata: Pick<LiveObject['metadata'], 'labels' | 'annotations'>): Claim[] {
  const labels = metadata.labels ?? {};
  const annotations = metadata.annotations ?? {};
  const claims: Claim[] = [];
  if (labels[BERTH_MANAGED.managedBy] === 'berth' && labels[BERTH_MANAGED.instance])
    claims.push({
      tool: 'berth',
      owner: labels[BERTH_MANAGED.instance]!,
      evidence: `label ${BERTH_MANAGED.managedBy}=berth`,
    });
  const helmRelease = annotations[HELM.release];
  if (helmRelease || labels[BERTH_MANAGED.managedBy] === HELM.managedBy)
    claims.push({
      tool: 'helm',
      owner: helmRelease ? qualified(helmRelease, annotations[HELM.namespace]) : '(unknown release)',
      evidence: helmRelease
        ? `annotation ${HELM.release}`
        : `label ${BERTH_MANAGED.managedBy}=${HELM.managedBy}`,
    });
  const tracking = annotations[ARGO.annotation];
  if (tracking)
    claims.push({
      tool: 'argocd',
      owner: tracking.split(':')[0]!,
      evidence: `annotation ${ARGO.annotation}`,
    });
  else if (labels[ARGO.label])
    claims.push({ tool: 'argocd', owner: labels[ARGO.label]!, evidence: `label ${ARGO.label}` });
  for (const flux of FLUX) {
    const name = labels[flux.label];
    if (name)
      claims.push({
        tool: 'flux',
        owner: `${flux.what} ${qualified(name, labels[flux.namespace])}`,
        evidence: `label ${flux.label}`,
      });
  }
  if (labels[KAPP]) claims.push({ tool: 'kapp', owner: labels[KAPP]!, evidence: `label ${KAPP}` });
  return claims;
}

const MANAGER_KINDS: readonly [RegExp, ManagerKind][] = [
  [/^berth$/, 'berth'],
  // kubectl's managers: kubectl-edit, -scale, -patch, -label, -client-side-apply, kubectl (server-side
  // apply), and before-first-apply (fields set before an object first met server-side apply).
  [/^kubectl(-|$)|^before-first-apply$/, 'kubectl'],
  [/^helm$/, 'helm'],
  [/^argocd/, 'argocd'],
  [/^(kustomize|helm)-controller$/, 'flux'],
  [/^kapp(-controller)?$/, 'kapp'],
  [/^kube-(controller-manager|scheduler)$|^kubelet$|controller|operator/, 'controller'],
];

export function managerKind(entry: ManagedFieldsEntry): ManagerKind {
  const name = entry.manager ?? '';
  const known = MANAGER_KINDS.find(([pattern]) => pattern.test(name))?.[1];
  if (known) return known;
  return entry.subresource === 'status' ? 'controller' : 'other';
}

/** `f:spec` → `spec`; `f:metadata` → `metadata.labels`, `metadata.annotations`, … */
export function topLevelFields(fieldsV1: unknown): string[] {
  if (!isPlainObject(fieldsV1)) return [];
  const fields: string[] = [];
  for (const [key, value] of Object.entries(fieldsV1)) {
    if (!key.startsWith('f:')) continue;
    const name = key.slice(2);
    const children = isPlainObject(value) ? Object.keys(value).filter((k) => k.startsWith('f:')) : [];
    if (name === 'metadata' && children.length)
      fields.push(...children.map((child) => `metadata.${child.slice(2)}`));
    else fields.push(name);
  }
  return fields.sort();
}

export function fieldManagers(entries: readonly ManagedFieldsEntry[] | undefined): FieldManager[] {
  return (entries ?? []).map((entry) => ({
    manager: entry.manager ?? '(unnamed)',
    kind: managerKind(entry),
    operation: entry.operation ?? '',
    subresource: entry.subresource || undefined,
    time: entry.time,
    fields: topLevelFields(entry.fieldsV1),
  }));
}

/** Who claims `object`, one of `release`'s; `recorded` when the release's record lists it. */
export function ownershipOf(object: LiveObject, release: string, recorded: boolean): ObjectOwnership {
  const claims = claimsOf(object.metadata);
  const managers = fieldManagers(object.metadata.managedFields);
  const contested =
    claims.some((c) => c.tool !== 'berth' || c.owner !== release) ||
    managers.some((m) => m.kind !== 'berth' && m.kind !== 'controller');
  return {
    object: `${object.kind}/${object.metadata.name}`,
    ref: {
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      namespace: object.metadata.namespace,
    },
    recorded,
    claims,
    managers,
    contested,
  };
}

/**
 * Whether a live object is one of the release's or bears its name: recorded by berth, labelled as
 * its instance, annotated as the Helm release of that name, or named `<release>` / `<release>-…`.
 */
export function concernsRelease(object: LiveObject, release: string, recorded: boolean): boolean {
  const { name, labels = {}, annotations = {} } = object.metadata;
  return (
    recorded ||
    labels[BERTH_MANAGED.instance] === release ||
    annotations[HELM.release] === release ||
    name === release ||
    name.startsWith(`${release}-`)
  );
}
