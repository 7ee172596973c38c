/** Dify's settings, split by sensitivity: plain values in ConfigMaps, credentials from Secrets. */
import { objectName, type RenderContext } from '../../render/context.ts';
import { ingressUrl } from '../../render/ingress.ts';
import type { SecretSpec } from '../../render/model.ts';
import type { EnvVarValues } from '../../values/vocabulary/index.ts';
import { serviceHost } from '../shared/dependency.ts';
import { type EnvSource, env, literalEnv } from '../shared/env.ts';
import type { DifyBackends } from './connections.ts';
import { PORTS } from './routes.ts';
import { PROXY_PORT, SANDBOX_PORT } from './sandbox.ts';
import type { DifyValues } from './values.ts';

export interface AppKeys {
  readonly specs: readonly SecretSpec[];
  readonly secretKey: EnvSource;
  readonly pluginDaemonKey: EnvSource;
  readonly pluginInnerApiKey: EnvSource;
  readonly sandboxApiKey: EnvSource;
}

/** SECRET_KEY and the keys the components use to trust each other: generated once, or the user's. */
export function appKeys(values: DifyValues, ctx: RenderContext): AppKeys {
  const { existingSecret, secretKeys } = values.dify;
  const secret = existingSecret || objectName(ctx, 'app');
  const keys = existingSecret
    ? secretKeys
    : {
        secretKey: 'secret-key',
        pluginDaemonKey: 'plugin-daemon-key',
        pluginInnerApiKey: 'plugin-inner-api-key',
        sandboxApiKey: 'sandbox-api-key',
      };
  return {
    specs: existingSecret
      ? []
      : [
          {
            name: 'app',
            generated: {
              // The guide's `openssl rand -base64 42`: 42 random bytes.
              'secret-key': { kind: 'hex', bytes: 42 },
              'plugin-daemon-key': { kind: 'alphanumeric', length: 48 },
              'plugin-inner-api-key': { kind: 'alphanumeric', length: 48 },
              'sandbox-api-key': { kind: 'alphanumeric', length: 40 },
            },
          },
        ],
    secretKey: { secret, key: keys.secretKey },
    pluginDaemonKey: { secret, key: keys.pluginDaemonKey },
    pluginInnerApiKey: { secret, key: keys.pluginInnerApiKey },
    sandboxApiKey: { secret, key: keys.sandboxApiKey },
  };
}

export function publicUrl(values: DifyValues, ctx: RenderContext): string {
  return (values.dify.publicUrl || ingressUrl(ctx) || 'http://localhost:8080').replace(/\/+$/, '');
}

const host = (ctx: RenderContext, component: string) => serviceHost(ctx, component);

/** The ConfigMap api, worker, worker-beat and the migration Job read with envFrom. */
export function appConfig(
  values: DifyValues,
  ctx: RenderContext,
  backends: DifyBackends,
): Record<string, string> {
  const { postgres, redis, vectorStore, storage } = backends;
  const url = publicUrl(values, ctx);
  const proxy = `http://${host(ctx, 'ssrf-proxy')}:${PROXY_PORT}`;
  return {
    DEPLOY_ENV: 'PRODUCTION',
    LOG_LEVEL: values.dify.logLevel,
    // Migrations run in their own Job before api rolls; never from several api pods at once.
    MIGRATION_ENABLED: 'false',
    FILES_URL: url,
    INTERNAL_FILES_URL: `http://${host(ctx, 'api')}:${PORTS.api}`,
    TRIGGER_URL: url,
    ENDPOINT_URL_TEMPLATE: `${url}/e/{hook_id}`,
    DB_TYPE: 'postgresql',
    DB_HOST: postgres.host,
    DB_PORT: String(postgres.port),
    DB_DATABASE: postgres.database,
    ...(postgres.dbExtras ? { DB_EXTRAS: postgres.dbExtras } : {}),
    REDIS_HOST: redis.host,
    REDIS_PORT: String(redis.port),
    ...(redis.username ? { REDIS_USERNAME: redis.username } : {}),
    REDIS_USE_SSL: String(redis.tls),
    REDIS_DB: '0',
    CELERY_BACKEND: 'redis',
    BROKER_USE_SSL: String(redis.tls),
    UPLOAD_FILE_SIZE_LIMIT: String(values.dify.uploadFileSizeLimit),
    UPLOAD_FILE_BATCH_LIMIT: String(values.dify.uploadFileBatchLimit),
    SSRF_PROXY_HTTP_URL: proxy,
    SSRF_PROXY_HTTPS_URL: proxy,
    PLUGIN_DAEMON_URL: `http://${host(ctx, 'plugin-daemon')}:${PORTS['plugin-daemon']}`,
    PLUGIN_MAX_PACKAGE_SIZE: '52428800',
    MARKETPLACE_ENABLED: String(values.dify.marketplaceEnabled),
    MARKETPLACE_API_URL: 'https://marketplace.dify.ai',
    ...vectorStore.config,
    ...storage.config,
    ...values.dify.extraConfig,
  };
}

