/**
 * An in-memory implementation of the engine's seam (ClusterApi: get, list, listMetadata, apply,
 * create, delete), so engine rules run in unit tests without a cluster.
 * It keeps what an API server keeps that the engine relies on: resourceVersions (compare-and-swap
 * on apply and create), Secret `stringData` folded into base64 `data`, equality label selectors.
 * Faults are injected per operation.
 */
import type { ListQuery } from '../../src/kube/client.ts';
import type { ClusterApi } from '../../src/kube/cluster-api.ts';
import { KubeApiError, type KubeVerb } from '../../src/kube/errors.ts';
import type { ApplicableObject, LiveObject, ObjectRef } from '../../src/kube/types.ts';
import type { DeployOptions } from '../../src/release/engine.ts';
import type { ProgressEvent } from '../../src/release/progress.ts';
import type { ReleaseRecord } from '../../src/release/record.ts';
import { ReleaseStore } from '../../src/release/store.ts';

export type FakeOperation = 'get' | 'list' | 'listMetadata' | 'apply' | 'create' | 'delete';

export interface FakeCall {
  readonly operation: FakeOperation;
  readonly kind: string;
  readonly name?: string | undefined;
}

/** Throw from here to make an operation fail (after `calls` recorded it, before it takes effect). */
export type FaultHook = (call: FakeCall, object?: ApplicableObject) => void;

const clone = <T>(value: T): T => structuredClone(value);

