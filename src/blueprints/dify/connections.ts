/** Dify's backing services: bundled single instances, or the user's external ones. */
import type { RenderContext } from '../../render/context.ts';
import type { ComponentSpec, SecretSpec } from '../../render/model.ts';
import type { EnvVarValues } from '../../values/vocabulary/index.ts';
import type { BundledDependency } from '../shared/dependency.ts';
import { bundledDependencies } from '../shared/dependency.ts';
import { type EnvSource, env } from '../shared/env.ts';
import { bundledMinio } from '../shared/minio.ts';
import { bundledPostgres, externalPostgres, type PostgresConnection } from '../shared/postgresql.ts';
import { bundledQdrant } from '../shared/qdrant.ts';
import { bundledRedis, externalRedis, type RedisConnection } from '../shared/redis.ts';
import { bundledWeaviate } from '../shared/weaviate.ts';
import type { DifyValues } from './values.ts';

/** What the vector store and file storage contribute: plain settings and secret-backed variables. */
export interface Wiring {
  readonly config: Record<string, string>;
  readonly secretEnv: readonly EnvVarValues[];
}

export interface DifyBackends {
  readonly postgres: PostgresConnection & {
    readonly pluginDatabase: string;
    /** DB_SSL_MODE of the plugin daemon (disable or require). */
    readonly sslMode: string;
    /** DB_EXTRAS of the api image (`sslmode=…`), empty for none. */
    readonly dbExtras: string;
  };
  readonly redis: RedisConnection;
  readonly vectorStore: Wiring;
  readonly storage: Wiring & { readonly sharedVolume: boolean };
  readonly components: readonly ComponentSpec[];
  readonly secrets: readonly SecretSpec[];
}

/** Components of the api image that talk to the data stores (their NetworkPolicy callers). */
const appCallers = (migrationJob: string) => ['api', 'worker', 'worker-beat', migrationJob];

function vectorStore(
  values: DifyValues,
  ctx: RenderContext,
  use: <C>(bundled: BundledDependency<C>) => C,
  callers: readonly string[],
): Wiring {
  const { type, settings } = values.dify.vectorStore;
  const ext = values.integrations;
  const config: Record<string, string> = { VECTOR_STORE: type };
  if (type === 'weaviate') {
    const weaviate = ext.weaviate.enabled
      ? {
          endpoint: ext.weaviate.endpoint,
          grpcEndpoint: ext.weaviate.grpcEndpoint,
          apiKey: { secret: ext.weaviate.existingSecret, key: ext.weaviate.secretKeys.apiKey },
        }
      : use(
          bundledWeaviate(ctx, values.dependencies.weaviate, { user: 'hello@dify.ai', allowFrom: callers }),
        );
    config.WEAVIATE_ENDPOINT = weaviate.endpoint;
    if (weaviate.grpcEndpoint) config.WEAVIATE_GRPC_ENDPOINT = weaviate.grpcEndpoint;
    return { config: { ...config, ...settings }, secretEnv: [env('WEAVIATE_API_KEY', weaviate.apiKey)] };
  }
  if (type === 'qdrant') {
    const qdrant = ext.qdrant.enabled
      ? {
          url: ext.qdrant.url,
          apiKey: { secret: ext.qdrant.existingSecret, key: ext.qdrant.secretKeys.apiKey },
        }
      : use(bundledQdrant(ctx, values.dependencies.qdrant, { allowFrom: callers }));
    config.QDRANT_URL = qdrant.url;
    return { config: { ...config, ...settings }, secretEnv: [env('QDRANT_API_KEY', qdrant.apiKey)] };
  }
  // The user's settings come last: they may replace anything computed here.
  return { config: { ...config, ...settings }, secretEnv: [] };
}

function storage(
  values: DifyValues,
  ctx: RenderContext,
  use: <C>(bundled: BundledDependency<C>) => C,
  callers: readonly string[],
): DifyBackends['storage'] {
  const s3 = values.integrations.s3;
  const s3Wiring = (
    connection: { endpoint: string; region: string; accessKey: EnvSource; secretKey: EnvSource },
    bucket: string,
    pathStyle: boolean,
  ) => ({
    config: {
      STORAGE_TYPE: 's3',
      ...(connection.endpoint ? { S3_ENDPOINT: connection.endpoint } : {}),
      S3_REGION: connection.region,
      S3_BUCKET_NAME: bucket,
      S3_ADDRESS_STYLE: pathStyle ? 'path' : 'auto',
    },
    secretEnv: [env('S3_ACCESS_KEY', connection.accessKey), env('S3_SECRET_KEY', connection.secretKey)],
    sharedVolume: false,
  });
  if (s3.enabled) {
    return s3Wiring(
      {
        endpoint: s3.endpoint,
        region: s3.region,
        accessKey: { secret: s3.existingSecret, key: s3.secretKeys.accessKey },
        secretKey: { secret: s3.existingSecret, key: s3.secretKeys.secretKey },
      },
      s3.bucket,
      s3.pathStyle,
    );
  }
  if (values.dify.storage.type === 'minio') {
    const bucket = values.dify.storage.bucket;
    const minio = use(
      bundledMinio(ctx, values.dependencies.minio, { buckets: [{ name: bucket }], allowFrom: callers }),
    );
    return s3Wiring(minio, bucket, true);
  }
  // OpenDAL's fs scheme, relative to the working directory /app/api: the shared volume.
  return {
    config: { STORAGE_TYPE: 'opendal', OPENDAL_SCHEME: 'fs', OPENDAL_FS_ROOT: 'storage' },
    secretEnv: [],
    sharedVolume: true,
  };
}

/**
 * The plugin daemon validates DB_SSL_MODE as disable or require only (0.5.3,
 * internal/types/app/config.go), so verify-ca/verify-full reach it as require; the api gets the
 * exact mode through DB_EXTRAS, which Dify appends to its database URL as the query string.
 */
function sslModes(sslMode: string): { readonly daemon: string; readonly dbExtras: string } {
  return sslMode === 'disable'
    ? { daemon: 'disable', dbExtras: '' }
    : { daemon: 'require', dbExtras: `sslmode=${sslMode}` };
}

export function difyBackends(values: DifyValues, ctx: RenderContext, migrationJob: string): DifyBackends {
  const { integrations: ext, dependencies: deps } = values;
  const { components, secrets, use } = bundledDependencies();
  const app = appCallers(migrationJob);
  const withPlugins = [...app, 'plugin-daemon'];
  const ssl = sslModes(ext.postgresql.enabled ? ext.postgresql.sslMode : 'disable');

  const postgres = {
    ...(ext.postgresql.enabled
      ? externalPostgres(ext.postgresql)
      : use(
          bundledPostgres(ctx, deps.postgresql, {
            database: 'dify',
            username: 'dify',
            allowFrom: withPlugins,
          }),
        )),
    pluginDatabase: ext.postgresql.pluginDatabase,
    sslMode: ssl.daemon,
    dbExtras: ssl.dbExtras,
  };

  const redis: RedisConnection = ext.redis.enabled
    ? externalRedis(ext.redis)
    : use(bundledRedis(ctx, deps.redis, { allowFrom: withPlugins }));

  return {
    postgres,
    redis,
    vectorStore: vectorStore(values, ctx, use, app),
    storage: storage(values, ctx, use, app),
    components,
    secrets,
  };
}
