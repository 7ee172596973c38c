/**
 * What install, upgrade and rollback share: the settings a front end passes, the checks before
 * connecting, the readiness waiter and the preflight gate, then the engine.
 */
import type { Blueprint } from '../blueprints/blueprint.ts';
import type { ClusterApi } from '../kube/cluster-api.ts';
import { KubeApiError } from '../kube/errors.ts';
import type { FollowObject } from '../kube/wait.ts';
import { checkSavedPlan, type SavedPlan } from '../plan/saved.ts';
import type { PreflightClient } from '../preflight/model.ts';
import {
  type DataGuard,
  type DeployOptions,
  type DeployRequest,
  deploy,
  type ReleaseResult,
  type ReleaseTarget,
} from '../release/engine.ts';
import { type ProgressListener, silent } from '../release/progress.ts';
import { readinessWaiter } from '../release/waiter.ts';
import { type ClusterTarget, checkOffline, connectRelease } from './cluster.ts';
import { preflightGate } from './preflight.ts';

/** The engine's options a front end chooses; the action adds the waiter, the gate and the events. */
export interface DeploySettings
  extends Omit<DeployOptions, 'waiter' | 'progress' | 'preflight' | 'dataGuard'> {
  /** Run the preflight checks before install/upgrade write anything. */
  readonly preflight: boolean;
}

/** Where an action reports progress; front ends print it, stream it, or drop it. */
export interface ActionEvents {
  readonly progress?: ProgressListener | undefined;
}

export interface ReleaseAt {
  readonly cluster: ClusterTarget;
  readonly release: string;
}

/** A blueprint with the user's values, as install, upgrade and plan take it. */
export interface BlueprintValues {
  readonly blueprint: Blueprint;
  readonly values: Record<string, unknown>;
  /** Generated Secrets to draw new values for. */
  readonly rotateSecrets?: readonly string[] | undefined;
}

/** Backups before upgrades and restores on rollbacks across a platform version change (src/backup). */
function dataGuard(target: ReleaseTarget): DataGuard {
  return async ({ store, request, kind, deployed, planned, ...options }) => {
    const { upgradeGuard, rollbackGuard } = await import('../backup/guard.ts');
    if (kind === 'upgrade') return { backup: await upgradeGuard(target, deployed, planned, options) };
    if (request.kind === 'rollback' && planned.rollbackOf !== undefined)
      return {
        afterApply: await rollbackGuard(
          target,
          store,
          deployed,
          planned.rollbackOf,
          request.restore ?? false,
          options,
        ),
      };
    return {};
  };
}

export async function runDeploy(
  at: ReleaseAt,
  request: DeployRequest,
  settings: DeploySettings,
  events: ActionEvents,
  saved?: SavedPlan,
): Promise<ReleaseResult> {
  if (request.kind !== 'rollback') {
    await checkOffline(request.blueprint, request.values, {
      release: at.release,
      namespace: at.cluster.namespace,
    });
  }
  return deployTo(connectRelease(at.release, at.cluster), request, settings, events, saved);
}

/** What the releases of one run share (berth apply, src/fleet): reads made once instead of per release. */
export interface SharedReads {
  /** The preflight's reads of cluster-wide facts. */
  readonly clusterFacts: PreflightClient;
  /** The engine's reads of single objects, and readiness, from one watch per kind and namespace. */
  readonly live: { readonly client: ClusterApi; readonly follow: FollowObject };
}

/**
 * A refusal of the API server (403) names one permission; preflight lists every one an install
 * needs, so the hint points there instead of leaving the user to find them one run at a time.
 */
export function withPermissionsHint(error: unknown, namespace: string, request: DeployRequest): unknown {
  if (!(error instanceof KubeApiError) || error.status !== 403 || request.kind === 'rollback') return error;
  return error.withHint(
    `berth preflight ${request.blueprint.name} -n ${namespace} lists every permission the ${request.kind} needs`,
  );
}

/** The engine on a connected release: the preflight gate, the data guard, the waiter, the events. */
export function deployTo(
  target: ReleaseTarget,
  request: DeployRequest,
  settings: DeploySettings,
  events: ActionEvents,
  saved?: SavedPlan,
  shared?: SharedReads,
): Promise<ReleaseResult> {
  if (saved && request.kind !== 'rollback')
    checkSavedPlan(saved, { ...request, release: target.release, namespace: target.namespace });
  const { preflight, ...rest } = settings;
  const engineTarget = shared ? { ...target, client: shared.live.client } : target;
  return deploy(engineTarget, request, {
    ...rest,
    ...(preflight ? { preflight: (input) => preflightGate(target, input, shared?.clusterFacts) } : {}),
    dataGuard: dataGuard(target),
    pinned: saved?.pin,
    waiter: readinessWaiter(target.client, undefined, shared?.live.follow),
    progress: events.progress ?? silent,
  }).catch((error: unknown) => {
    throw withPermissionsHint(error, target.namespace, request);
  });
}
