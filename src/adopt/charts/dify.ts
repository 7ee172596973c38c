import { BerthError } from '../../errors.ts';
import {
  at,
  BITNAMI_POSTGRES_SERVER,
  type ChartObjects,
  type ChartProfile,
  claimOf,
  LayoutBuilder,
  resolvedEnv,
} from './profile.ts';

/**
 * BorisPolonsky/dify-helm, chart `dify` 0.36.x–0.37.x (Dify 1.12.1 and 1.14.2, around berth's
 * 1.13.3; read at tags dify-0.36.0 and dify-0.37.0, charts/dify). Names derive from the fullname:
 * the release name when it contains "dify", else `<release>-dify` (`fullnameOverride`/`nameOverride`
 * change it). Deployments `<fullname>-api|worker|beat|web|sandbox|ssrf-proxy|proxy|plugin-daemon`,
 * selected by `app.kubernetes.io/name: dify`, `app.kubernetes.io/instance` and `component: <c>`.
 * Every credential reaches the api through `envFrom` of Secret `<fullname>-api` (credentials.tpl):
 * SECRET_KEY, DB_USERNAME/DB_PASSWORD, REDIS_PASSWORD, WEAVIATE_API_KEY, PLUGIN_DAEMON_KEY,
 * INNER_API_KEY_FOR_PLUGIN and (0.37) CODE_EXECUTION_API_KEY — in 0.36 the latter is an `env`
 * secretKeyRef to `<fullname>-sandbox`/API_KEY; DB_DATABASE comes from ConfigMap `<fullname>-api`.
 * The plugin daemon uses the api's database. Files: claim `<fullname>` (api.persistence, STORAGE_TYPE
 * local at /app/api/storage, pods with fsGroup 1001) and `<fullname>-plugin-daemon` (/app/storage,
 * the image's own user). Subcharts:
 * - Bitnami postgresql 12.5.6 (image 15.3): `architecture: replication` by default, so StatefulSet
 *   `<release>-postgresql-primary` (standalone: `<release>-postgresql`) plus `-read`, claim template
 *   `data` at /bitnami/postgresql, PGDATA /bitnami/postgresql/data, uid 1001; Secret
 *   `<release>-postgresql` key `postgres-password`; database `dify`, user `postgres` unless
 *   `postgresql.global.postgresql.auth.username` is set.
 * - Bitnami redis 16.13.2 (7.0): `replication`, StatefulSet `<release>-redis-master` (and
 *   `-replicas`), claim template `redis-data` at /data with `appendonly yes`, uid 1001; Secret
 *   `<release>-redis` key `redis-password`. With `sentinel.enabled`, nodes `<release>-redis-node`.
 * - weaviate-helm 17.3.3 (Weaviate 1.27.27): StatefulSet `weaviate` (not release-prefixed), selector
 *   `app: weaviate`, claim template `weaviate-data` at /var/lib/weaviate, empty securityContext (the
 *   image runs as root); API key `weaviate.authentication.apikey.allowed_keys[0]`, user hello@dify.ai.
 */
