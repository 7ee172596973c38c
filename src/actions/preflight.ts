/** preflight: will the cluster take this install? Offline: what the install needs, as a checklist. */
import type { Blueprint } from '../blueprints/blueprint.ts';
import { BerthError, ExitCode } from '../errors.ts';
import type { PreflightClient, PreflightReport, Requirements } from '../preflight/model.ts';
import { preflightInput, preflightRequirements, runPreflight } from '../preflight/run.ts';
import type { GateInput, ReleaseTarget } from '../release/engine.ts';
import { type ClusterTarget, checkOffline, connect } from './cluster.ts';

export interface PreflightRequest {
  readonly cluster: ClusterTarget;
  readonly blueprint: Blueprint;
  readonly values: Record<string, unknown>;
  /** Default: the blueprint name. */
  readonly release?: string | undefined;
}

/** The checks against the live cluster. */
export async function preflight(request: PreflightRequest): Promise<PreflightReport> {
  const { blueprint, values, cluster } = request;
  const release = request.release ?? blueprint.name;
  await checkOffline(blueprint, values, { release, namespace: cluster.namespace });
  const { client, namespace } = connect(cluster);
  return runPreflight({ client, ...(await preflightInput(blueprint, values, { release, namespace })) });
}

/** What the install needs from a cluster, derived offline (namespace default: `default`). */
export async function preflightChecklist(
  request: PreflightRequest,
): Promise<Requirements & { readonly release: string }> {
  const { blueprint, values, cluster } = request;
  const release = request.release ?? blueprint.name;
  await checkOffline(blueprint, values, { release, namespace: cluster.namespace });
  const namespace = cluster.namespace ?? 'default';
  const requirements = await preflightRequirements(
    await preflightInput(blueprint, values, { release, namespace }),
  );
  return { ...requirements, release };
}

/**
 * The gate install and upgrade pass through before their first write: a failed check stops them.
 * `reads`: where the checks read the cluster (a fleet run shares its cluster facts).
 */
export async function preflightGate(
  target: ReleaseTarget,
  input: GateInput,
  reads: PreflightClient = target.client,
): Promise<void> {
  const { blueprint, values, manifests, progress } = input;
  const report = await runPreflight({
    client: reads,
    blueprint,
    values,
    manifests,
    namespace: target.namespace,
    release: target.release,
  });
  for (const check of report.checks.filter((c) => c.outcome === 'warn')) {
    progress({ type: 'info', message: `preflight warning: ${check.message}` });
  }
  const failed = report.checks.filter((c) => c.outcome === 'fail');
  if (failed.length === 0) return;
  throw new BerthError(
    'BERTH_PREFLIGHT_FAILED',
    [
      'preflight failed; nothing was changed:',
      ...failed.flatMap((c) => [
        `  ${c.title}: ${c.message}`,
        ...(c.details ?? []).map((detail) => `    ${detail}`),
        ...(c.hint ? [`    fix: ${c.hint}`] : []),
      ]),
    ].join('\n'),
    {
      exitCode: ExitCode.runtime,
      hint: 'fix the cluster or the values, or pass --skip-preflight to install anyway',
    },
  );
}
