import { objectName, type RenderContext } from './context.ts';
import type { ComponentSpec, IngressRoute, KubeObject, NetworkPeerSpec } from './model.ts';
import { selectorLabels, standardLabels } from './policies.ts';

function peer(spec: NetworkPeerSpec): Record<string, unknown> {
  if (spec.cidr) return { ipBlock: { cidr: spec.cidr } };
  return {
    ...(spec.namespaceLabels ? { namespaceSelector: { matchLabels: { ...spec.namespaceLabels } } } : {}),
    ...(spec.podLabels ? { podSelector: { matchLabels: { ...spec.podLabels } } } : {}),
  };
}

/** Name resolution stays open whenever egress is restricted: without it nothing else works. */
const DNS_EGRESS = {
  ports: [
    { port: 53, protocol: 'UDP' },
    { port: 53, protocol: 'TCP' },
  ],
};

function egressRules(component: ComponentSpec): Record<string, unknown>[] | undefined {
  const egress = component.networkPolicy?.egress;
  if (!egress) return undefined;
  return [
    DNS_EGRESS,
    ...egress.map((rule) => ({
      ...(rule.to?.length ? { to: rule.to.map(peer) } : {}),
      ports: rule.ports.map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' })),
    })),
  ];
}

/**
 * With networkPolicy.enabled each component accepts traffic only from its callers: the components
 * it lists in `allowFrom` (default: any pod of the release), plus anyone for components reached from
 * outside (ingress routes, NodePort/LoadBalancer Services). A component's `networkPolicy.ingressFrom`
 * replaces the callers (and makes ingress routes count only through those peers); its
 * `networkPolicy.egress` restricts outgoing traffic to DNS plus the listed rules.
 */
export function networkPolicies(
  ctx: RenderContext,
  components: readonly ComponentSpec[],
  routes: readonly IngressRoute[],
  /** Callers the rendered configuration names (see verify/callers.ts), admitted besides `allowFrom`. */
  derivedCallers: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
  /** Components an Ingress routes to, including Ingresses the blueprint builds itself. */
  routed: ReadonlySet<string> = new Set(),
): KubeObject[] {
  if (!ctx.common.networkPolicy.enabled) return [];
  const instance = { 'app.kubernetes.io/instance': ctx.release };
  return components
    .filter((component) => component.containers.some((c) => c.ports?.length))
    .map((component) => {
      const ports = component.containers
        .flatMap((c) => c.ports ?? [])
        .map((p) => ({ port: p.name, protocol: p.protocol ?? 'TCP' }));
      const ingressFrom = component.networkPolicy?.ingressFrom;
      const external =
        (!ingressFrom &&
          (routes.some((r) => r.component === component.name) || routed.has(component.name))) ||
        (component.service?.type ?? 'ClusterIP') !== 'ClusterIP' ||
        component.service?.nodePortService !== undefined;
      const callers = ingressFrom
        ? ingressFrom.map(peer)
        : component.allowFrom
          ? [...new Set([...component.allowFrom, ...(derivedCallers.get(component.name) ?? [])])]
              .sort()
              .map((caller) => ({ podSelector: { matchLabels: selectorLabels(ctx, caller) } }))
          : [{ podSelector: { matchLabels: instance } }];
      const rules: Record<string, unknown>[] = [{ from: callers, ports }];
      if (external) rules.push({ ports });
      else if (!ingressFrom && component.metrics && ctx.common.monitoring.serviceMonitor.enabled) {
        // Prometheus scrapes from its own namespace.
        rules.push({
          from: [{ namespaceSelector: {} }],
          ports: [{ port: component.metrics.port, protocol: 'TCP' }],
        });
      }
      const egress = egressRules(component);
      return {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: {
          name: objectName(ctx, component.name),
          namespace: ctx.namespace,
          labels: standardLabels(ctx, component.name),
        },
        spec: {
          podSelector: { matchLabels: selectorLabels(ctx, component.name) },
          policyTypes: egress ? ['Ingress', 'Egress'] : ['Ingress'],
          ingress: rules,
          ...(egress ? { egress } : {}),
        },
      };
    });
}
