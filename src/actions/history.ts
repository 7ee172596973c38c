/** history: the revisions of a release. */
import { releaseHistory } from '../release/queries.ts';
import type { RecordSummary } from '../release/store.ts';
import { connectRelease } from './cluster.ts';
import type { ReleaseAt } from './deploy.ts';

export function history(request: ReleaseAt): Promise<RecordSummary[]> {
  return releaseHistory(connectRelease(request.release, request.cluster));
}
