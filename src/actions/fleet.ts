/**
 * apply: install or upgrade every release of a fleet file over one connection, several at a time,
 * sharing what the releases would each read: cluster facts for preflight, and one watch per kind
 * and namespace for ownership reads and readiness.
 */
import { sharedClusterFacts } from '../fleet/cluster-facts.ts';
import { loadFleet } from '../fleet/file.ts';
import { SharedLiveObjects } from '../fleet/live-objects.ts';
import { applyFleet, type FleetOutcome, prepareFleet } from '../fleet/run.ts';
import { type ClusterTarget, checkOffline, connect } from './cluster.ts';
import { type DeploySettings, deployTo } from './deploy.ts';

export interface FleetRequest {
  /** kubeconfig and context; each release names its own namespace. */
  readonly cluster: Omit<ClusterTarget, 'namespace'>;
  readonly file: string;
  readonly settings: DeploySettings;
  readonly concurrency: number;
}

export async function fleet(
  request: FleetRequest,
  events: { readonly done?: (outcome: FleetOutcome) => void } = {},
): Promise<FleetOutcome[]> {
  const releases = await prepareFleet(request.file, loadFleet(request.file), (entry, { blueprint, values }) =>
    checkOffline(blueprint, values, { release: entry.name, namespace: entry.namespace }),
  );
  const { client } = connect(request.cluster);
  const live = new SharedLiveObjects(client);
  const shared = { clusterFacts: sharedClusterFacts(client), live };
  return applyFleet(releases, {
    concurrency: request.concurrency,
    deploy: (entry, deployRequest) =>
      deployTo(
        { client, namespace: entry.namespace, release: entry.name },
        deployRequest,
        request.settings,
        {},
        undefined,
        shared,
      ),
    done: events.done,
  }).finally(() => live.close());
}
