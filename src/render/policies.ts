/**
 * Production policies, applied to every blueprint in one place. Each default is documented where
 * it is set; blueprints describe *what* runs, this module decides *how safely* it runs.
 */
import { type ImageValues, namesRegistry } from '../values/vocabulary/index.ts';
import type { RenderContext } from './context.ts';
import type { ComponentSpec, ContainerSpec, ProbeSpec } from './model.ts';

export const MANAGED_BY = 'berth';

/** Labels that select a component's pods; never change them for an existing release. */
export function selectorLabels(ctx: RenderContext, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': ctx.blueprint.name,
    'app.kubernetes.io/instance': ctx.release,
    'app.kubernetes.io/component': component,
  };
}

/** The standard `app.kubernetes.io/*` labels on every object. */
export function standardLabels(ctx: RenderContext, component?: string): Record<string, string> {
  const labels: Record<string, string> = {
    'app.kubernetes.io/name': ctx.blueprint.name,
    'app.kubernetes.io/instance': ctx.release,
  };
  if (component) labels['app.kubernetes.io/component'] = component;
  labels['app.kubernetes.io/part-of'] = ctx.blueprint.name;
  labels['app.kubernetes.io/version'] = ctx.blueprint.appVersion;
  labels['app.kubernetes.io/managed-by'] = MANAGED_BY;
  return labels;
}

/** Docker Hub, where an image that names no registry comes from (as `docker pull` resolves it). */
export const DOCKER_HUB = 'docker.io';

/** Where an image lives: the registry host and the repository path on it (no tag or digest). */
export interface ImageLocation {
  readonly registry: string;
  readonly path: string;
}

/** Splits `host/some/path` into its registry host and path; a name without a host is on Docker Hub. */
export function splitLocation(name: string): ImageLocation {
  const trimmed = name.replace(/^\/+|\/+$/g, '');
  const [registry, path] = namesRegistry(trimmed)
    ? [trimmed.slice(0, trimmed.indexOf('/')), trimmed.slice(trimmed.indexOf('/') + 1)]
    : [DOCKER_HUB, trimmed];
  // Docker Hub's official images live under library/, which mirrors keep.
  return { registry, path: registry === DOCKER_HUB && !path.includes('/') ? `library/${path}` : path };
}

/**
 * Where an image comes from: a repository that names its registry (`harbor.internal/x/y`) is taken
 * as it is; otherwise the image's `registry` (which may carry a path, `host/project`) is put in
 * front; with neither it is Docker Hub.
 */
export function imageSource(image: Pick<ImageValues, 'registry' | 'repository'>): ImageLocation {
  if (namesRegistry(image.repository) || !image.registry) return splitLocation(image.repository);
  return splitLocation(`${image.registry.replace(/\/+$/, '')}/${image.repository}`);
}

/**
 * The one rewrite rule of global.imageRegistry: every image is pulled from the mirror under its
 * source path (`docker.io/library/redis` → `<mirror>/library/redis`); an image already on the
 * mirror's registry host is left as it is, so nothing is prefixed twice.
 */
export function mirroredLocation(source: ImageLocation, mirror: string): ImageLocation {
  const target = mirror.replace(/^\/+|\/+$/g, '');
  if (!target || target.split('/')[0] === source.registry) return source;
  return splitLocation(`${target}/${source.path}`);
}

/** `registry/path:tag`, with `@digest` after the tag when pinned (the runtime then pulls by digest). */
export function formatImage(location: ImageLocation, tag: string, digest?: string): string {
  return `${location.registry}/${location.path}:${tag}${digest ? `@${digest}` : ''}`;
}

/** The fully qualified reference a container pulls: the image's source, rewritten to global.imageRegistry. */
export function imageReference(ctx: RenderContext, image: ImageValues): string {
  const location = mirroredLocation(imageSource(image), ctx.common.global.imageRegistry);
  return formatImage(location, image.tag, image.digest);
}

