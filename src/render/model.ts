/**
 * What a blueprint produces: a platform described as components (workloads with their wiring),
 * secrets, config and a few extra objects. `render/` turns it into Kubernetes objects and applies
 * the production policies in one place.
 */
import type {
  ComponentSurface,
  EnvVarValues,
  ImageValues,
  PersistenceValues,
} from '../values/vocabulary/index.ts';

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
  /** Privilege beyond the production policy that this image genuinely needs, with the reason. */
  readonly securityException?: SecurityException;
}

/**
 * A declared, reasoned exception to the non-root / no-capability policy for one container. Render
 * prints it, preflight reports the Pod Security level it needs, and the policy applies exactly it.
 */
export interface SecurityException {
  /** Why the image needs it, in one sentence a reviewer can check (cite the upstream source). */
  readonly reason: string;
  /** Runs as uid 0 (runAsNonRoot false). */
  readonly runAsRoot?: boolean;
  /** Capabilities added after dropping ALL (e.g. SYS_ADMIN, SETUID). */
  readonly addCapabilities?: readonly string[];
  readonly allowPrivilegeEscalation?: boolean;
  readonly privileged?: boolean;
  /** seccomp Unconfined instead of RuntimeDefault. */
  readonly seccompUnconfined?: boolean;
}

/** How a Deployment replaces its pods, as in its `strategy`. */
export interface RolloutStrategy {
  readonly type?: 'RollingUpdate' | 'Recreate' | undefined;
  readonly rollingUpdate?:
    | {
        readonly maxSurge?: number | string | undefined;
        readonly maxUnavailable?: number | string | undefined;
      }
    | undefined;
}

/**
 * Scheduling, tagging and the rest of the component surface (`services.<name>.*`,
 * `dependencies.<dep>.*`): blueprints pass the component's values object, render reads it.
 */
export interface SchedulingSpec extends ComponentSurface {
  readonly customLabels: Record<string, string>;
  readonly customAnnotations: Record<string, string>;
  readonly customTolerations: readonly Record<string, unknown>[];
  readonly customNodeSelector: Record<string, string>;
  /** The user's rollout settings (`services.<name>.strategy`, `.minReadySeconds`). */
  readonly strategy?: RolloutStrategy | undefined;
  readonly minReadySeconds?: number | undefined;
}

/** One direction (scaleUp / scaleDown) of an HPA's `behavior`. */
export interface ScalingRulesSpec {
  readonly stabilizationWindowSeconds?: number | undefined;
  readonly selectPolicy?: 'Max' | 'Min' | 'Disabled' | undefined;
  readonly policies: readonly {
    readonly type: 'Pods' | 'Percent';
    readonly value: number;
    readonly periodSeconds: number;
  }[];
}

