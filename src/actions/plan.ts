/** plan: what an upgrade (or install) of these values would change, against the live cluster. */
import { type Plan, planUpgrade } from '../plan/plan.ts';
import { checkOffline, connectRelease } from './cluster.ts';
import type { BlueprintValues, ReleaseAt } from './deploy.ts';

export interface PlanRequest extends ReleaseAt, BlueprintValues {}

export async function plan(request: PlanRequest): Promise<Plan> {
  const { blueprint, values, rotateSecrets = [], release, cluster } = request;
  await checkOffline(blueprint, values, { release, namespace: cluster.namespace });
  return planUpgrade(connectRelease(release, cluster), { blueprint, values, rotateSecrets });
}
