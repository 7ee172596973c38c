import { z } from 'zod';
import { type ImageDefaults, imageSchema } from './image.ts';
import { openObject, stringMap } from './primitives.ts';
import { type ResourceDefaults, resourcesSchema } from './resources.ts';
import { type AutoscalingDefaults, autoscalingSchema, podDisruptionBudgetSchema } from './scaling.ts';

const envVar = z
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

const intOrPercent = z.union([z.int().min(0), z.string().regex(/^\d+%$/, 'a percentage like 25%')]);

/** `strategy` as in a Deployment: how pods are replaced on a rollout. */
export const strategySchema = z
  .strictObject({
    type: z.enum(['RollingUpdate', 'Recreate']).optional(),
    rollingUpdate: z
      .strictObject({ maxSurge: intOrPercent.optional(), maxUnavailable: intOrPercent.optional() })
      .optional(),
  })
  .optional()
  .describe(
    'Rollout strategy (Deployment `strategy`); unset: RollingUpdate with maxSurge 1, maxUnavailable 0, or Recreate for singletons and ReadWriteOnce volumes.',
  );

/** Where a component's pods may run, and how they are tagged: shared by components and dependencies. */
export const schedulingFields = {
  customLabels: stringMap.default({}).describe('Extra labels on the pods (and their controller).'),
  customAnnotations: stringMap.default({}).describe('Extra annotations on the pods.'),
  customTolerations: z
    .array(openObject)
    .default([])
    .describe('Tolerations of the pods (Kubernetes Toleration objects).'),
  customNodeSelector: stringMap.default({}).describe('Node selector of the pods.'),
};

export interface ServiceDefaults {
  readonly replicas: number;
  readonly image: ImageDefaults;
  readonly resources: ResourceDefaults;
  readonly autoscaling?: AutoscalingDefaults;
}

/** `services.<component>.*`: the knobs every application component offers. */
export function serviceSchema(defaults: ServiceDefaults) {
  return z
    .strictObject({
      replicas: z
        .int()
        .min(0)
        .default(defaults.replicas)
        .describe('Number of pods (the starting point when autoscaling is on).'),
      image: imageSchema(defaults.image).describe('Container image.'),
      resources: resourcesSchema(defaults.resources).describe('CPU and memory requests and limits.'),
      extraEnv: z
        .array(envVar)
        .superRefine(refuseDuplicateNames)
        .default([])
        .describe('Extra environment variables (Kubernetes EnvVar entries), e.g. AUTH_DISABLE_SIGNUP.'),
      autoscaling: autoscalingSchema(defaults.autoscaling).describe('Horizontal pod autoscaling.'),
      podDisruptionBudget: podDisruptionBudgetSchema.describe('Disruption budget.'),
      strategy: strategySchema,
      minReadySeconds: z
        .int()
        .min(0)
        .optional()
        .describe('Seconds a new pod must be ready before it counts as available (5 when replicated).'),
      ...schedulingFields,
    })
    .prefault({});
}

export type ServiceValues = z.output<ReturnType<typeof serviceSchema>>;
export type EnvVarValues = z.output<typeof envVar>;
