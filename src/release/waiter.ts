import type { KubeClient } from '../kube/client.ts';
import { type FollowObject, waitForReady } from '../kube/wait.ts';
import type { ReadinessWaiter } from './apply.ts';

/**
 * Stages wait on the real readiness rules (watches). Pods stuck in ImagePullBackOff or
 * CrashLoopBackOff for two minutes fail the rollout instead of waiting out the whole time-out.
 * `follow`: how objects are watched (default: a watch each; a fleet run shares them).
 */
export function readinessWaiter(
  client: KubeClient,
  failingGraceMs = 120_000,
  follow?: FollowObject,
): ReadinessWaiter {
  return async (objects, options) => {
    await waitForReady(client, objects, {
      timeoutMs: Math.max(1000, options.deadline - Date.now()),
      failingGraceMs,
      follow,
      onProgress: (p) => options.onUpdate({ ref: p.object, message: p.message, done: p.done, ok: p.ok }),
    });
  };
}
