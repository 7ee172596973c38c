/**
 * What every release's preflight in a fleet run would read again, read once per run: the server
 * version, cluster-scoped objects and lists (nodes, StorageClasses, IngressClasses, CRDs,
 * namespaces), the pods of all namespaces for capacity, and the access and rules reviews (RBAC is
 * asked once per namespace). Reads of one namespace's objects (Secrets and claims a release
 * names) still go to the server each time: a release earlier in the run may have created them.
 */
import type { ListQuery } from '../kube/client.ts';
import type { ObjectRef } from '../kube/types.ts';
import type { PreflightClient } from '../preflight/model.ts';

/** A failed read is not kept: the next release asks again. */
function remembered<T>(memo: Map<string, Promise<unknown>>, key: string, read: () => Promise<T>): Promise<T> {
  const known = memo.get(key);
  if (known) return known as Promise<T>;
  const reading = read();
  memo.set(key, reading);
  reading.catch(() => memo.delete(key));
  return reading;
}

export function sharedClusterFacts(client: PreflightClient): PreflightClient {
  const memo = new Map<string, Promise<unknown>>();
  return {
    serverVersion: () => remembered(memo, 'version', () => client.serverVersion()),
    resourceInfo: (apiVersion, kind) => client.resourceInfo(apiVersion, kind),
    get: (ref: ObjectRef) =>
      ref.namespace === undefined
        ? remembered(memo, `get ${ref.apiVersion} ${ref.kind} ${ref.name}`, () => client.get(ref))
        : client.get(ref),
    // Without a namespace: a cluster-scoped kind, or every namespace's pods (capacity).
    list: (query: ListQuery) =>
      query.namespace === undefined
        ? remembered(memo, `list ${JSON.stringify(query)}`, () => client.list(query))
        : client.list(query),
    create: (object, options) =>
      object.kind === 'SelfSubjectAccessReview' || object.kind === 'SelfSubjectRulesReview'
        ? remembered(memo, `review ${JSON.stringify(object.spec)}`, () => client.create(object, options))
        : client.create(object, options),
  };
}