/**
 * Pods run as non-root with the runtime's default seccomp profile (Pod Security "restricted").
 * @default runAsNonRoot true, seccompProfile RuntimeDefault; uid/gid/fsGroup only when the image needs them.
 */
export function podSecurityContext(component: ComponentSpec): Record<string, unknown> {
  const rootContainer = [...component.containers, ...(component.initContainers ?? [])].some(
    (c) => c.securityException?.runAsRoot,
  );
  const security: Record<string, unknown> = { runAsNonRoot: !rootContainer };
  const { runAsUser, runAsGroup, fsGroup } = component.podSecurity ?? {};
  if (runAsUser !== undefined) security.runAsUser = runAsUser;
  if (runAsGroup !== undefined) security.runAsGroup = runAsGroup;
  if (fsGroup !== undefined) security.fsGroup = fsGroup;
  security.seccompProfile = { type: 'RuntimeDefault' };
  return security;
}

/**
 * Containers drop every capability and cannot escalate privileges.
 * @default allowPrivilegeEscalation false, capabilities.drop [ALL], readOnlyRootFilesystem only where the image allows it.
 */
export function containerSecurityContext(container: ContainerSpec): Record<string, unknown> {
  const exception = container.securityException;
  const add = exception?.addCapabilities ?? [];
  const security: Record<string, unknown> = {
    allowPrivilegeEscalation: exception?.allowPrivilegeEscalation === true || exception?.privileged === true,
    capabilities: { ...(add.length ? { add: [...add] } : {}), drop: ['ALL'] },
    ...(exception?.privileged ? { privileged: true } : {}),
    readOnlyRootFilesystem: container.readOnlyRootFilesystem ?? false,
    runAsNonRoot: !exception?.runAsRoot,
  };
  if (exception?.runAsRoot) security.runAsUser = 0;
  else if (container.runAsUser !== undefined) security.runAsUser = container.runAsUser;
  security.seccompProfile = { type: exception?.seccompUnconfined ? 'Unconfined' : 'RuntimeDefault' };
  return security;
}

/** Pod annotation listing each container's declared security exception and its reason. */
export const SECURITY_EXCEPTION_ANNOTATION = 'berth.dev/security-exceptions';

/** One line per declared security exception, for render, preflight and the Pod Security check. */
export function securityExceptionNotes(component: ComponentSpec): string[] {
  return [...(component.initContainers ?? []), ...component.containers].flatMap((c) => {
    const e = c.securityException;
    if (!e) return [];
    const grants = [
      e.privileged ? 'privileged' : '',
      e.runAsRoot ? 'runs as root' : '',
      e.addCapabilities?.length ? `capabilities ${e.addCapabilities.join(', ')}` : '',
      e.allowPrivilegeEscalation ? 'privilege escalation' : '',
      e.seccompUnconfined ? 'seccomp Unconfined' : '',
    ].filter(Boolean);
    return [`${component.name}/${c.name}: security exception (${grants.join('; ')}): ${e.reason}`];
  });
}

/**
 * Replicated components spread over nodes per global.podAntiAffinityPreset:
 * soft → ScheduleAnyway, hard → DoNotSchedule, none → nothing. Single replicas are not constrained.
 */
export function topologySpread(ctx: RenderContext, component: ComponentSpec): Record<string, unknown>[] {
  const preset = ctx.common.global.podAntiAffinityPreset;
  const replicated = component.replicas > 1 || component.scaling?.autoscaling?.enabled === true;
  if (preset === 'none' || !replicated || component.kind === 'Job') return [];
  return [
    {
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: preset === 'hard' ? 'DoNotSchedule' : 'ScheduleAnyway',
      labelSelector: { matchLabels: selectorLabels(ctx, component.name) },
    },
  ];
}

/**
 * A workload must never run two pods at once when it is a singleton or when its pods mount a
 * ReadWriteOnce claim of their own (the second pod would wait for the volume on another node, or
 * two writers would share it).
 */
