import type { IngressValues } from '../values/vocabulary/index.ts';
import { objectName, type RenderContext } from './context.ts';
import type { ComponentSpec, IngressRoute, KubeObject } from './model.ts';
import { standardLabels } from './policies.ts';
import { serviceName } from './workload.ts';

const NGINX = 'nginx.ingress.kubernetes.io/';

/**
 * These platforms stream (server-sent events of chat and workflow runs, minutes long) and take large
 * uploads (datasets, model files, LFS): ingress-nginx's defaults (1m bodies, buffering, 60 s reads)
 * cut both. Other controllers ignore these annotations; `ingress.annotations` overrides any of them.
 * @default proxy-body-size 1g, proxy-buffering and request buffering off, read/send time-outs 3600 s
 */
const STREAMING_DEFAULTS: Readonly<Record<string, string>> = {
  [`${NGINX}proxy-body-size`]: '1g',
  [`${NGINX}proxy-buffering`]: 'off',
  [`${NGINX}proxy-request-buffering`]: 'off',
  [`${NGINX}proxy-read-timeout`]: '3600',
  [`${NGINX}proxy-send-timeout`]: '3600',
};

/** The Ingress for `ingress.*`, routing the blueprint's paths to its components. */
export function ingressObject(
  ctx: RenderContext,
  routes: readonly IngressRoute[],
  components: readonly ComponentSpec[],
): KubeObject | undefined {
  const ingress = ctx.common.ingress;
  if (!ingress.enabled || routes.length === 0) return undefined;
  const annotations: Record<string, string> = { ...STREAMING_DEFAULTS };
  if (ingress.proxyBodySize) annotations[`${NGINX}proxy-body-size`] = ingress.proxyBodySize;
  if (ingress.tls.clusterIssuer) annotations['cert-manager.io/cluster-issuer'] = ingress.tls.clusterIssuer;
  if (ingress.tls.issuer) annotations['cert-manager.io/issuer'] = ingress.tls.issuer;
  Object.assign(annotations, ingress.annotations);
  const backend = (route: IngressRoute) => {
    const component = components.find((c) => c.name === route.component);
    if (!component)
      throw new Error(
        `blueprint bug: ingress route ${route.path} names unknown component ${route.component}`,
      );
    return { service: { name: serviceName(ctx, component), port: { name: route.port } } };
  };
  const blueprintPaths = routes.map((route) => ({
    path: route.path,
    pathType: route.pathType ?? 'Prefix',
    backend: backend(route),
  }));
  // A host's own paths all go where the blueprint sends `/` (its entry component), as charts route them.
  const entry = routes.find((route) => route.path === '/') ?? routes[0]!;
  const rules = ingressHosts(ingress).map(({ host, paths }) => ({
    host,
    http: {
      paths: paths.length
        ? paths.map((p) => ({ path: p.path, pathType: p.pathType, backend: backend(entry) }))
        : blueprintPaths,
    },
  }));
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
      ...tlsEntries(ctx, ingress),
      rules,
    },
  };
}

/** `ingress.host` first, then `ingress.hosts`. */
export function ingressHosts(
  ingress: IngressValues,
): { host: string; paths: IngressValues['hosts'][number]['paths'] }[] {
  return [...(ingress.host ? [{ host: ingress.host, paths: [] }] : []), ...ingress.hosts];
}

/** Chart-style `tls` entries as given; otherwise one certificate for every host when tls.enabled. */
function tlsEntries(ctx: RenderContext, ingress: IngressValues): Record<string, unknown> {
  if (!ingress.tls.enabled) return {};
  if (ingress.tls.certificates.length) {
    return { tls: ingress.tls.certificates.map((c) => ({ hosts: [...c.hosts], secretName: c.secretName })) };
  }
  const hosts = ingressHosts(ingress).map((h) => h.host);
  return { tls: [{ hosts, secretName: ingress.tls.secretName || objectName(ctx, 'tls') }] };
}

export function ingressUrl(ctx: RenderContext): string | undefined {
  const ingress = ctx.common.ingress;
  if (!ingress.enabled) return undefined;
  return `${ingress.tls.enabled ? 'https' : 'http'}://${ingressHosts(ingress)[0]?.host}`;
}
