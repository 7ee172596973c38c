/** Every Service selects pods of the release, and its target ports exist on them. */
import { error, type Finding } from '../findings.ts';
import type { ServiceNode } from '../graph.ts';

export function serviceFindings(services: readonly ServiceNode[]): Finding[] {
  const findings: Finding[] = [];
  for (const service of services) {
    const subject = `Service/${service.name}`;
    if (!Object.keys(service.selector).length) continue; // headless-to-external or hand-made endpoints
    if (!service.backends.length) {
      findings.push(error('service-selector', subject, 'selects no pod of the release'));
      continue;
    }
    for (const port of service.ports) {
      if (typeof port.targetPort !== 'string') continue;
      const served = service.backends.some((b) =>
        b.containers.some((c) => c.ports.some((p) => p.name === port.targetPort)),
      );
      if (!served) {
        findings.push(
          error(
            'service-port',
            subject,
            `port ${port.port} targets "${port.targetPort}", which no selected container declares`,
          ),
        );
      }
    }
  }
  return findings;
}

/** Every Ingress path reaches a Service of the release on a port it has. */
export function ingressFindings(
  backends: readonly { service: string; port: string | number }[],
  services: readonly ServiceNode[],
): Finding[] {
  return backends.flatMap(({ service, port }) => {
    const node = services.find((s) => s.name === service);
    if (!node)
      return [
        error(
          'ingress-backend',
          'Ingress',
          `routes to Service ${service}, which the release does not create`,
        ),
      ];
    if (!node.ports.some((p) => p.name === port || p.port === port)) {
      return [
        error(
          'ingress-backend',
          'Ingress',
          `routes to port ${port} of Service ${service}, which has no such port`,
        ),
      ];
    }
    return [];
  });
}
