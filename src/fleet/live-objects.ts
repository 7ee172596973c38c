/**
 * One list and one watch per kind and namespace for a whole fleet run, shared by its releases:
 * readiness follows objects through them (instead of a list and a watch per object), and the
 * engine's reads of single objects — the ownership read before each apply — are answered from them
 * (instead of a GET per object).
 *
 * Own writes are never read back stale: a write through `client` sets a floor, and an object is
 * answered from a stream only once the stream has seen that write's resourceVersion (compared as
 * the integers etcd gives out; anything else goes to the server). Secrets (release records,
 * generated credentials) and Leases (locks) are always read from the server: the engine decides
 * on them under the lock.
 */
import type { ClusterApi } from '../kube/cluster-api.ts';
import type { LiveObject, ObjectRef } from '../kube/types.ts';
import type { FollowObject } from '../kube/wait.ts';
import { type WatchSource, watchObject, watchQuery } from '../kube/watch-object.ts';

/** A cluster to read, write and watch: a KubeClient (or a unit test's in-memory one). */
export type LiveSource = ClusterApi & WatchSource;

/** Read from the server whenever the engine asks. */
const READ_FRESH = new Set(['Secret', 'Lease']);

type Listener = {
  readonly name: string;
  readonly changed: () => void;
  readonly problem: (error: unknown) => void;
};

class KindStream {
  readonly objects = new Map<string, LiveObject>();
  /** Resolves on the first list; rejects when that list fails (then callers read directly). */
  readonly synced: Promise<void>;
  /** Rejects when the watch stops for good (a permanent error); resolves when the run closes it. */
  readonly ended: Promise<void>;
  private readonly listeners = new Set<Listener>();

  constructor(client: LiveSource, ref: ObjectRef, signal: AbortSignal, onDeleted: (name: string) => void) {
    let listed: () => void = () => undefined;
    let refused: (error: unknown) => void = () => undefined;
    let synced = false;
    const synchronised = new Promise<void>((resolve, reject) => {
      listed = resolve;
      refused = reject;
    });
    // A stream that cannot list at once (forbidden, unreachable) is given up: its reads go direct.
    const own = new AbortController();
    const query = { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ref.namespace };
    this.ended = watchQuery(client, query, {
      signal: AbortSignal.any([signal, own.signal]),
      onList: (items) => {
        this.objects.clear();
        for (const item of items) this.objects.set(item.metadata.name, item);
        synced = true;
        listed();
        for (const listener of this.listeners) listener.changed();
      },
      onEvent: (type, object) => {
        const { name } = object.metadata;
        if (type === 'DELETED') {
          this.objects.delete(name);
          onDeleted(name);
        } else this.objects.set(name, object);
        for (const listener of this.listeners) if (listener.name === name) listener.changed();
      },
      onProblem: (error) => {
        if (!synced) {
          own.abort();
          refused(error);
        }
        for (const listener of this.listeners) listener.problem(error);
      },
    });
    this.synced = Promise.race([synchronised, this.ended]);
    this.ended.catch(() => undefined);
    this.synced.catch(() => undefined);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function version(object: LiveObject): bigint | undefined {
  const text = object.metadata.resourceVersion;
  return text && /^\d+$/.test(text) ? BigInt(text) : undefined;
}

const objectKey = (ref: Pick<ObjectRef, 'kind' | 'namespace' | 'name'>) =>
  `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;

export class SharedLiveObjects {
  private readonly streams = new Map<string, KindStream>();
  private readonly stop = new AbortController();
  /** The resourceVersion of this run's last write of an object; null: deleted, not yet seen gone. */
  private readonly floors = new Map<string, bigint | null>();
  /** The engine's ClusterApi: single-object reads from the streams, writes to the server. */
  readonly client: ClusterApi;
  private readonly kube: LiveSource;

  constructor(kube: LiveSource) {
    this.kube = kube;
    this.client = {
      get: (ref) => this.get(ref),
      list: (query) => kube.list(query),
      listMetadata: (query) => kube.listMetadata(query),
      apply: async (object, options) => this.wrote(await kube.apply(object, options)),
      create: async (object, options) => this.wrote(await kube.create(object, options)),
      delete: async (ref, options) => {
        if (ref.namespace) this.floors.set(objectKey(ref), null);
        return kube.delete(ref, options);
      },
    };
  }

  /** For readinessWaiter: follows an object through its kind's stream in its namespace. */
  readonly follow: FollowObject = async (ref, options) => {
    const stream = ref.namespace ? this.streamOf(ref) : undefined;
    const listable = await stream?.synced.then(
      () => true,
      () => false,
    );
    if (!stream || !listable) return watchObject(this.kube, ref, options);
    const { signal } = options;
    if (signal.aborted) return;
    const changed = () => {
      const live = this.current(stream, ref);
      // A version older than this run's write is not shown: it would look ready from before the change.
      if (live !== 'stale') options.onChange(live);
    };
    const unsubscribe = stream.subscribe({
      name: ref.name,
      changed,
      problem: (error) => options.onProblem?.(error),
    });
    try {
      changed();
      await Promise.race([
        stream.ended,
        new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
      ]);
    } finally {
      unsubscribe();
    }
  };

  /** Ends every watch. */
  close(): void {
    this.stop.abort();
  }

  private async get(ref: ObjectRef): Promise<LiveObject | undefined> {
    if (!ref.namespace || READ_FRESH.has(ref.kind)) return this.kube.get(ref);
    const stream = this.streamOf(ref);
    const listable = await stream.synced.then(
      () => true,
      () => false,
    );
    const live = listable ? this.current(stream, ref) : 'stale';
    return live === 'stale' ? this.kube.get(ref) : live;
  }

  /** The object as the stream has it, or 'stale' while the stream is behind this run's own write. */
  private current(stream: KindStream, ref: ObjectRef): LiveObject | undefined | 'stale' {
    const live = stream.objects.get(ref.name);
    const floor = this.floors.get(objectKey(ref));
    if (floor === undefined) return live;
    if (floor === null) return live ? 'stale' : undefined;
    if (!live) return 'stale';
    const seen = version(live);
    return seen !== undefined && seen >= floor ? live : 'stale';
  }

  private wrote(object: LiveObject): LiveObject {
    const written = version(object);
    const key = objectKey({ ...object.metadata, kind: object.kind });
    // A version that cannot be compared leaves the object to the server.
    if (object.metadata.namespace) this.floors.set(key, written ?? null);
    return object;
  }

  private streamOf(ref: ObjectRef): KindStream {
    const key = `${ref.apiVersion}/${ref.kind}/${ref.namespace}`;
    let stream = this.streams.get(key);
    if (!stream) {
      stream = new KindStream(this.kube, ref, this.stop.signal, (name) => {
        const deleted = objectKey({ kind: ref.kind, namespace: ref.namespace, name });
        if (this.floors.get(deleted) === null) this.floors.delete(deleted);
      });
      this.streams.set(key, stream);
    }
    return stream;
  }
}