/** Credentials of api, worker, worker-beat and the migration Job; Kubernetes expands $(VAR) from earlier entries. */
export function appSecretEnv(backends: DifyBackends, keys: AppKeys): EnvVarValues[] {
  const { postgres, redis } = backends;
  const scheme = redis.tls ? 'rediss' : 'redis';
  return [
    env('SECRET_KEY', keys.secretKey),
    env('DB_USERNAME', postgres.username),
    env('DB_PASSWORD', postgres.password),
    env('REDIS_PASSWORD', redis.password),
    env('CELERY_BROKER_URL', `${scheme}://${redis.username}:$(REDIS_PASSWORD)@${redis.host}:${redis.port}/1`),
    env('PLUGIN_DAEMON_KEY', keys.pluginDaemonKey),
    env('INNER_API_KEY_FOR_PLUGIN', keys.pluginInnerApiKey),
    env('CODE_EXECUTION_API_KEY', keys.sandboxApiKey),
    ...backends.vectorStore.secretEnv,
    ...backends.storage.secretEnv,
  ];
}

/** The plugin daemon's own ConfigMap: its database, the api it calls back, local plugin storage. */
export function pluginDaemonConfig(ctx: RenderContext, backends: DifyBackends): Record<string, string> {
  const { postgres, redis } = backends;
  return {
    DB_TYPE: 'postgresql',
    DB_HOST: postgres.host,
    DB_PORT: String(postgres.port),
    DB_DATABASE: postgres.pluginDatabase,
    DB_SSL_MODE: postgres.sslMode,
    REDIS_HOST: redis.host,
    REDIS_PORT: String(redis.port),
    ...(redis.username ? { REDIS_USERNAME: redis.username } : {}),
    REDIS_USE_SSL: String(redis.tls),
    SERVER_PORT: String(PORTS['plugin-daemon']),
    DIFY_INNER_API_URL: `http://${host(ctx, 'api')}:${PORTS.api}`,
    MAX_PLUGIN_PACKAGE_SIZE: '52428800',
    PPROF_ENABLED: 'false',
    PLUGIN_REMOTE_INSTALLING_HOST: '0.0.0.0',
    PLUGIN_REMOTE_INSTALLING_PORT: '5003',
    PLUGIN_WORKING_PATH: '/app/storage/cwd',
    FORCE_VERIFYING_SIGNATURE: 'true',
    PYTHON_ENV_INIT_TIMEOUT: '120',
    PLUGIN_MAX_EXECUTION_TIMEOUT: '600',
    PLUGIN_STORAGE_TYPE: 'local',
    PLUGIN_STORAGE_LOCAL_ROOT: '/app/storage',
    PLUGIN_INSTALLED_PATH: 'plugin',
    PLUGIN_PACKAGE_CACHE_PATH: 'plugin_packages',
    PLUGIN_MEDIA_CACHE_PATH: 'assets',
    // The image runs as an arbitrary non-root user here; caches go to the data volume.
    HOME: '/app/storage/home',
  };
}

export function pluginDaemonSecretEnv(backends: DifyBackends, keys: AppKeys): EnvVarValues[] {
  return [
    env('DB_USERNAME', backends.postgres.username),
    env('DB_PASSWORD', backends.postgres.password),
    env('REDIS_PASSWORD', backends.redis.password),
    env('SERVER_KEY', keys.pluginDaemonKey),
    env('DIFY_INNER_API_KEY', keys.pluginInnerApiKey),
  ];
}

/**
 * Only api (debug runs) and worker (workflow queue) run code nodes, so only they are told where the
 * sandbox is: the sandbox's NetworkPolicy admits exactly the components that name it.
 */
export function sandboxEnv(ctx: RenderContext): EnvVarValues[] {
  return literalEnv({ CODE_EXECUTION_ENDPOINT: `http://${host(ctx, 'sandbox')}:${SANDBOX_PORT}` });
}
