/**
 * What a blueprint needs in the cluster beyond what it renders. Read generically: a blueprint
 * module may export `requiredCrds` (full CRD names, e.g. `services.serving.knative.dev`).
 */
import type { Blueprint } from '../blueprints/blueprint.ts';

export interface Prerequisites {
  readonly crds?: readonly string[];
}

const BLUEPRINTS = new URL('../blueprints/', import.meta.url);

function isStringArray(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** The prerequisites a blueprint's module exports; none when it exports nothing (or is not a bundled blueprint). */
export async function blueprintPrerequisites(blueprint: Pick<Blueprint, 'name'>): Promise<Prerequisites> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(blueprint.name)) return {};
  let module: Record<string, unknown>;
  try {
    module = (await import(new URL(`${blueprint.name}/blueprint.ts`, BLUEPRINTS).href)) as Record<
      string,
      unknown
    >;
  } catch {
    return {};
  }
  return isStringArray(module.requiredCrds) ? { crds: module.requiredCrds } : {};
}
