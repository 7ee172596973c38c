import type { LiveObject } from '../types.ts';
import { type Condition, explain, findCondition, type Readiness, ready } from './types.ts';

interface AutoscalerShape {
  spec?: { minReplicas?: number; maxReplicas?: number };
  status?: { currentReplicas?: number; desiredReplicas?: number; conditions?: Condition[] };
}

/**
 * An autoscaler never blocks a rollout: it is ready on create. The message says whether it can
 * actually scale, e.g. when no metrics server answers (ScalingActive=False).
 */
export function horizontalPodAutoscalerReadiness(live: LiveObject): Readiness {
  const { spec = {}, status = {} } = live as AutoscalerShape;
  const range = `min ${spec.minReplicas ?? 1}, max ${spec.maxReplicas ?? '?'}`;
  const able = findCondition(status.conditions, 'AbleToScale');
  const active = findCondition(status.conditions, 'ScalingActive');
  if (!able && !active) return ready(`created (${range}); no metrics read yet`);
  if (active?.status === 'False') return ready(`created (${range}); scaling inactive: ${explain(active)}`);
  if (able?.status === 'False') return ready(`created (${range}); cannot scale: ${explain(able)}`);
  return ready(`scaling active: ${status.currentReplicas ?? 0} replicas (${range})`);
}
