/** unlock: drop a release's lock by hand; returns who held it, if anyone. */
import { forceUnlock } from '../release/lock.ts';
import { connectRelease } from './cluster.ts';
import type { ReleaseAt } from './deploy.ts';

export function unlock(request: ReleaseAt): Promise<string | undefined> {
  const { client, namespace, release } = connectRelease(request.release, request.cluster);
  return forceUnlock(client, namespace, release);
}
