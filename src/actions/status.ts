/** status: a release and the live health of its components. */
import { type ReleaseStatusReport, releaseStatus } from '../release/queries.ts';
import { connectRelease } from './cluster.ts';
import type { ReleaseAt } from './deploy.ts';

export function status(request: ReleaseAt): Promise<ReleaseStatusReport> {
  return releaseStatus(connectRelease(request.release, request.cluster));
}
