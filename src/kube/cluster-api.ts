/**
 * The seam between the release engine and a cluster: the calls the engine makes (reads, server-side
 * apply, create, delete). KubeClient implements it against an API server; the unit tests' in-memory
 * cluster implements it too, so the engine's rules run without one.
 */
import type { ApplyOptions, DeleteOptions, ListQuery } from './client.ts';
import type { ApplicableObject, LiveObject, ObjectRef } from './types.ts';

export interface ClusterApi {
  /** The object, or undefined when it does not exist. */
  get(ref: ObjectRef): Promise<LiveObject | undefined>;
  list(query: ListQuery): Promise<LiveObject[]>;
  /** Like list, with metadata only (cheaper for Secrets and large objects). */
  listMetadata(query: ListQuery): Promise<LiveObject[]>;
  /** Server-side apply; a resourceVersion in the object makes it a compare-and-swap. */
  apply(object: ApplicableObject, options?: ApplyOptions): Promise<LiveObject>;
  /** Fails with status 409 when the object exists. */
  create(object: ApplicableObject, options?: Omit<ApplyOptions, 'force'>): Promise<LiveObject>;
  /** Whether there was something to delete. */
  delete(ref: ObjectRef, options?: DeleteOptions): Promise<boolean>;
}
