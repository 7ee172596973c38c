/**
 * What a blueprint needs in the cluster beyond what it renders. Read generically: a blueprint
 * module may export `requiredCrds` (full CRD names, e.g. `services.serving.knative.dev`).
 */
import type { Blueprint } from '../blueprints/blueprint.ts';
import { blueprintModule } from '../blueprints/registry.ts';

export interface Prerequisites {
  readonly crds?: readonly string[];
}

function isStringArray(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** The prerequisites a blueprint's module exports; none when it exports nothing (or is not a bundled blueprint). */
export async function blueprintPrerequisites(blueprint: Pick<Blueprint, 'name'>): Promise<Prerequisites> {
  const module = await blueprintModule(blueprint.name);
  return isStringArray(module?.requiredCrds) ? { crds: module.requiredCrds } : {};
}
