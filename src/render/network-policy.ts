import { objectName, type RenderContext } from './context.ts';
import type { ComponentSpec, IngressRoute, KubeObject } from './model.ts';
import { selectorLabels, standardLabels } from './policies.ts';

/**
 * With networkPolicy.enabled each component accepts traffic only from its callers: the components
 * it lists in `allowFrom` (default: any pod of the release), plus anyone for components reached from
 * outside (ingress routes, NodePort/LoadBalancer Services).
 */
export function networkPolicies(
  ctx: RenderContext,
  components: readonly ComponentSpec[],
  routes: readonly IngressRoute[],
): KubeObject[] {
  if (!ctx.common.networkPolicy.enabled) return [];
  const instance = { 'app.kubernetes.io/instance': ctx.release };
  return components
    .filter((component) => component.containers.some((c) => c.ports?.length))
    .map((component) => {
      const ports = component.containers
        .flatMap((c) => c.ports ?? [])
        .map((p) => ({ port: p.name, protocol: p.protocol ?? 'TCP' }));
      const external =
        routes.some((r) => r.component === component.name) ||
        (component.service?.type ?? 'ClusterIP') !== 'ClusterIP';
      const callers = component.allowFrom
        ? component.allowFrom.map((caller) => ({ podSelector: { matchLabels: selectorLabels(ctx, caller) } }))
        : [{ podSelector: { matchLabels: instance } }];
      const rules: Record<string, unknown>[] = [{ from: callers, ports }];
      if (external) rules.push({ ports });
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
          policyTypes: ['Ingress'],
          ingress: rules,
        },
      };
    });
}
