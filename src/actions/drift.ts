/** drift: what changed in the cluster since berth last applied the release. */
import { type Plan, releaseDrift } from '../plan/plan.ts';
import { connectRelease } from './cluster.ts';
import type { ReleaseAt } from './deploy.ts';

export function drift(request: ReleaseAt): Promise<Plan> {
  return releaseDrift(connectRelease(request.release, request.cluster));
}
