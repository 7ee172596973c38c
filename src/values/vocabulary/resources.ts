import { z } from 'zod';
import { parseQuantity } from '../quantity.ts';
import { quantity } from './primitives.ts';

export interface ResourceDefaults {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu?: string; readonly memory: string };
}

function amounts(defaults: { readonly cpu?: string; readonly memory: string }) {
  return z
    .strictObject({
      cpu: (defaults.cpu === undefined ? quantity.optional() : quantity.default(defaults.cpu)).describe(
        'CPU, e.g. 500m or 2.',
      ),
      memory: quantity.default(defaults.memory).describe('Memory, e.g. 512Mi or 2Gi.'),
    })
    .prefault({});
}

/** `resources.{requests,limits}.{cpu,memory}`; every container gets requests and a memory limit by default. */
export function resourcesSchema(defaults: ResourceDefaults) {
  return z
    .strictObject({
      requests: amounts(defaults.requests).describe('What the scheduler reserves for each pod.'),
      limits: amounts(defaults.limits).describe(
        'Upper bounds for each pod. A CPU limit is left unset unless given.',
      ),
    })
    .prefault({})
    .superRefine((resources, context) => {
      // The API server refuses a pod whose request is above its limit.
      for (const resource of ['cpu', 'memory'] as const) {
        const request = resources.requests[resource];
        const limit = resources.limits[resource];
        if (
          request !== undefined &&
          limit !== undefined &&
          (parseQuantity(request) ?? 0) > (parseQuantity(limit) ?? Number.POSITIVE_INFINITY)
        ) {
          context.addIssue({
            code: 'custom',
            path: ['requests', resource],
            message: `the request ${request} is above the limit ${limit} (limits.${resource})`,
          });
        }
      }
    });
}

export type ResourceValues = z.output<ReturnType<typeof resourcesSchema>>;
