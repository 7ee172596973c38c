/**
 * The rendered release as a graph: Services with the pods they select and the container ports
 * behind each Service port, for resolving who calls whom on which port.
 */
import type { KubeObject } from '../render/model.ts';
import type { ComponentView, ReleaseView } from './view.ts';

type Json = Record<string, unknown>;

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort: number | string;
}

export interface ServiceNode {
  readonly object: KubeObject;
  readonly name: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePort[];
  /** Components whose pods the selector matches. */
  readonly backends: readonly ComponentView[];
}

/** A Service port resolved to the container port number the pods listen on (what NetworkPolicies see). */
export interface Endpoint {
  readonly service: ServiceNode;
  readonly servicePort: ServicePort;
  readonly backend: ComponentView;
  readonly podPort: number | string;
}

export function matchesLabels(
  selector: Readonly<Record<string, string>> | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(selector ?? {}).every(([key, value]) => labels[key] === value);
}

/** `matchLabels` and `matchExpressions` of a LabelSelector (In, NotIn, Exists, DoesNotExist). */
export function matchesSelector(
  selector: Json | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (!selector) return true;
  if (!matchesLabels(selector.matchLabels as Record<string, string> | undefined, labels)) return false;
  return ((selector.matchExpressions as Json[] | undefined) ?? []).every((expression) => {
    const value = labels[String(expression.key)];
    const values = (expression.values as string[] | undefined) ?? [];
    switch (expression.operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        return false;
    }
  });
}

export function serviceNodes(view: ReleaseView): ServiceNode[] {
  return view.objects
    .filter((o) => o.kind === 'Service')
    .map((object) => {
      const spec = (object.spec as Json | undefined) ?? {};
      const selector = (spec.selector as Record<string, string> | undefined) ?? {};
      const ports = ((spec.ports as Json[] | undefined) ?? []).map((p) => ({
        ...(typeof p.name === 'string' ? { name: p.name } : {}),
        port: Number(p.port),
        targetPort: (p.targetPort as number | string | undefined) ?? Number(p.port),
      }));
      const backends = Object.keys(selector).length
        ? view.components.filter((c) => matchesLabels(selector, c.podLabels))
        : [];
      return { object, name: object.metadata.name, selector, ports, backends };
    });
}

/** The container port number a Service port reaches on a backend (named target ports resolved). */
export function podPortOf(backend: ComponentView, targetPort: number | string): number | string {
  if (typeof targetPort === 'number') return targetPort;
  for (const container of backend.containers) {
    const port = container.ports.find((p) => p.name === targetPort);
    if (port) return port.containerPort;
  }
  return targetPort;
}

export function endpointsOf(service: ServiceNode, servicePort: ServicePort): Endpoint[] {
  return service.backends.map((backend) => ({
    service,
    servicePort,
    backend,
    podPort: podPortOf(backend, servicePort.targetPort),
  }));
}
