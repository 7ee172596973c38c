/**
 * The ownership map of a release in the cluster: its recorded objects and every object in its
 * namespace that carries its name, read as metadata only (a Secret's data is never fetched) and
 * with namespace-scoped permissions (one list per kind; a kind the user may not list is skipped).
 */
import { BerthError } from '../errors.ts';
import type { KubeClient } from '../kube/client.ts';
import { KubeApiError, KubeUnknownKindError } from '../kube/errors.ts';
import { type LiveObject, type ObjectRef, refOf } from '../kube/types.ts';
import { refKey } from '../release/changes.ts';
import { ReleaseStore } from '../release/store.ts';
import { concernsRelease, type OwnershipReport, ownershipOf } from './owners.ts';

/** The namespaced kinds berth renders and Helm charts commonly hold. */
export const SCANNED_KINDS: readonly Pick<ObjectRef, 'apiVersion' | 'kind'>[] = [
  { apiVersion: 'v1', kind: 'ConfigMap' },
  { apiVersion: 'v1', kind: 'Secret' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'ServiceAccount' },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'apps/v1', kind: 'DaemonSet' },
  { apiVersion: 'batch/v1', kind: 'Job' },
  { apiVersion: 'batch/v1', kind: 'CronJob' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding' },
];

function unreadable(error: unknown): string | undefined {
  if (error instanceof KubeUnknownKindError) return 'not served by this cluster';
  if (error instanceof KubeApiError && error.status === 403) return 'not allowed to list';
  return undefined;
}

/** Only what ownership needs: a recorded object fetched whole keeps nothing but its metadata. */
function metadataOf(object: LiveObject): LiveObject {
  return { apiVersion: object.apiVersion, kind: object.kind, metadata: object.metadata };
}

export async function releaseOwnership(
  client: KubeClient,
  namespace: string,
  release: string,
): Promise<OwnershipReport> {
  const store = new ReleaseStore(client);
  const [latest] = await store.summaries(namespace, release);
  const record = latest ? await store.load(namespace, release, latest.revision) : undefined;
  const recorded = new Map(
    (record?.manifests ?? []).map((m) => {
      const ref = refOf(m.object);
      return [refKey({ ...ref, namespace: ref.namespace ?? namespace }), ref] as const;
    }),
  );
  const skipped: string[] = [];
  const found = new Map<string, LiveObject>();
  const scanned = new Set(SCANNED_KINDS.map((k) => `${k.apiVersion}/${k.kind}`));
  await Promise.all(
    SCANNED_KINDS.map(async (kind) => {
      try {
        for (const object of await client.listMetadata({ ...kind, namespace }))
          found.set(refKey({ ...refOf(object), namespace }), object);
      } catch (error) {
        const why = unreadable(error);
        if (!why) throw error;
        skipped.push(`${kind.kind}: ${why}`);
      }
    }),
  );
  // Recorded objects of other kinds (monitoring, autoscaling add-ons) are read one by one.
  await Promise.all(
    [...recorded.entries()]
      .filter(([, ref]) => !scanned.has(`${ref.apiVersion}/${ref.kind}`))
      .map(async ([key, ref]) => {
        try {
          const live = await client.get({ ...ref, namespace: ref.namespace ?? namespace });
          if (live) found.set(key, metadataOf(live));
        } catch (error) {
          const why = unreadable(error);
          if (!why) throw error;
          skipped.push(`${ref.kind}/${ref.name}: ${why}`);
        }
      }),
  );
  const objects = [...found.entries()]
    .filter(([key, object]) => concernsRelease(object, release, recorded.has(key)))
    .map(([key, object]) => ownershipOf(object, release, recorded.has(key)))
    .sort((a, b) => a.ref.kind.localeCompare(b.ref.kind) || a.ref.name.localeCompare(b.ref.name));
  if (!record && objects.length === 0)
    throw new BerthError(
      'BERTH_RELEASE_NOT_FOUND',
      `release ${release}: no record and no object of that name in namespace ${namespace}`,
      { hint: 'berth list shows the releases in a namespace (-A for all)' },
    );
  return { release, namespace, revision: record?.revision, objects, skipped: skipped.sort() };
}
