/** One component → its workload, Service, claims, autoscaler and disruption budget. */
import { createHash } from 'node:crypto';
import type { ComponentSurface, PersistenceValues } from '../values/vocabulary/index.ts';
import { objectName, type RenderContext } from './context.ts';
import type {
  ComponentSpec,
  ContainerSpec,
  KubeObject,
  ScalingRulesSpec,
  ScalingSpec,
  VolumeSpec,
} from './model.ts';
import {
  containerProbes,
  containerSecurityContext,
  deploymentStrategy,
  disruptionBudgetLimits,
  envByName,
  imageReference,
  layered,
  podSecurityContext,
  SECURITY_EXCEPTION_ANNOTATION,
  selectorLabels,
  standardLabels,
  topologySpread,
  userContainer,
  userSecurityWeakenings,
  wantsDisruptionBudget,
} from './policies.ts';

export interface WorkloadInputs {
  /** sha256 of each ConfigMap/Secret by name, to roll pods when their content changes. */
  readonly checksums: ReadonlyMap<string, string>;
}

function metadata(
  ctx: RenderContext,
  name: string,
  component: string,
  extraLabels: Record<string, string> = {},
) {
  return { name, namespace: ctx.namespace, labels: { ...standardLabels(ctx, component), ...extraLabels } };
}

function storageClassOf(ctx: RenderContext, persistence: PersistenceValues): string | undefined {
  const name = persistence.storageClass || ctx.common.global.storageClass;
  return name === '' ? undefined : name;
}

function claimSpec(ctx: RenderContext, persistence: PersistenceValues): Record<string, unknown> {
  const storageClassName = storageClassOf(ctx, persistence);
  return {
    accessModes: [...persistence.accessModes],
    ...(storageClassName === undefined ? {} : { storageClassName }),
    resources: { requests: { storage: persistence.size } },
  };
}

/** Deployments and Jobs get standalone claims; StatefulSets get claim templates (unless existingClaim). */
function usesClaimTemplate(component: ComponentSpec, volume: VolumeSpec): boolean {
  return (
    component.kind === 'StatefulSet' && !!volume.persistence?.enabled && !volume.persistence.existingClaim
  );
}

function claimName(ctx: RenderContext, component: ComponentSpec, volume: VolumeSpec): string {
  return volume.persistence?.existingClaim || `${objectName(ctx, component.name)}-${volume.name}`;
}

function podVolumes(ctx: RenderContext, component: ComponentSpec): Record<string, unknown>[] {
  return (component.volumes ?? [])
    .filter((volume) => !usesClaimTemplate(component, volume))
    .map((volume) => {
      if (volume.persistence?.enabled) {
        return { name: volume.name, persistentVolumeClaim: { claimName: claimName(ctx, component, volume) } };
      }
      if (volume.configMap) return { name: volume.name, configMap: { name: volume.configMap } };
      if (volume.secret) return { name: volume.name, secret: { secretName: volume.secret } };
      return { name: volume.name, emptyDir: { ...(volume.emptyDir ?? {}) } };
    });
}

/**
 * One of the blueprint's containers; the main (first) one also gets the component surface: extra
 * env, envFrom, mounts, probes, lifecycle and securityContext from the values.
 */
