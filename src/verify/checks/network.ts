/**
 * Every caller is admitted: for each call (component → Service port), each ingress route and each
 * metrics scrape, the NetworkPolicies selecting the callee's pods must let the caller in, and those
 * selecting the caller's pods must let it out.
 */
import type { KubeObject } from '../../render/model.ts';
import type { Edge } from '../edges.ts';
import { error, type Finding } from '../findings.ts';
import { endpointsOf, matchesSelector, type ServiceNode, type ServicePort } from '../graph.ts';
import type { ComponentView, ReleaseView } from '../view.ts';

type Json = Record<string, unknown>;

/** Who calls: a pod of the release, or something in another namespace (ingress controller, Prometheus). */
type Caller = { readonly pod: ComponentView } | { readonly outside: string };

interface Policy {
  readonly name: string;
  readonly podSelector: Json;
  readonly ingress?: readonly Json[];
  readonly egress?: readonly Json[];
}

function policiesOf(view: ReleaseView): Policy[] {
  return view.objects
    .filter((o: KubeObject) => o.kind === 'NetworkPolicy')
    .map((o) => {
      const spec = (o.spec as Json | undefined) ?? {};
      const types = (spec.policyTypes as string[] | undefined) ?? [
        'Ingress',
        ...(spec.egress ? ['Egress'] : []),
      ];
      return {
        name: o.metadata.name,
        podSelector: (spec.podSelector as Json | undefined) ?? {},
        ...(types.includes('Ingress') ? { ingress: (spec.ingress as Json[] | undefined) ?? [] } : {}),
        ...(types.includes('Egress') ? { egress: (spec.egress as Json[] | undefined) ?? [] } : {}),
      };
    });
}

function peerAdmits(peer: Json, caller: Caller, namespace: string): boolean {
  if (peer.ipBlock) return 'outside' in caller && (peer.ipBlock as Json).cidr === '0.0.0.0/0';
  const namespaceSelector = peer.namespaceSelector as Json | undefined;
  const podSelector = peer.podSelector as Json | undefined;
  if ('outside' in caller) {
    // Another namespace: admitted by a namespace selector that is not pinned to the release's own.
    if (!namespaceSelector) return false;
    const pinned = (namespaceSelector.matchLabels as Json | undefined)?.['kubernetes.io/metadata.name'];
    return pinned === undefined || pinned !== namespace;
  }
  if (
    namespaceSelector &&
    !matchesSelector(namespaceSelector, { 'kubernetes.io/metadata.name': namespace })
  ) {
    return false;
  }
  return matchesSelector(podSelector, caller.pod.podLabels);
}

function portAdmits(
  rulePorts: readonly Json[] | undefined,
  port: number | string,
  names: readonly string[],
): boolean {
  if (!rulePorts?.length) return true;
  return rulePorts.some((p) => p.port === undefined || p.port === port || names.includes(String(p.port)));
}

function ruleAdmits(
  rule: Json,
  key: 'from' | 'to',
  caller: Caller,
  port: number | string,
  names: string[],
  ns: string,
) {
  const peers = rule[key] as Json[] | undefined;
  const peerOk = !peers?.length || peers.some((peer) => peerAdmits(peer, caller, ns));
  return peerOk && portAdmits(rule.ports as Json[] | undefined, port, names);
}

function callerName(caller: Caller): string {
  return 'pod' in caller
    ? `${caller.pod.workload.kind}/${caller.pod.workload.metadata.name}`
    : caller.outside;
}

