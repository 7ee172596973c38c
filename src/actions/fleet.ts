/** apply: install or upgrade every release of a fleet file over one connection, several at a time. */
import { loadFleet } from '../fleet/file.ts';
import { applyFleet, type FleetOutcome } from '../fleet/run.ts';
import { type ClusterTarget, connect } from './cluster.ts';
import { type DeploySettings, deployTo } from './deploy.ts';

export interface FleetRequest {
  /** kubeconfig and context; each release names its own namespace. */
  readonly cluster: Omit<ClusterTarget, 'namespace'>;
  readonly file: string;
  readonly settings: DeploySettings;
  readonly concurrency: number;
}

export function fleet(
  request: FleetRequest,
  events: { readonly done?: (outcome: FleetOutcome) => void } = {},
): Promise<FleetOutcome[]> {
  const releases = loadFleet(request.file);
  const { client } = connect(request.cluster);
  return applyFleet(releases, {
    concurrency: request.concurrency,
    deploy: (entry, deployRequest) =>
      deployTo(
        { client, namespace: entry.namespace, release: entry.name },
        deployRequest,
        request.settings,
        {},
      ),
    done: events.done,
  });
}
