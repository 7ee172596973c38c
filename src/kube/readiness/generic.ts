import type { LiveObject } from '../types.ts';
import {
  type Condition,
  explain,
  failed,
  findCondition,
  type Readiness,
  ready,
  staleGeneration,
  waiting,
} from './types.ts';

interface ConditionedShape {
  status?: { observedGeneration?: number; conditions?: Condition[] };
}

/** Condition types that mean "ready" when True (Established: CustomResourceDefinitions). */
const readyTypes = ['Ready', 'Available', 'Established'];
/** Condition types that mean "failed" when True. */
const failedTypes = ['Failed', 'Degraded'];

/**
 * Any kind without its own rule (custom resources included): Ready/Available True is ready,
 * Failed/Degraded True is failed, and without such conditions it is ready on create.
 */
export function genericReadiness(live: LiveObject): Readiness {
  const status = (live as ConditionedShape).status;
  const conditions = status?.conditions;
  if (!Array.isArray(conditions) || conditions.length === 0) return ready('ready on create');
  const stale = staleGeneration(live, status?.observedGeneration ?? live.metadata.generation);
  if (stale) return stale;
  for (const type of failedTypes) {
    const condition = findCondition(conditions, type);
    if (condition?.status === 'True')
      return failed(`${type}${explain(condition) ? `: ${explain(condition)}` : ''}`);
  }
  for (const type of readyTypes) {
    const condition = findCondition(conditions, type);
    if (!condition) continue;
    if (condition.status === 'True')
      return ready(`${type}${condition.message ? `: ${condition.message}` : ''}`);
    return waiting(`${type}=${condition.status}${explain(condition) ? `: ${explain(condition)}` : ''}`);
  }
  return ready('ready on create (no Ready or Available condition)');
}
