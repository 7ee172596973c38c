/** One component → its workload, Service, claims, autoscaler and disruption budget. */
import { createHash } from 'node:crypto';
import type { PersistenceValues } from '../values/vocabulary/index.ts';
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
  podSecurityContext,
  SECURITY_EXCEPTION_ANNOTATION,
  selectorLabels,
  standardLabels,
  topologySpread,
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

function container(
  ctx: RenderContext,
  component: ComponentSpec,
  spec: ContainerSpec,
): Record<string, unknown> {
  const mounts = (component.volumes ?? [])
    .filter((volume) => spec.volumeMounts?.includes(volume.name))
    .map((volume) => ({
      name: volume.name,
      mountPath: volume.mountPath,
      ...(volume.subPath ? { subPath: volume.subPath } : {}),
      ...(volume.readOnly ? { readOnly: true } : {}),
    }));
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
    ...(spec.envFrom?.length
      ? {
          envFrom: spec.envFrom.map((source) =>
            'configMap' in source
              ? { configMapRef: { name: source.configMap } }
              : { secretRef: { name: source.secret } },
          ),
        }
      : {}),
    ...(spec.env?.length ? { env: envByName(spec.env).map((e) => ({ ...e })) } : {}),
    resources,
    ...containerProbes(component, spec),
    securityContext: containerSecurityContext(spec),
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
  const annotations: Record<string, string> = { ...scheduling.customAnnotations };
  if (checksums.length) {
    annotations['berth.dev/config-checksum'] = createHash('sha256').update(checksums.join(',')).digest('hex');
  }
  const exceptions = [...(component.initContainers ?? []), ...component.containers]
    .filter((c) => c.securityException)
    .map((c) => `${c.name}: ${c.securityException!.reason}`);
  // Visible on the pods to anyone auditing them, and read back by preflight's Pod Security check.
  if (exceptions.length) annotations[SECURITY_EXCEPTION_ANNOTATION] = exceptions.join('\n');
  const pullSecrets = ctx.common.global.imagePullSecrets.map((name) => ({ name }));
  const spread = topologySpread(ctx, component);
  const volumes = podVolumes(ctx, component);
  return {
    metadata: {
      labels: {
        ...standardLabels(ctx, component.name),
        ...scheduling.customLabels,
        ...selectorLabels(ctx, component.name),
      },
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    spec: {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      ...(component.kind === 'Job' ? { restartPolicy: 'Never' } : {}),
      securityContext: podSecurity(component),
      ...(pullSecrets.length ? { imagePullSecrets: pullSecrets } : {}),
      ...(Object.keys(scheduling.customNodeSelector).length
        ? { nodeSelector: { ...scheduling.customNodeSelector } }
        : {}),
      ...(scheduling.customTolerations.length
        ? { tolerations: scheduling.customTolerations.map((t) => ({ ...t })) }
        : {}),
      ...(spread.length ? { topologySpreadConstraints: spread } : {}),
      ...(component.dnsConfig
        ? {
            dnsPolicy: 'None',
            dnsConfig: {
              nameservers: [...component.dnsConfig.nameservers],
              ...(component.dnsConfig.searches ? { searches: [...component.dnsConfig.searches] } : {}),
              ...(component.dnsConfig.options
                ? { options: component.dnsConfig.options.map((o) => ({ ...o })) }
                : {}),
            },
          }
        : {}),
      ...(component.initContainers?.length
        ? { initContainers: component.initContainers.map((c) => container(ctx, component, c)) }
        : {}),
      containers: component.containers.map((c) => container(ctx, component, c)),
      ...(volumes.length ? { volumes } : {}),
    },
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
  const meta = metadata(ctx, name, component.name, component.scheduling.customLabels);
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

function servicePorts(component: ComponentSpec, type: string): Record<string, unknown>[] {
  return component.containers
    .flatMap((c) => c.ports ?? [])
    .map((p) => ({
      name: p.name,
      port: p.servicePort ?? p.containerPort,
      targetPort: p.name,
      protocol: p.protocol ?? 'TCP',
      ...(type !== 'ClusterIP' && p.nodePort ? { nodePort: p.nodePort } : {}),
    }));
}

function serviceObjects(ctx: RenderContext, component: ComponentSpec): KubeObject[] {
  if (!component.service) return [];
  if (!component.containers.some((c) => c.ports?.length)) return [];
  const service = (name: string, type: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(ctx, name, component.name),
    spec: {
      type,
      ...(component.service?.clusterIP && name === serviceName(ctx, component)
        ? { clusterIP: component.service.clusterIP }
        : {}),
      selector: selectorLabels(ctx, component.name),
      ports: servicePorts(component, type),
    },
  });
  const objects = [service(serviceName(ctx, component), component.service.type ?? 'ClusterIP')];
  const nodePort = component.service.nodePortService;
  if (nodePort) objects.push(service(nodePort.name, 'NodePort'));
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
    ...claimObjects(ctx, component),
    ...serviceObjects(ctx, component),
    workloadObject(ctx, component, inputs),
    autoscalerObject(ctx, component),
    verticalAutoscalerObject(ctx, component),
    disruptionBudgetObject(ctx, component),
  ].filter((o): o is KubeObject => o !== undefined);
}