function container(
  ctx: RenderContext,
  component: ComponentSpec,
  spec: ContainerSpec,
  main = false,
): Record<string, unknown> {
  const surface: ComponentSurface = main ? component.scheduling : {};
  const mounts: Record<string, unknown>[] = (component.volumes ?? [])
    .filter((volume) => spec.volumeMounts?.includes(volume.name))
    .map((volume) => ({
      name: volume.name,
      mountPath: volume.mountPath,
      ...(volume.subPath ? { subPath: volume.subPath } : {}),
      ...(volume.readOnly ? { readOnly: true } : {}),
    }));
  mounts.push(...(surface.extraVolumeMounts ?? []));
  const envFrom = [
    ...(spec.envFrom ?? []).map((source) =>
      'configMap' in source
        ? { configMapRef: { name: source.configMap } }
        : { secretRef: { name: source.secret } },
    ),
    ...(surface.envFrom ?? []),
  ];
  const env = envByName([...(spec.env ?? []), ...(surface.extraEnv ?? [])]);
  const resources: Record<string, unknown> = {
    requests: { ...spec.resources.requests },
    limits: Object.fromEntries(Object.entries(spec.resources.limits).filter(([, v]) => v !== undefined)),
  };
  return {
    name: spec.name,
    image: imageReference(ctx, spec.image),
    imagePullPolicy: spec.image.pullPolicy,
    ...(spec.command ? { command: [...spec.command] } : {}),
    ...(spec.args ? { args: [...spec.args] } : {}),
    ...(spec.ports?.length
      ? {
          ports: spec.ports.map((p) => ({
            name: p.name,
            containerPort: p.containerPort,
            protocol: p.protocol ?? 'TCP',
          })),
        }
      : {}),
    ...(envFrom.length ? { envFrom } : {}),
    ...(env.length ? { env: env.map((e) => ({ ...e })) } : {}),
    resources,
    ...containerProbes(component, spec, surface.probes),
    ...(surface.lifecycle ? { lifecycle: surface.lifecycle } : {}),
    securityContext: layered(containerSecurityContext(spec), surface.securityContext),
    ...(mounts.length ? { volumeMounts: mounts } : {}),
  };
}

