/** Per container: one entry per env name, probes on declared ports, pinned images. */
import { error, type Finding, warning } from '../findings.ts';
import type { ComponentView, ContainerView } from '../view.ts';

type Json = Record<string, unknown>;

export function subjectOf(component: ComponentView, container: ContainerView): string {
  return `${component.workload.kind}/${component.workload.metadata.name} container ${container.name}`;
}

function duplicateEnv(component: ComponentView, container: ContainerView): Finding[] {
  const seen = new Set<string>();
  const findings: Finding[] = [];
  for (const entry of (container.spec.env as Json[] | undefined) ?? []) {
    const name = String(entry.name);
    if (seen.has(name)) {
      findings.push(
        error(
          'duplicate-env',
          subjectOf(component, container),
          `sets ${name} twice; Kubernetes keeps the last, so the other is silently ignored`,
        ),
      );
    }
    seen.add(name);
  }
  return findings;
}

function probePorts(component: ComponentView, container: ContainerView): Finding[] {
  const findings: Finding[] = [];
  for (const field of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
    const probe = container.spec[field] as Json | undefined;
    const handler = (probe?.httpGet ?? probe?.tcpSocket ?? probe?.grpc) as Json | undefined;
    if (!handler || handler.port === undefined) continue;
    const port = handler.port as number | string;
    const declared = container.ports.some((p) => p.name === port || p.containerPort === port);
    if (typeof port === 'string' && !declared) {
      findings.push(
        error(
          'probe-port',
          subjectOf(component, container),
          `${field} targets port "${port}", which the container does not declare`,
        ),
      );
    } else if (!declared) {
      findings.push(
        warning(
          'probe-port',
          subjectOf(component, container),
          `${field} targets port ${port}, which the container does not declare`,
        ),
      );
    }
  }
  return findings;
}

/** `name:tag` or `name@sha256:…`, and not `latest`. */
export function imagePinned(image: string): boolean {
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return true;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) return false;
  const tag = image.slice(colon + 1);
  return tag !== '' && tag !== 'latest';
}

function pinnedImage(component: ComponentView, container: ContainerView): Finding[] {
  return imagePinned(container.image)
    ? []
    : [
        error(
          'image-pinned',
          subjectOf(component, container),
          `image ${container.image} is not pinned to a tag or digest (latest moves under you)`,
        ),
      ];
}

export function containerFindings(components: readonly ComponentView[]): Finding[] {
  return components.flatMap((component) => [
    ...component.initContainers.flatMap((c) => [...duplicateEnv(component, c), ...pinnedImage(component, c)]),
    ...component.containers.flatMap((c) => [
      ...duplicateEnv(component, c),
      ...probePorts(component, c),
      ...pinnedImage(component, c),
    ]),
  ]);
}
