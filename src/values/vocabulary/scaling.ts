import { z } from 'zod';
import { quantity } from './primitives.ts';

export interface AutoscalingDefaults {
  readonly minReplicas?: number;
  readonly maxReplicas?: number;
  readonly targetCPUUtilizationPercentage?: number;
}

const scalingPolicy = z.strictObject({
  type: z
    .enum(['Pods', 'Percent'])
    .describe('Pods: change by a number of pods; Percent: by a share of the current count.'),
  value: z.int().min(1).describe('How many pods, or what percentage.'),
  periodSeconds: z.int().min(1).max(1800).describe('Window in which the policy holds.'),
});

const scalingRules = z
  .strictObject({
    stabilizationWindowSeconds: z
      .int()
      .min(0)
      .max(3600)
      .optional()
      .describe('Look back this long before acting, to avoid flapping.'),
    selectPolicy: z
      .enum(['Max', 'Min', 'Disabled'])
      .optional()
      .describe('Which policy wins when several apply (Disabled turns this direction off).'),
    policies: z.array(scalingPolicy).default([]).describe('Rate limits of scaling in this direction.'),
  })
  .optional();

const customMetric = z.strictObject({
  name: z
    .string()
    .min(1)
    .describe('Per-pod metric name served by the custom metrics API, e.g. http_requests_per_second.'),
  averageValue: quantity.describe('Average value per pod to aim for, e.g. 100.'),
});

/** `autoscaling.*`: a HorizontalPodAutoscaler for the component (replicas then only set the starting point). */
export function autoscalingSchema(defaults: AutoscalingDefaults = {}) {
  return z
    .strictObject({
      enabled: z.boolean().default(false).describe('Create a HorizontalPodAutoscaler for this component.'),
      minReplicas: z
        .int()
        .min(1)
        .default(defaults.minReplicas ?? 2)
        .describe('Lower bound of replicas.'),
      maxReplicas: z
        .int()
        .min(1)
        .default(defaults.maxReplicas ?? 10)
        .describe('Upper bound of replicas.'),
      targetCPUUtilizationPercentage: z
        .int()
        .min(1)
        .max(100)
        .default(defaults.targetCPUUtilizationPercentage ?? 70)
        .describe('Average CPU utilisation (percent of requests) to aim for.'),
      targetMemoryUtilizationPercentage: z
        .int()
        .min(1)
        .max(100)
        .optional()
        .describe('Average memory utilisation (percent of requests) to aim for; unset scales on CPU only.'),
      customMetrics: z
        .array(customMetric)
        .default([])
        .describe('Per-pod custom metrics (type Pods; needs e.g. Prometheus Adapter) scaled on as well.'),
      behavior: z
        .strictObject({
          scaleUp: scalingRules.describe('How fast to add pods.'),
          scaleDown: scalingRules.describe('How fast to remove pods.'),
        })
        .optional()
        .describe('HPA scaling behavior; unset keeps the Kubernetes defaults.'),
    })
    .prefault({})
    .refine((a) => a.minReplicas <= a.maxReplicas, {
      message: 'minReplicas must not exceed maxReplicas',
      path: ['maxReplicas'],
    });
}

const intOrPercent = z.union([
  z.int().min(0),
  z.string().regex(/^\d+%$/, 'a whole number or a percentage such as 50%'),
]);

/** `podDisruptionBudget.*`: on by default for components that run more than one replica. */
export const podDisruptionBudgetSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .optional()
      .describe(
        'Create a PodDisruptionBudget. Unset: created whenever the component runs more than one replica.',
      ),
    minAvailable: intOrPercent.optional().describe('Pods that must stay up during voluntary disruptions.'),
    maxUnavailable: intOrPercent
      .optional()
      .describe('Pods that may be down during voluntary disruptions (default 1 when neither is set).'),
  })
  .prefault({})
  .refine((p) => p.minAvailable === undefined || p.maxUnavailable === undefined, {
    message: 'set minAvailable or maxUnavailable, not both',
    path: ['maxUnavailable'],
  });

/** `verticalAutoscaling.*`: a VerticalPodAutoscaler (needs the VPA components installed). */
export function verticalAutoscalingSchema() {
  const amounts = (what: string) =>
    z
      .strictObject({
        cpu: quantity.optional().describe(`${what} CPU, e.g. 100m.`),
        memory: quantity.optional().describe(`${what} memory, e.g. 128Mi.`),
      })
      .prefault({});
  return z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe('Create a VerticalPodAutoscaler; do not combine with an HPA on CPU/memory in Auto mode.'),
      updateMode: z
        .enum(['Off', 'Initial', 'Recreate', 'InPlaceOrRecreate', 'Auto'])
        .default('Off')
        .describe(
          'Off only recommends; Initial sets requests at pod creation; Recreate/Auto evict pods to resize.',
        ),
      controlledResources: z
        .array(z.enum(['cpu', 'memory']))
        .min(1)
        .default(['cpu', 'memory'])
        .describe('Resources the VPA manages.'),
      minAllowed: amounts('Lowest recommended').describe('Lower bound of recommendations.'),
      maxAllowed: amounts('Highest recommended').describe('Upper bound of recommendations.'),
    })
    .prefault({});
}

export type VerticalAutoscalingValues = z.output<ReturnType<typeof verticalAutoscalingSchema>>;
export type AutoscalingValues = z.output<ReturnType<typeof autoscalingSchema>>;
export type PodDisruptionBudgetValues = z.output<typeof podDisruptionBudgetSchema>;