function podTemplate(
  ctx: RenderContext,
  component: ComponentSpec,
  inputs: WorkloadInputs,
): Record<string, unknown> {
  const { scheduling } = component;
  const checksums = [...(component.rollOn?.configMaps ?? []), ...(component.rollOn?.secrets ?? [])]
    .map((name) => inputs.checksums.get(name))
    .filter((sum): sum is string => sum !== undefined);
  const annotations: Record<string, string> = {
    ...scheduling.customAnnotations,
    ...scheduling.podAnnotations,
  };
  if (checksums.length) {
    annotations['berth.dev/config-checksum'] = createHash('sha256').update(checksums.join(',')).digest('hex');
  }
  const exceptions = [
    ...[...(component.initContainers ?? []), ...component.containers]
      .filter((c) => c.securityException)
      .map((c) => `${c.name}: ${c.securityException!.reason}`),
    ...userSecurityWeakenings(component).map(
      ([container, what]) => `${container}: set in values (${what.join('; ')})`,
    ),
  ];
  // Visible on the pods to anyone auditing them, and read back by preflight's Pod Security check.
  if (exceptions.length) annotations[SECURITY_EXCEPTION_ANNOTATION] = exceptions.join('\n');
  const pullSecrets = ctx.common.global.imagePullSecrets.map((name) => ({ name }));
  const spread = scheduling.topologySpreadConstraints ?? topologySpread(ctx, component);
  const volumes = [...podVolumes(ctx, component), ...(scheduling.extraVolumes ?? [])];
  const nodeSelector = { ...scheduling.customNodeSelector, ...scheduling.nodeSelector };
  const tolerations = [...scheduling.customTolerations, ...(scheduling.tolerations ?? [])];
  const initContainers = [
    ...(scheduling.initContainers ?? []).map(userContainer),
    ...(component.initContainers ?? []).map((c) => container(ctx, component, c)),
  ];
  // A sidecar next to a Job's container would keep the Job from ever completing.
  const sidecars = component.kind === 'Job' ? [] : (scheduling.sidecars ?? []).map(userContainer);
  const dns = dnsSettings(component);
  return {
    metadata: {
      labels: {
        ...standardLabels(ctx, component.name),
        ...scheduling.customLabels,
        ...scheduling.podLabels,
        ...selectorLabels(ctx, component.name),
      },
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    spec: {
      ...serviceAccountFields(ctx, component),
      enableServiceLinks: false,
      ...(component.kind === 'Job' ? { restartPolicy: 'Never' } : {}),
      ...(scheduling.priorityClassName ? { priorityClassName: scheduling.priorityClassName } : {}),
      ...(scheduling.terminationGracePeriodSeconds === undefined
        ? {}
        : { terminationGracePeriodSeconds: scheduling.terminationGracePeriodSeconds }),
      securityContext: podSecurity(component),
      ...(pullSecrets.length ? { imagePullSecrets: pullSecrets } : {}),
      ...(Object.keys(nodeSelector).length ? { nodeSelector } : {}),
      ...(scheduling.affinity ? { affinity: scheduling.affinity } : {}),
      ...(tolerations.length ? { tolerations: tolerations.map((t) => ({ ...t })) } : {}),
      ...(spread.length ? { topologySpreadConstraints: spread } : {}),
      ...(scheduling.hostAliases?.length ? { hostAliases: scheduling.hostAliases } : {}),
      ...dns,
      ...(initContainers.length ? { initContainers } : {}),
      containers: [...component.containers.map((c, i) => container(ctx, component, c, i === 0)), ...sidecars],
      ...(volumes.length ? { volumes } : {}),
    },
  };
}

/**
 * The blueprint's own resolver (`dnsPolicy: None`, e.g. CSGHub's release DNS) and the user's
 * `dnsConfig`, whose nameservers, searches and options are added to it.
 */
function dnsSettings(component: ComponentSpec): Record<string, unknown> {
  const ours = component.dnsConfig;
  const asked = component.scheduling.dnsConfig as
    | { nameservers?: unknown[]; searches?: unknown[]; options?: unknown[] }
    | undefined;
  if (!ours && !asked) return {};
  const join = (key: 'nameservers' | 'searches' | 'options') => {
    const list = [...((ours?.[key] as readonly unknown[] | undefined) ?? []), ...(asked?.[key] ?? [])];
    return list.length ? { [key]: list.map((v) => (typeof v === 'object' ? { ...v } : v)) } : {};
  };
  return {
    ...(ours ? { dnsPolicy: 'None' } : {}),
    dnsConfig: { ...asked, ...join('nameservers'), ...join('searches'), ...join('options') },
  };
}

/** The ServiceAccount the pods run as (`serviceAccount.create` / `.name`); no API token unless asked. */
export function serviceAccountName(ctx: RenderContext, component: ComponentSpec): string | undefined {
  const account = component.scheduling.serviceAccount;
  if (account?.create) return account.name || objectName(ctx, component.name);
  return account?.name || undefined;
}

function serviceAccountFields(ctx: RenderContext, component: ComponentSpec): Record<string, unknown> {
  const name = serviceAccountName(ctx, component);
  return {
    automountServiceAccountToken: component.scheduling.serviceAccount?.automountServiceAccountToken ?? false,
    ...(name ? { serviceAccountName: name } : {}),
  };
}

function serviceAccountObject(ctx: RenderContext, component: ComponentSpec): KubeObject | undefined {
  const account = component.scheduling.serviceAccount;
  if (!account?.create) return undefined;
  const meta = metadata(ctx, serviceAccountName(ctx, component)!, component.name);
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: Object.keys(account.annotations).length
      ? { ...meta, annotations: { ...account.annotations } }
      : meta,
    automountServiceAccountToken: account.automountServiceAccountToken,
  };
}

/** The policy's pod security context plus the sysctls a component asks for (safe, namespaced ones only). */
function podSecurity(component: ComponentSpec): Record<string, unknown> {
  const sysctls = Object.entries(component.podSecurity?.sysctls ?? {});
  const security = podSecurityContext(component);
  return sysctls.length
    ? { ...security, sysctls: sysctls.map(([name, value]) => ({ name, value })) }
    : security;
}

function replicasField(component: ComponentSpec): Record<string, number> {
  // With an autoscaler the HPA owns the replica count; leaving it out keeps upgrades from resetting it.
  return component.scaling?.autoscaling?.enabled ? {} : { replicas: component.replicas };
}

