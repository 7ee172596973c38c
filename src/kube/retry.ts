/**
 * Bounded retries with exponential backoff and jitter, for throttling (429, honouring Retry-After),
 * transient server errors (500/502/503/504) and dropped connections.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { HttpStatusError, isRetryable } from './status.ts';

export interface RetryPolicy {
  /** Attempts in total, the first included. @default 5 */
  readonly maxAttempts: number;
  /** Delay before the second attempt; doubles each time. @default 200 */
  readonly baseDelayMs: number;
  /** Cap of one delay (a longer Retry-After is cut to this). @default 2000 */
  readonly maxDelayMs: number;
  /** Waits; injectable so tests do not wait. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1); injectable for deterministic tests. */
  readonly random: () => number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 2000,
  sleep: (ms) => delay(ms),
  random: Math.random,
};

/**
 * The delay before attempt `attempt + 1` (attempt counts from 1): Retry-After when the server sent
 * one, otherwise base·2^(attempt−1) with "equal jitter" (half fixed, half random), so many clients
 * throttled at once do not come back in lockstep.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, err: unknown): number {
  if (err instanceof HttpStatusError && err.retryAfterMs !== undefined) {
    return Math.min(err.retryAfterMs, policy.maxDelayMs);
  }
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential / 2 + (policy.random() * exponential) / 2);
}

/** Runs `operation`, retrying retryable failures as the policy says; the last failure is rethrown. */
export async function withRetries<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy = defaultRetryPolicy,
  retryable: (err: unknown) => boolean = isRetryable,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (err) {
      if (attempt >= policy.maxAttempts || !retryable(err)) throw err;
      await policy.sleep(backoffDelay(policy, attempt, err));
    }
  }
}
