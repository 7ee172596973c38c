/**
 * waitForReady: watches (never polls) each object, evaluates its readiness rule on every change,
 * reports progress, and ends when all are ready, one has failed, or time is up. Failures and
 * time-outs become a RolloutError that says why, per object.
 */
import type { KubeClient } from './client.ts';
import { diagnose } from './diagnose.ts';
import { KubeConnectionError } from './errors.ts';
import { type Readiness, type ReadinessContext, readinessOf } from './readiness/index.ts';
import { waiting } from './readiness/types.ts';
import { RolloutError, type UnreadyObject } from './rollout-error.ts';
import { type LiveObject, type ObjectRef, refOf } from './types.ts';
import { type WatchObjectOptions, watchObject } from './watch-object.ts';

export interface WaitProgress {
  readonly object: ObjectRef;
  readonly message: string;
  readonly done: boolean;
  readonly ok: boolean;
  /** Not done and in a state that rarely heals by itself (see Readiness.failing). */
  readonly failing: boolean;
}

export interface WaitOptions {
  /** Give up after this long with a RolloutError (outcome `timeout`). */
  readonly timeoutMs: number;
  /** Called whenever an object's readiness changes (message, done or ok). */
  readonly onProgress?: (progress: WaitProgress) => void;
  /** Aborting rejects with the signal's reason and closes every watch. */
  readonly signal?: AbortSignal;
  /** Wait for LoadBalancer Services to get an address. @default false */
  readonly waitForLoadBalancer?: boolean;
  /**
   * Fail an object that stays `failing` (ImagePullBackOff, CrashLoopBackOff, Unschedulable) this
   * long, instead of waiting for the time-out. @default undefined: wait until the time-out
   */
  readonly failingGraceMs?: number;
  /**
   * How each object is followed. @default watchObject: a list and a watch of its own; a run of
   * several releases passes one that shares a watch per kind and namespace.
   */
  readonly follow?: FollowObject;
}

export type FollowObject = (ref: ObjectRef, options: WatchObjectOptions) => Promise<void>;

export interface WaitResult {
  readonly objects: readonly { readonly ref: ObjectRef; readonly message: string }[];
  readonly elapsedMs: number;
}

/** Something to wait for: a reference, or an object as rendered or returned by apply. */
export type Waitable =
  | ObjectRef
  | { apiVersion: string; kind: string; metadata: { name: string; namespace?: string | undefined } };

interface Tracked {
  readonly ref: ObjectRef;
  readonly stop: AbortController;
  readiness: Readiness | undefined;
  live: LiveObject | undefined;
  failingSince: number | undefined;
  failingTimer: NodeJS.Timeout | undefined;
  lastProblem: unknown;
}

/** Diagnosis is best effort and must not hold the report back for long. */
const diagnosisBudgetMs = 10_000;

function toRef(object: Waitable): ObjectRef {
  return 'metadata' in object ? refOf(object) : object;
}

/** Objects without a namespace live in the client's default one (when their kind is namespaced). */
async function withNamespace(client: KubeClient, ref: ObjectRef): Promise<ObjectRef> {
  if (ref.namespace) return ref;
  const { namespaced } = await client.resourceInfo(ref.apiVersion, ref.kind);
  return namespaced ? { ...ref, namespace: client.namespace } : ref;
}

