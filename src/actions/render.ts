/** render: a blueprint's Kubernetes objects, offline (like helm template). */
import type { Blueprint } from '../blueprints/blueprint.ts';
import { checkNamespace } from '../names.ts';
import { type RenderResult, render as renderObjects } from '../render/render.ts';

export interface OfflineRequest {
  readonly blueprint: Blueprint;
  readonly values: Record<string, unknown>;
  readonly namespace: string;
  /** Default: the blueprint name. */
  readonly release?: string | undefined;
}

export function render(request: OfflineRequest): Promise<RenderResult> {
  const { blueprint, values, release = blueprint.name } = request;
  return renderObjects(blueprint, values, { release, namespace: checkNamespace(request.namespace) });
}
