import type { LiveObject } from '../types.ts';
import { type Readiness, ready, staleGeneration, waiting } from './types.ts';

interface DaemonSetShape {
  spec?: { updateStrategy?: { type?: string } };
  status?: {
    observedGeneration?: number;
    desiredNumberScheduled?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
  };
}

/** A DaemonSet is ready when every node that should run it runs an updated, available pod. */
export function daemonSetReadiness(live: LiveObject): Readiness {
  const { spec = {}, status = {} } = live as DaemonSetShape;
  const stale = staleGeneration(live, status.observedGeneration);
  if (stale) return stale;
  const desired = status.desiredNumberScheduled ?? 0;
  const updated = status.updatedNumberScheduled ?? 0;
  const available = status.numberAvailable ?? 0;
  if (spec.updateStrategy?.type !== 'OnDelete' && updated < desired) {
    return waiting(`waiting for rollout: ${updated}/${desired} pods updated`);
  }
  if (available < desired) return waiting(`${available}/${desired} pods ready`);
  return ready(desired === 0 ? 'no node matches: 0 pods scheduled' : `${available}/${desired} pods ready`);
}
