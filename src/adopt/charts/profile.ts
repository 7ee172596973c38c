/**
 * What a chart profile is, and the building blocks profiles share: reading a chart workload's
 * resolved environment and data claim, and collecting the stores whose volumes berth takes over.
 */
import type { LiveObject } from '../../kube/types.ts';
import type { HelmRelease } from '../helm-record.ts';

export interface ChartObjects {
  get(kind: string, name: string): LiveObject | undefined;
  secretValue(name: string, key: string): string | undefined;
}

/** A bundled store whose data volume berth takes over. */
export interface AdoptedStore {
  /** `dependencies.<name>` of the blueprint. */
  readonly dependency: string;
  /** The chart's workload that ran it. */
  readonly workload: { readonly kind: string; readonly name: string };
  /** The claim holding the data. */
  readonly claim: string;
  /** Where the chart mounted the volume and keeps the data on it, when berth's layout differs. */
  readonly mountPath?: string;
  readonly subPath?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** The user the chart's image runs as; the files on the volume belong to it. */
  readonly uid: number;
}

export interface ChartLayout {
  /** Values merged under the user's: the chart's data layout and wiring. */
  readonly values: Record<string, unknown>;
  /** Credentials the install runs with, by berth Secret name and key: berth keeps them instead of generating. */
  readonly seeds: ReadonlyMap<string, Readonly<Record<string, string>>>;
  readonly stores: readonly AdoptedStore[];
  /** Environment of berth's application containers that must follow the chart (database user and name). */
  readonly appEnv: Readonly<Record<string, string>>;
  /** Name prefixes of chart objects left running, unmanaged, because berth uses them as integrations. */
  readonly leaveRunning: readonly string[];
  /** Notes for the plan: what cannot be carried over exactly. */
  readonly notes: readonly string[];
}

export interface ChartProfile {
  readonly blueprint: string;
  readonly chart: string;
  readonly versions: string;
  accepts(version: string): boolean;
  layout(helm: HelmRelease, objects: ChartObjects, userValues: Record<string, unknown>): ChartLayout;
}

type Json = Record<string, unknown>;

export const major = (version: string) => Number(/^v?(\d+)\./.exec(version)?.[1] ?? Number.NaN);

/** The value at a dotted path of chart values. */
export function at(values: unknown, path: string): unknown {
  let node = values;
  for (const key of path.split('.')) node = (node as Json | undefined)?.[key];
  return node;
}

/** The environment of a container (the first, or the one named) with every value and secretKeyRef resolved. */
export function resolvedEnv(
  workload: LiveObject,
  objects: ChartObjects,
  container?: string,
): Map<string, string> {
  const template = (workload.spec as Json | undefined)?.template as Json | undefined;
  const containers = ((template?.spec as Json | undefined)?.containers ?? []) as Json[];
  const chosen = container === undefined ? containers[0] : containers.find((c) => c.name === container);
  const resolved = new Map<string, string>();
  for (const entry of (chosen?.env ?? []) as Json[]) {
    const name = String(entry.name);
    const ref = (entry.valueFrom as Json | undefined)?.secretKeyRef as Json | undefined;
    const value = ref ? objects.secretValue(String(ref.name), String(ref.key)) : entry.value;
    if (typeof value === 'string') resolved.set(name, value);
  }
  return resolved;
}

/** The claim a chart workload keeps its data on: a StatefulSet's claim template, or a Deployment's claim. */
export function claimOf(
  objects: ChartObjects,
  kind: string,
  name: string,
  template: string,
): string | undefined {
  const workload = objects.get(kind, name);
  if (!workload) return undefined;
  if (kind === 'StatefulSet') {
    const templates = ((workload.spec as Json).volumeClaimTemplates ?? []) as Json[];
    const found = templates.some((t) => (t.metadata as Json | undefined)?.name === template);
    return found ? `${template}-${name}-0` : undefined;
  }
  const volumes = (((workload.spec as Json).template as Json).spec as Json).volumes as Json[] | undefined;
  const claim = volumes?.find((v) => v.persistentVolumeClaim)?.persistentVolumeClaim as Json | undefined;
  return claim ? String(claim.claimName) : undefined;
}

/**
 * Collects a profile's stores, seeds and notes, and turns the stores into the values that point
 * berth's bundled dependencies at the chart's volumes.
 */
export class LayoutBuilder {
  readonly stores: AdoptedStore[] = [];
  readonly seeds = new Map<string, Record<string, string>>();
  readonly notes: string[] = [];
  readonly appEnv: Record<string, string> = {};
  readonly leaveRunning: string[] = [];
  readonly values: Json = {};

  private readonly release: string;
  private readonly objects: ChartObjects;

  constructor(release: string, objects: ChartObjects) {
    this.release = release;
    this.objects = objects;
  }

  /** Keep `value` as key `key` of berth's Secret `<release>-<secret>`; nothing when the chart had none. */
  seed(secret: string, key: string, value: string | undefined): void {
    if (value === undefined) return;
    const name = `${this.release}-${secret}`;
    this.seeds.set(name, { ...this.seeds.get(name), [key]: value });
  }

  /** Take over the data volume of a store, found through the chart workload's claim `template`. */
  store(store: Omit<AdoptedStore, 'claim'>, template: string): void {
    const claim = claimOf(this.objects, store.workload.kind, store.workload.name, template);
    if (!claim) {
      this.notes.push(
        `${store.workload.kind}/${store.workload.name} has no data volume (persistence off in the chart): berth starts ${store.dependency} empty`,
      );
      return;
    }
    this.stores.push({ ...store, claim });
  }

  /**
   * The layout: each adopted store runs as the chart's user, and reads the chart's claim — unless
   * berth's StatefulSet has the chart's very name, when the claim template already finds it.
   */
  build(): ChartLayout {
    const dependencies: Json = { ...(this.values.dependencies as Json | undefined) };
    for (const store of this.stores) {
      const inPlace =
        store.workload.kind === 'StatefulSet' && this.objects.get(store.workload.kind, store.workload.name);
      const sameName = store.workload.name === `${this.release}-${store.dependency}`;
      dependencies[store.dependency] = {
        ...(dependencies[store.dependency] as Json | undefined),
        podSecurityContext: { runAsUser: store.uid, runAsGroup: store.uid, fsGroup: store.uid },
        ...(inPlace && sameName ? {} : { persistence: { existingClaim: store.claim } }),
      };
    }
    const values = Object.keys(dependencies).length ? { ...this.values, dependencies } : this.values;
    const { seeds, stores, appEnv, leaveRunning, notes } = this;
    return { values, seeds, stores, appEnv, leaveRunning, notes };
  }
}
