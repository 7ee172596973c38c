/** SwanLab's base services: bundled single instances, or the user's external ones. */
import { objectName, type RenderContext } from '../../render/context.ts';
import type { ComponentSpec, SecretSpec } from '../../render/model.ts';
import type { EnvVarValues } from '../../values/vocabulary/index.ts';
import { bundledClickHouse, externalClickHouse } from '../shared/clickhouse.ts';
import { bundledDependencies, serviceHost } from '../shared/dependency.ts';
import { type EnvSource, env } from '../shared/env.ts';
import { bundledMinio } from '../shared/minio.ts';
import { bundledPostgres } from '../shared/postgresql.ts';
import { bundledRedis } from '../shared/redis.ts';
import type { SwanLabValues } from './values.ts';

export interface BucketSettings {
  readonly ssl: boolean;
  readonly endpoint: string;
  readonly region: string;
  readonly pathStyle: boolean;
  readonly port: number;
  readonly bucket: string;
  readonly domain: string;
}

export interface SwanLabBackends {
  /** DATABASE_URL and DATABASE_URL_REPLICA for the server. */
  readonly postgresEnv: readonly EnvVarValues[];
  /** The Redis URL under the given variable name. */
  readonly redisEnv: (name: string) => EnvVarValues[];
  readonly clickhouse: {
    readonly host: string;
    readonly httpPort: number;
    readonly nativePort: number;
    readonly database: string;
    readonly username: EnvSource;
    readonly password: EnvSource;
  };
  readonly s3: {
    /** `local` is the bundled MinIO, reached through the gateway; `remote` an external service. */
    readonly type: 'local' | 'remote';
    readonly accessKey: EnvSource;
    readonly secretKey: EnvSource;
    readonly public: BucketSettings;
    readonly private: BucketSettings;
  };
  /** host:port of what the backends wait for before starting. */
  readonly waitFor: { readonly postgres: string; readonly redis: string; readonly clickhouse: string };
  readonly components: readonly ComponentSpec[];
  readonly secrets: readonly SecretSpec[];
}

/** Bucket names the gateway routes to the bundled MinIO (fixed by the SwanLab frontends). */
export const BUNDLED_BUCKETS = { public: 'swanlab-public', private: 'swanlab-private' } as const;

/**
 * The chart runs Redis Stack through its own entrypoint (which loads the modules); the shared
 * Redis block starts `valkey-server` directly. Keep the entrypoint and pass the same settings
 * through REDIS_ARGS, expanded by the kubelet so the password stays in its Secret.
 */
function asRedisStack(component: ComponentSpec): ComponentSpec {
  return {
    ...component,
    containers: component.containers.map(({ command: _command, args: _args, ...container }) => ({
      ...container,
      env: [...(container.env ?? []), env('REDIS_ARGS', '--requirepass $(REDIS_PASSWORD) --appendonly yes')],
    })),
  };
}

export function swanlabBackends(values: SwanLabValues, ctx: RenderContext): SwanLabBackends {
  const { integrations: ext, dependencies: deps } = values;
  const { components, secrets, use } = bundledDependencies();

  let postgresEnv: EnvVarValues[];
  let postgresAt: string;
  if (ext.postgres.enabled) {
    const secret = ext.postgres.existingSecret;
    postgresEnv = [
      env('DATABASE_URL', { secret, key: ext.postgres.secretKeys.primaryUrl }),
      env('DATABASE_URL_REPLICA', { secret, key: ext.postgres.secretKeys.replicaUrl }),
    ];
    postgresAt = `${ext.postgres.host}:${ext.postgres.port}`;
  } else {
    const pg = use(
      bundledPostgres(ctx, deps.postgres, { database: 'app', username: 'swanlab', allowFrom: ['server'] }),
    );
    const user = 'value' in pg.username ? pg.username.value : 'swanlab';
    // The kubelet expands $(POSTGRES_PASSWORD), so the URL never holds the password in the spec.
    const url = `postgresql://${user}:$(POSTGRES_PASSWORD)@${pg.host}:${pg.port}/${pg.database}?schema=public`;
    postgresEnv = [
      env('POSTGRES_PASSWORD', pg.password),
      env('DATABASE_URL', url),
      env('DATABASE_URL_REPLICA', url),
    ];
    postgresAt = `${pg.host}:${pg.port}`;
  }

  let redisEnv: (name: string) => EnvVarValues[];
  let redisAt: string;
  if (ext.redis.enabled) {
    const source = { secret: ext.redis.existingSecret, key: ext.redis.secretKeys.url };
    redisEnv = (name) => [env(name, source)];
    redisAt = `${ext.redis.host}:${ext.redis.port}`;
  } else {
    const bundled = bundledRedis(ctx, deps.redis, { allowFrom: ['server', 'house'] });
    const redis = use({ ...bundled, components: bundled.components.map(asRedisStack) });
    redisEnv = (name) => [
      env('REDIS_PASSWORD', redis.password),
      env(name, `redis://default:$(REDIS_PASSWORD)@${redis.host}:${redis.port}/0`),
    ];
    redisAt = `${redis.host}:${redis.port}`;
  }

  const clickhouse = ext.clickhouse.enabled
    ? externalClickHouse(ext.clickhouse)
    : use(
        bundledClickHouse(ctx, deps.clickhouse, {
          username: 'swanlab',
          database: 'app',
          allowFrom: ['house'],
        }),
      );

  let s3: SwanLabBackends['s3'];
  if (ext.s3.enabled) {
    const secret = ext.s3.existingSecret;
    s3 = {
      type: 'remote',
      accessKey: { secret, key: ext.s3.secretKeys.accessKey },
      secretKey: { secret, key: ext.s3.secretKeys.secretKey },
      public: { ...ext.s3.public, domain: String(ext.s3.public.domain ?? '') },
      private: { ...ext.s3.private, domain: '' },
    };
  } else {
    const minio = use(
      bundledMinio(ctx, deps.s3, {
        buckets: [
          { name: BUNDLED_BUCKETS.public, access: 'public-read' },
          { name: BUNDLED_BUCKETS.private, access: 'private' },
        ],
        allowFrom: ['server', 'house', 'gateway'],
      }),
    );
    // Browsers reach MinIO through the gateway, which rewrites Host to this name so signatures match.
    const local = (bucket: string): BucketSettings => ({
      ssl: false,
      endpoint: serviceHost(ctx, 'minio'),
      region: 'local',
      pathStyle: true,
      port: 9000,
      bucket,
      domain: '',
    });
    s3 = {
      type: 'local',
      accessKey: minio.accessKey,
      secretKey: minio.secretKey,
      public: local(BUNDLED_BUCKETS.public),
      private: local(BUNDLED_BUCKETS.private),
    };
  }

  return {
    postgresEnv,
    redisEnv,
    clickhouse,
    s3,
    waitFor: {
      postgres: postgresAt,
      redis: redisAt,
      clickhouse: `${clickhouse.host}:${clickhouse.nativePort}`,
    },
    components,
    secrets,
  };
}

/** In-cluster URL of a SwanLab component's Service. */
export function componentUrl(ctx: RenderContext, component: string, port: number, path = ''): string {
  return `http://${objectName(ctx, component)}.${ctx.namespace}.svc:${port}${path}`;
}
