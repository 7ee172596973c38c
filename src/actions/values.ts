/**
 * values: the effective values of a blueprint with the user's -f/--set, or of a deployed release's
 * revision, each leaf with the layer it came from. Credentials are redacted.
 */
import type { Blueprint } from '../blueprints/blueprint.ts';
import { getBlueprint } from '../blueprints/registry.ts';
import { BerthError } from '../errors.ts';
import {
  adoptedOrigins,
  type EffectiveValues,
  effectiveValues,
  recordedOrigins,
  traceUserValues,
} from '../inspect/values.ts';
import type { ClusterApi } from '../kube/cluster-api.ts';
import type { ReleaseTarget } from '../release/engine.ts';
import { overAdopted } from '../release/render-revision.ts';
import { ReleaseStore } from '../release/store.ts';
import type { ValueSources } from '../values/sources.ts';
import { connectRelease } from './cluster.ts';
import type { ReleaseAt } from './deploy.ts';

export interface ValuesView {
  readonly blueprint: Blueprint;
  readonly effective: EffectiveValues;
  readonly release?: { readonly name: string; readonly namespace: string; readonly revision: number };
  /** Said when the defaults shown are not those of the version the revision was deployed with. */
  readonly notes: readonly string[];
}

export async function blueprintValues(name: string, sources: ValueSources): Promise<ValuesView> {
  const blueprint = await getBlueprint(name);
  const { values, origins } = traceUserValues(sources);
  return { blueprint, effective: effectiveValues(blueprint.schema, values, origins), notes: [] };
}

export function releaseValues(request: ReleaseAt & { readonly revision?: number }): Promise<ValuesView> {
  return revisionValues(connectRelease(request.release, request.cluster), request.revision);
}

/** The values of a connected release's deployed revision, or of revision `wanted`. */
export async function revisionValues(
  target: ReleaseTarget<ClusterApi>,
  wanted: number | undefined,
): Promise<ValuesView> {
  const { client, namespace, release } = target;
  const store = new ReleaseStore(client);
  const summary = (await store.summaries(namespace, release)).find((s) =>
    wanted === undefined ? s.status === 'deployed' : s.revision === wanted,
  );
  const record = summary && (await store.load(namespace, release, summary.revision));
  if (!record)
    throw new BerthError(
      'BERTH_RELEASE_NOT_FOUND',
      `release ${release} has no ${wanted === undefined ? 'deployed revision' : `revision ${wanted}`} in namespace ${namespace}`,
      { hint: `berth history ${release} lists its revisions` },
    );
  const blueprint = await getBlueprint(record.blueprint.name);
  const notes =
    blueprint.version === record.blueprint.version
      ? []
      : [
          `revision ${record.revision} was deployed with ${record.blueprint.name} ${record.blueprint.version}; defaults shown are those of ${blueprint.version}`,
        ];
  const values = overAdopted(record.adopted, record.values);
  const origins = record.adopted
    ? adoptedOrigins(values, record.values, record.revision, record.adopted)
    : recordedOrigins(record.values, record.revision);
  return {
    blueprint,
    effective: effectiveValues(blueprint.schema, values, origins),
    release: { name: release, namespace, revision: record.revision },
    notes,
  };
}
