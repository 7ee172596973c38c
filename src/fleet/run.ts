/**
 * `berth apply`: every release of a fleet file installed or upgraded, at most `concurrency` at a
 * time. One release failing does not stop the others; each reports.
 */
import { getBlueprint } from '../blueprints/registry.ts';
import { BerthError, MAX_PROBLEM_LINES } from '../errors.ts';
import type { DeployRequest, ReleaseResult } from '../release/engine.ts';
import { collectUserValues } from '../values/sources.ts';
import type { FleetRelease } from './file.ts';

export type FleetOutcome =
  | { readonly release: string; readonly namespace: string; readonly result: ReleaseResult }
  | {
      readonly release: string;
      readonly namespace: string;
      readonly error: string;
      /** What --atomic did about the failure. */
      readonly recovery?: string;
    };

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
async function fleetRequest(entry: FleetRelease): Promise<DeployRequest & { kind: 'upgrade' }> {
  const blueprint = await getBlueprint(entry.blueprint);
  const values = collectUserValues({
    files: [...entry.values],
    flags: entry.set.map((expression) => ({ kind: 'set' as const, expression })),
  });
  return { kind: 'upgrade', blueprint, values, rotateSecrets: [], installIfMissing: true };
}

/** A fleet entry with its blueprint loaded and its values read and checked. */
export interface PreparedRelease {
  readonly entry: FleetRelease;
  readonly request: DeployRequest;
}

/**
 * Every release's blueprint, values files and --set read, and each checked by `check` (a full
 * offline render), before the first release touches the cluster: one bad entry stops the whole
 * run with every bad entry named, instead of failing halfway after the others were applied.
 */
export async function prepareFleet(
  file: string,
  releases: readonly FleetRelease[],
  check: (entry: FleetRelease, request: DeployRequest & { kind: 'upgrade' }) => Promise<void>,
): Promise<PreparedRelease[]> {
  const prepared: PreparedRelease[] = [];
  const problems: string[] = [];
  for (const [i, entry] of releases.entries()) {
    try {
      const request = await fleetRequest(entry);
      await check(entry, request);
      prepared.push({ entry, request });
    } catch (error) {
      if (!(error instanceof BerthError)) throw error;
      const where = `fleet file ${file}: releases[${i}] (${entry.namespace}/${entry.name})`;
      problems.push(...error.message.split('\n').map((line) => `${where}: ${line}`));
    }
  }
  if (problems.length === 0) return prepared;
  const shown = problems.slice(0, MAX_PROBLEM_LINES);
  if (problems.length > MAX_PROBLEM_LINES)
    shown.push(`fleet file ${file}: ${problems.length - MAX_PROBLEM_LINES} more problems not shown`);
  throw new BerthError('BERTH_FLEET_INVALID', shown.join('\n'), {
    hint: 'nothing was applied; berth render <blueprint> -f … shows one release on its own',
  });
}

export function applyFleet(
  releases: readonly PreparedRelease[],
  options: {
    readonly concurrency: number;
    readonly deploy: (entry: FleetRelease, request: DeployRequest) => Promise<ReleaseResult>;
    readonly done?: ((outcome: FleetOutcome) => void) | undefined;
  },
): Promise<FleetOutcome[]> {
  return inPool(releases, options.concurrency, async ({ entry, request }) => {
    let outcome: FleetOutcome;
    try {
      const result = await options.deploy(entry, request);
      outcome = { release: entry.name, namespace: entry.namespace, result };
    } catch (error) {
      if (!(error instanceof BerthError)) throw error; // a bug in berth, not this release's failure
      outcome = {
        release: entry.name,
        namespace: entry.namespace,
        error: error.message,
        ...(error.recovery ? { recovery: error.recovery } : {}),
      };
    }
    options.done?.(outcome);
    return outcome;
  });
}
