/**
 * The cluster an action works on, defined once for every front end: which kubeconfig, which
 * context, which namespace. Actions check their inputs and render offline first, then connect, so
 * a bad value or name fails before a namespace is created or a lock taken, and is shown even when
 * no cluster can be reached.
 */
import type { Blueprint } from '../blueprints/blueprint.ts';
import { BerthError } from '../errors.ts';
import { KubeClient } from '../kube/client.ts';
import type { KubeconfigOptions } from '../kube/kubeconfig.ts';
import { PodLogReader } from '../kube/logs.ts';
import type { ReleaseTarget } from '../release/engine.ts';
import { checkReleaseName, render } from '../render/render.ts';

/** kubeconfig file, context and namespace: the same options every connection to the API server takes. */
export type ClusterTarget = KubeconfigOptions;

export interface Connection {
  readonly client: KubeClient;
  readonly namespace: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A namespace as the API server accepts it (a DNS-1123 label). Checked before anything connects:
 * an empty namespace would otherwise make namespaced reads cluster-wide.
 */
export function checkNamespace(namespace: string): string {
  if (namespace.length > 63 || !DNS_LABEL.test(namespace)) {
    throw new BerthError(
      'BERTH_NAMESPACE_INVALID',
      `--namespace ${JSON.stringify(namespace)}: expected a namespace name (lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters)`,
      { hint: 'kubectl get namespaces lists the existing ones' },
    );
  }
  return namespace;
}

/** A namespace that may be left out (the kubeconfig context's namespace is used then). */
export function checkOptionalNamespace(namespace: string | undefined): string | undefined {
  return namespace === undefined ? undefined : checkNamespace(namespace);
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
  await render(blueprint, values, { release: target.release, namespace });
}
