/**
 * The component surface: every knob a chart user sets on a workload, spelled as charts spell it,
 * offered by every `services.<component>` and `dependencies.<dep>` of every blueprint and rendered
 * once in `src/render/workload.ts`. Open Kubernetes objects (affinity, volumes, containers) are
 * checked after rendering by the OpenAPI validation, and berth's policy still applies on top.
 */
import { z } from 'zod';
import { openObject, port, stringMap } from './primitives.ts';

export const envVar = z
  .strictObject({
    name: z.string().regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/, 'an environment variable name'),
    // Env values are strings in Kubernetes; `--set x.value=true` gives a boolean, so scalars are accepted.
    value: z
      .union([z.string(), z.number(), z.boolean()])
      .transform((v) => String(v))
      .optional(),
    valueFrom: openObject.optional(),
  })
  .refine(
    (e) => (e.value === undefined) !== (e.valueFrom === undefined),
    'exactly one of value or valueFrom',
  );

const named = z.looseObject({ name: z.string().min(1) });

/** A user's init container or sidecar: a Kubernetes Container with a name and an image. */
const userContainer = z.looseObject({
  name: z.string().min(1),
  image: z.string().min(1),
});

/** A probe override: timings only are laid over berth's probe; a handler replaces it whole. */
const probeOverride = z.looseObject({
  httpGet: openObject.optional(),
  tcpSocket: openObject.optional(),
  exec: openObject.optional(),
  grpc: openObject.optional(),
  initialDelaySeconds: z.int().min(0).optional(),
  periodSeconds: z.int().min(1).optional(),
  timeoutSeconds: z.int().min(1).optional(),
  failureThreshold: z.int().min(1).optional(),
  successThreshold: z.int().min(1).optional(),
});

export const serviceAccountSchema = z.strictObject({
  create: z.boolean().default(false).describe('Create a ServiceAccount for the pods.'),
  name: z
    .string()
    .default('')
    .describe('Its name (default <release>-<component> when created); an existing one when create is false.'),
  annotations: stringMap
    .default({})
    .describe('Annotations, e.g. eks.amazonaws.com/role-arn or iam.gke.io/gcp-service-account.'),
  automountServiceAccountToken: z
    .boolean()
    .default(false)
    .describe('Mount the API token in the pods (off: nothing in these platforms calls the API server).'),
});

export const serviceSurfaceSchema = z.strictObject({
  type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer']).optional().describe('Service type.'),
  annotations: stringMap.optional().describe('Annotations on the Service (e.g. of a cloud load balancer).'),
  nodePort: port.optional().describe('Fixed node port of the first port (type NodePort or LoadBalancer).'),
  loadBalancerSourceRanges: z.array(z.string()).optional().describe('CIDRs allowed to reach a LoadBalancer.'),
});

/** Kubernetes keeps only one of two env entries with the same name; say so instead of guessing. */
function refuseDuplicateNames(env: readonly { name: string }[], context: z.RefinementCtx): void {
  const first = new Map<string, number>();
  env.forEach(({ name }, index) => {
    const earlier = first.get(name);
    if (earlier === undefined) first.set(name, index);
    else
      context.addIssue({
        code: 'custom',
        path: [index, 'name'],
        message: `${name} is already set by extraEnv[${earlier}]`,
      });
  });
}

/** Fields of the surface, spread into `serviceSchema` and `dependencySchema`. */
export const surfaceFields = {
  extraEnv: z
    .array(envVar)
    .superRefine(refuseDuplicateNames)
    .default([])
    .describe(
      'Extra environment variables (Kubernetes EnvVar entries) of the main container; a name berth sets is replaced in place.',
    ),
  envFrom: z
    .array(openObject)
    .optional()
    .describe('EnvFromSource entries (configMapRef / secretRef) of the main container.'),
  serviceAccount: serviceAccountSchema.optional().describe('ServiceAccount of the pods (workload identity).'),
  podSecurityContext: openObject
    .optional()
    .describe("Pod securityContext, laid over berth's policy (a weaker setting is a warning)."),
  securityContext: openObject
    .optional()
    .describe(
      "securityContext of the main container, laid over berth's policy (a weaker setting is a warning).",
    ),
  affinity: openObject.optional().describe('Pod affinity, anti-affinity and node affinity.'),
  tolerations: z.array(openObject).optional().describe('Tolerations of the pods (with customTolerations).'),
  nodeSelector: stringMap.optional().describe('Node selector of the pods (merged over customNodeSelector).'),
  topologySpreadConstraints: z
    .array(openObject)
    .optional()
    .describe("Topology spread constraints; replace berth's spread from global.podAntiAffinityPreset."),
  priorityClassName: z.string().optional().describe('PriorityClass of the pods.'),
  extraVolumes: z.array(named).optional().describe('Extra pod volumes (Kubernetes Volume objects).'),
  extraVolumeMounts: z
    .array(z.looseObject({ name: z.string().min(1), mountPath: z.string().min(1) }))
    .optional()
    .describe('Extra volume mounts of the main container (e.g. a CA bundle).'),
  initContainers: z
    .array(userContainer)
    .optional()
    .describe("Extra init containers, run before berth's; the policy and default resources apply."),
  sidecars: z
    .array(userContainer)
    .optional()
    .describe('Extra containers next to the main one (not on Jobs); the policy and default resources apply.'),
  probes: z
    .strictObject({
      readiness: probeOverride.optional(),
      liveness: probeOverride.optional(),
      startup: probeOverride.optional(),
    })
    .optional()
    .describe("Probe overrides of the main container: timings laid over berth's probe, or a whole probe."),
  lifecycle: openObject.optional().describe('Lifecycle hooks (postStart / preStop) of the main container.'),
  podLabels: stringMap.optional().describe('Extra labels on the pods.'),
  podAnnotations: stringMap.optional().describe('Extra annotations on the pods.'),
  labels: stringMap.optional().describe('Extra labels on the workload (Deployment / StatefulSet / Job).'),
  annotations: stringMap.optional().describe('Extra annotations on the workload.'),
  service: serviceSurfaceSchema.optional().describe('The Service in front of the pods.'),
  hostAliases: z.array(openObject).optional().describe('Extra /etc/hosts entries of the pods.'),
  dnsConfig: openObject
    .optional()
    .describe('Pod dnsConfig (nameservers, searches, options), added to the cluster DNS.'),
  terminationGracePeriodSeconds: z
    .int()
    .min(0)
    .optional()
    .describe('Seconds a pod has to stop before it is killed.'),
};

export type ComponentSurface = Partial<{
  [Key in keyof typeof surfaceFields]: z.output<(typeof surfaceFields)[Key]>;
}>;
export type EnvVarValues = z.output<typeof envVar>;
