/**
 * The charts `berth adopt helm` recognises, and for each how its running install maps onto the
 * blueprint: which chart workload holds each bundled store's data (and where on its volume), which
 * credentials the applications were started with, and what berth must render differently to read
 * that data where the chart left it. Facts about the charts are cited from their templates.
 */
import { BerthError } from '../errors.ts';
import type { LiveObject } from '../kube/types.ts';
import type { HelmRelease } from './helm-record.ts';

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

const major = (version: string) => Number(/^v?(\d+)\./.exec(version)?.[1] ?? Number.NaN);

function at(values: unknown, path: string): unknown {
  let node = values;
  for (const key of path.split('.')) node = (node as Json | undefined)?.[key];
  return node;
}

/** The environment of a container with every value and secretKeyRef resolved. */
export function resolvedEnv(workload: LiveObject, objects: ChartObjects): Map<string, string> {
  const template = (workload.spec as Json | undefined)?.template as Json | undefined;
  const containers = ((template?.spec as Json | undefined)?.containers ?? []) as Json[];
  const resolved = new Map<string, string>();
  for (const entry of (containers[0]?.env ?? []) as Json[]) {
    const name = String(entry.name);
    const ref = (entry.valueFrom as Json | undefined)?.secretKeyRef as Json | undefined;
    const value = ref ? objects.secretValue(String(ref.name), String(ref.key)) : entry.value;
    if (typeof value === 'string') resolved.set(name, value);
  }
  return resolved;
}

