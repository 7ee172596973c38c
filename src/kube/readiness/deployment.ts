import type { LiveObject } from '../types.ts';
import {
  type Condition,
  explain,
  failed,
  findCondition,
  plural,
  type Readiness,
  ready,
  staleGeneration,
  waiting,
} from './types.ts';

interface DeploymentShape {
  spec?: { replicas?: number; paused?: boolean };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    conditions?: Condition[];
  };
}

/** A Deployment is ready when the new ReplicaSet has every replica available and no old pod is left. */
export function deploymentReadiness(live: LiveObject): Readiness {
  const { spec = {}, status = {} } = live as DeploymentShape;
  const stale = staleGeneration(live, status.observedGeneration);
  if (stale) return stale;
  const progressing = findCondition(status.conditions, 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    return failed(
      `rollout stuck: progress deadline exceeded${progressing.message ? ` (${progressing.message})` : ''}`,
    );
  }
  if (spec.paused) return ready('paused: the rollout is not checked');
  const desired = spec.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const replicaFailure = findCondition(status.conditions, 'ReplicaFailure');
  const failure = replicaFailure?.status === 'True' ? ` (${explain(replicaFailure)})` : '';
  if (updated < desired) {
    return waiting(`waiting for rollout: ${updated}/${desired} pods updated${failure}`, failure !== '');
  }
  if (total > updated) {
    return waiting(`waiting for rollout: ${plural(total - updated, 'old replica')} pending termination`);
  }
  if (available < updated) return waiting(`${available}/${desired} pods ready${failure}`, failure !== '');
  return ready(desired === 0 ? 'scaled to 0 replicas' : `${available}/${desired} pods ready`);
}
