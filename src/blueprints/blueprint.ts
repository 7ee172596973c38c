import type { z } from 'zod';
import type { BlueprintIdentity, CommonValues, RenderContext } from '../render/context.ts';
import type { PlatformSpec } from '../render/model.ts';

/**
 * A platform description: typed values and a function from those values to components and
 * dependencies. Blueprints say *what* runs; `render/` decides how it runs safely.
 */
export interface Blueprint<Schema extends z.ZodType<CommonValues> = z.ZodType<CommonValues>>
  extends BlueprintIdentity {
  readonly description: string;
  readonly home: string;
  /** Kubernetes versions the platform supports, as a semver range. */
  readonly kubeVersion: string;
  readonly schema: Schema;
  build(values: z.output<Schema>, ctx: RenderContext): PlatformSpec;
}

export function defineBlueprint<Schema extends z.ZodType<CommonValues>>(
  blueprint: Blueprint<Schema>,
): Blueprint<Schema> {
  return blueprint;
}
