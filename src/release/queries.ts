/** Read-only views of releases: list, history, status. They never take the lock. */
import { BerthError } from '../errors.ts';
import type { ClusterApi } from '../kube/cluster-api.ts';
import { readinessOf } from '../kube/readiness/index.ts';
import { describeRef, type LiveObject, refOf } from '../kube/types.ts';
import {
  mapCredentials,
  REDACTED,
  redactUrlPasswords,
  scrubKnownValues,
  scrubPatterns,
  sensitiveSecretValues,
} from '../plan/redact.ts';
import type { ReleaseTarget } from './engine.ts';
import type { ReleaseRecord } from './record.ts';
import { type RecordSummary, ReleaseStore } from './store.ts';

/** The newest revision of every release in a namespace (or in all namespaces). */
export async function listReleases(
  client: ClusterApi,
  namespace: string | undefined,
): Promise<RecordSummary[]> {
  const heads = await new ReleaseStore(client).summaries(namespace);
  const newest = new Map<string, RecordSummary>();
  for (const head of heads) {
    const key = `${head.namespace}/${head.release}`;
    if ((newest.get(key)?.revision ?? -1) < head.revision) newest.set(key, head);
  }
  return [...newest.values()].sort(
    (a, b) => a.namespace.localeCompare(b.namespace) || a.release.localeCompare(b.release),
  );
}

export async function releaseHistory(target: ReleaseTarget<ClusterApi>): Promise<RecordSummary[]> {
  const summaries = await new ReleaseStore(target.client).summaries(target.namespace, target.release);
  if (summaries.length === 0) throw notFound(target);
  return summaries.reverse();
}

function notFound(target: ReleaseTarget<ClusterApi>): BerthError {
  return new BerthError(
    'BERTH_RELEASE_NOT_FOUND',
    `release ${target.release} not found in namespace ${target.namespace}`,
    {
      hint: 'berth list shows the releases in a namespace (-A for all)',
    },
  );
}

export interface ObjectHealth {
  readonly object: string;
  readonly ready: boolean;
  readonly message: string;
}

export interface ComponentHealth {
  readonly component: string;
  readonly stage: string;
  readonly ready: boolean;
  readonly objects: readonly ObjectHealth[];
}

export interface ReleaseStatusReport {
  readonly release: string;
  readonly namespace: string;
  readonly revision: number;
  readonly status: ReleaseRecord['status'];
  readonly blueprint: ReleaseRecord['blueprint'];
  readonly updated: string;
  readonly description: string;
  readonly ready: boolean;
  readonly components: readonly ComponentHealth[];
  readonly notes: readonly string[];
}

/** What the live objects hold that is credential-shaped: env values and URL passwords, Secret values. */
function credentialsIn(objects: readonly LiveObject[]): string[] {
  const found: string[] = [];
  for (const object of objects) {
    mapCredentials(object, ({ value }) => {
      found.push(value);
      return REDACTED;
    });
    found.push(...sensitiveSecretValues(object));
  }
  return scrubPatterns(found);
}

/**
 * The latest revision and the live health of each component, rolled up. Health messages come from
 * controllers and a failed revision's description from the API server; either may quote a value,
 * so the credentials of the live objects and every URL password are redacted from both.
 */
export async function releaseStatus(target: ReleaseTarget<ClusterApi>): Promise<ReleaseStatusReport> {
  const store = new ReleaseStore(target.client);
  const record = await store.latest(target.namespace, target.release);
  if (!record) throw notFound(target);
  const byComponent = new Map<string, { stage: string; objects: ObjectHealth[] }>();
  const lives: LiveObject[] = [];
  await Promise.all(
    record.manifests.map(async (manifest) => {
      const ref = refOf(manifest.object);
      const live = await target.client.get(ref);
      if (live) lives.push(live);
      const health = live
        ? readinessOf(live)
        : { done: true, ok: false, message: 'missing from the cluster' };
      const key = manifest.component ?? '(shared)';
      const entry = byComponent.get(key) ?? { stage: manifest.stage, objects: [] };
      entry.objects.push({
        object: describeRef(ref),
        ready: health.done && health.ok,
        message: health.message,
      });
      byComponent.set(key, entry);
    }),
  );
  const patterns = credentialsIn(lives);
  const clean = (text: string) => redactUrlPasswords(scrubKnownValues(text, patterns).text);
  const components = [...byComponent.entries()]
    .map(([component, { stage, objects }]) => ({
      component,
      stage,
      ready: objects.every((o) => o.ready),
      objects: objects
        .map((o) => ({ ...o, message: clean(o.message) }))
        .sort((a, b) => a.object.localeCompare(b.object)),
    }))
    .sort((a, b) => a.component.localeCompare(b.component));
  return {
    release: record.release,
    namespace: record.namespace,
    revision: record.revision,
    status: record.status,
    blueprint: record.blueprint,
    updated: record.finishedAt ?? record.startedAt,
    description: clean(record.description),
    ready: components.every((c) => c.ready),
    components,
    notes: record.notes.map(clean),
  };
}
