/** list: the releases in a namespace, or in every namespace. */
import { listReleases } from '../release/queries.ts';
import { type ClusterTarget, connect } from './cluster.ts';

export interface ListRequest {
  readonly cluster: ClusterTarget;
  readonly allNamespaces?: boolean | undefined;
}

export function list(request: ListRequest): ReturnType<typeof listReleases> {
  const { client, namespace } = connect(request.cluster);
  return listReleases(client, request.allNamespaces ? undefined : namespace);
}
