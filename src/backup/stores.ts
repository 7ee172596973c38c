/**
 * What a release keeps, and how berth backs each store up: read from the release's own manifests
 * (the bundled StatefulSets, their images, Services and Secret references), so a backup always uses
 * the image and credentials the release runs with.
 */
import type { KubeObject } from '../render/model.ts';

/** A reference to a key of a Secret, as a container env var carries it (never the value). */
export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

/** A setting that is either literal or read from a Secret. */
export type Setting = { readonly value: string } | { readonly secretKeyRef: SecretKeyRef };

interface StoreBase {
  readonly component: string;
  readonly image: string;
  /** In-cluster DNS name of the store's Service. */
  readonly host: string;
  /** The blueprint's name label, so backup pods are recognised by the release's network policies. */
  readonly blueprint: string;
  /** The store's pull credentials (global.imagePullSecrets): backup pods pull the same image. */
  readonly imagePullSecrets: readonly { readonly name: string }[];
  /** User id the store's image runs as. */
  readonly uid: number;
}

export interface PostgresStore extends StoreBase {
  readonly kind: 'postgresql';
  readonly port: number;
  readonly user: Setting;
  readonly password: Setting;
}

export interface ClickHouseStore extends StoreBase {
  readonly kind: 'clickhouse';
  readonly port: number;
  readonly database: string;
  readonly user: Setting;
  readonly password: Setting;
}

export interface MinioStore extends StoreBase {
  readonly kind: 'minio';
  readonly port: number;
  readonly buckets: readonly string[];
  readonly accessKey: Setting;
  readonly secretKey: Setting;
}

export interface RedisStore extends StoreBase {
  readonly kind: 'redis';
  readonly port: number;
  /** Absent when the server asks for none (redis-cli then connects without auth). */
  readonly password?: Setting | undefined;
  /** The StatefulSet, stopped while a copy goes back into its data volume. */
  readonly workload: string;
  /** Its data volume's claim and where the server reads it; absent without persistence. */
  readonly data?: { readonly claim: string; readonly mountPath: string };
}

export type Store = PostgresStore | ClickHouseStore | MinioStore | RedisStore;

/** What a backup includes beyond the stores backed up by default. */
export interface InventoryOptions {
  /** An RDB copy of the bundled Redis (`backup.redis: rdb`, or `berth backup --include redis`). */
  readonly redis?: boolean;
}

/** A store berth does not back up, and why (with where to look instead). */
export interface UncoveredStore {
  readonly component: string;
  readonly kind: 'skipped' | 'external';
  readonly reason: string;
}

export interface StoreInventory {
  readonly stores: readonly Store[];
  readonly uncovered: readonly UncoveredStore[];
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: SecretKeyRef };
}

interface Workload {
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: {
    volumeClaimTemplates?: { metadata: { name: string } }[];
    template: {
      spec: {
        securityContext?: { runAsUser?: number };
        imagePullSecrets?: { name: string }[];
        containers: {
          image: string;
          env?: EnvVar[];
          args?: string[];
          command?: string[];
          volumeMounts?: { name: string; mountPath: string }[];
        }[];
      };
    };
  };
}

const COMPONENT_LABEL = 'app.kubernetes.io/component';

/** Where each external store's provider keeps its own backups. */
const PROVIDER_FEATURE: Record<string, string> = {
  postgresql: "the provider's point-in-time recovery (RDS/Cloud SQL automated backups, or pgBackRest/WAL-G)",
  clickhouse: "the provider's backups (ClickHouse Cloud backups, or BACKUP ... TO S3 on your server)",
  s3: 'bucket versioning and replication of your S3 provider',
  redis: "the provider's snapshots (ElastiCache/Memorystore), if the cache matters to you",
};

const REDIS_REASON =
  'Redis holds caches, queues and locks the platform rebuilds; its append-only file stays on its volume (an RDB copy on request: --include redis, or backup.redis=rdb)';

function setting(env: readonly EnvVar[], name: string): Setting | undefined {
  const found = env.find((e) => e.name === name);
  if (!found) return undefined;
  if (found.valueFrom?.secretKeyRef) return { secretKeyRef: found.valueFrom.secretKeyRef };
  return found.value === undefined ? undefined : { value: found.value };
}

function required(env: readonly EnvVar[], name: string, component: string): Setting {
  const found = setting(env, name);
  if (!found) throw new Error(`the ${component} StatefulSet sets no ${name}; berth cannot back it up`);
  return found;
}

function literal(env: readonly EnvVar[], name: string, fallback: string): string {
  const found = setting(env, name);
  return found && 'value' in found ? found.value : fallback;
}

