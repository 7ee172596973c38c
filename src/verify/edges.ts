/**
 * Who calls whom: every host reference resolved to a Service of the release and one of its ports.
 * References that cannot be resolved are findings of the `host-reference` check.
 */
import { error, type Finding } from './findings.ts';
import type { ServiceNode, ServicePort } from './graph.ts';
import type { HostReference } from './references.ts';
import type { ComponentView } from './view.ts';

export interface Edge {
  readonly caller: ComponentView;
  readonly where: string;
  readonly service: ServiceNode;
  /** Undefined when the reference names no port (any port of the Service may be meant). */
  readonly port?: ServicePort;
}

function clusterSuffixes(namespace: string): string[] {
  return ['', `.${namespace}`, `.${namespace}.svc`, `.${namespace}.svc.cluster.local`];
}

/** The Service a host names: the Service itself, or the governing Service of a StatefulSet pod. */
function serviceOf(
  ref: HostReference,
  services: ReadonlyMap<string, ServiceNode>,
  namespace: string,
): ServiceNode | undefined | 'outside' {
  const suffixes = clusterSuffixes(namespace);
  if (suffixes.includes(ref.suffix)) return services.get(ref.host);
  const [, governing, ...rest] = ref.suffix.split('.');
  const restSuffix = rest.length ? `.${rest.join('.')}` : '';
  if (governing && services.has(governing) && suffixes.includes(restSuffix) && /-\d+$/.test(ref.host)) {
    return services.get(governing);
  }
  return 'outside';
}

export function resolveEdges(
  references: readonly HostReference[],
  services: readonly ServiceNode[],
  namespace: string,
): { edges: Edge[]; findings: Finding[] } {
  const byName = new Map(services.map((s) => [s.name, s]));
  const edges: Edge[] = [];
  const findings: Finding[] = [];
  for (const ref of references) {
    const subject = `${ref.caller.workload.kind}/${ref.caller.workload.metadata.name} ${ref.where}`;
    const service = serviceOf(ref, byName, namespace);
    if (service === 'outside') continue;
    if (!service) {
      findings.push(
        error(
          'host-reference',
          subject,
          `names host ${ref.host}${ref.suffix}, which is no Service of the release`,
        ),
      );
      continue;
    }
    if (ref.port === undefined) {
      edges.push({ caller: ref.caller, where: ref.where, service });
      continue;
    }
    const port = service.ports.find((p) => p.port === ref.port);
    if (!port) {
      const has = service.ports.map((p) => p.port).join(', ') || 'none';
      findings.push(
        error(
          'host-reference',
          subject,
          `calls ${ref.host}:${ref.port}, but Service ${service.name} has no port ${ref.port} (it has ${has})`,
        ),
      );
      continue;
    }
    edges.push({ caller: ref.caller, where: ref.where, service, port });
  }
  return { edges, findings };
}
