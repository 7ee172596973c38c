/**
 * What a blueprint produces: a platform described as components (workloads with their wiring),
 * secrets, config and a few extra objects. `render/` turns it into Kubernetes objects and applies
 * the production policies in one place.
 */
import type { EnvVarValues, ImageValues, PersistenceValues } from '../values/vocabulary/index.ts';

/** Apply order: each stage waits until the previous one is ready. */
export const STAGES = ['config', 'dependencies', 'migrations', 'backends', 'frontends'] as const;
export type Stage = (typeof STAGES)[number];

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export interface ProbeSpec {
  readonly http?: { readonly path: string; readonly port: string | number };
  readonly tcp?: { readonly port: string | number };
  readonly exec?: readonly string[];
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
}

export interface PortSpec {
  readonly name: string;
  readonly containerPort: number;
  /** Port on the Service; defaults to containerPort. */
  readonly servicePort?: number;
  readonly nodePort?: number;
  readonly protocol?: 'TCP' | 'UDP';
}

export interface VolumeSpec {
  readonly name: string;
  readonly mountPath: string;
  readonly subPath?: string;
  readonly readOnly?: boolean;
  /** Exactly one source. */
  readonly persistence?: PersistenceValues;
  readonly emptyDir?: { readonly sizeLimit?: string; readonly medium?: 'Memory' };
  readonly configMap?: string;
  readonly secret?: string;
}

export interface ResourceSpec {
  readonly requests: { readonly cpu?: string | undefined; readonly memory?: string | undefined };
  readonly limits: { readonly cpu?: string | undefined; readonly memory?: string | undefined };
}

export interface ContainerSpec {
  readonly name: string;
  readonly image: ImageValues;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly EnvVarValues[];
  readonly envFrom?: readonly ({ readonly configMap: string } | { readonly secret: string })[];
  readonly ports?: readonly PortSpec[];
  readonly probes?: {
    readonly readiness?: ProbeSpec;
    readonly liveness?: ProbeSpec;
    readonly startup?: ProbeSpec;
  };
  readonly resources: ResourceSpec;
  readonly volumeMounts?: readonly string[];
  /** Images that must run as a given user (e.g. uid 999 for postgres); the non-root policy still applies. */
  readonly runAsUser?: number;
  readonly readOnlyRootFilesystem?: boolean;
}

export interface SchedulingSpec {
  readonly customLabels: Record<string, string>;
  readonly customAnnotations: Record<string, string>;
  readonly customTolerations: readonly Record<string, unknown>[];
  readonly customNodeSelector: Record<string, string>;
}

export interface ScalingSpec {
  readonly autoscaling?: {
    readonly enabled: boolean;
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly targetCPUUtilizationPercentage: number;
    readonly targetMemoryUtilizationPercentage?: number | undefined;
  };
  readonly podDisruptionBudget?: {
    readonly enabled?: boolean | undefined;
    readonly minAvailable?: number | string | undefined;
    readonly maxUnavailable?: number | string | undefined;
  };
}

export interface ComponentSpec {
  /** Short name, e.g. `web`, `postgresql`; object names are `<release>-<name>`. */
  readonly name: string;
  readonly stage: Stage;
  readonly kind: 'Deployment' | 'StatefulSet' | 'Job';
  readonly replicas: number;
  readonly containers: readonly ContainerSpec[];
  readonly initContainers?: readonly ContainerSpec[];
  readonly volumes?: readonly VolumeSpec[];
  /** The Service in front of the pods; omitted when nothing connects to the component. */
  readonly service?: { readonly type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer'; readonly name?: string };
  readonly scheduling: SchedulingSpec;
  readonly scaling?: ScalingSpec;
  /** Pod-level fsGroup / uid for images that need a specific user. */
  readonly podSecurity?: {
    readonly runAsUser?: number;
    readonly runAsGroup?: number;
    readonly fsGroup?: number;
  };
  /** Names of config objects whose content should roll the pods when it changes. */
  readonly rollOn?: { readonly configMaps?: readonly string[]; readonly secrets?: readonly string[] };
  /** Name of the container port that serves Prometheus metrics, for the ServiceMonitor. */
  readonly metrics?: { readonly port: string; readonly path: string };
  /** Components allowed to connect when networkPolicy.enabled; unset allows any pod of the release. */
  readonly allowFrom?: readonly string[];
  /** Job only: retries before the Job fails. */
  readonly backoffLimit?: number;
}

/** A Secret the platform needs. Generated keys are created once by the release engine and kept. */
export interface SecretSpec {
  readonly name: string;
  readonly stage?: Stage;
  readonly generated: Record<string, GeneratedValue>;
  /** Non-random entries (e.g. a fixed username) stored alongside. */
  readonly fixed?: Record<string, string>;
}

export type GeneratedValue =
  | { readonly kind: 'hex'; readonly bytes: number }
  | { readonly kind: 'alphanumeric'; readonly length: number };

export interface ConfigMapSpec {
  readonly name: string;
  readonly data: Record<string, string>;
}

export interface IngressRoute {
  readonly path: string;
  readonly component: string;
  readonly port: string;
  readonly pathType?: 'Prefix' | 'Exact';
}

export interface PlatformSpec {
  readonly components: readonly ComponentSpec[];
  readonly secrets: readonly SecretSpec[];
  readonly configMaps: readonly ConfigMapSpec[];
  readonly ingressRoutes: readonly IngressRoute[];
  /** Objects a blueprint builds itself (e.g. a KEDA ScaledObject), with the stage they belong to. */
  readonly extraObjects: readonly { readonly stage: Stage; readonly object: KubeObject }[];
  /** Prometheus alerting rules, rendered only when monitoring.prometheusRule.enabled. */
  readonly alerts: readonly {
    readonly alert: string;
    readonly expr: string;
    readonly for: string;
    readonly severity: string;
    readonly summary: string;
  }[];
  /** Lines printed after install/render: how to reach the app. */
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}
