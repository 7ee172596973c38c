import type { LiveObject } from '../types.ts';
import { plural, type Readiness, ready, staleGeneration, waiting } from './types.ts';

interface StatefulSetShape {
  spec?: {
    replicas?: number;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
}

/**
 * A StatefulSet is ready when every pod is ready and the rollout is through: with a partition only
 * the pods with an ordinal ≥ partition must run the new revision; with OnDelete, pods take the new
 * spec only when someone deletes them, so readiness is all there is to wait for.
 */
export function statefulSetReadiness(live: LiveObject): Readiness {
  const { spec = {}, status = {} } = live as StatefulSetShape;
  const stale = staleGeneration(live, status.observedGeneration);
  if (stale) return stale;
  const desired = spec.replicas ?? 1;
  const readyReplicas = status.readyReplicas ?? 0;
  if (readyReplicas < desired) return waiting(`${readyReplicas}/${desired} pods ready`);
  const podsReady = desired === 0 ? 'scaled to 0 replicas' : `${readyReplicas}/${desired} pods ready`;
  if (spec.updateStrategy?.type === 'OnDelete') {
    return ready(`${podsReady} (OnDelete: pods take a new spec only when deleted)`);
  }
  const updated = status.updatedReplicas ?? 0;
  const partition = spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  if (partition > 0) {
    const mustUpdate = Math.max(0, desired - partition);
    if (updated < mustUpdate) {
      return waiting(
        `waiting for partitioned rollout: ${updated}/${mustUpdate} pods from ordinal ${partition} updated`,
      );
    }
    return ready(
      `${podsReady}; partitioned rollout done (${plural(mustUpdate, 'pod')} from ordinal ${partition} updated)`,
    );
  }
  if (status.updateRevision && status.currentRevision !== status.updateRevision) {
    return waiting(`waiting for rollout: ${updated}/${desired} pods at revision ${status.updateRevision}`);
  }
  return ready(podsReady);
}
