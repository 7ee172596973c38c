/**
 * The cluster an action works on, defined once for every front end: which kubeconfig, which
 * context, which namespace. Actions check their inputs and render offline first, then connect, so
 * a bad value or name fails before a namespace is created or a lock taken, and is shown even when
 * no cluster can be reached.
 */
import type { Blueprint } from '../blueprints/blueprint.ts';
import { KubeClient } from '../kube/client.ts';
import type { KubeconfigOptions } from '../kube/kubeconfig.ts';
import { PodLogReader } from '../kube/logs.ts';
import { checkOptionalNamespace, checkReleaseName } from '../names.ts';
import type { ReleaseTarget } from '../release/engine.ts';

/** kubeconfig file, context and namespace: the same options every connection to the API server takes. */
export type ClusterTarget = KubeconfigOptions;

export interface Connection {
  readonly client: KubeClient;
  readonly namespace: string;
}

/** Connects with the kubeconfig; the namespace is the target's (checked) or the context's. */
export function connect(cluster: ClusterTarget): Connection {
  const namespace = checkOptionalNamespace(cluster.namespace);
  const client = KubeClient.fromKubeconfig({
    kubeconfig: cluster.kubeconfig,
    context: cluster.context,
    namespace,
  });
  return { client, namespace: namespace ?? client.namespace };
}

/** A named release on the cluster: the name is checked before anything connects. */
export function connectRelease(release: string, cluster: ClusterTarget): ReleaseTarget {
  checkReleaseName(release);
  return { ...connect(cluster), release };
}

/** Pod logs through the same kubeconfig, context and namespace as the connection. */
export function podLogs(cluster: ClusterTarget, namespace: string): PodLogReader {
  return PodLogReader.fromKubeconfig({ ...cluster, namespace });
}

/**
 * Everything about an install or upgrade that needs no cluster: the release name, the namespace
 * and a full render (values, cross-field rules, the wiring and Kubernetes schema checks).
 */
export async function checkOffline(
  blueprint: Blueprint,
  values: Record<string, unknown>,
  target: { readonly release: string; readonly namespace: string | undefined },
): Promise<void> {
  checkReleaseName(target.release);
  const namespace = checkOptionalNamespace(target.namespace) ?? 'default';
  // Loaded here: connecting alone (list, status, history) needs none of the render pipeline.
  const { render } = await import('../render/render.ts');
  await render(blueprint, values, { release: target.release, namespace });
}
