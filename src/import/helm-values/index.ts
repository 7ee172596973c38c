/** `berth import helm-values <bp> values.yaml`: a chart's values file as berth values, with a report. */
import { getBlueprint } from '../../blueprints/registry.ts';
import { BerthError } from '../../errors.ts';
import { readValuesFile } from '../../values/sources.ts';
import { validateValues } from '../../values/validate.ts';
import { csghubRules } from './csghub.ts';
import { difyRules } from './dify.ts';
import { type ImportReport, importByRules, type Rule } from './engine.ts';
import { langfuseRules } from './langfuse.ts';
import { swanlabRules } from './swanlab.ts';

/** The chart each blueprint imports from. */
export const CHARTS: Readonly<Record<string, { readonly chart: string; readonly rules: readonly Rule[] }>> = {
  swanlab: { chart: 'SwanHubX/charts self-hosted', rules: swanlabRules },
  langfuse: { chart: 'langfuse/langfuse-k8s langfuse', rules: langfuseRules },
  dify: { chart: 'BorisPolonsky/dify-helm dify', rules: difyRules },
  csghub: { chart: 'OpenCSGs/csghub-installer csghub', rules: csghubRules },
};

export interface HelmValuesImport {
  readonly blueprint: string;
  readonly chart: string;
  readonly values: Record<string, unknown>;
  readonly report: ImportReport;
}

export async function importHelmValues(blueprintName: string, file: string): Promise<HelmValuesImport> {
  const chart = CHARTS[blueprintName];
  if (!chart) {
    throw new BerthError(
      'BERTH_IMPORT',
      `import helm-values: no chart mapping for blueprint ${blueprintName}; known: ${Object.keys(CHARTS).join(', ')}`,
    );
  }
  const blueprint = await getBlueprint(blueprintName);
  const input = readValuesFile(file);
  const { values, report } = importByRules(blueprint.schema, chart.rules, input);
  validateValues(blueprint.schema, values);
  return { blueprint: blueprintName, chart: chart.chart, values, report };
}
