/**
 * Callers derived from the wiring: for each component, the components whose settings point at one
 * of its Services (itself included: a pod calling its own Service may land on another replica). Network policies admit them, so a policy cannot forget a caller the
 * configuration already names (a migration Job, a worker, a sidecar's config file).
 */
import type { Manifest } from '../render/render.ts';
import { ingressBackends } from './checks/network.ts';
import { resolveEdges } from './edges.ts';
import { serviceNodes } from './graph.ts';
import { hostReferences } from './references.ts';
import { releaseView } from './view.ts';

interface Rendered {
  readonly release: string;
  readonly namespace: string;
  readonly manifests: readonly Manifest[];
}

export function derivedCallers(input: Rendered): Map<string, Set<string>> {
  const view = releaseView({ ...input, values: {} });
  const { edges } = resolveEdges(hostReferences(view), serviceNodes(view), view.namespace);
  const callers = new Map<string, Set<string>>();
  for (const edge of edges) {
    for (const backend of edge.service.backends) {
      const set = callers.get(backend.name) ?? new Set<string>();
      set.add(edge.caller.name);
      callers.set(backend.name, set);
    }
  }
  return callers;
}

/** Components any Ingress of the release routes to (the blueprint's routes or Ingresses it builds itself). */
export function ingressComponents(input: Rendered): Set<string> {
  const view = releaseView({ ...input, values: {} });
  const services = new Map(serviceNodes(view).map((s) => [s.name, s]));
  return new Set(
    ingressBackends(view).flatMap(({ service }) =>
      (services.get(service)?.backends ?? []).map((b) => b.name),
    ),
  );
}
