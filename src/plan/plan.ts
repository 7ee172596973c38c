/**
 * `berth plan` and `berth drift`: what an upgrade would change, and what changed behind berth's
 * back. The desired objects go through a server-side dry run (admission, defaulting, the merge with
 * fields other managers own) and are compared with the live objects, so manual edits show up too.
 * Core only: it returns a Plan and never prints.
 */
import type { Blueprint } from '../blueprints/blueprint.ts';
import { BerthError } from '../errors.ts';
import type { ClusterApi } from '../kube/cluster-api.ts';
import { KubeApiError } from '../kube/errors.ts';
import { type LiveObject, type ObjectRef, refOf } from '../kube/types.ts';
import { type Change, type ClusterPin, computeChanges, pinOf, withSpecHash } from '../release/changes.ts';
import { type ReleaseTarget, revisionsOf } from '../release/engine.ts';
import { type RecordedManifest, type ReleaseRecord, revisionDigest } from '../release/record.ts';
import { secretDigests } from '../release/redact.ts';
import { checkSameBlueprint, renderRevision } from '../release/render-revision.ts';
import { readGeneratedSecrets } from '../release/secrets.ts';
import { ReleaseStore } from '../release/store.ts';
import type { KubeObject, Stage } from '../render/model.ts';
import { unifiedDiff } from './diff.ts';
import { releaseSecretValues } from './known-secrets.ts';
import { normalizeObject, projectOnto } from './normalize.ts';
import {
  redactCredentialsPair,
  redactSecretPair,
  redactUrlPasswords,
  scrubKnownValues,
  scrubPatterns,
  secretValues,
  sensitiveSecretValues,
} from './redact.ts';

export const PLAN_ACTIONS = ['create', 'change', 'prune', 'unchanged'] as const;
export type PlanAction = (typeof PLAN_ACTIONS)[number];

export interface PlannedChange {
  readonly action: PlanAction;
  /** `Kind/name`. */
  readonly object: string;
  readonly ref: ObjectRef;
  readonly stage?: Stage | undefined;
  readonly component?: string | undefined;
  /** Unified YAML diff, Secret values redacted; empty when unchanged. */
  readonly diff: string;
  /** Why the change looks the way it does (a Job replaced, a dry run that failed). */
  readonly note?: string | undefined;
}

export type PlanSummary = Readonly<Record<PlanAction, number>>;

export interface Plan {
  /** `Plan`: an upgrade against the live cluster; `Drift`: the live cluster against the last revision. */
  readonly kind: 'Plan' | 'Drift';
  readonly release: string;
  readonly namespace: string;
  /** The deployed revision compared with; undefined when the release does not exist yet. */
  readonly revision: number | undefined;
  readonly blueprint?: ReleaseRecord['blueprint'] | undefined;
  readonly summary: PlanSummary;
  /** Every object, in apply order (prunes last). */
  readonly changes: readonly PlannedChange[];
  /** Things worth knowing that are not changes (kept data, objects that need --adopt). */
  readonly notes: readonly string[];
  /** The cluster as the plan saw it; `upgrade --plan-file` applies only while it still is. */
  readonly pin?: ClusterPin | undefined;
  /** No object changes, yet the upgrade records a new revision (the recorded `backup.*` settings differ). */
  readonly recordOnly?: boolean | undefined;
}

export interface PlanRequest {
  readonly blueprint: Blueprint;
  readonly values: Record<string, unknown>;
  /** Generated Secrets to draw new values for (as `berth upgrade --rotate-secret`). */
  readonly rotateSecrets?: readonly string[];
}

export function summarize(changes: readonly Pick<PlannedChange, 'action'>[]): PlanSummary {
  const summary = { create: 0, change: 0, prune: 0, unchanged: 0 };
  for (const { action } of changes) summary[action]++;
  return summary;
}

export function hasChanges(plan: Pick<Plan, 'summary' | 'recordOnly'>): boolean {
  return plan.summary.create + plan.summary.change + plan.summary.prune > 0 || plan.recordOnly === true;
}

/** The versioned JSON document of `--output json`: only what changes is listed. */
export function planDocument(plan: Plan) {
  return {
    apiVersion: 'berth.dev/v1',
    kind: plan.kind,
    release: plan.release,
    namespace: plan.namespace,
    revision: plan.revision ?? null,
    summary: plan.summary,
    ...(plan.recordOnly ? { recordOnly: true } : {}),
    changes: plan.changes
      .filter((c) => c.action !== 'unchanged')
      .map((c) => ({
        action: c.action,
        object: c.object,
        apiVersion: c.ref.apiVersion,
        ...(c.component ? { component: c.component } : {}),
        diff: c.diff,
        ...(c.note ? { note: c.note } : {}),
      })),
    notes: plan.notes,
  };
}

type Json = Record<string, unknown>;

interface Side {
  readonly before: Json | undefined;
  readonly after: Json | undefined;
}