function workloadObject(ctx: RenderContext, component: ComponentSpec, inputs: WorkloadInputs): KubeObject {
  const name = objectName(ctx, component.name);
  const { customLabels, labels, annotations } = component.scheduling;
  const meta = {
    ...metadata(ctx, name, component.name, { ...customLabels, ...labels }),
    ...(annotations && Object.keys(annotations).length ? { annotations: { ...annotations } } : {}),
  };
  const template = podTemplate(ctx, component, inputs);
  if (component.kind === 'Job') {
    return {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta,
      spec: { backoffLimit: component.backoffLimit ?? 3, ttlSecondsAfterFinished: 86_400, template },
    };
  }
  const selector = { matchLabels: selectorLabels(ctx, component.name) };
  if (component.kind === 'StatefulSet') {
    const templates = (component.volumes ?? [])
      .filter((volume) => usesClaimTemplate(component, volume))
      .map((volume) => ({
        metadata: { name: volume.name, labels: standardLabels(ctx, component.name) },
        spec: claimSpec(ctx, volume.persistence!),
      }));
    return {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta,
      spec: {
        ...replicasField(component),
        serviceName: serviceName(ctx, component),
        podManagementPolicy: 'Parallel',
        ...(component.scheduling.minReadySeconds === undefined
          ? {}
          : { minReadySeconds: component.scheduling.minReadySeconds }),
        revisionHistoryLimit: 5,
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        selector,
        template,
        ...(templates.length ? { volumeClaimTemplates: templates } : {}),
      },
    };
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta,
    spec: { ...replicasField(component), ...deploymentStrategy(component), selector, template },
  };
}

export function serviceName(ctx: RenderContext, component: ComponentSpec): string {
  return component.service?.name ?? objectName(ctx, component.name);
}

function servicePorts(
  component: ComponentSpec,
  type: string,
  firstNodePort?: number,
): Record<string, unknown>[] {
  return component.containers
    .flatMap((c) => c.ports ?? [])
    .map((p, i) => {
      const nodePort = (i === 0 ? firstNodePort : undefined) ?? p.nodePort;
      return {
        name: p.name,
        port: p.servicePort ?? p.containerPort,
        targetPort: p.name,
        protocol: p.protocol ?? 'TCP',
        ...(type !== 'ClusterIP' && nodePort ? { nodePort } : {}),
      };
    });
}

function serviceObjects(ctx: RenderContext, component: ComponentSpec): KubeObject[] {
  if (!component.service) return [];
  if (!component.containers.some((c) => c.ports?.length)) return [];
  // `services.<name>.service` shapes the component's main Service, not the extra NodePort one.
  const asked = component.scheduling.service ?? {};
  const service = (name: string, type: string, main: boolean): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      ...metadata(ctx, name, component.name),
      ...(main && asked.annotations && Object.keys(asked.annotations).length
        ? { annotations: { ...asked.annotations } }
        : {}),
    },
    spec: {
      type,
      ...(component.service?.clusterIP && main ? { clusterIP: component.service.clusterIP } : {}),
      ...(main && type === 'LoadBalancer' && asked.loadBalancerSourceRanges?.length
        ? { loadBalancerSourceRanges: [...asked.loadBalancerSourceRanges] }
        : {}),
      selector: selectorLabels(ctx, component.name),
      ports: servicePorts(component, type, main ? asked.nodePort : undefined),
    },
  });
  const objects = [
    service(serviceName(ctx, component), asked.type ?? component.service.type ?? 'ClusterIP', true),
  ];
  const nodePort = component.service.nodePortService;
  if (nodePort) objects.push(service(nodePort.name, 'NodePort', false));
  return objects;
}

function claimObjects(ctx: RenderContext, component: ComponentSpec): KubeObject[] {
  return (component.volumes ?? [])
    .filter((v) => v.persistence?.enabled && !v.persistence.existingClaim && !usesClaimTemplate(component, v))
    .map((volume) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        ...metadata(ctx, claimName(ctx, component, volume), component.name),
        // Data outlives the release: uninstall keeps claims unless asked to delete data.
        annotations: { 'berth.dev/resource-policy': 'keep' },
      },
      spec: claimSpec(ctx, volume.persistence!),
    }));
}

