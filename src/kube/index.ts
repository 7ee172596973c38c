/**
 * The Kubernetes adapter: the only place in berth that talks to @kubernetes/client-node.
 * Server-side apply, dry runs, reads, watches, readiness rules and waiting for rollouts.
 */
export {
  type ApplyOptions,
  type DeleteOptions,
  KubeClient,
  type KubeClientOptions,
  type ListQuery,
  type ListResult,
  type ServerVersion,
  type WatchEvent,
  type WatchHandle,
  type WatchHandlers,
  type WatchQuery,
} from './client.ts';
export type { ClusterApi } from './cluster-api.ts';
export { type Diagnosis, diagnose, type EventSummary, relevantEvents, selectorString } from './diagnose.ts';
export {
  type ApiStatus,
  ApplyConflictError,
  type FieldConflict,
  KubeApiError,
  KubeConnectionError,
  KubeconfigError,
  KubeUnknownKindError,
  type KubeVerb,
  type StatusCause,
} from './errors.ts';
export { type KubeconfigOptions, type LoadedKubeconfig, loadKubeconfig } from './kubeconfig.ts';
export * from './readiness/index.ts';
export { defaultRetryPolicy, type RetryPolicy } from './retry.ts';
export { formatDuration, RolloutError, type RolloutOutcome, type UnreadyObject } from './rollout-error.ts';
export type { ResourceInfo } from './transport.ts';
export {
  type ApplicableObject,
  describeRef,
  type LiveMetadata,
  type LiveObject,
  type ObjectRef,
  refOf,
} from './types.ts';
export { type Waitable, type WaitOptions, type WaitProgress, type WaitResult, waitForReady } from './wait.ts';
export { type WatchObjectOptions, watchObject } from './watch-object.ts';
