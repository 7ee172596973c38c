import { z } from 'zod';
import { openObject } from './primitives.ts';

/** `extraObjects`: Kubernetes objects added to the release as written (labels and namespace filled in). */
export const extraObjectsSchema = z
  .array(
    z.looseObject({
      apiVersion: z.string().min(1),
      kind: z.string().min(1),
      metadata: z.looseObject({ name: z.string().min(1) }),
    }),
  )
  .default([])
  .describe(
    'Objects added to the release (e.g. a ConfigMap with a CA bundle); validated against the OpenAPI schema and checked by the wiring verifier like the rest.',
  );

const jsonPatchOperation = z.looseObject({
  op: z.enum(['add', 'remove', 'replace', 'move', 'copy', 'test']),
  path: z.string(),
});

/** `patches`: the last resort, applied to the rendered objects before validation and the verifier. */
export const patchesSchema = z
  .array(
    z.strictObject({
      target: z
        .strictObject({
          kind: z.string().min(1).describe('Kind of the rendered object, e.g. Deployment.'),
          name: z.string().min(1).describe('Its name as berth renders it, e.g. langfuse-web.'),
        })
        .describe('The rendered object to patch.'),
      patch: z
        .union([openObject, z.array(jsonPatchOperation)])
        .describe('A strategic-merge patch (a map) or a JSON 6902 patch (a list of operations).'),
    }),
  )
  .default([])
  .describe(
    'Patches of rendered objects by kind and name: strategic merge (containers, env, volumes by name; ports by number) or JSON 6902. Applied after rendering, then validated, checked by the policy and the wiring verifier.',
  );

export type PatchValues = z.output<typeof patchesSchema>[number];
