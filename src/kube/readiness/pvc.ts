import type { LiveObject } from '../types.ts';
import { failed, type Readiness, type ReadinessContext, ready, waiting } from './types.ts';

interface ClaimShape {
  spec?: { storageClassName?: string; volumeName?: string };
  status?: { phase?: string };
}

/**
 * A claim is ready when Bound. A Pending claim of a WaitForFirstConsumer class also counts: it binds
 * only once a pod that uses it is scheduled, so waiting for it before its pod would never end.
 */
export function persistentVolumeClaimReadiness(live: LiveObject, context: ReadinessContext = {}): Readiness {
  const { spec = {}, status = {} } = live as ClaimShape;
  const phase = status.phase ?? 'Pending';
  if (phase === 'Bound') return ready(spec.volumeName ? `Bound to volume ${spec.volumeName}` : 'Bound');
  if (phase === 'Lost') return failed('PVC Lost: its volume no longer exists');
  const storageClass = spec.storageClassName;
  if (storageClass && context.waitForFirstConsumerClasses?.has(storageClass)) {
    return ready(`Pending until a pod uses it (storage class ${storageClass} is WaitForFirstConsumer)`);
  }
  return waiting(`PVC ${phase}: waiting for volume${storageClass ? ` (storage class ${storageClass})` : ''}`);
}
