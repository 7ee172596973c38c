/**
 * `berth apply`: every release of a fleet file installed or upgraded, at most `concurrency` at a
 * time. One release failing does not stop the others; each reports.
 */
import { getBlueprint } from '../blueprints/registry.ts';
import { BerthError } from '../errors.ts';
import type { DeployRequest, ReleaseResult } from '../release/engine.ts';
import { collectUserValues } from '../values/sources.ts';
import type { FleetRelease } from './file.ts';

export type FleetOutcome =
  | { readonly release: string; readonly namespace: string; readonly result: ReleaseResult }
  | { readonly release: string; readonly namespace: string; readonly error: string };

/** Runs `work` on every item, never more than `limit` at once; results in the items' order. */
export async function inPool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A fleet entry as the engine takes it: an upgrade that installs a release not there yet. */
async function fleetRequest(entry: FleetRelease): Promise<DeployRequest> {
  const blueprint = await getBlueprint(entry.blueprint);
  const values = collectUserValues({
    files: [...entry.values],
    flags: entry.set.map((expression) => ({ kind: 'set' as const, expression })),
  });
  return { kind: 'upgrade', blueprint, values, rotateSecrets: [], installIfMissing: true };
}

export function applyFleet(
  releases: readonly FleetRelease[],
  options: {
    readonly concurrency: number;
    readonly deploy: (entry: FleetRelease, request: DeployRequest) => Promise<ReleaseResult>;
    readonly done?: ((outcome: FleetOutcome) => void) | undefined;
  },
): Promise<FleetOutcome[]> {
  return inPool(releases, options.concurrency, async (entry) => {
    let outcome: FleetOutcome;
    try {
      const result = await options.deploy(entry, await fleetRequest(entry));
      outcome = { release: entry.name, namespace: entry.namespace, result };
    } catch (error) {
      if (!(error instanceof BerthError)) throw error; // a bug in berth, not this release's failure
      outcome = { release: entry.name, namespace: entry.namespace, error: error.message };
    }
    options.done?.(outcome);
    return outcome;
  });
}
