/**
 * KubeClient: the one adapter between berth and @kubernetes/client-node. Server-side apply with a
 * field manager, dry runs, reads, lists, deletes and watches, with typed errors and bounded
 * retries. It never prints; callers get data or a typed error.
 */

import { type KubeConfig, PatchStrategy, Watch } from '@kubernetes/client-node';
import type { ClusterApi } from './cluster-api.ts';
import {
  type ApiStatus,
  type ErrorTarget,
  KubeApiError,
  KubeConnectionError,
  type KubeVerb,
} from './errors.ts';
import { type KubeconfigOptions, loadKubeconfig } from './kubeconfig.ts';
import { defaultRetryPolicy, type RetryPolicy, withRetries } from './retry.ts';
import {
  connectionErrorCode,
  HttpStatusError,
  isRetryable,
  isRetryableApplyConflict,
  isRetryableBeforeProcessing,
  toKubeError,
} from './status.ts';
import { type QueryValue, RawKubeApi, type ResourceInfo } from './transport.ts';
import type { ApplicableObject, LiveObject, ObjectRef } from './types.ts';

export interface KubeClientOptions extends KubeconfigOptions {
  /** Overrides of the retry policy (tests inject `sleep`). */
  readonly retry?: Partial<RetryPolicy>;
}

export interface ApplyOptions {
  /** @default 'berth' */
  readonly fieldManager?: string;
  /** Take over fields other managers own instead of failing with ApplyConflictError. @default false */
  readonly force?: boolean;
  /** Server-side dry run: admission and validation run, nothing is stored. @default false */
  readonly dryRun?: boolean;
}

export interface ListQuery {
  readonly apiVersion: string;
  readonly kind: string;
  /** Omitted: all namespaces (or a cluster-scoped kind). */
  readonly namespace?: string | undefined;
  readonly labelSelector?: string | undefined;
  readonly fieldSelector?: string | undefined;
}

export interface ListResult {
  readonly items: LiveObject[];
  /** The collection's resourceVersion, where a watch can start. */
  readonly resourceVersion: string;
}

export interface DeleteOptions {
  /** @default 'Background' */
  readonly propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  readonly dryRun?: boolean;
}

export interface WatchQuery extends ListQuery {
  /** Watch one object (a `metadata.name=` field selector). */
  readonly name?: string | undefined;
  /** Start after this version; omitted: the server sends the current state as ADDED events first. */
  readonly resourceVersion?: string | undefined;
  /** The server ends the watch after this long (a clean close). */
  readonly timeoutSeconds?: number | undefined;
  /** @default true */
  readonly allowBookmarks?: boolean;
}

export type WatchEvent =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; readonly object: LiveObject }
  | { readonly type: 'ERROR'; readonly object: ApiStatus };

export interface WatchHandlers {
  readonly onEvent: (event: WatchEvent) => void;
  /**
   * Called once when the watch ends: without an error when the server closed it (time to
   * reconnect) or `stop()` was called, else with a typed error (KubeApiError, KubeConnectionError).
   */
  readonly onClose: (error?: unknown) => void;
}

export interface WatchHandle {
  /** Ends the watch; onClose is then called without an error. Safe to call more than once. */
  stop(): void;
}

export interface ServerVersion {
  readonly major: string;
  readonly minor: string;
  readonly gitVersion: string;
  readonly platform?: string;
}

const pageSize = 500;
const metadataOnly =
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;q=0.9';

function targetOf(ref: {
  kind: string;
  name?: string | undefined;
  namespace?: string | undefined;
}): ErrorTarget {
  return { kind: ref.kind, name: ref.name, namespace: ref.namespace };
}