export const difyCommunity: ChartProfile = {
  blueprint: 'dify',
  chart: 'dify',
  versions: '0.36.x–0.37.x (BorisPolonsky/dify-helm)',
  accepts: (version) => /^v?0\.3[67]\.\d+$/.test(version),
  layout(helm, objects, userValues) {
    const release = helm.name;
    const name = String(at(helm.config, 'nameOverride') || 'dify');
    const fullname = String(
      at(helm.config, 'fullnameOverride') || (release.includes(name) ? release : `${release}-${name}`),
    )
      .slice(0, 63)
      .replace(/-$/, '');
    const api = objects.get('Deployment', `${fullname}-api`);
    if (!api)
      refuse(
        release,
        `the chart's Deployment ${fullname}-api is missing, so the credentials the install runs with cannot be read`,
      );
    const env = resolvedEnv(api, objects);
    const enabled = (key: string) => at(helm.config, `${key}.enabled`) !== false;
    const integrated = (key: string) => at(userValues, `integrations.${key}.enabled`) === true;
    if (!env.get('SECRET_KEY') && !at(userValues, 'dify.existingSecret'))
      refuse(
        release,
        `the api's SECRET_KEY cannot be read from Deployment ${fullname}-api; berth would generate another and sign everyone out`,
        'put the running SECRET_KEY, plugin and sandbox keys in a Secret and name it: -f with dify.existingSecret and dify.secretKeys',
      );
    const layout = new LayoutBuilder(release, objects);
    // An empty key is no credential to keep: berth generates one, and gives it to both sides.
    const seed = (secret: string, key: string, variable: string) =>
      layout.seed(secret, key, env.get(variable) || undefined);
    seed('app', 'secret-key', 'SECRET_KEY');
    seed('app', 'plugin-daemon-key', 'PLUGIN_DAEMON_KEY');
    seed('app', 'plugin-inner-api-key', 'INNER_API_KEY_FOR_PLUGIN');
    seed('app', 'sandbox-api-key', 'CODE_EXECUTION_API_KEY');

    if (at(helm.config, 'externalMysql.enabled') === true)
      refuse(release, 'the chart runs Dify on MySQL (externalMysql); berth runs it on PostgreSQL only');
    if (enabled('postgresql') && at(helm.config, 'externalPostgres.enabled') !== true) {
      const database = env.get('DB_DATABASE') ?? 'dify';
      if (database !== 'dify')
        refuse(
          release,
          `the chart's database is ${database}; berth's bundled PostgreSQL serves Dify from database dify`,
          'rename the database to dify first, or run that PostgreSQL as integrations.postgresql',
        );
      seed('postgresql', 'password', 'DB_PASSWORD');
      // The role lives in the data; the plugin daemon shares the api's database, as in the chart.
      layout.appEnv.DB_USERNAME = env.get('DB_USERNAME') ?? 'postgres';
      layout.values.integrations = { postgresql: { pluginDatabase: database } };
      const primary = `${release}-postgresql-primary`;
      layout.store(
        {
          dependency: 'postgresql',
          workload: {
            kind: 'StatefulSet',
            name: objects.get('StatefulSet', primary) ? primary : `${release}-postgresql`,
          },
          mountPath: '/bitnami/postgresql',
          env: { PGDATA: '/bitnami/postgresql/data' },
          uid: 1001,
          server: BITNAMI_POSTGRES_SERVER,
        },
        'data',
      );
    }
    if (enabled('redis') && at(helm.config, 'externalRedis.enabled') !== true) {
      seed('redis', 'password', 'REDIS_PASSWORD');
      if (at(helm.config, 'redis.sentinel.enabled') !== true) {
        layout.store(
          {
            dependency: 'redis',
            workload: { kind: 'StatefulSet', name: `${release}-redis-master` },
            uid: 1001,
          },
          'redis-data',
        );
      } else if (integrated('redis')) {
        layout.leaveRunning.push(`${release}-redis`);
        layout.notes.push('Redis stays the chart-deployed Sentinel set, used through integrations.redis');
      } else {
        refuse(
          release,
          "the chart runs Redis with Sentinel (redis.sentinel.enabled); berth's bundled Redis is one server without Sentinel",
          'keep that Redis running and point berth at it: -f with integrations.redis (enabled, host, existingSecret); berth then leaves its objects in place',
        );
      }
    }
    if (enabled('weaviate')) {
      seed('weaviate', 'api-key', 'WEAVIATE_API_KEY');
      weaviate(layout, objects);
    } else if (!vectorStoreGiven(userValues)) {
      refuse(
        release,
        'the chart keeps embeddings in an external vector store (weaviate.enabled is false); berth would start an empty bundled Weaviate',
        'name that store with -f: dify.vectorStore and integrations.<store>',
      );
    }
    const storage = claimOf(objects, 'Deployment', `${fullname}-api`, '');
    if (storage) {
      layout.values.dify = { storage: { type: 'pvc', persistence: { existingClaim: storage } } };
      layout.notes.push(
        `claim ${storage} (uploaded files) is mounted by berth's api and worker at /app/api/storage`,
      );
    } else if (!integrated('s3')) {
      refuse(
        release,
        'the chart keeps uploaded files in external object storage (externalS3 and the like); berth would start with an empty bundled MinIO',
        'name that bucket with -f: integrations.s3 (enabled, endpoint, bucket, existingSecret)',
      );
    }
    const plugins = claimOf(objects, 'Deployment', `${fullname}-plugin-daemon`, '');
    if (plugins) {
      layout.values.dependencies = {
        ...(layout.values.dependencies as Record<string, unknown> | undefined),
        pluginStorage: { persistence: { existingClaim: plugins } },
      };
      layout.notes.push(
        `claim ${plugins} (installed plugins) is mounted by berth's plugin daemon at /app/storage`,
      );
    }
    return layout.build();
  },
};

function refuse(release: string, reason: string, hint?: string): never {
  throw new BerthError(
    'BERTH_ADOPT_CHART',
    `Helm release ${release}: ${reason}`,
    hint ? { hint } : undefined,
  );
}

const vectorStoreGiven = (values: Record<string, unknown>) =>
  at(values, 'dify.vectorStore.type') !== undefined ||
  ['weaviate', 'qdrant'].some((store) => at(values, `integrations.${store}.enabled`) === true);

/** The subchart's `weaviate` StatefulSet: berth runs its own on the claim, at the chart's version. */
function weaviate(layout: LayoutBuilder, objects: ChartObjects): void {
  const live = objects.get('StatefulSet', 'weaviate');
  const image = at(live?.spec, 'template.spec.containers') as { image?: string }[] | undefined;
  const tag = /:([^:/@]+)$/.exec(image?.[0]?.image ?? '')?.[1];
  // A downgrade of Weaviate may not read what a later version wrote: keep the chart's version.
  if (tag) layout.values.dependencies = { weaviate: { image: { tag } } };
  // uid 1000 is berth's Weaviate user; the chart's ran as root, so the files reach it through fsGroup.
  layout.store(
    { dependency: 'weaviate', workload: { kind: 'StatefulSet', name: 'weaviate' }, uid: 1000 },
    'weaviate-data',
  );
  if (live)
    layout.notes.push(
      "Weaviate: the chart's files belong to root; berth's Weaviate runs as uid 1000 and reaches them through fsGroup 1000, which the kubelet applies on volumes with ownership management (not hostPath or NFS: chown -R 1000 there first)",
    );
}
