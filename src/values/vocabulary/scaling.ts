import { z } from 'zod';

export interface AutoscalingDefaults {
  readonly minReplicas?: number;
  readonly maxReplicas?: number;
  readonly targetCPUUtilizationPercentage?: number;
}

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

export type AutoscalingValues = z.output<ReturnType<typeof autoscalingSchema>>;
export type PodDisruptionBudgetValues = z.output<typeof podDisruptionBudgetSchema>;
