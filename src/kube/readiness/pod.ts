import type { LiveObject } from '../types.ts';
import { type PodShape, podProblems } from './pod-problems.ts';
import { failed, findCondition, type Readiness, ready, waiting } from './types.ts';

/**
 * A Pod is ready with its Ready condition, done when it ran to completion, failed when its phase
 * is Failed. Waiting reasons such as ImagePullBackOff are reported as `failing`, not as final.
 */
export function podReadiness(live: LiveObject): Readiness {
  const status = (live as PodShape).status ?? {};
  if (status.phase === 'Succeeded') return ready('completed');
  const [problem] = podProblems(live);
  if (status.phase === 'Failed') {
    return failed(
      `Pod failed: ${problem ? `${problem.reason}${problem.message ? `: ${problem.message}` : ''}` : 'unknown reason'}`,
    );
  }
  const readyCondition = findCondition(status.conditions, 'Ready');
  if (readyCondition?.status === 'True') return ready('ready');
  if (problem) {
    const container = problem.container ? ` (container ${problem.container})` : '';
    return waiting(`${problem.reason}${container}${problem.message ? `: ${problem.message}` : ''}`, true);
  }
  const scheduled = findCondition(status.conditions, 'PodScheduled');
  if (scheduled?.status !== 'True') return waiting('Pending: waiting to be scheduled');
  const unready = (status.containerStatuses ?? []).filter((c) => !c.ready).map((c) => c.name);
  if (unready.length > 0) return waiting(`not ready: ${unready.join(', ')}`);
  return waiting(`${status.phase ?? 'Pending'}: waiting for the Ready condition`);
}
