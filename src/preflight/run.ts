/**
 * Preflight: will the cluster take this install? `preflightRequirements` derives what the install
 * needs (no cluster); `runPreflight` checks each need against the cluster.
 */
import type { Blueprint } from '../blueprints/blueprint.ts';
import type { KubeObject } from '../render/model.ts';
import { render } from '../render/render.ts';
import {
  type CheckContext,
  checkCapacity,
  checkClaims,
  checkCrds,
  checkIngressClasses,
  checkKubeVersion,
  checkNamespace,
  checkPodSecurity,
  checkRbac,
  checkSecrets,
  checkStorageClasses,
  guarded,
} from './checks.ts';
import type { CheckId, PreflightCheck, PreflightClient, PreflightReport, Requirements } from './model.ts';
import { worstOutcome } from './model.ts';
import { blueprintPrerequisites, type Prerequisites } from './prerequisites.ts';
import { deriveRequirements } from './requirements.ts';

export interface PreflightInput {
  readonly blueprint: Pick<Blueprint, 'name' | 'kubeVersion'>;
  /** Typed values (RenderResult.values) or the user's values. */
  readonly values: unknown;
  /** The rendered objects (RenderResult.manifests, or plain objects). */
  readonly manifests: readonly ({ readonly object: KubeObject } | KubeObject)[];
  readonly namespace: string;
  readonly release: string;
  /** Default: what the blueprint's module exports (`requiredCrds`). */
  readonly prerequisites?: Prerequisites;
}

export interface RunPreflightOptions extends PreflightInput {
  readonly client: PreflightClient;
}

function objectsOf(manifests: PreflightInput['manifests']): KubeObject[] {
  return manifests.map((m) => ('kind' in m ? m : m.object) as KubeObject);
}

/** What the install needs from the cluster; no request is made. */
export async function preflightRequirements(input: PreflightInput): Promise<Requirements> {
  const prerequisites = input.prerequisites ?? (await blueprintPrerequisites(input.blueprint));
  return deriveRequirements({
    kubeVersion: input.blueprint.kubeVersion,
    namespace: input.namespace,
    values: input.values,
    objects: objectsOf(input.manifests),
    requiredCrds: prerequisites.crds ?? [],
  });
}

const CHECKS: readonly [CheckId, (ctx: CheckContext) => Promise<PreflightCheck>][] = [
  ['kube-version', checkKubeVersion],
  ['namespace', checkNamespace],
  ['rbac', checkRbac],
  ['storage-class', checkStorageClasses],
  ['ingress-class', checkIngressClasses],
  ['crds', checkCrds],
  ['existing-secrets', checkSecrets],
  ['existing-claims', checkClaims],
  ['capacity', checkCapacity],
  ['pod-security', checkPodSecurity],
];

/**
 * Runs every check against the cluster (in parallel) and returns the report; never throws for a
 * failed check, only when the cluster cannot be reached. `preflightExitCode(report)` gives 0/3/4.
 */
export async function runPreflight(options: RunPreflightOptions): Promise<PreflightReport> {
  const requirements = await preflightRequirements(options);
  const ctx: CheckContext = {
    client: options.client,
    requirements,
    release: options.release,
    blueprint: options.blueprint.name,
  };
  const checks = await Promise.all(CHECKS.map(([id, run]) => guarded(id, () => run(ctx))));
  return {
    blueprint: options.blueprint.name,
    release: options.release,
    namespace: options.namespace,
    outcome: worstOutcome(checks.map((c) => c.outcome)),
    checks,
  };
}

/** Renders the blueprint (generated secret values are random and discarded) into preflight's input. */
export async function preflightInput(
  blueprint: Blueprint,
  userValues: unknown,
  target: { readonly release: string; readonly namespace: string },
): Promise<PreflightInput> {
  const result = await render(blueprint, userValues, target);
  return {
    blueprint,
    values: result.values,
    manifests: result.manifests,
    namespace: target.namespace,
    release: target.release,
  };
}
