/**
 * What a chart profile is, and the building blocks profiles share: reading a chart workload's
 * resolved environment and data claim, and collecting the stores whose volumes berth takes over.
 */
import type { LiveObject } from '../../kube/types.ts';
import { containerEnv } from '../../verify/container-env.ts';
import type { HelmRelease } from '../helm-record.ts';

export interface ChartObjects {
  get(kind: string, name: string): LiveObject | undefined;
  /** A Secret of the release's namespace, its values decoded. */
  secret(name: string): Readonly<Record<string, string>> | undefined;
}

/** A bundled store whose data volume berth takes over. */
export interface AdoptedStore {
  /** `dependencies.<name>` of the blueprint. */
  readonly dependency: string;
  /** berth's component (`<release>-<component>`) when its name differs from the values key. */
  readonly component?: string;
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
  /** What the chart's image gave its server from outside the data volume, which berth must give too. */
  readonly server?: StoreServer;
}

/**
 * A store server's arguments, and files they name: berth mounts the files from a ConfigMap of the
 * release (`<release>-<component>-adopted`) at ADOPTED_CONFIG_DIR.
 */
export interface StoreServer {
  readonly args: readonly string[];
  readonly files: Readonly<Record<string, string>>;
}

export const ADOPTED_CONFIG_DIR = '/etc/berth/adopted';

/**
 * The Bitnami PostgreSQL image keeps postgresql.conf and pg_hba.conf outside the data directory
 * (/opt/bitnami/postgresql/conf, passed as --config-file and --hba_file by its libpostgresql.sh;
 * bitnami/containers, bitnami/postgresql), so the copies initdb left in PGDATA are its defaults:
 * listening on localhost only, and no rule for connections from other pods. Started on that data,
 * berth's PostgreSQL listens everywhere and reads the client rules the chart's image wrote (local
 * and loopback trusted, every other host by password, md5 also taking SCRAM-hashed passwords).
 */
export const BITNAMI_POSTGRES_SERVER: StoreServer = {
  args: ['postgres', '-c', 'listen_addresses=*', '-c', `hba_file=${ADOPTED_CONFIG_DIR}/pg_hba.conf`],
  files: {
    'pg_hba.conf': [
      '# Written by berth for PostgreSQL data a Bitnami image created: its own rules lived outside PGDATA.',
      'local all all trust',
      'host all all 127.0.0.1/32 trust',
      'host all all ::1/128 trust',
      'host all all 0.0.0.0/0 md5',
      'host all all ::/0 md5',
      '',
    ].join('\n'),
  },
};

/** The ConfigMap holding a store server's files. */
export const adoptedConfigName = (release: string, store: AdoptedStore) =>
  `${release}-${storeComponent(store)}-adopted`;

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

/**
 * The environment of a container (the first, or the one named) with its `envFrom` sources, every
 * value and every secretKeyRef resolved; `env` wins over `envFrom`, as in the kubelet.
 */
export function resolvedEnv(
  workload: LiveObject,
  objects: ChartObjects,
  container?: string,
): Map<string, string> {
  const template = (workload.spec as Json | undefined)?.template as Json | undefined;
  const containers = ((template?.spec as Json | undefined)?.containers ?? []) as Json[];
  const chosen = container === undefined ? containers[0] : containers.find((c) => c.name === container);
  const sources = (kind: 'ConfigMap' | 'Secret', name: string) =>
    kind === 'Secret'
      ? objects.secret(name)
      : (objects.get(kind, name)?.data as Record<string, string> | undefined);
  const resolved = new Map<string, string>();
  for (const [name, entry] of containerEnv(chosen ?? {}, sources))
    if (entry.value !== undefined) resolved.set(name, entry.value);
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

/** berth's component that runs the store: named after the values key unless the profile says otherwise. */
export const storeComponent = (store: AdoptedStore) => store.component ?? store.dependency;

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
      const sameName = store.workload.name === `${this.release}-${storeComponent(store)}`;
      dependencies[store.dependency] = {
        ...(dependencies[store.dependency] as Json | undefined),
        podSecurityContext: { runAsUser: store.uid, runAsGroup: store.uid, fsGroup: store.uid },
        ...(inPlace && sameName ? {} : { persistence: { existingClaim: store.claim } }),
      };
    }
    const configMaps = this.stores.flatMap((store) =>
      store.server
        ? [
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name: adoptedConfigName(this.release, store) },
              data: { ...store.server.files },
            },
          ]
        : [],
    );
    const values = {
      ...this.values,
      ...(Object.keys(dependencies).length ? { dependencies } : {}),
      ...(configMaps.length
        ? { extraObjects: [...((this.values.extraObjects as unknown[] | undefined) ?? []), ...configMaps] }
        : {}),
    };
    const { seeds, stores, appEnv, leaveRunning, notes } = this;
    return { values, seeds, stores, appEnv, leaveRunning, notes };
  }
}