/** Problems of one connection from `caller` to `backend` on the pod port. */
function connectionFindings(
  policies: readonly Policy[],
  caller: Caller,
  backend: ComponentView,
  podPort: number | string,
  portNames: string[],
  namespace: string,
  what: string,
): Finding[] {
  const findings: Finding[] = [];
  const ingress = policies.filter((p) => p.ingress && matchesSelector(p.podSelector, backend.podLabels));
  if (
    ingress.length &&
    !ingress.some((p) => p.ingress!.some((r) => ruleAdmits(r, 'from', caller, podPort, portNames, namespace)))
  ) {
    findings.push(
      error(
        'network-policy',
        `NetworkPolicy ${ingress.map((p) => p.name).join(', ')}`,
        `does not admit ${callerName(caller)} to ${backend.workload.metadata.name} port ${podPort} (${what})`,
      ),
    );
  }
  if ('pod' in caller) {
    const egress = policies.filter((p) => p.egress && matchesSelector(p.podSelector, caller.pod.podLabels));
    const target: Caller = { pod: backend };
    if (
      egress.length &&
      !egress.some((p) => p.egress!.some((r) => ruleAdmits(r, 'to', target, podPort, portNames, namespace)))
    ) {
      findings.push(
        error(
          'network-policy',
          `NetworkPolicy ${egress.map((p) => p.name).join(', ')}`,
          `does not let ${callerName(caller)} out to ${backend.workload.metadata.name} port ${podPort} (${what})`,
        ),
      );
    }
  }
  return findings;
}

/** A call that names no port (a bare host setting) is taken to mean the Service's first port. */
function servicePortsOf(service: ServiceNode, port: ServicePort | undefined): ServicePort[] {
  return port ? [port] : service.ports.slice(0, 1);
}

export function networkFindings(
  view: ReleaseView,
  edges: readonly Edge[],
  services: readonly ServiceNode[],
): Finding[] {
  const policies = policiesOf(view);
  if (!policies.length) return [];
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const connect = (caller: Caller, service: ServiceNode, port: ServicePort | undefined, what: string) => {
    for (const servicePort of servicePortsOf(service, port)) {
      for (const endpoint of endpointsOf(service, servicePort)) {
        const key = `${callerName(caller)}→${endpoint.backend.name}:${endpoint.podPort}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const names = servicePort.name
          ? [servicePort.name, String(servicePort.targetPort)]
          : [String(servicePort.targetPort)];
        findings.push(
          ...connectionFindings(
            policies,
            caller,
            endpoint.backend,
            endpoint.podPort,
            names,
            view.namespace,
            what,
          ),
        );
      }
    }
  };
  for (const edge of edges) {
    connect({ pod: edge.caller }, edge.service, edge.port, edge.where);
  }
  const byName = new Map(services.map((s) => [s.name, s]));
  for (const { service, port } of ingressBackends(view)) {
    const node = byName.get(service);
    const servicePort = node?.ports.find((p) => p.name === port || p.port === port);
    if (node && servicePort)
      connect({ outside: 'the ingress controller' }, node, servicePort, 'Ingress route');
  }
  for (const { service, port } of scrapeTargets(view, services)) {
    connect({ outside: 'the metrics scraper' }, service, port, 'ServiceMonitor');
  }
  return findings;
}

export function ingressBackends(view: ReleaseView): { service: string; port: string | number }[] {
  const out: { service: string; port: string | number }[] = [];
  for (const ingress of view.objects.filter((o) => o.kind === 'Ingress')) {
    for (const rule of ((ingress.spec as Json).rules as Json[] | undefined) ?? []) {
      for (const path of ((rule.http as Json | undefined)?.paths as Json[] | undefined) ?? []) {
        const service = (path.backend as Json | undefined)?.service as Json | undefined;
        const port = service?.port as Json | undefined;
        if (service)
          out.push({ service: String(service.name), port: (port?.name ?? port?.number) as string | number });
      }
    }
  }
  return out;
}

function scrapeTargets(
  view: ReleaseView,
  services: readonly ServiceNode[],
): { service: ServiceNode; port: ServicePort }[] {
  const out: { service: ServiceNode; port: ServicePort }[] = [];
  for (const monitor of view.objects.filter((o) => o.kind === 'ServiceMonitor')) {
    const spec = monitor.spec as Json;
    const selector = spec.selector as Json | undefined;
    for (const service of services.filter((s) => matchesSelector(selector, s.object.metadata.labels ?? {}))) {
      for (const endpoint of (spec.endpoints as Json[] | undefined) ?? []) {
        const port = service.ports.find((p) => p.name === endpoint.port);
        if (port) out.push({ service, port });
      }
    }
  }
  return out;
}
