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

type Json = Record<string, unknown>;

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `over` laid on `base`: maps merge key by key, lists and scalars replace (as values files do). */
export function layered(base: Json, over: Json | undefined): Json {
  if (!over) return base;
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? layered(current, value) : value;
  }
  return out;
}

/** What a user's pod or container securityContext gives up of the policy, one phrase each. */
export function weakenedBy(security: Json | undefined): string[] {
  if (!security) return [];
  const capabilities = security.capabilities as { add?: unknown[] } | undefined;
  const seccomp = security.seccompProfile as { type?: string } | undefined;
  return [
    security.runAsNonRoot === false ? 'runAsNonRoot false' : '',
    security.runAsUser === 0 ? 'runAsUser 0' : '',
    security.privileged === true ? 'privileged' : '',
    security.allowPrivilegeEscalation === true ? 'allowPrivilegeEscalation' : '',
    capabilities?.add?.length ? `capabilities ${capabilities.add.join(', ')}` : '',
    seccomp?.type === 'Unconfined' ? 'seccomp Unconfined' : '',
  ].filter(Boolean);
}

/** The user's settings that weaken the policy, by container, as `[container, what]` pairs. */
export function userSecurityWeakenings(component: ComponentSpec): [string, string[]][] {
  const { scheduling } = component;
  const main = component.containers[0]?.name ?? component.name;
  const extra = [...(scheduling.initContainers ?? []), ...(scheduling.sidecars ?? [])];
  return (
    [
      ['pod', weakenedBy(scheduling.podSecurityContext)],
      [main, weakenedBy(scheduling.securityContext)],
      ...extra.map((c): [string, string[]] => [c.name, weakenedBy(c.securityContext as Json | undefined)]),
    ] as [string, string[]][]
  ).filter(([, what]) => what.length > 0);
}

/** One render warning per policy setting the user's values give up, naming the component. */
export function userSecurityWarnings(component: ComponentSpec): string[] {
  return userSecurityWeakenings(component).map(
    ([container, what]) =>
      `${component.name}/${container}: securityContext from values weakens the production policy (${what.join('; ')})`,
  );
}

/**
 * Pods run as non-root with the runtime's default seccomp profile (Pod Security "restricted").
 * `services.<name>.podSecurityContext` is laid over it.
 * @default runAsNonRoot true, seccompProfile RuntimeDefault; uid/gid/fsGroup only when the image needs them.
 */
export function podSecurityContext(component: ComponentSpec): Record<string, unknown> {
  return layered(policyPodSecurityContext(component), component.scheduling.podSecurityContext);
}

function policyPodSecurityContext(component: ComponentSpec): Record<string, unknown> {
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
export function containerSecurityContext(
  container: Pick<ContainerSpec, 'securityException' | 'readOnlyRootFilesystem' | 'runAsUser'>,
): Record<string, unknown> {
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
 * A user's init container or sidecar under the policy: berth's container securityContext with the
 * user's laid over it, and resources defaulted where the user gave none.
 * @default requests cpu 10m, memory 32Mi; limits memory 128Mi
 */
export function userContainer(spec: Json & { name: string }): Json {
  const resources = layered(
    { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
    spec.resources as Json | undefined,
  );
  const security = layered(
    containerSecurityContext({ name: spec.name } as ContainerSpec),
    spec.securityContext as Json | undefined,
  );
  return { ...spec, resources, securityContext: security };
}

/**
 * The policy re-checked on a rendered pod template (one changed by `patches`, or from `extraObjects`):
 * each container's securityContext, unless declared in the security-exceptions annotation, and its
 * requests and memory limit. One phrase per breach.
 */
export function templatePolicyBreaches(template: Json): string[] {
  const declared = String(
    (template.metadata as { annotations?: Record<string, string> } | undefined)?.annotations?.[
      SECURITY_EXCEPTION_ANNOTATION
    ] ?? '',
  )
    .split('\n')
    .map((line) => line.slice(0, line.indexOf(':')));
  const spec = (template.spec ?? {}) as {
    containers?: Json[];
    initContainers?: Json[];
    securityContext?: Json;
  };
  const breaches = weakenedBy(spec.securityContext).map((what) => `pod: ${what}`);
  for (const container of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const name = String(container.name);
    const security = container.securityContext as Json | undefined;
    if (!declared.includes(name)) {
      const weak = weakenedBy(security);
      if (security?.runAsNonRoot === undefined && spec.securityContext?.runAsNonRoot !== true)
        weak.push('may run as root');
      if (weak.length) breaches.push(`${name}: ${weak.join('; ')}`);
    }
    const resources = container.resources as { requests?: Json; limits?: Json } | undefined;
    if (!resources?.requests?.cpu || !resources.requests.memory || !resources.limits?.memory) {
      breaches.push(`${name}: no CPU and memory requests and memory limit`);
    }
  }
  return breaches;
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

export function probe(spec: ProbeSpec, handler: Json = probeHandler(spec)): Record<string, unknown> {
  return {
    ...handler,
    initialDelaySeconds: spec.initialDelaySeconds ?? 0,
    periodSeconds: spec.periodSeconds ?? 10,
    timeoutSeconds: spec.timeoutSeconds ?? 5,
    failureThreshold: spec.failureThreshold ?? 3,
  };
}

function probeHandler(spec: ProbeSpec): Json {
  return spec.http
    ? { httpGet: { path: spec.http.path, port: spec.http.port } }
    : spec.tcp
      ? { tcpSocket: { port: spec.tcp.port } }
      : { exec: { command: [...(spec.exec ?? [])] } };
}

/**
 * Every long-running container gets a readiness probe: the blueprint's, or a TCP check on its first
 * port. A Job's containers get none.
 */
export function containerProbes(
  component: ComponentSpec,
  container: ContainerSpec,
  overrides: ComponentSpec['scheduling']['probes'] = undefined,
): Record<string, unknown> {
  if (component.kind === 'Job') return {};
  const firstPort = container.ports?.[0];
  const readiness =
    container.probes?.readiness ?? (firstPort ? { tcp: { port: firstPort.name } } : undefined);
  const ours = {
    startupProbe: container.probes?.startup && probe(container.probes.startup),
    readinessProbe: readiness && probe(readiness),
    livenessProbe: container.probes?.liveness && probe(container.probes.liveness),
  };
  const asked = {
    startupProbe: overrides?.startup,
    readinessProbe: overrides?.readiness,
    livenessProbe: overrides?.liveness,
  };
  const probes: Record<string, unknown> = {};
  for (const key of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
    const result = overriddenProbe(ours[key], asked[key], ours.readinessProbe);
    if (result) probes[key] = result;
  }
  return probes;
}

const PROBE_HANDLERS = ['httpGet', 'tcpSocket', 'exec', 'grpc'];

/**
 * A user's probe: with a handler it replaces berth's whole; timings alone are laid over berth's probe
 * (or over the readiness check, for a probe berth does not set).
 */
function overriddenProbe(ours: Json | undefined, asked: Json | undefined, readiness: Json | undefined) {
  if (!asked) return ours;
  if (PROBE_HANDLERS.some((handler) => handler in asked)) return { ...probe({}, {}), ...asked };
  const base = ours ?? readiness;
  return base && { ...base, ...asked };
}
