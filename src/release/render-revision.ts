/**
 * How install, upgrade, plan and the no-op check render a revision: generated Secrets keep their
 * stored values unless rotated, and a release taken over from Helm renders the user's values over
 * the layer its adoption derived from the chart install (recorded with every revision).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Blueprint } from '../blueprints/blueprint.ts';
import { BerthError } from '../errors.ts';
import type { ClusterApi } from '../kube/cluster-api.ts';
import { render } from '../render/render.ts';
import { mergeValues } from '../values/merge.ts';
import type { ReleaseTarget } from './engine.ts';
import type { AdoptedLayer } from './record.ts';
import { keptSecretValues, type StoredSecrets } from './secrets.ts';

export interface RenderRequest {
  readonly blueprint: Blueprint;
  readonly values: Record<string, unknown>;
  readonly rotateSecrets: readonly string[];
  /** Credentials a release already runs with (an adopted install's), kept like generated ones. */
  readonly keptSecrets?: StoredSecrets | undefined;
}

/**
 * The user's values over an adopted release's layer. Patches add up: the layer's keep the chart's
 * immutable fields and data paths, the user's come after them — except the layer's own again (a
 * values file an earlier berth wrote at adoption carries them), which would apply twice.
 */
export function overAdopted(
  adopted: AdoptedLayer | undefined,
  values: Record<string, unknown>,
): Record<string, unknown> {
  if (!adopted) return values;
  const merged = mergeValues(adopted.values, values);
  const layer = asList(adopted.values.patches);
  const own = asList(values.patches).filter((patch) => !layer.some((p) => isDeepStrictEqual(p, patch)));
  const patches = [...layer, ...own];
  return patches.length ? { ...merged, patches } : merged;
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * An upgrade keeps the release's blueprint: another one would prune every object of the running
 * platform and leave its data volumes to a platform that cannot read them. Helm lets a release
 * switch charts silently; a typo in a pipeline should not do that here.
 */
export function checkSameBlueprint(
  release: string,
  deployed: { readonly blueprint: { readonly name: string } } | undefined,
  blueprint: Pick<Blueprint, 'name'>,
): void {
  if (!deployed || deployed.blueprint.name === blueprint.name) return;
  throw new BerthError(
    'BERTH_BLUEPRINT_CHANGED',
    `release ${release} runs blueprint ${deployed.blueprint.name}; upgrading it with ${blueprint.name} would replace every object of it`,
    {
      hint: `berth upgrade ${release} ${deployed.blueprint.name} …; to move to ${blueprint.name}, berth uninstall ${release} (data volumes are kept) and berth install`,
    },
  );
}

export function renderRevision(
  target: Pick<ReleaseTarget<ClusterApi>, 'release' | 'namespace'>,
  request: RenderRequest,
  stored: StoredSecrets,
  adopted?: AdoptedLayer,
) {
  return render(request.blueprint, overAdopted(adopted, request.values), {
    release: target.release,
    namespace: target.namespace,
    secretValues: keptSecretValues(
      request.keptSecrets ? new Map([...request.keptSecrets, ...stored]) : stored,
      request.rotateSecrets.map((name) =>
        name.startsWith(`${target.release}-`) ? name : `${target.release}-${name}`,
      ),
    ),
  });
}
