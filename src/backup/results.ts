/** What a backup Job's pods report: each container's final state and the result lines it wrote. */
import type { KubeClient } from '../kube/client.ts';
import type { LiveObject } from '../kube/types.ts';
import { type ObjectResult, parseResult } from './commands.ts';

export interface Terminated {
  readonly exitCode: number;
  readonly reason?: string;
  /** The result lines the script wrote to its termination message. */
  readonly message?: string;
}

interface ContainerStatus {
  name: string;
  state?: { terminated?: Terminated };
}

export function jobPods(client: KubeClient, namespace: string, job: string): Promise<LiveObject[]> {
  return client.list({ apiVersion: 'v1', kind: 'Pod', namespace, labelSelector: `job-name=${job}` });
}

/** The containers (init or not) that have finished, by name; a later pod's state wins. */
export function terminatedContainers(pods: readonly LiveObject[]): Map<string, Terminated> {
  const states = new Map<string, Terminated>();
  for (const pod of pods) {
    const status = pod.status as
      | { containerStatuses?: ContainerStatus[]; initContainerStatuses?: ContainerStatus[] }
      | undefined;
    for (const c of [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])])
      if (c.state?.terminated) states.set(c.name, c.state.terminated);
  }
  return states;
}

/** The objects a store's script reported from container `container` (empty when it reported none). */
export function objectsOf(states: ReadonlyMap<string, Terminated>, container: string): ObjectResult[] {
  return parseResult(states.get(container)?.message ?? '');
}

/** The objects the container that ran a store's script reported, read from its Job's pods. */
export async function resultOf(
  client: KubeClient,
  namespace: string,
  job: string,
  container: string,
): Promise<ObjectResult[]> {
  return objectsOf(terminatedContainers(await jobPods(client, namespace, job)), container);
}
