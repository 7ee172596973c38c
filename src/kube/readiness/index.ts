/**
 * Readiness: one rule per kind, each a pure function of the live object. Kinds without a rule use
 * the generic conditions rule (ready on create when there are no conditions).
 */
import type { LiveObject } from '../types.ts';
import { daemonSetReadiness } from './daemonset.ts';
import { deploymentReadiness } from './deployment.ts';
import { genericReadiness } from './generic.ts';
import { horizontalPodAutoscalerReadiness } from './hpa.ts';
import { jobReadiness } from './job.ts';
import { podReadiness } from './pod.ts';
import { persistentVolumeClaimReadiness } from './pvc.ts';
import { serviceReadiness } from './service.ts';
import { statefulSetReadiness } from './statefulset.ts';
import { type Readiness, type ReadinessContext, type ReadinessRule, waiting } from './types.ts';

export { daemonSetReadiness } from './daemonset.ts';
export { deploymentReadiness } from './deployment.ts';
export { genericReadiness } from './generic.ts';
export { horizontalPodAutoscalerReadiness } from './hpa.ts';
export { jobReadiness } from './job.ts';
export { podReadiness } from './pod.ts';
export { formatPodProblem, type PodProblem, podProblems, summarisePodProblems } from './pod-problems.ts';
export { persistentVolumeClaimReadiness } from './pvc.ts';
export { serviceReadiness } from './service.ts';
export { statefulSetReadiness } from './statefulset.ts';
export type { Condition, Readiness, ReadinessContext, ReadinessRule } from './types.ts';

/** Rules by `group/Kind` (core group: empty), so a custom kind that shares a name is not misread. */
const rules: Readonly<Record<string, ReadinessRule>> = {
  'apps/Deployment': deploymentReadiness,
  'apps/StatefulSet': statefulSetReadiness,
  'apps/DaemonSet': daemonSetReadiness,
  'batch/Job': jobReadiness,
  '/PersistentVolumeClaim': persistentVolumeClaimReadiness,
  '/Service': serviceReadiness,
  '/Pod': podReadiness,
  'autoscaling/HorizontalPodAutoscaler': horizontalPodAutoscalerReadiness,
};

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** The rule for an apiVersion and kind (the generic conditions rule when the kind has none). */
export function ruleFor(apiVersion: string, kind: string): ReadinessRule {
  return rules[`${groupOf(apiVersion)}/${kind}`] ?? genericReadiness;
}

/** Whether the kind has a rule of its own (otherwise it is judged by its conditions). */
export function hasOwnRule(apiVersion: string, kind: string): boolean {
  return `${groupOf(apiVersion)}/${kind}` in rules;
}

/** Evaluates the object's rule; an object being deleted is never ready. */
export function readinessOf(live: LiveObject, context?: ReadinessContext): Readiness {
  if (live.metadata.deletionTimestamp) return waiting('being deleted');
  return ruleFor(live.apiVersion, live.kind)(live, context);
}