export function mustNotSurge(component: ComponentSpec): boolean {
  if (component.singleton) return true;
  if (component.kind !== 'Deployment') return false;
  return (component.volumes ?? []).some(
    (v) => v.persistence?.enabled && v.persistence.accessModes.every((mode) => mode === 'ReadWriteOnce'),
  );
}

/**
 * Deployments roll one extra pod at a time and never drop below the desired count; singletons and
 * workloads on a ReadWriteOnce claim are recreated instead. `services.<name>.strategy` and
 * `.minReadySeconds` override (the wiring verifier refuses a surge where it must not happen).
 * @default maxSurge 1, maxUnavailable 0, revisionHistoryLimit 5, minReadySeconds 5 when replicated
 */
export function deploymentStrategy(component: ComponentSpec): Record<string, unknown> {
  const asked = component.scheduling.strategy;
  const type = asked?.type ?? (mustNotSurge(component) ? 'Recreate' : 'RollingUpdate');
  const minReadySeconds = component.scheduling.minReadySeconds ?? (component.replicas > 1 ? 5 : undefined);
  return {
    revisionHistoryLimit: 5,
    ...(minReadySeconds === undefined ? {} : { minReadySeconds }),
    strategy:
      type === 'Recreate'
        ? { type }
        : {
            type,
            rollingUpdate: {
              maxSurge: asked?.rollingUpdate?.maxSurge ?? 1,
              maxUnavailable: asked?.rollingUpdate?.maxUnavailable ?? 0,
            },
          },
  };
}

/**
 * Environment variables by name, a later entry replacing an earlier one in its place, so a user's
 * `extraEnv` value wins over the blueprint's instead of being shadowed or duplicated.
 */
export function envByName<T extends { readonly name: string }>(entries: readonly T[]): T[] {
  const merged = new Map<string, T>();
  for (const entry of entries) merged.set(entry.name, entry);
  return [...merged.values()];
}

/** Whether the component gets a PodDisruptionBudget: asked for, or by default when replicated. */
export function wantsDisruptionBudget(component: ComponentSpec): boolean {
  if (component.kind === 'Job') return false;
  const asked = component.scaling?.podDisruptionBudget?.enabled;
  if (asked !== undefined) return asked;
  return component.replicas > 1 || component.scaling?.autoscaling?.enabled === true;
}

export function disruptionBudgetLimits(component: ComponentSpec): Record<string, number | string> {
  const budget = component.scaling?.podDisruptionBudget;
  if (budget?.minAvailable !== undefined) return { minAvailable: budget.minAvailable };
  return { maxUnavailable: budget?.maxUnavailable ?? 1 };
}

export function probe(spec: ProbeSpec): Record<string, unknown> {
  const handler = spec.http
    ? { httpGet: { path: spec.http.path, port: spec.http.port } }
    : spec.tcp
      ? { tcpSocket: { port: spec.tcp.port } }
      : { exec: { command: [...(spec.exec ?? [])] } };
  return {
    ...handler,
    initialDelaySeconds: spec.initialDelaySeconds ?? 0,
    periodSeconds: spec.periodSeconds ?? 10,
    timeoutSeconds: spec.timeoutSeconds ?? 5,
    failureThreshold: spec.failureThreshold ?? 3,
  };
}

/**
 * Every long-running container gets a readiness probe: the blueprint's, or a TCP check on its first
 * port. A Job's containers get none.
 */
export function containerProbes(component: ComponentSpec, container: ContainerSpec): Record<string, unknown> {
  if (component.kind === 'Job') return {};
  const probes: Record<string, unknown> = {};
  const firstPort = container.ports?.[0];
  const readiness =
    container.probes?.readiness ?? (firstPort ? { tcp: { port: firstPort.name } } : undefined);
  if (container.probes?.startup) probes.startupProbe = probe(container.probes.startup);
  if (readiness) probes.readinessProbe = probe(readiness);
  if (container.probes?.liveness) probes.livenessProbe = probe(container.probes.liveness);
  return probes;
}