async function readinessContext(
  client: KubeClient,
  refs: readonly ObjectRef[],
  options: WaitOptions,
): Promise<ReadinessContext> {
  const context = { waitForLoadBalancer: options.waitForLoadBalancer ?? false };
  if (!refs.some((ref) => ref.kind === 'PersistentVolumeClaim')) return context;
  try {
    const classes = await client.list({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass' });
    const lazy = classes
      .filter((c) => c.volumeBindingMode === 'WaitForFirstConsumer')
      .map((c) => c.metadata.name);
    return { ...context, waitForFirstConsumerClasses: new Set(lazy) };
  } catch {
    // Without permission to read StorageClasses, claims are judged by their phase alone.
    return context;
  }
}

function sameReadiness(a: Readiness | undefined, b: Readiness): boolean {
  return (
    a !== undefined &&
    a.message === b.message &&
    a.done === b.done &&
    a.ok === b.ok &&
    a.failing === b.failing
  );
}

function problemNote(problem: unknown): string[] {
  if (problem === undefined) return [];
  const text = problem instanceof Error ? problem.message.split('\n')[0] : String(problem);
  return [`watch trouble: ${text}`];
}

/**
 * While the API server cannot be reached the watches keep retrying; progress says so, with the
 * time waited so far in steps of 10 s (so a listener that prints changes prints every 10 s).
 */
function unreachableMessage(problem: unknown, started: number): string | undefined {
  if (!(problem instanceof KubeConnectionError)) return undefined;
  let host = problem.server;
  try {
    host = new URL(problem.server).host;
  } catch {
    // not a URL: name it as it is
  }
  const waited = Math.floor((Date.now() - started) / 10_000) * 10;
  return `API server unreachable (${problem.errorCode ?? 'no connection'} ${host}), retrying… ${waited}s`;
}

/**
 * Waits until every object is ready. Resolves with their final messages; rejects with a
 * RolloutError when one fails (a failed Job, a Deployment past its progress deadline, a `failing`
 * state that outlasts `failingGraceMs`) or when `timeoutMs` passes.
 */
export async function waitForReady(
  client: KubeClient,
  objects: readonly Waitable[],
  options: WaitOptions,
): Promise<WaitResult> {
  const started = Date.now();
  options.signal?.throwIfAborted();
  const refs = await Promise.all(objects.map((o) => withNamespace(client, toRef(o))));
  const context = await readinessContext(client, refs, options);
  const tracked: Tracked[] = refs.map((ref) => ({
    ref,
    stop: new AbortController(),
    readiness: undefined,
    live: undefined,
    failingSince: undefined,
    failingTimer: undefined,
    lastProblem: undefined,
  }));

  return new Promise<WaitResult>((resolve, reject) => {
    let finished = false;
    const stopAll = () => {
      finished = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      for (const t of tracked) {
        clearTimeout(t.failingTimer);
        t.stop.abort();
      }
    };
    const fail = (outcome: 'failed' | 'timeout') => {
      if (finished) return;
      stopAll();
      const elapsedMs = Date.now() - started;
      report(client, tracked, outcome).then(
        (unready) => reject(new RolloutError(outcome, elapsedMs, unready)),
        reject,
      );
    };
    const onAbort = () => {
      if (finished) return;
      stopAll();
      reject(options.signal?.reason);
    };
    const timer = setTimeout(() => fail('timeout'), options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const checkAll = () => {
      if (finished) return;
      if (tracked.some((t) => t.readiness?.done && !t.readiness.ok)) return fail('failed');
      if (tracked.every((t) => t.readiness?.done && t.readiness.ok)) {
        stopAll();
        resolve({
          objects: tracked.map((t) => ({ ref: t.ref, message: t.readiness?.message ?? '' })),
          elapsedMs: Date.now() - started,
        });
      }
    };

    const update = (t: Tracked, live: LiveObject | undefined) => {
      if (finished || t.readiness?.done) return;
      t.live = live;
      const readiness = live
        ? readinessOf(live, context)
        : waiting('not found: waiting for it to be created');
      if (readiness.failing) {
        t.failingSince ??= Date.now();
        if (options.failingGraceMs !== undefined && t.failingTimer === undefined) {
          t.failingTimer = setTimeout(() => {
            if (t.readiness?.failing) fail('failed');
          }, options.failingGraceMs);
        }
      } else {
        t.failingSince = undefined;
        clearTimeout(t.failingTimer);
        t.failingTimer = undefined;
      }
      const changed = !sameReadiness(t.readiness, readiness);
      t.readiness = readiness;
      if (changed) {
        options.onProgress?.({
          object: t.ref,
          message: readiness.message,
          done: readiness.done,
          ok: readiness.ok,
          failing: readiness.failing ?? false,
        });
      }
      // A finished object needs no watch any more (ready or failed, it stays that way for us).
      if (readiness.done) t.stop.abort();
      checkAll();
    };

    if (tracked.length === 0) return checkAll();
    const follow = options.follow ?? ((ref, watch) => watchObject(client, ref, watch));
    for (const t of tracked) {
      follow(t.ref, {
        signal: t.stop.signal,
        onChange: (live) => update(t, live),
        onProblem: (problem) => {
          t.lastProblem = problem;
          const unreachable = unreachableMessage(problem, started);
          if (unreachable && !finished)
            options.onProgress?.({
              object: t.ref,
              message: unreachable,
              done: false,
              ok: false,
              failing: false,
            });
        },
      }).catch((err: unknown) => {
        if (finished) return;
        stopAll();
        reject(err);
      });
    }
  });
}

/** The unfinished and failed objects with their diagnosis, failed first. */
async function report(
  client: KubeClient,
  tracked: readonly Tracked[],
  outcome: 'failed' | 'timeout',
): Promise<UnreadyObject[]> {
  const failedForGood = (t: Tracked) =>
    Boolean(t.readiness?.done && !t.readiness.ok) || (outcome === 'failed' && Boolean(t.readiness?.failing));
  const unready = tracked
    .filter((t) => !(t.readiness?.done && t.readiness.ok))
    .sort((a, b) => Number(failedForGood(b)) - Number(failedForGood(a)));
  const budget = AbortSignal.timeout(diagnosisBudgetMs);
  return Promise.all(
    unready.map(async (t): Promise<UnreadyObject> => {
      const timedOut = new Promise<undefined>((resolve) =>
        budget.addEventListener('abort', () => resolve(undefined)),
      );
      const diagnosis = await Promise.race([diagnose(client, t.ref, t.live), timedOut]);
      return {
        ref: t.ref,
        message: t.readiness?.message ?? 'no status seen yet',
        failed: failedForGood(t),
        podProblems: diagnosis?.podProblems ?? [],
        events: diagnosis?.events ?? [],
        notes: [...(diagnosis?.notes ?? ['diagnosis took too long']), ...problemNote(t.lastProblem)],
      };
    }),
  );
}
