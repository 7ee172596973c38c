/**
 * The order every cluster command keeps: check the command line and render offline first, then
 * connect. A bad value or name thus fails before a namespace is created or a lock taken, and is
 * shown even when no cluster can be reached.
 */
import type { Blueprint } from '../blueprints/blueprint.ts';
import { KubeClient } from '../kube/client.ts';
import { checkReleaseName, render } from '../render/render.ts';
import type { PlainObject } from '../values/merge.ts';
import { checkOptionalNamespace } from './flags.ts';

export interface ConnectionFlags {
  kubeconfig?: string;
  kubeContext?: string;
  namespace?: string;
}

export interface Connection {
  readonly client: KubeClient;
  readonly namespace: string;
}

/** Connects with the kubeconfig; the namespace is `-n` (checked) or the context's. */
export function connect(flags: ConnectionFlags): Connection {
  const namespace = checkOptionalNamespace(flags.namespace);
  const client = KubeClient.fromKubeconfig({
    kubeconfig: flags.kubeconfig,
    context: flags.kubeContext,
    namespace,
  });
  return { client, namespace: namespace ?? client.namespace };
}

/**
 * Everything about an install or upgrade that needs no cluster: the release name, the namespace
 * and a full render (values, cross-field rules, the wiring and Kubernetes schema checks).
 */
export async function checkOffline(
  blueprint: Blueprint,
  values: PlainObject,
  target: { release: string; namespace: string | undefined },
): Promise<void> {
  checkReleaseName(target.release);
  const namespace = checkOptionalNamespace(target.namespace) ?? 'default';
  await render(blueprint, values, { release: target.release, namespace });
}