export interface ScalingSpec {
  readonly autoscaling?: {
    readonly enabled: boolean;
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly targetCPUUtilizationPercentage: number;
    readonly targetMemoryUtilizationPercentage?: number | undefined;
    /** Per-pod custom metrics (served by e.g. Prometheus Adapter), as `type: Pods` HPA metrics. */
    readonly customMetrics?: readonly { readonly name: string; readonly averageValue: string }[] | undefined;
    readonly behavior?:
      | { readonly scaleUp?: ScalingRulesSpec | undefined; readonly scaleDown?: ScalingRulesSpec | undefined }
      | undefined;
  };
  /** A VerticalPodAutoscaler (autoscaling.k8s.io/v1) for the component's first container. */
  readonly verticalAutoscaling?: {
    readonly enabled: boolean;
    readonly updateMode: string;
    readonly controlledResources: readonly string[];
    readonly minAllowed: { readonly cpu?: string | undefined; readonly memory?: string | undefined };
    readonly maxAllowed: { readonly cpu?: string | undefined; readonly memory?: string | undefined };
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
  /**
   * The Service in front of the pods; omitted when nothing connects to the component.
   * `nodePortService` adds a second Service of type NodePort (ports with `nodePort` keep it fixed).
   */
  readonly service?: {
    readonly type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
    readonly name?: string;
    /** A fixed cluster IP (inside the cluster's service range), for a DNS server pods name by address. */
    readonly clusterIP?: string;
    readonly nodePortService?: { readonly name: string };
  };
  readonly scheduling: SchedulingSpec;
  readonly scaling?: ScalingSpec;
  /** Pod-level fsGroup / uid for images that need a specific user. */
  readonly podSecurity?: {
    readonly runAsUser?: number;
    readonly runAsGroup?: number;
    readonly fsGroup?: number;
    /** Namespaced "safe" sysctls, e.g. net.ipv4.ip_unprivileged_port_start=0 for images that bind port 80. */
    readonly sysctls?: Readonly<Record<string, string>>;
  };
  /** Names of config objects whose content should roll the pods when it changes. */
  readonly rollOn?: { readonly configMaps?: readonly string[]; readonly secrets?: readonly string[] };
  /** Name of the container port that serves Prometheus metrics, for the ServiceMonitor. */
  readonly metrics?: { readonly port: string; readonly path: string };
  /** Components allowed to connect when networkPolicy.enabled; unset allows any pod of the release. */
  readonly allowFrom?: readonly string[];
  /** Finer NetworkPolicy rules than allowFrom (only used when networkPolicy.enabled). */
  readonly networkPolicy?: NetworkPolicySpec;
  /**
   * Name resolution through these servers only (`dnsPolicy: None`), e.g. a release's own CoreDNS
   * that serves a private domain and forwards the rest to the cluster DNS.
   */
  readonly dnsConfig?: {
    readonly nameservers: readonly string[];
    readonly searches?: readonly string[];
    readonly options?: readonly { readonly name: string; readonly value?: string }[];
  };
  /** Job only: retries before the Job fails. */
  readonly backoffLimit?: number;
  /**
   * At most one pod may ever run (a scheduler, a leader without election, a single writer): the
   * workload is replaced with Recreate and never surges, and it cannot be scaled.
   */
  readonly singleton?: boolean;
}

/** Who may talk to whom: namespaces and pods by label, or CIDR blocks. */
export interface NetworkPeerSpec {
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  readonly podLabels?: Readonly<Record<string, string>>;
  readonly cidr?: string;
}

export interface NetworkPolicySpec {
  /**
   * Replaces the default callers (allowFrom / any pod of the release): only these peers reach the
   * component's ports. Ingress routes then do not open the component to everyone.
   */
  readonly ingressFrom?: readonly NetworkPeerSpec[];
  /** When set, outgoing traffic is limited to DNS plus these rules (an empty `to` means anywhere). */
  readonly egress?: readonly {
    readonly to?: readonly NetworkPeerSpec[];
    readonly ports: readonly { readonly port: number; readonly protocol?: 'TCP' | 'UDP' }[];
  }[];
}

/** A Secret the platform needs. Generated keys are created once by the release engine and kept. */
export interface SecretSpec {
  readonly name: string;
  readonly stage?: Stage;
  readonly generated: Record<string, GeneratedValue>;
  /** Non-random entries (e.g. a fixed username) stored alongside. */
  readonly fixed?: Record<string, string>;
  /**
   * Entries computed from generated values of the release's Secrets (by short name and key), e.g.
   * a registry login assembled from the bundled registry's generated password. Recomputed on every
   * render from the kept values, so they change only when their inputs do.
   */
  readonly derived?: Record<string, (value: (secret: string, key: string) => string) => string>;
  /** Another namespace the Secret must live in (e.g. where the platform starts its own workloads). */
  readonly namespace?: string;
  /** The Secret type; `Opaque` unless set (e.g. `kubernetes.io/dockerconfigjson`). */
  readonly type?: string;
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
  /**
   * Secrets the pods read that the user creates (e.g. a certificate berth cannot make): preflight
   * checks them live, the wiring verifier accepts them.
   */
  readonly userProvidedSecrets?: readonly string[];
  /** Lines printed after install/render: how to reach the app. */
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}
