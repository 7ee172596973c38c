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

/**
 * Who the rendered configuration makes call whom (`callers`: component → its callers) and which
 * components an Ingress routes to (`routed`), from one reading of the release as a graph.
 */
export function releaseWiring(input: Rendered): {
  callers: Map<string, Set<string>>;
  routed: Set<string>;
} {
  const view = releaseView({ ...input, values: {} });
  const services = serviceNodes(view);
  const { edges } = resolveEdges(hostReferences(view), services, view.namespace);
  const callers = new Map<string, Set<string>>();
  for (const edge of edges) {
    for (const backend of edge.service.backends) {
      const set = callers.get(backend.name) ?? new Set<string>();
      set.add(edge.caller.name);
      callers.set(backend.name, set);
    }
  }
  // Ingresses the blueprint's routes make, and those it builds itself.
  const byName = new Map(services.map((s) => [s.name, s]));
  const routed = new Set(
    ingressBackends(view).flatMap(({ service }) => (byName.get(service)?.backends ?? []).map((b) => b.name)),
  );
  return { callers, routed };
}