function claimOf(objects: ChartObjects, kind: string, name: string, template: string): string | undefined {
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
 * langfuse/langfuse-k8s 1.x: web and worker Deployments named `<fullname>-web|worker` (fullname is
 * the release name when it contains "langfuse"), selected by name/instance plus `app: web|worker`;
 * Bitnami subcharts for the stores: PostgreSQL (StatefulSet `<release>-postgresql`, claim template
 * `data` mounted at /bitnami/postgresql, PGDATA /bitnami/postgresql/data), Valkey aliased `redis`
 * (`<release>-redis-primary`, template `valkey-data`, data at the volume root), ClickHouse
 * (`<release>-clickhouse-shard0`, template `data` mounted at /bitnami/clickhouse, data in `data/`),
 * MinIO aliased `s3` (Deployment and claim `<release>-s3`, objects at the volume root); all run as
 * uid 1001. The applications read every credential from their environment (DATABASE_PASSWORD,
 * REDIS_PASSWORD, CLICKHOUSE_PASSWORD, the S3 secret key, SALT, ENCRYPTION_KEY, NEXTAUTH_SECRET).
 */
const langfuseV1: ChartProfile = {
  blueprint: 'langfuse',
  chart: 'langfuse',
  versions: '1.x (Bitnami subcharts)',
  accepts: (version) => major(version) === 1,
  layout(helm, objects, userValues) {
    const release = helm.name;
    const fullname = release.includes('langfuse') ? release : `${release}-langfuse`;
    const web = objects.get('Deployment', `${fullname}-web`);
    if (!web) {
      throw new BerthError(
        'BERTH_ADOPT_CHART',
        `Helm release ${release}: the chart's Deployment ${fullname}-web is missing, so the credentials the install runs with cannot be read`,
      );
    }
    const env = resolvedEnv(web, objects);
    const deployed = (key: string) => at(helm.config, `${key}.deploy`) !== false;
    const seeds = new Map<string, Record<string, string>>();
    const seed = (secret: string, key: string, variable: string) => {
      const value = env.get(variable);
      if (value === undefined) return;
      seeds.set(`${release}-${secret}`, { ...seeds.get(`${release}-${secret}`), [key]: value });
    };
    seed('app', 'nextauth-secret', 'NEXTAUTH_SECRET');
    seed('app', 'salt', 'SALT');
    seed('app', 'encryption-key', 'ENCRYPTION_KEY');

    const stores: AdoptedStore[] = [];
    const values: Json = {};
    const notes: string[] = [];
    const appEnv: Record<string, string> = {};
    const leaveRunning: string[] = [];
    const adopt = (store: Omit<AdoptedStore, 'claim'>, template: string) => {
      const claim = claimOf(objects, store.workload.kind, store.workload.name, template);
      if (!claim) {
        notes.push(
          `${store.workload.kind}/${store.workload.name} has no data volume (persistence off in the chart): berth starts ${store.dependency} empty`,
        );
        return;
      }
      stores.push({ ...store, claim });
    };

    if (deployed('postgresql')) {
      seed('postgresql', 'password', 'DATABASE_PASSWORD');
      // Roles and databases live in the data: the applications keep the chart's.
      appEnv.DATABASE_USERNAME = env.get('DATABASE_USERNAME') ?? 'postgres';
      appEnv.DATABASE_NAME = env.get('DATABASE_NAME') ?? 'postgres_langfuse';
      adopt(
        {
          dependency: 'postgresql',
          workload: { kind: 'StatefulSet', name: `${release}-postgresql` },
          mountPath: '/bitnami/postgresql',
          env: { PGDATA: '/bitnami/postgresql/data' },
          uid: 1001,
        },
        'data',
      );
    }
    if (deployed('redis')) {
      seed('redis', 'password', 'REDIS_PASSWORD');
      adopt(
        {
          dependency: 'redis',
          workload: { kind: 'StatefulSet', name: `${release}-redis-primary` },
          uid: 1001,
        },
        'valkey-data',
      );
    }
    if (deployed('clickhouse')) {
      const replicas = Number(at(helm.config, 'clickhouse.replicaCount') ?? 3);
      const cluster = at(helm.config, 'clickhouse.clusterEnabled') !== false;
      if (cluster || replicas > 1) {
        const external = at(userValues, 'integrations.clickhouse.enabled') === true;
        if (!external)
          throw new BerthError(
            'BERTH_ADOPT_CHART',
            `Helm release ${release}: the chart runs ClickHouse as a ${replicas}-replica cluster with ZooKeeper (clickhouse.clusterEnabled); berth's bundled ClickHouse is one server without Keeper and cannot open replicated tables`,
            {
              hint: 'keep that ClickHouse running and point berth at it: -f with integrations.clickhouse (enabled, host, existingSecret with username and password, cluster: default); berth then leaves its objects in place',
            },
          );
        leaveRunning.push(`${release}-clickhouse`, `${release}-zookeeper`);
        notes.push('ClickHouse stays the chart-deployed cluster, used through integrations.clickhouse');
      } else {
        seed('clickhouse', 'password', 'CLICKHOUSE_PASSWORD');
        adopt(
          {
            dependency: 'clickhouse',
            workload: { kind: 'StatefulSet', name: `${release}-clickhouse-shard0` },
            subPath: 'data',
            uid: 1001,
          },
          'data',
        );
      }
    }
    if (deployed('s3')) {
      seed('minio', 'root-password', 'LANGFUSE_S3_EVENT_UPLOAD_SECRET_ACCESS_KEY');
      adopt({ dependency: 'minio', workload: { kind: 'Deployment', name: `${release}-s3` }, uid: 1001 }, '');
      const user = env.get('LANGFUSE_S3_EVENT_UPLOAD_ACCESS_KEY_ID');
      if (user && user !== 'berth-admin')
        notes.push(
          `MinIO: berth's root user is berth-admin, the chart's was ${user}; the password is kept, buckets and objects stay on the volume`,
        );
    }
    for (const store of stores) {
      const inPlace =
        objects.get(store.workload.kind, store.workload.name) && store.workload.kind === 'StatefulSet';
      const sameName = store.workload.name === `${release}-${store.dependency}`;
      values.dependencies = {
        ...(values.dependencies as Json | undefined),
        [store.dependency]: {
          podSecurityContext: { runAsUser: store.uid, runAsGroup: store.uid, fsGroup: store.uid },
          ...(inPlace && sameName ? {} : { persistence: { existingClaim: store.claim } }),
        },
      };
    }
    return { values, seeds, stores, appEnv, leaveRunning, notes };
  },
};

export const CHART_PROFILES: readonly ChartProfile[] = [langfuseV1];

/** The profile for this blueprint and chart, or a one-line reason berth will not adopt it. */
export function recognise(blueprint: string, helm: HelmRelease): ChartProfile {
  const chart = `${helm.chart.name} ${helm.chart.version}`;
  const known = CHART_PROFILES.filter((p) => p.blueprint === blueprint);
  if (known.length === 0) {
    const supported = CHART_PROFILES.map((p) => `${p.blueprint} (chart ${p.chart} ${p.versions})`).join(', ');
    throw new BerthError(
      'BERTH_ADOPT_CHART',
      `cannot adopt Helm release ${helm.name} into ${blueprint}: berth has no adoption profile for ${blueprint}; it adopts ${supported}`,
      {
        hint: `berth import helm-values ${blueprint} maps the values; install berth next to it and move the data`,
      },
    );
  }
  const profile = known.find((p) => p.chart === helm.chart.name && p.accepts(helm.chart.version));
  if (!profile) {
    throw new BerthError(
      'BERTH_ADOPT_CHART',
      `cannot adopt Helm release ${helm.name}: chart ${chart} is not one berth recognises for ${blueprint} (${known.map((p) => `${p.chart} ${p.versions}`).join(', ')}); its object names, volumes and passwords are unknown to berth`,
    );
  }
  return profile;
}