/** The action and the redacted diff of one object. `patterns`: known secret values to scrub. */
export function compareObjects(
  sides: Side,
  labels: { readonly before: string; readonly after: string },
  patterns: readonly string[],
): { action: PlanAction; diff: string } {
  const [before, after] = redactCredentialsPair(
    ...redactSecretPair(
      sides.before && normalizeObject(sides.before),
      sides.after && normalizeObject(sides.after),
    ),
  );
  const diff = scrubKnownValues(unifiedDiff(before, after, labels), patterns).text;
  const action: PlanAction = !sides.before
    ? 'create'
    : !sides.after
      ? 'prune'
      : diff
        ? 'change'
        : 'unchanged';
  return { action, diff: action === 'unchanged' ? '' : diff };
}

function kindName(ref: ObjectRef): string {
  return `${ref.kind}/${ref.name}`;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

interface Desired {
  readonly object: KubeObject;
  readonly stage?: Stage | undefined;
  readonly component?: string | undefined;
}

interface Comparison {
  readonly desired: Desired;
  readonly live: LiveObject | undefined;
  readonly after: Json | undefined;
  readonly before: Json | undefined;
  readonly note?: string | undefined;
}

/**
 * The object as it would be stored after berth applies `desired`: a forced server-side dry run
 * when the live side allows one; otherwise the desired object, with the live one seen only
 * through the fields berth sets (so server defaults do not show as changes). A replaced object
 * (`replacedBecause`) is compared offline: the server would refuse to update it in place.
 */
async function dryRun(
  client: ClusterApi,
  desired: Desired,
  live: LiveObject | undefined,
  canDryRun: boolean,
  replacedBecause?: string,
): Promise<Comparison> {
  const object = withSpecHash(desired.object);
  const base = { desired: { ...desired, object } };
  const offline = (note?: string): Comparison => ({
    ...base,
    live,
    after: object,
    before: live && (projectOnto(live, object) as Json),
    note,
  });
  if (replacedBecause) return offline(replacedBecause);
  if (!canDryRun) return offline();
  try {
    return { ...base, live, before: live, after: await client.apply(object, { force: true, dryRun: true }) };
  } catch (error) {
    return offline(`server-side dry run failed, compared without server defaults: ${firstLine(error)}`);
  }
}

async function namespaceExists(client: ClusterApi, namespace: string): Promise<boolean> {
  try {
    return (await client.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace })) !== undefined;
  } catch (error) {
    // Not allowed to read namespaces: assume it is there; a dry run will say otherwise.
    if (error instanceof KubeApiError && error.status === 403) return true;
    throw error;
  }
}

async function deployedRecord(target: ReleaseTarget): Promise<ReleaseRecord | undefined> {
  const store = new ReleaseStore(target.client);
  const summaries = await store.summaries(target.namespace, target.release);
  return (await revisionsOf(store, target, summaries)).deployed;
}

function collectPatterns(stored: Iterable<string>, comparisons: readonly Comparison[]): string[] {
  const values = [...stored];
  for (const c of comparisons) {
    for (const side of [c.desired.object, c.live, c.after, c.before] as (Json | undefined)[])
      values.push(...sensitiveSecretValues(side));
  }
  return scrubPatterns(values);
}

/** A change of the engine's change set, compared as the plan shows it; keeps are notes, not changes. */
async function compareChange(client: ClusterApi, change: Change, canDryRun: boolean): Promise<Comparison> {
  if (change.action === 'prune') {
    const live = change.live!;
    const component = live.metadata.labels?.['app.kubernetes.io/component'];
    return { desired: { object: live as KubeObject, component }, live, before: live, after: undefined };
  }
  const desired = { object: change.object!, stage: change.stage, component: change.component };
  return dryRun(
    client,
    desired,
    change.live,
    canDryRun,
    change.action === 'replace' ? change.reason : undefined,
  );
}

function changesOf(comparisons: readonly Comparison[], patterns: readonly string[], labels: Labels) {
  return comparisons.map((c): PlannedChange => {
    const ref = refOf(c.desired.object);
    const { action, diff } = compareObjects(
      { before: c.before, after: c.after },
      { before: `${labels.before} ${kindName(ref)}`, after: `${labels.after} ${kindName(ref)}` },
      patterns,
    );
    return {
      action,
      object: kindName(ref),
      ref,
      stage: c.desired.stage,
      component: c.desired.component,
      diff,
      note: c.note && redactUrlPasswords(scrubKnownValues(c.note, patterns).text),
    };
  });
}

interface Labels {
  readonly before: string;
  readonly after: string;
}

/**
 * What `berth upgrade` (or `install`) of `request` would change: rendered exactly as the upgrade
 * would (generated secrets read back from the cluster), dry-run against the live cluster, diffed
 * against the live objects; objects of the last revision that are not rendered any more are
 * pruned. When the release does not exist yet, everything is a create.
 */
