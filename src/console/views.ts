/**
 * What the console sends to the browser, built from release records: pure functions, and the one
 * place where records lose their secret values (the store hands them back with credentials, since
 * the engine applies them again). Every text still goes through `scrubKnownValues` in the server.
 */
import type { ValuesView } from '../actions/values.ts';
import { describeOrigin } from '../inspect/values.ts';
import { refOf } from '../kube/types.ts';
import { unifiedDiff } from '../plan/diff.ts';
import { compareObjects } from '../plan/plan.ts';
import { redactCredentials, redactCredentialsPair, redactSecret, scrubKnownValues } from '../plan/redact.ts';
import type { RecordedManifest, ReleaseRecord } from '../release/record.ts';
import type { Stage } from '../render/model.ts';
import { releaseWiring } from '../verify/callers.ts';
import type { ObjectDiff, RevisionView, Topology, ValuesLayers } from './types.ts';

/** Kinds whose readiness colours a component (Services and claims are shown, not coloured). */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

const SHARED = '(shared)';

/** Components grouped with their stage, workloads and Services, and who calls whom. */
export function topologyOf(record: Pick<ReleaseRecord, 'release' | 'namespace' | 'manifests'>): Topology {
  const byName = new Map<string, { stage: Stage; workloads: string[]; services: string[] }>();
  for (const manifest of record.manifests) {
    const name = manifest.component ?? SHARED;
    const entry = byName.get(name) ?? { stage: manifest.stage, workloads: [], services: [] };
    const { kind, metadata } = manifest.object;
    if (WORKLOAD_KINDS.has(kind)) {
      entry.workloads.push(`${kind}/${metadata.name}`);
      entry.stage = manifest.stage;
    }
    if (kind === 'Service') entry.services.push(metadata.name);
    byName.set(name, entry);
  }
  const { callers } = releaseWiring(record);
  const dependencies = [...callers.entries()].flatMap(([to, from]) =>
    [...from].filter((caller) => caller !== to && byName.has(caller)).map((caller) => ({ from: caller, to })),
  );
  return {
    components: [...byName.entries()]
      .map(([name, entry]) => ({ name, ...entry }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    dependencies: dependencies
      .filter(({ to }) => byName.has(to))
      .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to)),
  };
}

/** A recorded object as the browser may see it: Secrets show key names only, credentials masked. */
function safeObject(manifest: RecordedManifest): Record<string, unknown> {
  return redactCredentials(redactSecret(secretWithDigests(manifest)));
}

/**
 * A recorded Secret holds key names and value digests; as a diff side its keys carry the digests,
 * so a changed value shows as `<redacted, changed>` and the digest itself is never shown.
 */
function secretWithDigests(manifest: RecordedManifest): Record<string, unknown> {
  if (manifest.object.kind !== 'Secret') return manifest.object;
  const keys = manifest.secretKeys ?? [];
  const { data: _data, stringData: _stringData, ...rest } = manifest.object;
  const data = Object.fromEntries(
    keys.map((key) => [key, Buffer.from(manifest.secretDigests?.[key] ?? key).toString('base64')]),
  );
  return { ...rest, data };
}

export function revisionView(record: ReleaseRecord): RevisionView {
  return {
    revision: record.revision,
    status: record.status,
    blueprint: record.blueprint,
    description: record.description,
    values: redactCredentials(record.values),
    objects: record.manifests.map((m) => ({ stage: m.stage, component: m.component, object: safeObject(m) })),
  };
}

/** Every object that differs between two revisions, as a unified YAML diff with secrets redacted. */
export function revisionDiff(
  from: ReleaseRecord,
  to: ReleaseRecord,
  patterns: readonly string[],
): { values: string; objects: ObjectDiff[] } {
  const key = (m: RecordedManifest) => {
    const ref = refOf(m.object);
    return `${ref.apiVersion} ${ref.kind}/${ref.name}`;
  };
  const before = new Map(from.manifests.map((m) => [key(m), m]));
  const after = new Map(to.manifests.map((m) => [key(m), m]));
  const objects = [...new Set([...before.keys(), ...after.keys()])].map((id) => {
    const name = id.split(' ')[1]!;
    const [a, b] = [before.get(id), after.get(id)];
    const { action, diff } = compareObjects(
      { before: a && secretWithDigests(a), after: b && secretWithDigests(b) },
      { before: `a/${name}`, after: `b/${name}` },
      patterns,
    );
    return { object: name, action, diff };
  });
  const values = scrubKnownValues(
    unifiedDiff(...redactCredentialsPair(from.values, to.values), {
      before: 'a/values.yaml',
      after: 'b/values.yaml',
    }),
    patterns,
  ).text;
  return { values, objects: objects.filter((o) => o.action !== 'unchanged') };
}

/** The values view without the blueprint's schema: leaves (already credential-redacted) and their layer. */
export function valuesLayersOf(view: ValuesView): ValuesLayers {
  return {
    blueprint: { name: view.blueprint.name, version: view.blueprint.version },
    revision: view.release?.revision,
    notes: view.notes,
    leaves: view.effective.leaves.map((leaf) => ({
      path: leaf.path,
      value: leaf.value,
      layer: describeOrigin(leaf.origin),
    })),
  };
}
