/** export: a rendered release as a Helm chart or a GitOps folder; returns the files by path. */
import type { Blueprint } from '../blueprints/blueprint.ts';
import { type GitopsOptions, gitopsFolder } from '../export/gitops.ts';
import { helmChart } from '../export/helm.ts';
import { schema } from './schema.ts';

export interface ExportRequest {
  readonly blueprint: Blueprint;
  readonly values: Record<string, unknown>;
}

export function exportHelm(request: ExportRequest): Promise<Map<string, string>> {
  return helmChart(request.blueprint, request.values, { jsonSchema: schema(request.blueprint) });
}

export function exportGitops(
  request: ExportRequest & { readonly options: GitopsOptions },
): Promise<Map<string, string>> {
  return gitopsFolder(request.blueprint, request.values, request.options);
}