export async function planUpgrade(target: ReleaseTarget<ClusterApi>, request: PlanRequest): Promise<Plan> {
  const { client, namespace, release } = target;
  const store = new ReleaseStore(client);
  const [[newest, { deployed, previous }], stored, canDryRun] = await Promise.all([
    store
      .summaries(namespace, release)
      .then(
        async (summaries) => [summaries[0]?.revision, await revisionsOf(store, target, summaries)] as const,
      ),
    readGeneratedSecrets(client, namespace, release),
    namespaceExists(client, namespace),
  ]);
  checkSameBlueprint(release, deployed, request.blueprint);
  const known = canDryRun ? await releaseSecretValues(client, namespace, release) : [];
  const rendered = await renderRevision(
    target,
    { ...request, rotateSecrets: request.rotateSecrets ?? [] },
    stored,
    deployed?.adopted,
  );
  const changeSet = await computeChanges(client, {
    release,
    manifests: rendered.manifests,
    previous,
    adopt: false,
  });
  const notes = changeSet.notOwned
    .map(
      (ref) => `${kindName(ref)} exists and does not belong to release ${release}: the upgrade needs --adopt`,
    )
    .sort();
  if (!canDryRun)
    notes.unshift(
      `namespace ${namespace} does not exist: objects are shown as rendered, without server defaults`,
    );
  const kept = changeSet.changes
    .filter((c) => c.action === 'keep')
    .map((c) => `${kindName(c.ref)} stays: ${c.reason}`);
  const all = await Promise.all(
    changeSet.changes.filter((c) => c.action !== 'keep').map((c) => compareChange(client, c, canDryRun)),
  );
  const patterns = collectPatterns(known, all);
  const changes = changesOf(all, patterns, { before: 'live', after: 'planned' });
  const summary = summarize(changes);
  const recordOnly =
    deployed !== undefined &&
    !hasChanges({ summary }) &&
    deployed.digest !== revisionDigest(rendered.manifests, request.values);
  if (recordOnly)
    notes.push(
      `no object changes, but the upgrade records revision ${(newest ?? 0) + 1}: the recorded settings (backup.*) differ from revision ${deployed.revision}`,
    );
  return {
    kind: 'Plan',
    release,
    namespace,
    revision: deployed?.revision,
    blueprint: rendered.blueprint,
    summary,
    changes,
    notes: [...notes, ...kept].map((n) => scrubKnownValues(n, patterns).text),
    pin: pinOf(changeSet, newest),
    ...(recordOnly ? { recordOnly } : {}),
  };
}

/**
 * A recorded Secret carries key names and value digests only: what berth last applied is those
 * keys with the values now live, except where a live value no longer matches its recorded digest.
 * There the applied side gets a stand-in, so the diff marks the key `<redacted, changed>` (both
 * sides are redacted, the stand-in never shows). Records without digests show added and removed
 * keys only.
 */
function recordedSecret(manifest: RecordedManifest, live: LiveObject | undefined): KubeObject {
  const values = secretValues(live);
  const digests = live ? secretDigests({ ...live, metadata: manifest.object.metadata }) : {};
  const data = Object.fromEntries(
    (manifest.secretKeys ?? [])
      .filter((key) => values[key] !== undefined)
      .map((key) => {
        const recorded = manifest.secretDigests?.[key];
        const applied = recorded && recorded !== digests[key] ? `recorded ${recorded}` : values[key]!;
        return [key, Buffer.from(applied).toString('base64')];
      }),
  );
  return { ...manifest.object, data } as KubeObject;
}

/**
 * The live objects of the deployed revision against what berth applied: each recorded object is
 * dry-run applied again (the state berth would restore) and compared with the live one. A deleted
 * object shows as a create; `kubectl edit` / `kubectl scale` of a field berth sets shows as a change.
 */
export async function releaseDrift(target: ReleaseTarget): Promise<Plan> {
  const { client, namespace, release } = target;
  const deployed = await deployedRecord(target);
  if (!deployed) {
    throw new BerthError(
      'BERTH_RELEASE_NOT_FOUND',
      `release ${release} has no deployed revision in namespace ${namespace}`,
      { hint: 'berth list shows the releases in a namespace (-A for all)' },
    );
  }
  const comparisons = await Promise.all(
    deployed.manifests.map(async (manifest) => {
      const live = await client.get(refOf(manifest.object));
      const object = manifest.object.kind === 'Secret' ? recordedSecret(manifest, live) : manifest.object;
      const compared = await dryRun(client, { ...manifest, object }, live, live !== undefined);
      if (manifest.object.kind !== 'Secret' || !compared.after) return compared;
      // Keep the live values of the recorded keys, and exactly the recorded key set.
      const { data: _data, ...after } = compared.after;
      return { ...compared, after: { ...after, data: object.data } };
    }),
  );
  // Live "before" is what berth applied; the drift is what the cluster has now.
  const swapped = comparisons.map((c) => ({
    ...c,
    before: c.after,
    after: c.live ? c.before : undefined,
  }));
  const patterns = collectPatterns(await releaseSecretValues(client, namespace, release), comparisons);
  const changes = changesOf(swapped, patterns, { before: 'applied', after: 'live' }).map((c) => ({
    ...c,
    // From the drift's point of view a missing object was deleted, an extra one created.
    action: (c.action === 'prune' ? 'create' : c.action === 'create' ? 'prune' : c.action) as PlanAction,
  }));
  return {
    kind: 'Drift',
    release,
    namespace,
    revision: deployed.revision,
    blueprint: deployed.blueprint,
    summary: summarize(changes),
    changes,
    notes: [],
  };
}
