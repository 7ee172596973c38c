/**
 * The change set of a revision, computed once: for every rendered object whether it is created,
 * updated or replaced, and for every object of the previous revision that is not rendered any more
 * whether it is pruned or kept — each with the reason. The engine applies exactly these changes,
 * `berth plan` shows them, and uninstall (nothing rendered) deletes and keeps by the same rules.
 */
import { createHash } from 'node:crypto';
import { BerthError, ExitCode } from '../errors.ts';
import type { ClusterApi } from '../kube/cluster-api.ts';
import { describeRef, type LiveObject, type ObjectRef, refOf } from '../kube/types.ts';
import type { KubeObject, Stage } from '../render/model.ts';
import type { Manifest } from '../render/render.ts';
import { keepReason, keptByKind } from './keep.ts';
import { ANNOTATION } from './labels.ts';

export const CHANGE_ACTIONS = ['create', 'update', 'replace', 'prune', 'keep'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

export interface Change {
  readonly action: ChangeAction;
  readonly ref: ObjectRef;
  /** The object berth applies (Jobs stamped with their spec hash); undefined for prune and keep. */
  readonly object: KubeObject | undefined;
  /** The object as the cluster has it now; undefined for a create. */
  readonly live: LiveObject | undefined;
  readonly stage?: Stage | undefined;
  readonly component?: string | undefined;
  readonly reason: string;
}

export interface ChangeSet {
  readonly release: string;
  /** Rendered objects in apply order, then what leaves the inventory, last stage first. */
  readonly changes: readonly Change[];
  /** Objects that exist, belong to no release of this name, and were not adopted. */
  readonly notOwned: readonly ObjectRef[];
}

export interface ChangeInput {
  readonly release: string;
  readonly manifests: readonly Manifest[];
  /** Objects of the previous revision (and of an unfinished newer one): these are ours. */
  readonly previous: readonly ObjectRef[];
  /** Take over existing objects of the same name that no release owns. */
  readonly adopt: boolean;
  /** Uninstall --delete-data: nothing is kept. */
  readonly deleteData?: boolean;
}

export function refKey(ref: ObjectRef): string {
  return `${ref.apiVersion}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/** Labelled as this release's by berth. */
export function ownedBy(live: LiveObject, release: string): boolean {
  const labels = live.metadata.labels ?? {};
  return (
    labels['app.kubernetes.io/instance'] === release && labels['app.kubernetes.io/managed-by'] === 'berth'
  );
}

function specHash(object: KubeObject): string {
  return createHash('sha256')
    .update(JSON.stringify(object.spec ?? {}))
    .digest('hex')
    .slice(0, 16);
}

/** Jobs are immutable once created: stamp their spec so a changed Job is replaced, an unchanged one left alone. */
export function withSpecHash(object: KubeObject): KubeObject {
  if (object.kind !== 'Job') return object;
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: { ...object.metadata.annotations, [ANNOTATION.specHash]: specHash(object) },
    },
  };
}

function rendered(manifest: Manifest, live: LiveObject | undefined, release: string, ours: boolean): Change {
  const object = withSpecHash(manifest.object);
  const base = { ref: refOf(object), object, live, stage: manifest.stage, component: manifest.component };
  if (!live) return { ...base, action: 'create', reason: 'not in the cluster' };
  const adopted = !ours && !ownedBy(live, release) ? ' (adopted from outside the release)' : '';
  const hash = ANNOTATION.specHash;
  if (object.kind === 'Job' && live.metadata.annotations?.[hash] !== object.metadata.annotations?.[hash])
    return { ...base, action: 'replace', reason: `Jobs are immutable: deleted and created anew${adopted}` };
  return { ...base, action: 'update', reason: `server-side apply over the live object${adopted}` };
}

async function leaving(client: ClusterApi, ref: ObjectRef, deleteData: boolean): Promise<Change | undefined> {
  const base = { ref, object: undefined };
  if (!deleteData && keptByKind(ref.kind))
    return { ...base, live: undefined, action: 'keep', reason: keepReason(ref.kind, undefined)! };
  const live = await client.get(ref);
  if (!live) return undefined;
  const kept = deleteData ? undefined : keepReason(ref.kind, live.metadata.annotations);
  if (kept) return { ...base, live, action: 'keep', reason: kept };
  return { ...base, live, action: 'prune', reason: 'no longer rendered' };
}

/** Reads the live objects once and decides every change; writes nothing. */
export async function computeChanges(client: ClusterApi, input: ChangeInput): Promise<ChangeSet> {
  const ours = new Set(input.previous.map(refKey));
  const notOwned: ObjectRef[] = [];
  const applied = await Promise.all(
    input.manifests.map(async (manifest) => {
      const ref = refOf(manifest.object);
      const live = await client.get(ref);
      if (live && !ours.has(refKey(ref)) && !ownedBy(live, input.release) && !input.adopt) notOwned.push(ref);
      return rendered(manifest, live, input.release, ours.has(refKey(ref)));
    }),
  );
  const current = new Set(input.manifests.map((m) => refKey(refOf(m.object))));
  const gone = input.previous.filter((ref) => !current.has(refKey(ref))).reverse();
  const left = await Promise.all(gone.map((ref) => leaving(client, ref, input.deleteData ?? false)));
  return {
    release: input.release,
    changes: [...applied, ...left.filter((c): c is Change => c !== undefined)],
    notOwned,
  };
}

/** A name clash fails the whole operation with the cluster untouched. */
export function checkOwnership(changes: ChangeSet): void {
  const clashes = changes.notOwned.map(describeRef).sort();
  if (clashes.length === 0) return;
  const one = clashes.length === 1;
  throw new BerthError(
    'BERTH_NOT_OWNED',
    `${clashes.join(', ')} already exist${one ? 's' : ''} and do${one ? 'es' : ''} not belong to release ${changes.release}; nothing was changed`,
    { hint: 'remove or rename the existing objects, or pass --adopt to let this release take them over' },
  );
}

/**
 * The state of the cluster a saved plan was computed against: the newest revision of the release
 * and, for every object of the change set, its generation (spec changes; status updates by
 * controllers do not count) or, for kinds without one, its resourceVersion; null when absent.
 */
export interface ClusterPin {
  readonly revision: number | null;
  readonly objects: Readonly<Record<string, string | null>>;
}

function liveState(live: LiveObject | undefined): string | null {
  if (!live) return null;
  const { generation, resourceVersion } = live.metadata as { generation?: number; resourceVersion?: string };
  return generation === undefined ? `resourceVersion ${resourceVersion}` : `generation ${generation}`;
}

export function pinOf(changeSet: ChangeSet, revision: number | undefined): ClusterPin {
  const objects: Record<string, string | null> = {};
  for (const change of changeSet.changes) objects[refKey(change.ref)] = liveState(change.live);
  return { revision: revision ?? null, objects };
}

function stale(what: string): BerthError {
  return new BerthError(
    'BERTH_PLAN_STALE',
    `the cluster changed since the plan was saved: ${what}; nothing was changed`,
    {
      exitCode: ExitCode.runtime,
      hint: 'run berth plan --save again, review it, and upgrade with the new plan',
    },
  );
}

/** Refuses when the release has a newer revision than the pin's. */
export function checkPinnedRevision(pin: ClusterPin, revision: number | undefined): void {
  if ((revision ?? null) !== pin.revision)
    throw stale(`the newest revision is ${revision ?? 'none'}, the plan saw ${pin.revision ?? 'none'}`);
}

/** Refuses when any object of the change set is not as the pin saw it. */
export function checkPin(pin: ClusterPin, changeSet: ChangeSet): void {
  const now = pinOf(changeSet, pin.revision ?? undefined).objects;
  for (const key of new Set([...Object.keys(pin.objects), ...Object.keys(now)])) {
    const [kind = '', namespace = '', name = ''] = key.split('/').slice(-3);
    const object = describeRef({ kind, name, namespace });
    if (!(key in pin.objects)) throw stale(`${object} is new to the change set`);
    if (!(key in now)) throw stale(`${object} left the change set`);
    if (pin.objects[key] !== now[key])
      throw stale(`${object} was at ${pin.objects[key] ?? 'absent'}, is at ${now[key] ?? 'absent'}`);
  }
}
