/**
 * The no-op upgrade, decided cheaply: the newest record's digest (an annotation on its head, read
 * with the other record metadata) against a render with the kept secret values (and, for an adopted
 * release, over the layer its record holds). It runs before the lock and the preflight; only a
 * release whose newest revision is deployed and digests the same is "unchanged". Anything else goes
 * the full way, where the engine checks again under the lock.
 */
import type { Blueprint } from '../blueprints/blueprint.ts';
import type { ClusterApi } from '../kube/cluster-api.ts';
import type { ReleaseResult, ReleaseTarget } from './engine.ts';
import { revisionDigest } from './record.ts';
import { renderRevision } from './render-revision.ts';
import { readGeneratedSecrets } from './secrets.ts';
import type { ReleaseStore } from './store.ts';

export interface UpgradeAsked {
  readonly blueprint: Blueprint;
  readonly values: Record<string, unknown>;
  readonly rotateSecrets: readonly string[];
}

export async function unchangedUpgrade(
  target: ReleaseTarget<ClusterApi>,
  request: UpgradeAsked,
  store: ReleaseStore,
): Promise<ReleaseResult | undefined> {
  if (request.rotateSecrets.length > 0) return undefined;
  const { client, namespace, release } = target;
  const newest = await store.newest(namespace, release);
  // A second deployed revision (a run killed before superseding it) is settled under the lock.
  if (newest?.summary.status !== 'deployed' || !newest.digest || newest.olderDeployed) return undefined;
  const [stored, adopted] = await Promise.all([
    readGeneratedSecrets(client, namespace, release),
    newest.adopted ? store.load(namespace, release, newest.summary.revision) : undefined,
  ]);
  const rendered = await renderRevision(target, { ...request, rotateSecrets: [] }, stored, adopted?.adopted);
  if (revisionDigest(rendered.manifests, request.values) !== newest.digest) return undefined;
  return {
    release,
    namespace,
    revision: newest.summary.revision,
    status: 'unchanged',
    blueprint: rendered.blueprint,
    description: 'no changes',
    notes: rendered.notes,
    dryRun: false,
  };
}