function keyOf(ref: { apiVersion: string; kind: string; namespace?: string | undefined; name: string }) {
  return `${ref.apiVersion}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/** Equality terms (`a=b`) and existence terms (`a`), as the API server reads them. */
function matches(object: LiveObject, selector: string | undefined): boolean {
  if (!selector) return true;
  const labels = object.metadata.labels ?? {};
  return selector.split(',').every((term) => {
    const [name, value] = term.split('=');
    return value === undefined ? name! in labels : labels[name!] === value;
  });
}

export function apiError(verb: KubeVerb, kind: string, status: number, message: string): KubeApiError {
  return new KubeApiError('BERTH_KUBE_API', {
    verb,
    target: { kind },
    status,
    reason: undefined,
    apiMessage: message,
    causes: [],
  });
}

/** Secrets as the API server stores them: `stringData` merged into base64 `data`. */
function stored(object: ApplicableObject): LiveObject {
  const copy = clone(object) as LiveObject;
  if (copy.kind !== 'Secret' || copy.stringData === undefined) return copy;
  const data = { ...((copy.data as Record<string, string> | undefined) ?? {}) };
  for (const [key, value] of Object.entries(copy.stringData as Record<string, string>))
    data[key] = Buffer.from(value).toString('base64');
  delete copy.stringData;
  return { ...copy, data };
}

function content(object: LiveObject): string {
  const { resourceVersion: _rv, uid: _uid, ...metadata } = object.metadata;
  return JSON.stringify({ ...object, metadata });
}

export class FakeCluster implements ClusterApi {
  readonly objects = new Map<string, LiveObject>();
  readonly calls: FakeCall[] = [];
  fault: FaultHook | undefined;
  private version = 1;

  /** The fake as the engine sees a cluster. */
  get client(): ClusterApi {
    return this;
  }

  private enter(operation: FakeOperation, kind: string, name?: string, object?: ApplicableObject): void {
    const call = { operation, kind, name };
    this.calls.push(call);
    this.fault?.(call, object);
  }

  /** Puts an object in place as if someone else had created it. */
  seed(object: ApplicableObject): LiveObject {
    const live = stored(object);
    live.metadata.resourceVersion = String(this.version++);
    this.objects.set(keyOf({ ...live, ...live.metadata }), live);
    return clone(live);
  }

  find(kind: string, name: string): LiveObject | undefined {
    const found = [...this.objects.values()].find((o) => o.kind === kind && o.metadata.name === name);
    return found && clone(found);
  }

  names(kind: string): string[] {
    return [...this.objects.values()]
      .filter((o) => o.kind === kind)
      .map((o) => o.metadata.name)
      .sort();
  }

  async get(ref: ObjectRef): Promise<LiveObject | undefined> {
    this.enter('get', ref.kind, ref.name);
    const live = this.objects.get(keyOf(ref));
    return live && clone(live);
  }

  async list(query: ListQuery): Promise<LiveObject[]> {
    this.enter('list', query.kind);
    return this.select(query);
  }

  private select(query: ListQuery): LiveObject[] {
    return [...this.objects.values()]
      .filter(
        (o) =>
          o.apiVersion === query.apiVersion &&
          o.kind === query.kind &&
          (query.namespace === undefined || o.metadata.namespace === query.namespace) &&
          matches(o, query.labelSelector),
      )
      .map(clone);
  }

  /** Like the API server's PartialObjectMetadata list: no data, no spec. */
  async listMetadata(query: ListQuery): Promise<LiveObject[]> {
    this.enter('listMetadata', query.kind);
    return this.select(query).map((o) => ({
      apiVersion: o.apiVersion,
      kind: o.kind,
      metadata: o.metadata,
    }));
  }

  async apply(object: ApplicableObject, options: { dryRun?: boolean } = {}): Promise<LiveObject> {
    this.enter('apply', object.kind, object.metadata.name, object);
    const key = keyOf({ ...object, ...object.metadata });
    const live = this.objects.get(key);
    const wanted = object.metadata.resourceVersion;
    if (wanted !== undefined && wanted !== live?.metadata.resourceVersion)
      throw apiError('apply', object.kind, 409, 'the object has been modified');
    const next = stored(object);
    next.metadata.resourceVersion =
      live && content(live) === content(next) ? live.metadata.resourceVersion : String(this.version++);
    if (!options.dryRun) this.objects.set(key, next);
    return clone(next);
  }

  async create(object: ApplicableObject): Promise<LiveObject> {
    this.enter('create', object.kind, object.metadata.name, object);
    const key = keyOf({ ...object, ...object.metadata });
    if (this.objects.has(key)) throw apiError('create', object.kind, 409, 'already exists');
    const next = stored(object);
    next.metadata.resourceVersion = String(this.version++);
    this.objects.set(key, next);
    return clone(next);
  }

  async delete(ref: ObjectRef): Promise<boolean> {
    this.enter('delete', ref.kind, ref.name);
    return this.objects.delete(keyOf(ref));
  }
}

/** Deploy options for engine tests: waits succeed at once, no preflight, progress events collected. */
export function deployOptions(
  overrides: Partial<DeployOptions> = {},
): DeployOptions & { readonly events: ProgressEvent[] } {
  const events: ProgressEvent[] = [];
  return {
    wait: true,
    timeoutMs: 60_000,
    atomic: false,
    dryRun: false,
    adopt: false,
    historyMax: 10,
    createNamespace: true,
    waiter: async () => undefined,
    progress: (event) => events.push(event),
    ...overrides,
    events,
  };
}

/** From the first apply of `kind` on, every call fails: what a run killed there leaves behind. */
export function killAt(cluster: FakeCluster, kind: string): void {
  let killed = false;
  cluster.fault = (call) => {
    killed ||= call.operation === 'apply' && call.kind === kind;
    if (killed) throw new Error('killed');
  };
}

/** Every release record of one release, newest first, as the store loads them. */
export async function releaseRecords(
  cluster: FakeCluster,
  namespace: string,
  release: string,
): Promise<ReleaseRecord[]> {
  const store = new ReleaseStore(cluster.client);
  const summaries = await store.summaries(namespace, release);
  const loaded = await Promise.all(summaries.map((s) => store.load(namespace, release, s.revision)));
  return loaded.filter((r): r is ReleaseRecord => r !== undefined);
}