function joinSelectors(...selectors: (string | undefined)[]): string | undefined {
  const parts = selectors.filter((s): s is string => Boolean(s));
  return parts.length > 0 ? parts.join(',') : undefined;
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** The adapter over the Kubernetes API. Build it with `KubeClient.fromKubeconfig`. */
export class KubeClient implements ClusterApi {
  /** The kubeconfig context in use. */
  readonly context: string;
  /** The API server URL. */
  readonly server: string;
  /** The namespace of objects that name none. */
  readonly namespace: string;
  private readonly kubeConfig: KubeConfig;
  private readonly api: RawKubeApi;
  private readonly retry: RetryPolicy;

  private constructor(
    kubeConfig: KubeConfig,
    context: string,
    server: string,
    namespace: string,
    retry: RetryPolicy,
  ) {
    this.kubeConfig = kubeConfig;
    this.context = context;
    this.server = server;
    this.namespace = namespace;
    this.retry = retry;
    this.api = RawKubeApi.forConfig(kubeConfig, namespace);
  }

  /**
   * Connects (lazily: no request is made here) through a kubeconfig: `options.kubeconfig`, else
   * $KUBECONFIG, else ~/.kube/config, else the in-cluster service account; `options.context`
   * picks a context. Throws KubeconfigError when none can be used.
   */
  static fromKubeconfig(options: KubeClientOptions = {}): KubeClient {
    const loaded = loadKubeconfig(options);
    return new KubeClient(loaded.kubeConfig, loaded.context, loaded.server, loaded.namespace, {
      ...defaultRetryPolicy,
      ...options.retry,
    });
  }

  private async call<T>(
    verb: KubeVerb,
    target: ErrorTarget,
    operation: () => Promise<T>,
    retryable: (err: unknown) => boolean = isRetryable,
  ): Promise<T> {
    try {
      return await withRetries(operation, this.retry, retryable);
    } catch (err) {
      throw toKubeError(err, { verb, target, server: this.server });
    }
  }

  /** Discovery (cached, so CRDs work): the REST resource of apiVersion/kind and its scope. */
  resourceInfo(apiVersion: string, kind: string): Promise<ResourceInfo> {
    return this.call('get', { kind }, () => this.api.resourceInfo(apiVersion, kind));
  }

  /**
   * Server-side apply of `object` as `fieldManager`; returns the object as stored (or as it would
   * be, with `dryRun`). Fields another manager owns make it throw ApplyConflictError unless `force`.
   */
  async apply(object: ApplicableObject, options: ApplyOptions = {}): Promise<LiveObject> {
    const verb: KubeVerb = options.dryRun ? 'dry-run apply' : 'apply';
    const target = targetOf({ ...object.metadata, kind: object.kind });
    const retryable = object.metadata.resourceVersion
      ? isRetryable
      : (err: unknown) => isRetryable(err) || isRetryableApplyConflict(err);
    return this.call(
      verb,
      target,
      async () => {
        const path = await this.api.pathOf({ ...target, apiVersion: object.apiVersion });
        const query: Record<string, QueryValue> = {
          fieldManager: options.fieldManager ?? 'berth',
          force: options.force ? true : undefined,
          dryRun: options.dryRun ? 'All' : undefined,
        };
        return (await this.api.send({
          method: 'PATCH',
          path,
          query,
          body: object,
          contentType: PatchStrategy.ServerSideApply,
        })) as LiveObject;
      },
      retryable,
    );
  }

  /** Server-side dry run of an apply (admission, defaulting, validation; nothing stored). */
  dryRunApply(object: ApplicableObject, options: Omit<ApplyOptions, 'dryRun'> = {}): Promise<LiveObject> {
    return this.apply(object, { ...options, dryRun: true });
  }

  /**
   * Creates an object (POST); a 409 (AlreadyExists) surfaces as KubeApiError with status 409, which
   * makes it a compare-and-swap primitive (e.g. for a Lease). Retried only when the request
   * certainly was not processed.
   */
  create(object: ApplicableObject, options: Omit<ApplyOptions, 'force'> = {}): Promise<LiveObject> {
    const target = targetOf({ ...object.metadata, kind: object.kind });
    return this.call(
      'create',
      target,
      async () => {
        const path = await this.api.pathOf({
          apiVersion: object.apiVersion,
          kind: object.kind,
          namespace: object.metadata.namespace ?? this.namespace,
        });
        return (await this.api.send({
          method: 'POST',
          path,
          query: {
            fieldManager: options.fieldManager ?? 'berth',
            dryRun: options.dryRun ? 'All' : undefined,
          },
          body: object,
        })) as LiveObject;
      },
      isRetryableBeforeProcessing,
    );
  }

  /**
   * A JSON merge patch (a map) or a JSON patch (a list of operations) of one object, for metadata
   * server-side apply cannot express: handing fields from one manager to another, or removing
   * another tool's labels. Not retried: a patch with `test` operations is a compare-and-swap.
   */
  patch(
    ref: ObjectRef,
    body: Record<string, unknown> | readonly Record<string, unknown>[],
  ): Promise<LiveObject> {
    return this.call(
      'patch',
      targetOf(ref),
      async () => {
        const path = await this.api.pathOf(ref);
        return (await this.api.send({
          method: 'PATCH',
          path,
          query: { fieldManager: 'berth' },
          body,
          contentType: Array.isArray(body) ? PatchStrategy.JsonPatch : PatchStrategy.MergePatch,
        })) as LiveObject;
      },
      isRetryableBeforeProcessing,
    );
  }

  /** The live object, or undefined when it does not exist. */
  async get(ref: ObjectRef): Promise<LiveObject | undefined> {
    try {
      return await this.call('get', targetOf(ref), async () => {
        const path = await this.api.pathOf(ref);
        return (await this.api.send({ method: 'GET', path })) as LiveObject;
      });
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** All matching objects (every page), each with apiVersion and kind filled in. */
  async list(query: ListQuery): Promise<LiveObject[]> {
    return (await this.listWithVersion(query)).items;
  }

  /**
   * Like `list`, but the server returns only metadata (PartialObjectMetadata): cheap for big
   * objects such as release records. Items carry the query's apiVersion and kind.
   */
  async listMetadata(query: ListQuery): Promise<LiveObject[]> {
    return (await this.listWithVersion(query, metadataOnly)).items;
  }

  /** Like `list`, with the collection's resourceVersion for a watch to start from. */
  listWithVersion(query: ListQuery, accept?: string): Promise<ListResult> {
    return this.call('list', targetOf(query), async () => {
      const path = await this.api.pathOf({
        apiVersion: query.apiVersion,
        kind: query.kind,
        namespace: query.namespace,
      });
      const items: LiveObject[] = [];
      let resourceVersion = '';
      let continueToken: string | undefined;
      do {
        const page = (await this.api.send({
          method: 'GET',
          path,
          ...(accept ? { accept } : {}),
          query: {
            labelSelector: query.labelSelector,
            fieldSelector: query.fieldSelector,
            limit: pageSize,
            continue: continueToken,
          },
        })) as { items?: LiveObject[]; metadata?: { resourceVersion?: string; continue?: string } };
        for (const item of page.items ?? [])
          items.push({ ...item, apiVersion: query.apiVersion, kind: query.kind });
        resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
        continueToken = page.metadata?.continue || undefined;
      } while (continueToken);
      return { items, resourceVersion };
    });
  }

  /** Deletes an object; resolves false when it was already gone. */
  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    try {
      await this.call('delete', targetOf(ref), async () => {
        const path = await this.api.pathOf(ref);
        return this.api.send({
          method: 'DELETE',
          path,
          query: {
            propagationPolicy: options.propagationPolicy ?? 'Background',
            dryRun: options.dryRun ? 'All' : undefined,
          },
        });
      });
      return true;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return false;
      throw err;
    }
  }

  /** The API server's version (GET /version). */
  serverVersion(): Promise<ServerVersion> {
    return this.call(
      'get version',
      { kind: 'version' },
      async () => (await this.api.send({ method: 'GET', path: '/version' })) as ServerVersion,
    );
  }

  /**
   * Opens one watch connection (the client's Watch). Events arrive as plain JSON; an ERROR event
   * carries a Status (410 Gone: the resourceVersion expired, re-list). No reconnection here:
   * `watchObject` (./watch-object.ts) builds list-then-watch with resume on top of this.
   */
  async watch(query: WatchQuery, handlers: WatchHandlers, signal?: AbortSignal): Promise<WatchHandle> {
    const target = targetOf(query);
    const path = await this.call('watch', target, () =>
      this.api.pathOf({ apiVersion: query.apiVersion, kind: query.kind, namespace: query.namespace }),
    );
    let stopped = false;
    let closed = false;
    let controller: AbortController | undefined;
    const close = (error?: unknown) => {
      if (closed) return;
      closed = true;
      handlers.onClose(error);
    };
    const stop = () => {
      if (stopped) return;
      stopped = true;
      signal?.removeEventListener('abort', stop);
      controller?.abort();
      close();
    };
    signal?.addEventListener('abort', stop, { once: true });

    const params = {
      fieldSelector: joinSelectors(
        query.name ? `metadata.name=${query.name}` : undefined,
        query.fieldSelector,
      ),
      labelSelector: query.labelSelector,
      resourceVersion: query.resourceVersion,
      allowWatchBookmarks: query.allowBookmarks ?? true,
      timeoutSeconds: query.timeoutSeconds,
    };
    const onEvent = (type: string, object: unknown) => {
      if (stopped || closed) return;
      if (type === 'ERROR') {
        handlers.onEvent({ type, object: (object ?? {}) as ApiStatus });
      } else if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED' || type === 'BOOKMARK') {
        const live = object as LiveObject;
        handlers.onEvent({ type, object: { ...live, apiVersion: query.apiVersion, kind: query.kind } });
      }
    };
    const onDone = (err: unknown) => {
      signal?.removeEventListener('abort', stop);
      if (stopped || !err || isAbort(err)) return close();
      close(this.watchError(err, target));
    };
    controller = await new Watch(this.kubeConfig).watch(path, params, onEvent, onDone);
    if (stopped) controller.abort();
    return { stop };
  }

  private watchError(err: unknown, target: ErrorTarget): unknown {
    const status = (err as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number') {
      return toKubeError(new HttpStatusError(status, undefined, undefined), {
        verb: 'watch',
        target,
        server: this.server,
      });
    }
    if (err instanceof Error && err.name === 'TimeoutError') {
      return new KubeConnectionError('watch', target, this.server, 'ETIMEDOUT', err);
    }
    const code = connectionErrorCode(err);
    if (code !== undefined) return new KubeConnectionError('watch', target, this.server, code, err);
    return toKubeError(err, { verb: 'watch', target, server: this.server });
  }
}
