import type { LiveObject } from '../types.ts';
import { type Readiness, type ReadinessContext, ready, waiting } from './types.ts';

interface ServiceShape {
  spec?: { type?: string; clusterIP?: string; externalName?: string };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

/** A Service is ready once created; a LoadBalancer waits for its address only when the caller asks. */
export function serviceReadiness(live: LiveObject, context: ReadinessContext = {}): Readiness {
  const { spec = {}, status = {} } = live as ServiceShape;
  const type = spec.type ?? 'ClusterIP';
  if (type === 'ExternalName') return ready(`ExternalName ${spec.externalName ?? ''}`.trim());
  if (type === 'LoadBalancer' && context.waitForLoadBalancer) {
    const addresses = (status.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname).filter(Boolean);
    if (addresses.length === 0) return waiting('LoadBalancer has no ingress yet');
    return ready(`LoadBalancer ready at ${addresses.join(', ')}`);
  }
  if (spec.clusterIP === 'None') return ready(`${type} (headless)`);
  return ready(spec.clusterIP ? `${type} ${spec.clusterIP}` : type);
}
