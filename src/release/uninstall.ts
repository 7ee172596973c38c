/** Remove a release: its objects (data volumes only when asked), its records, its lock. */

import { BerthError } from '../errors.ts';
import type { ClusterApi } from '../kube/cluster-api.ts';
import { describeRef, type ObjectRef } from '../kube/types.ts';
import { computeChanges } from './changes.ts';
import { type ReleaseTarget, refsOf } from './engine.ts';
import { keepReason } from './keep.ts';
import { instanceSelector } from './labels.ts';
import { acquireLock } from './lock.ts';
import type { ProgressListener } from './progress.ts';
import { ReleaseStore } from './store.ts';

export interface UninstallOptions {
  readonly deleteData: boolean;
  readonly wait: boolean;
  readonly timeoutMs: number;
  readonly progress: ProgressListener;
}

export interface UninstallResult {
  readonly release: string;
  readonly namespace: string;
  readonly deleted: readonly string[];
  readonly kept: readonly string[];
}

export async function uninstall(
  target: ReleaseTarget<ClusterApi>,
  options: UninstallOptions,
): Promise<UninstallResult> {
  const { client, namespace, release } = target;
  const store = new ReleaseStore(client);
  const lock = await acquireLock(client, namespace, release);
  try {
    const summaries = await store.summaries(namespace, release);
    if (summaries.length === 0) {
      throw new BerthError(
        'BERTH_RELEASE_NOT_FOUND',
        `release ${release} not found in namespace ${namespace}`,
      );
    }
    const latest = await store.load(namespace, release, summaries[0]!.revision);
    if (latest) {
      latest.status = 'uninstalling';
      await store.save(latest);
    }
    const refs = new Map<string, ObjectRef>();
    for (const s of summaries) {
      const record = await store.load(namespace, release, s.revision);
      for (const ref of refsOf(record?.manifests ?? [])) refs.set(describeRef(ref), ref);
    }
    const deleted: string[] = [];
    const kept = new Map<string, string>();
    // Kept data volumes need their passwords: a reinstall then finds and reuses the generated Secrets.
    const { changes } = await computeChanges(client, {
      release,
      manifests: [],
      previous: [...refs.values()],
      adopt: false,
      deleteData: options.deleteData,
    });
    for (const change of changes) {
      if (change.action === 'keep') kept.set(describeRef(change.ref), change.reason);
      else if (await client.delete(change.ref)) deleted.push(describeRef(change.ref));
    }
    // Claims made from StatefulSet templates are not in the inventory; they carry the release's labels.
    const claims = await client.list({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      namespace,
      labelSelector: instanceSelector(release),
    });
    for (const claim of claims) {
      const ref = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name: claim.metadata.name };
      if (options.deleteData) {
        if (await client.delete(ref)) deleted.push(describeRef(ref));
      } else if (!kept.has(describeRef(ref))) {
        kept.set(describeRef(ref), keepReason(ref.kind, undefined)!);
      }
    }
    for (const object of deleted) options.progress({ type: 'pruned', object });
    for (const [object, reason] of kept) options.progress({ type: 'kept', object, reason });
    if (options.wait)
      await waitUntilGone(
        target,
        [...refs.values()].filter((r) => deleted.includes(describeRef(r))),
        options.timeoutMs,
      );
    for (const s of summaries) await store.remove(namespace, release, s.revision);
    return { release, namespace, deleted, kept: [...kept.keys()] };
  } finally {
    await lock.release().catch(() => undefined);
  }
}

async function waitUntilGone(
  target: ReleaseTarget<ClusterApi>,
  refs: readonly ObjectRef[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const ref of refs) {
    while (await target.client.get(ref)) {
      if (Date.now() > deadline) {
        throw new BerthError(
          'BERTH_UNINSTALL_TIMEOUT',
          `${describeRef(ref)} is still being deleted after ${Math.round(timeoutMs / 1000)} s`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
