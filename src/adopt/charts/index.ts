/**
 * The charts `berth adopt helm` recognises, and for each how its running install maps onto the
 * blueprint: which chart workload holds each bundled store's data (and where on its volume), which
 * credentials the applications were started with, and what berth must render differently to read
 * that data where the chart left it. One file per chart; facts about it are cited from its templates.
 */
import { BerthError } from '../../errors.ts';
import type { HelmRelease } from '../helm-record.ts';
import { csghubV1_2 } from './csghub.ts';
import { difyCommunity } from './dify.ts';
import { langfuseV1 } from './langfuse.ts';
import type { ChartProfile } from './profile.ts';
import { swanlabSelfHosted } from './swanlab.ts';

export type { AdoptedStore, ChartLayout, ChartObjects, ChartProfile } from './profile.ts';

export const CHART_PROFILES: readonly ChartProfile[] = [
  langfuseV1,
  swanlabSelfHosted,
  difyCommunity,
  csghubV1_2,
];

/** The profile for this blueprint and chart, or a one-line reason berth will not adopt it. */
export function recognise(blueprint: string, helm: HelmRelease): ChartProfile {
  const chart = `${helm.chart.name} ${helm.chart.version}`;
  const known = CHART_PROFILES.filter((p) => p.blueprint === blueprint);
  if (known.length === 0) {
    const supported = CHART_PROFILES.map((p) => `${p.blueprint} (chart ${p.chart} ${p.versions})`).join(', ');
    throw new BerthError(
      'BERTH_ADOPT_CHART',
      `cannot adopt Helm release ${helm.name} into ${blueprint}: berth has no adoption profile for ${blueprint}; it adopts ${supported}`,
      {
        hint: `berth import helm-values ${blueprint} maps the values; install berth next to it and move the data`,
      },
    );
  }
  const profile = known.find((p) => p.chart === helm.chart.name && p.accepts(helm.chart.version));
  if (!profile) {
    throw new BerthError(
      'BERTH_ADOPT_CHART',
      `cannot adopt Helm release ${helm.name}: chart ${chart} is not one berth recognises for ${blueprint} (${known.map((p) => `${p.chart} ${p.versions}`).join(', ')}); its object names, volumes and passwords are unknown to berth`,
    );
  }
  return profile;
}
