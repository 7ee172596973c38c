import { objectName, type RenderContext } from './context.ts';
import type { ComponentSpec, IngressRoute, KubeObject } from './model.ts';
import { standardLabels } from './policies.ts';
import { serviceName } from './workload.ts';

/** The Ingress for `ingress.*`, routing the blueprint's paths to its components. */
export function ingressObject(
  ctx: RenderContext,
  routes: readonly IngressRoute[],
  components: readonly ComponentSpec[],
): KubeObject | undefined {
  const ingress = ctx.common.ingress;
  if (!ingress.enabled || routes.length === 0) return undefined;
  const annotations: Record<string, string> = {};
  if (ingress.proxyBodySize)
    annotations['nginx.ingress.kubernetes.io/proxy-body-size'] = ingress.proxyBodySize;
  if (ingress.tls.clusterIssuer) annotations['cert-manager.io/cluster-issuer'] = ingress.tls.clusterIssuer;
  if (ingress.tls.issuer) annotations['cert-manager.io/issuer'] = ingress.tls.issuer;
  Object.assign(annotations, ingress.annotations);
  const paths = routes.map((route) => {
    const component = components.find((c) => c.name === route.component);
    if (!component)
      throw new Error(
        `blueprint bug: ingress route ${route.path} names unknown component ${route.component}`,
      );
    return {
      path: route.path,
      pathType: route.pathType ?? 'Prefix',
      backend: { service: { name: serviceName(ctx, component), port: { name: route.port } } },
    };
  });
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: ctx.release,
      namespace: ctx.namespace,
      labels: standardLabels(ctx),
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    spec: {
      ...(ingress.className ? { ingressClassName: ingress.className } : {}),
      ...(ingress.tls.enabled
        ? { tls: [{ hosts: [ingress.host], secretName: ingress.tls.secretName || objectName(ctx, 'tls') }] }
        : {}),
      rules: [{ host: ingress.host, http: { paths } }],
    },
  };
}

export function ingressUrl(ctx: RenderContext): string | undefined {
  const ingress = ctx.common.ingress;
  if (!ingress.enabled) return undefined;
  return `${ingress.tls.enabled ? 'https' : 'http'}://${ingress.host}`;
}