function autoscalerObject(ctx: RenderContext, component: ComponentSpec): KubeObject | undefined {
  const autoscaling = component.scaling?.autoscaling;
  if (!autoscaling?.enabled || component.kind === 'Job') return undefined;
  const metric = (name: 'cpu' | 'memory', averageUtilization: number) => ({
    type: 'Resource',
    resource: { name, target: { type: 'Utilization', averageUtilization } },
  });
  const metrics: Record<string, unknown>[] = [metric('cpu', autoscaling.targetCPUUtilizationPercentage)];
  if (autoscaling.targetMemoryUtilizationPercentage !== undefined) {
    metrics.push(metric('memory', autoscaling.targetMemoryUtilizationPercentage));
  }
  for (const custom of autoscaling.customMetrics ?? []) {
    metrics.push({
      type: 'Pods',
      pods: {
        metric: { name: custom.name },
        target: { type: 'AverageValue', averageValue: custom.averageValue },
      },
    });
  }
  const behavior = hpaBehavior(autoscaling.behavior);
  const name = objectName(ctx, component.name);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: metadata(ctx, name, component.name),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: component.kind, name },
      minReplicas: autoscaling.minReplicas,
      maxReplicas: autoscaling.maxReplicas,
      metrics,
      ...(behavior ? { behavior } : {}),
    },
  };
}

type Behavior = NonNullable<NonNullable<ScalingSpec['autoscaling']>['behavior']>;

function hpaBehavior(behavior: Behavior | undefined): Record<string, unknown> | undefined {
  if (!behavior) return undefined;
  const rules = (spec: ScalingRulesSpec | undefined) =>
    spec && {
      ...(spec.stabilizationWindowSeconds === undefined
        ? {}
        : { stabilizationWindowSeconds: spec.stabilizationWindowSeconds }),
      ...(spec.selectPolicy ? { selectPolicy: spec.selectPolicy } : {}),
      ...(spec.policies.length ? { policies: spec.policies.map((p) => ({ ...p })) } : {}),
    };
  const out: Record<string, unknown> = {};
  if (behavior.scaleUp) out.scaleUp = rules(behavior.scaleUp);
  if (behavior.scaleDown) out.scaleDown = rules(behavior.scaleDown);
  return Object.keys(out).length ? out : undefined;
}

/** autoscaling.k8s.io/v1 VerticalPodAutoscaler (needs the VPA components in the cluster). */
function verticalAutoscalerObject(ctx: RenderContext, component: ComponentSpec): KubeObject | undefined {
  const vpa = component.scaling?.verticalAutoscaling;
  if (!vpa?.enabled || component.kind === 'Job') return undefined;
  const bounds = (amounts: { cpu?: string | undefined; memory?: string | undefined }) =>
    Object.fromEntries(Object.entries(amounts).filter(([, v]) => v !== undefined && v !== ''));
  const minAllowed = bounds(vpa.minAllowed);
  const maxAllowed = bounds(vpa.maxAllowed);
  const name = objectName(ctx, component.name);
  return {
    apiVersion: 'autoscaling.k8s.io/v1',
    kind: 'VerticalPodAutoscaler',
    metadata: metadata(ctx, name, component.name),
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: component.kind, name },
      updatePolicy: { updateMode: vpa.updateMode },
      resourcePolicy: {
        containerPolicies: [
          {
            containerName: component.containers[0]!.name,
            ...(Object.keys(minAllowed).length ? { minAllowed } : {}),
            ...(Object.keys(maxAllowed).length ? { maxAllowed } : {}),
            controlledResources: [...vpa.controlledResources],
          },
        ],
      },
    },
  };
}

function disruptionBudgetObject(ctx: RenderContext, component: ComponentSpec): KubeObject | undefined {
  if (!wantsDisruptionBudget(component)) return undefined;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: metadata(ctx, objectName(ctx, component.name), component.name),
    spec: {
      ...disruptionBudgetLimits(component),
      selector: { matchLabels: selectorLabels(ctx, component.name) },
    },
  };
}

export function componentObjects(
  ctx: RenderContext,
  component: ComponentSpec,
  inputs: WorkloadInputs,
): KubeObject[] {
  return [
    serviceAccountObject(ctx, component),
    ...claimObjects(ctx, component),
    ...serviceObjects(ctx, component),
    workloadObject(ctx, component, inputs),
    autoscalerObject(ctx, component),
    verticalAutoscalerObject(ctx, component),
    disruptionBudgetObject(ctx, component),
  ].filter((o): o is KubeObject => o !== undefined);
}