/** Buckets are the folders the bundled MinIO creates before it starts (`mkdir -p /data/a /data/b`). */
function minioBuckets(container: { args?: string[]; command?: string[] }): string[] {
  const script = [...(container.command ?? []), ...(container.args ?? [])].join(' ');
  const mkdir = /mkdir -p ((?:\/data\/[^\s&;]+\s*)+)/.exec(script);
  return mkdir
    ? mkdir[1]!
        .trim()
        .split(/\s+/)
        .map((path) => path.slice('/data/'.length))
    : [];
}

/** The claim of the StatefulSet's first replica for its first claim template, and its mount. */
function dataVolume(
  object: Workload,
  container: { volumeMounts?: { name: string; mountPath: string }[] },
): { data?: { claim: string; mountPath: string } } {
  const [template] = object.spec.volumeClaimTemplates ?? [];
  const mount = container.volumeMounts?.find((m) => m.name === template?.metadata.name);
  return template && mount
    ? { data: { claim: `${template.metadata.name}-${object.metadata.name}-0`, mountPath: mount.mountPath } }
    : {};
}

function storeOf(object: Workload, namespace: string, options: InventoryOptions): Store | undefined {
  const component = object.metadata.labels?.[COMPONENT_LABEL] ?? '';
  const container = object.spec.template.spec.containers[0];
  if (!container) return undefined;
  const env = container.env ?? [];
  const base = {
    component,
    image: container.image,
    host: `${object.metadata.name}.${object.metadata.namespace ?? namespace}.svc`,
    blueprint: object.metadata.labels?.['app.kubernetes.io/name'] ?? '',
    imagePullSecrets: object.spec.template.spec.imagePullSecrets ?? [],
    uid: object.spec.template.spec.securityContext?.runAsUser ?? 1000,
  };
  switch (component) {
    case 'postgresql':
      return {
        ...base,
        kind: 'postgresql',
        port: 5432,
        user: required(env, 'POSTGRES_USER', component),
        password: required(env, 'POSTGRES_PASSWORD', component),
      };
    case 'clickhouse':
      return {
        ...base,
        kind: 'clickhouse',
        port: 9000,
        database: literal(env, 'CLICKHOUSE_DB', 'default'),
        user: required(env, 'CLICKHOUSE_USER', component),
        password: required(env, 'CLICKHOUSE_PASSWORD', component),
      };
    case 'minio':
      return {
        ...base,
        kind: 'minio',
        port: 9000,
        buckets: minioBuckets(container),
        accessKey: required(env, 'MINIO_ROOT_USER', component),
        secretKey: required(env, 'MINIO_ROOT_PASSWORD', component),
      };
    case 'redis':
      return options.redis
        ? {
            ...base,
            kind: 'redis',
            port: 6379,
            password: setting(env, 'REDIS_PASSWORD'),
            workload: object.metadata.name,
            ...dataVolume(object, container),
          }
        : undefined;
    default:
      return undefined;
  }
}

/** Integration keys that name a store a blueprint could otherwise bundle. */
function externalStores(values: Record<string, unknown>): UncoveredStore[] {
  const integrations = (values.integrations ?? {}) as Record<string, { enabled?: unknown } | undefined>;
  return Object.entries(integrations)
    .filter(([, integration]) => integration?.enabled === true)
    .map(([name]) => ({
      component: name,
      kind: 'external' as const,
      reason: `external (integrations.${name}): berth does not back it up; use ${PROVIDER_FEATURE[name] ?? "the provider's own backup feature"}`,
    }));
}

/**
 * The stores of a release, from its manifests (as recorded or as rendered) and its user values
 * (for the integrations that replace bundled stores).
 */
export function inventory(
  manifests: readonly { readonly stage: string; readonly object: KubeObject }[],
  values: Record<string, unknown>,
  namespace: string,
  options: InventoryOptions = {},
): StoreInventory {
  const stores: Store[] = [];
  const uncovered: UncoveredStore[] = [];
  for (const { stage, object } of manifests) {
    if (object.kind !== 'StatefulSet' || stage !== 'dependencies') continue;
    const workload = object as unknown as Workload;
    const store = storeOf(workload, namespace, options);
    if (store) {
      stores.push(store);
      continue;
    }
    const component = workload.metadata.labels?.[COMPONENT_LABEL] ?? workload.metadata.name;
    uncovered.push({
      component,
      kind: 'skipped',
      reason:
        component === 'redis'
          ? REDIS_REASON
          : `no logical backup for ${component} yet; snapshot its volume (data-${workload.metadata.name}-0) with a VolumeSnapshot`,
    });
  }
  return { stores, uncovered: [...uncovered, ...externalStores(values)] };
}
