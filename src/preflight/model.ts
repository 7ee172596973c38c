/** The shapes preflight speaks: requirements derived offline, and checks run against a cluster. */

import { ExitCode } from '../errors.ts';
import type { KubeClient } from '../kube/client.ts';

export const OUTCOMES = ['pass', 'warn', 'fail'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Stable identifiers of the checks, in the order they run and print. */
export const CHECK_IDS = [
  'kube-version',
  'namespace',
  'rbac',
  'storage-class',
  'ingress-class',
  'crds',
  'existing-secrets',
  'existing-claims',
  'capacity',
  'pod-security',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export interface PreflightCheck {
  readonly id: CheckId;
  readonly title: string;
  readonly outcome: Outcome;
  /** One line: what was found. */
  readonly message: string;
  /** What to do about a warn or fail. */
  readonly hint?: string;
  /** One line per finding (a missing permission, a missing key, an offending field). */
  readonly details?: readonly string[];
}

/** An API group/kind and the verbs the install needs on it. */
export interface PermissionNeed {
  readonly apiVersion: string;
  readonly kind: string;
  readonly verbs: readonly string[];
  /** Why berth needs it: `rendered`, `release records`, `release lock`. */
  readonly reason: string;
}

/** A claim's storage needs: a named StorageClass, or the cluster default (`storageClass` undefined). */
export interface StorageNeed {
  readonly storageClass: string | undefined;
  /** `PersistentVolumeClaim/x`, `StatefulSet/y (volumeClaimTemplates data)`. */
  readonly claims: readonly string[];
}

export interface IngressClassNeed {
  readonly className: string | undefined;
  readonly ingresses: readonly string[];
}

/** A kind outside the built-in API groups (its CRD must be installed), or a CRD by name. */
export interface CrdNeed {
  /** `servicemonitors.monitoring.coreos.com`. */
  readonly name: string;
  readonly apiVersion?: string;
  readonly kind?: string;
  /** Who needs it: `ServiceMonitor/x`, `blueprint prerequisite`. */
  readonly neededBy: readonly string[];
}

/** A cert-manager ClusterIssuer or Issuer named by an Ingress annotation. */
export interface IssuerNeed {
  readonly kind: 'ClusterIssuer' | 'Issuer';
  readonly name: string;
  readonly ingresses: readonly string[];
}

/** A Secret berth does not create but reads: it must exist and hold these keys. */
export interface SecretNeed {
  readonly name: string;
  /** Keys that must be present (never their values). Empty: only existence is checked. */
  readonly keys: readonly string[];
  /** Values paths and objects that refer to it. */
  readonly referencedBy: readonly string[];
}

export interface ClaimNeed {
  readonly name: string;
  readonly referencedBy: readonly string[];
}

/** Resource requests of one workload: per pod and in total. */
export interface WorkloadRequests {
  /** `Deployment/langfuse-web`. */
  readonly workload: string;
  readonly replicas: number;
  /** Per pod, in cores. */
  readonly cpu: number;
  /** Per pod, in bytes. */
  readonly memory: number;
}

export interface ResourceTotals {
  readonly pods: number;
  readonly cpu: number;
  readonly memory: number;
  readonly workloads: readonly WorkloadRequests[];
}

/** A pod template to check against Pod Security Standards. */
export interface PodTemplate {
  /** `StatefulSet/x`. */
  readonly owner: string;
  /** `spec.template.spec`. */
  readonly path: string;
  readonly spec: Record<string, unknown>;
  /** The pod template's annotations. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Everything the install needs from the cluster, derived without one. */
export interface Requirements {
  readonly kubeVersion: string;
  readonly namespace: string;
  readonly permissions: readonly PermissionNeed[];
  readonly storage: readonly StorageNeed[];
  readonly ingressClasses: readonly IngressClassNeed[];
  readonly crds: readonly CrdNeed[];
  readonly issuers: readonly IssuerNeed[];
  readonly secrets: readonly SecretNeed[];
  readonly claims: readonly ClaimNeed[];
  readonly resources: ResourceTotals;
  readonly podTemplates: readonly PodTemplate[];
}

export interface PreflightReport {
  readonly blueprint: string;
  readonly release: string;
  readonly namespace: string;
  /** The worst outcome of all checks. */
  readonly outcome: Outcome;
  readonly checks: readonly PreflightCheck[];
}

export function worstOutcome(outcomes: Iterable<Outcome>): Outcome {
  let worst: Outcome = 'pass';
  for (const outcome of outcomes) if (OUTCOMES.indexOf(outcome) > OUTCOMES.indexOf(worst)) worst = outcome;
  return worst;
}

/** 0 all pass, 3 any fail, 4 warnings only. */
export function preflightExitCode(report: Pick<PreflightReport, 'outcome'>): ExitCode {
  if (report.outcome === 'fail') return ExitCode.runtime;
  if (report.outcome === 'warn') return ExitCode.warnings;
  return ExitCode.ok;
}

/** The reads preflight makes (and the access reviews it asks): a client, or a fleet's shared reads of one. */
export type PreflightClient = Pick<KubeClient, 'serverVersion' | 'get' | 'list' | 'resourceInfo' | 'create'>;
