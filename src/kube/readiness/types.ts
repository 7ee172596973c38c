/**
 * The readiness vocabulary: every rule maps a live object to `{done, ok, message}` with a message
 * a person can act on ("2/3 pods ready", "Job failed: BackoffLimitExceeded (3 retries)").
 */
import type { LiveObject } from '../types.ts';

export interface Readiness {
  /** Nothing more will happen without outside help: either ready or failed for good. */
  readonly done: boolean;
  /** Ready (meaningful once done). */
  readonly ok: boolean;
  readonly message: string;
  /**
   * Not done, but in a state that rarely heals by itself (ImagePullBackOff, CrashLoopBackOff,
   * Unschedulable, quota errors). The rule only reports it; the waiter decides when to give up.
   */
  readonly failing?: boolean;
}

/** What a rule cannot see on the object itself. */
export interface ReadinessContext {
  /** Wait until a LoadBalancer Service has an ingress address. @default false */
  readonly waitForLoadBalancer?: boolean;
  /** StorageClasses with `volumeBindingMode: WaitForFirstConsumer`: their Pending claims count as ready. */
  readonly waitForFirstConsumerClasses?: ReadonlySet<string>;
}

export type ReadinessRule = (live: LiveObject, context?: ReadinessContext) => Readiness;

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown' | string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
}

/** Done and ready. */
export function ready(message: string): Readiness {
  return { done: true, ok: true, message };
}

/** Done, and it will not become ready without outside help. */
export function failed(message: string): Readiness {
  return { done: true, ok: false, message };
}

/** Not done yet; `failing` when the state rarely heals by itself. */
export function waiting(message: string, failing = false): Readiness {
  return failing ? { done: false, ok: false, message, failing: true } : { done: false, ok: false, message };
}

/** The condition of that type, if the object has one. */
export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return Array.isArray(conditions) ? conditions.find((c) => c.type === type) : undefined;
}

/** `reason: message`, `reason` or `message`, whichever parts the condition has. */
export function explain(condition: Pick<Condition, 'reason' | 'message'>): string {
  return [condition.reason, condition.message].filter(Boolean).join(': ');
}

/** `1 replica`, `2 replicas`. */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The controller has not seen the latest spec yet (status would describe the old one). */
export function staleGeneration(
  live: LiveObject,
  observedGeneration: number | undefined,
): Readiness | undefined {
  const generation = live.metadata.generation;
  if (generation !== undefined && (observedGeneration ?? 0) < generation) {
    return waiting(`waiting for the controller to observe generation ${generation}`);
  }
  return undefined;
}
