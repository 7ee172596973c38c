import { BerthError } from '../../errors.ts';
import {
  at,
  BITNAMI_POSTGRES_SERVER,
  type ChartProfile,
  LayoutBuilder,
  major,
  resolvedEnv,
} from './profile.ts';

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
export const langfuseV1: ChartProfile = {
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
    const layout = new LayoutBuilder(release, objects);
    const seed = (secret: string, key: string, variable: string) =>
      layout.seed(secret, key, env.get(variable));
    seed('app', 'nextauth-secret', 'NEXTAUTH_SECRET');
    seed('app', 'salt', 'SALT');
    seed('app', 'encryption-key', 'ENCRYPTION_KEY');

    if (deployed('postgresql')) {
      seed('postgresql', 'password', 'DATABASE_PASSWORD');
      // Roles and databases live in the data: the applications keep the chart's.
      layout.appEnv.DATABASE_USERNAME = env.get('DATABASE_USERNAME') ?? 'postgres';
      layout.appEnv.DATABASE_NAME = env.get('DATABASE_NAME') ?? 'postgres_langfuse';
      layout.store(
        {
          dependency: 'postgresql',
          workload: { kind: 'StatefulSet', name: `${release}-postgresql` },
          mountPath: '/bitnami/postgresql',
          env: { PGDATA: '/bitnami/postgresql/data' },
          uid: 1001,
          server: BITNAMI_POSTGRES_SERVER,
        },
        'data',
      );
    }
    if (deployed('redis')) {
      seed('redis', 'password', 'REDIS_PASSWORD');
      layout.store(
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
        layout.leaveRunning.push(`${release}-clickhouse`, `${release}-zookeeper`);
        layout.notes.push(
          'ClickHouse stays the chart-deployed cluster, used through integrations.clickhouse',
        );
      } else {
        seed('clickhouse', 'password', 'CLICKHOUSE_PASSWORD');
        layout.store(
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
      layout.store(
        { dependency: 'minio', workload: { kind: 'Deployment', name: `${release}-s3` }, uid: 1001 },
        '',
      );
      const user = env.get('LANGFUSE_S3_EVENT_UPLOAD_ACCESS_KEY_ID');
      if (user && user !== 'berth-admin')
        layout.notes.push(
          `MinIO: berth's root user is berth-admin, the chart's was ${user}; the password is kept, buckets and objects stay on the volume`,
        );
    }
    return layout.build();
  },
};
