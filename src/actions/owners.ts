/** owners: who claims each object of a release — berth, Helm, Argo CD, Flux, kapp, hand edits. */
import type { OwnershipReport } from '../inspect/owners.ts';
import { releaseOwnership } from '../inspect/release-owners.ts';
import { connectRelease } from './cluster.ts';
import type { ReleaseAt } from './deploy.ts';

export function owners(request: ReleaseAt): Promise<OwnershipReport> {
  const { client, namespace, release } = connectRelease(request.release, request.cluster);
  return releaseOwnership(client, namespace, release);
}
