/**
 * How CSGHub is reached: one sub-domain per entry (csghub, casdoor, minio, registry) under
 * `csghub.domain`, served by the cluster's ingress controller; Git over SSH through gitlab-shell's
 * NodePort (30022) or LoadBalancer (22) Service.
 */
import { objectName, type RenderContext } from '../../render/context.ts';
import type { KubeObject } from '../../render/model.ts';
import { standardLabels } from '../../render/policies.ts';
import type { CsghubValues } from './values.ts';

export const SUBDOMAINS = ['csghub', 'casdoor', 'minio', 'registry'] as const;
export type Subdomain = (typeof SUBDOMAINS)[number];

export interface CsghubAccess {
  readonly tls: boolean;
  readonly entryType: 'NodePort' | 'LoadBalancer';
  /** Port Git over SSH is reached on from outside. */
  readonly sshPort: number;
  host(name: Subdomain): string;
  /** host, plus the node port in NodePort mode. */
  hostWithPort(name: Subdomain): string;
  url(name: Subdomain): string;
}

export function csghubAccess(values: CsghubValues, ctx: RenderContext): CsghubAccess {
  const { domain, entry } = values.csghub;
  const tls = ctx.common.ingress.tls.enabled;
  const nodePort = entry.type === 'NodePort';
  const webPort = tls ? entry.nodePorts.https : entry.nodePorts.http;
  const host = (name: Subdomain) => `${name}.${domain}`;
  const hostWithPort = (name: Subdomain) => (nodePort ? `${host(name)}:${webPort}` : host(name));
  return {
    tls,
    entryType: entry.type,
    sshPort: nodePort ? entry.nodePorts.ssh : 22,
    host,
    hostWithPort,
    url: (name) => `${tls ? 'https' : 'http'}://${hostWithPort(name)}`,
  };
}

export interface IngressPath {
  readonly path: string;
  /** Short component name; the Service is `<release>-<component>`. */
  readonly component: string;
  readonly port: string;
}

/**
 * One Ingress per sub-domain, honouring `ingress.className`, `.annotations`, `.proxyBodySize` and
 * `.tls` (one certificate for every host, or the chart-style certificates as given). Paths are
 * `ImplementationSpecific` because the CSGHub host routes Git over HTTP with a regular expression
 * (ingress-nginx `use-regex`), as the chart does. `ingress.hosts[]` are more names of the portal,
 * as in the other blueprints: a host's own paths go to the portal's entry, otherwise all its routes.
 */
export function csghubIngresses(
  ctx: RenderContext,
  access: CsghubAccess,
  routes: Partial<Record<Subdomain, readonly IngressPath[]>>,
): KubeObject[] {
  const ingress = ctx.common.ingress;
  const hosts = SUBDOMAINS.filter((name) => routes[name]?.length);
  const secretName = ingress.tls.secretName || objectName(ctx, 'tls');
  const paths = (list: readonly IngressPath[]) =>
    list.map((route) => ({
      path: route.path,
      pathType: 'ImplementationSpecific',
      backend: { service: { name: objectName(ctx, route.component), port: { name: route.port } } },
    }));
  const portal = routes.csghub ?? [];
  const entry = portal.find((route) => route.path === '/') ?? portal[0];
  const extraRules = ingress.hosts.map((extra) => ({
    host: extra.host,
    http: {
      paths:
        extra.paths.length && entry
          ? extra.paths.map((p) => ({ ...paths([{ ...entry, path: p.path }])[0]!, pathType: p.pathType }))
          : paths(portal),
    },
  }));
  const tls = ingress.tls.certificates.length
    ? ingress.tls.certificates.map((c) => ({ hosts: [...c.hosts], secretName: c.secretName }))
    : [{ hosts: [...hosts.map((h) => access.host(h)), ...ingress.hosts.map((h) => h.host)], secretName }];
  return hosts.map((name) => {
    const annotations: Record<string, string> = {};
    if (name === 'csghub') annotations['nginx.ingress.kubernetes.io/use-regex'] = 'true';
    // Models, datasets and image layers are large: no body limit unless one is set.
    annotations['nginx.ingress.kubernetes.io/proxy-body-size'] = ingress.proxyBodySize || '0';
    if (ingress.tls.clusterIssuer) annotations['cert-manager.io/cluster-issuer'] = ingress.tls.clusterIssuer;
    if (ingress.tls.issuer) annotations['cert-manager.io/issuer'] = ingress.tls.issuer;
    Object.assign(annotations, ingress.annotations);
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: objectName(ctx, name),
        namespace: ctx.namespace,
        labels: standardLabels(ctx),
        annotations,
      },
      spec: {
        ...(ingress.className ? { ingressClassName: ingress.className } : {}),
        ...(access.tls ? { tls } : {}),
        rules: [
          { host: access.host(name), http: { paths: paths(routes[name] ?? []) } },
          ...(name === 'csghub' ? extraRules : []),
        ],
      },
    };
  });
}
