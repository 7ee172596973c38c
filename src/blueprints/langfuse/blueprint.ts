/**
 * Langfuse v3 (LLM observability), as its production guide deploys it: a web (UI + API) and a worker
 * Deployment over PostgreSQL, Redis, ClickHouse and S3 — bundled single instances or external services.
 */
import { objectName, type RenderContext } from '../../render/context.ts';
import { ingressUrl } from '../../render/ingress.ts';
import type { ComponentSpec, KubeObject, PlatformSpec } from '../../render/model.ts';
import { standardLabels } from '../../render/policies.ts';
import { defineBlueprint } from '../blueprint.ts';
import { type EnvSource, env, literalEnv } from '../shared/env.ts';
import { type LangfuseBackends, langfuseBackends } from './connections.ts';
import { LANGFUSE_VERSION, type LangfuseValues, langfuseValues } from './values.ts';

function applicationSecrets(values: LangfuseValues, ctx: RenderContext) {
  const { existingSecret, secretKeys } = values.langfuse;
  const secret = existingSecret || objectName(ctx, 'app');
  const keys = existingSecret
    ? secretKeys
    : { nextauthSecret: 'nextauth-secret', salt: 'salt', encryptionKey: 'encryption-key' };
  const source = (key: string): EnvSource => ({ secret, key });
  return {
    specs: existingSecret
      ? []
      : [
          {
            name: 'app',
            generated: {
              'nextauth-secret': { kind: 'hex', bytes: 32 } as const,
              salt: { kind: 'hex', bytes: 32 } as const,
              // ENCRYPTION_KEY must be 256 bits written as 64 hex characters.
              'encryption-key': { kind: 'hex', bytes: 32 } as const,
            },
          },
        ],
    env: [
      env('NEXTAUTH_SECRET', source(keys.nextauthSecret)),
      env('SALT', source(keys.salt)),
      env('ENCRYPTION_KEY', source(keys.encryptionKey)),
    ],
  };
}

function publicUrl(values: LangfuseValues, ctx: RenderContext): string {
  return values.langfuse.nextauthUrl || ingressUrl(ctx) || 'http://localhost:3000';
}

/** The environment both web and worker read, wired to the chosen backends. */
function sharedEnv(values: LangfuseValues, ctx: RenderContext, backends: LangfuseBackends) {
  const { postgres, redis, clickhouse, s3 } = backends;
  const pgArgs = postgres.args ? `?${postgres.args}` : '';
  const chScheme = clickhouse.secure ? 'https' : 'http';
  const s3Env = (prefix: string, bucket: { bucket: string; prefix: string }) => [
    env(`${prefix}_BUCKET`, bucket.bucket),
    env(`${prefix}_PREFIX`, bucket.prefix),
    env(`${prefix}_REGION`, s3.region),
    ...(s3.endpoint ? [env(`${prefix}_ENDPOINT`, s3.endpoint)] : []),
    env(`${prefix}_FORCE_PATH_STYLE`, String(s3.forcePathStyle)),
    env(`${prefix}_ACCESS_KEY_ID`, s3.accessKey),
    env(`${prefix}_SECRET_ACCESS_KEY`, s3.secretKey),
  ];
  return [
    // Kubernetes expands $(VAR) from variables defined earlier, so credentials stay in their Secrets.
    env('DATABASE_USERNAME', postgres.username),
    env('DATABASE_PASSWORD', postgres.password),
    env(
      'DATABASE_URL',
      `postgresql://$(DATABASE_USERNAME):$(DATABASE_PASSWORD)@${postgres.host}:${postgres.port}/${postgres.database}${pgArgs}`,
    ),
    env('CLICKHOUSE_USER', clickhouse.username),
    env('CLICKHOUSE_PASSWORD', clickhouse.password),
    env('CLICKHOUSE_URL', `${chScheme}://${clickhouse.host}:${clickhouse.httpPort}`),
    // The migration script appends its own '?username=…' query to this URL, so TLS cannot ride on
    // it as '?secure=true' (two query strings); the script adds secure=true for CLICKHOUSE_MIGRATION_SSL.
    env('CLICKHOUSE_MIGRATION_URL', `clickhouse://${clickhouse.host}:${clickhouse.nativePort}`),
    ...(clickhouse.secure ? [env('CLICKHOUSE_MIGRATION_SSL', 'true')] : []),
    env('CLICKHOUSE_DB', clickhouse.database),
    env('CLICKHOUSE_CLUSTER_ENABLED', String(clickhouse.cluster !== '')),
    ...(clickhouse.cluster ? [env('CLICKHOUSE_CLUSTER_NAME', clickhouse.cluster)] : []),
    env('REDIS_HOST', redis.host),
    env('REDIS_PORT', String(redis.port)),
    ...(redis.username ? [env('REDIS_USERNAME', redis.username)] : []),
    env('REDIS_AUTH', redis.password),
    env('REDIS_TLS_ENABLED', String(redis.tls)),
    ...s3Env('LANGFUSE_S3_EVENT_UPLOAD', s3.eventUpload),
    ...s3Env('LANGFUSE_S3_MEDIA_UPLOAD', s3.mediaUpload),
    env('LANGFUSE_S3_BATCH_EXPORT_ENABLED', String(s3.batchExport.enabled)),
    ...(s3.batchExport.enabled ? s3Env('LANGFUSE_S3_BATCH_EXPORT', s3.batchExport) : []),
    ...literalEnv({
      NEXTAUTH_URL: publicUrl(values, ctx),
      TELEMETRY_ENABLED: values.langfuse.telemetryEnabled,
      LANGFUSE_LOG_LEVEL: values.langfuse.logLevel,
    }),
  ];
}

function application(
  name: 'web' | 'worker',
  values: LangfuseValues,
  envVars: ReturnType<typeof sharedEnv>,
  appSecretEnv: ReturnType<typeof applicationSecrets>['env'],
): ComponentSpec {
  const service = values.services[name];
  const isWeb = name === 'web';
  const port = isWeb ? 3000 : 3030;
  // The worker has one endpoint; it answers 503 while the database is unreachable.
  const healthPath = isWeb ? '/api/public/health' : '/api/health';
  const readyPath = isWeb ? '/api/public/ready' : '/api/health';
  const workerScaledByKeda = !isWeb && values.langfuse.keda.enabled;
  return {
    name,
    // The guide upgrades the worker before the web; both start after the migrate Job.
    stage: isWeb ? 'frontends' : 'backends',
    kind: 'Deployment',
    replicas: service.replicas,
    containers: [
      {
        name,
        image: service.image,
        env: [
          ...appSecretEnv,
          ...envVars,
          ...literalEnv({ HOSTNAME: '0.0.0.0', PORT: port }),
          // The migrate Job has run both migrations once; every web replica repeating them at start
          // would race (golang-migrate's ClickHouse driver has no cross-process lock).
          ...(isWeb
            ? literalEnv({
                LANGFUSE_AUTO_POSTGRES_MIGRATION_DISABLED: true,
                LANGFUSE_AUTO_CLICKHOUSE_MIGRATION_DISABLED: true,
              })
            : []),
          ...service.extraEnv,
        ],
        ports: [{ name: 'http', containerPort: port }],
        resources: service.resources,
        probes: {
          startup: { http: { path: healthPath, port: 'http' }, periodSeconds: 5, failureThreshold: 60 },
          readiness: { http: { path: readyPath, port: 'http' }, periodSeconds: 10 },
          liveness: { http: { path: healthPath, port: 'http' }, periodSeconds: 10, failureThreshold: 5 },
        },
      },
    ],
    // Nothing calls the worker; only the web needs a Service.
    ...(isWeb ? { service: {} } : {}),
    scheduling: service,
    scaling: {
      autoscaling: workerScaledByKeda ? { ...service.autoscaling, enabled: false } : service.autoscaling,
      podDisruptionBudget: service.podDisruptionBudget,
    },
    // The images run as nextjs / expressjs, uid and gid 1001.
    podSecurity: { runAsUser: 1001, runAsGroup: 1001 },
  };
}

/**
 * The Postgres and ClickHouse migrations, once per install or upgrade: the web image's own
 * entrypoint runs both and then execs its arguments (`true`), so the steps stay upstream's.
 */
function migrationJob(values: LangfuseValues, envVars: ReturnType<typeof sharedEnv>): ComponentSpec {
  const web = values.services.web;
  return {
    name: 'migrate',
    stage: 'migrations',
    kind: 'Job',
    replicas: 1,
    backoffLimit: 6,
    containers: [
      {
        name: 'migrate',
        image: web.image,
        command: ['dumb-init', '--', './web/entrypoint.sh'],
        args: ['true'],
        env: envVars,
        resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
      },
    ],
    scheduling: web,
    podSecurity: { runAsUser: 1001, runAsGroup: 1001 },
  };
}

function kedaScaledObject(
  values: LangfuseValues,
  ctx: RenderContext,
  backends: LangfuseBackends,
): KubeObject {
  const keda = values.langfuse.keda;
  const name = objectName(ctx, 'worker');
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name, namespace: ctx.namespace, labels: standardLabels(ctx, 'worker') },
    spec: {
      scaleTargetRef: { name },
      minReplicaCount: keda.minReplicas,
      maxReplicaCount: keda.maxReplicas,
      triggers: [
        {
          type: 'redis',
          metadata: {
            address: `${backends.redis.host}:${backends.redis.port}`,
            listName: keda.listName,
            listLength: String(keda.listLength),
            enableTLS: String(backends.redis.tls),
            passwordFromEnv: 'REDIS_AUTH',
          },
        },
      ],
    },
  };
}

function notes(values: LangfuseValues, ctx: RenderContext): string[] {
  const url = ingressUrl(ctx);
  const lines = [`Langfuse ${LANGFUSE_VERSION} (release ${ctx.release}, namespace ${ctx.namespace}).`];
  if (url) {
    lines.push(`Open ${url} once DNS points at your ingress controller.`);
  } else {
    lines.push(
      'Reach it with:',
      `  kubectl -n ${ctx.namespace} port-forward svc/${objectName(ctx, 'web')} 3000:3000`,
      '  then open http://localhost:3000',
    );
  }
  lines.push(
    'The first account you sign up becomes the owner of its organisation; set AUTH_DISABLE_SIGNUP=true via services.web.extraEnv afterwards.',
  );
  if (!values.langfuse.existingSecret) {
    lines.push(
      `Application secrets (NEXTAUTH_SECRET, SALT, ENCRYPTION_KEY) live in Secret ${objectName(ctx, 'app')}.`,
    );
  }
  return lines;
}

function warnings(values: LangfuseValues): string[] {
  const bundled = (['postgresql', 'redis', 'clickhouse'] as const).filter(
    (dep) => !values.integrations[dep].enabled,
  );
  if (!values.integrations.s3.enabled) bundled.push('minio' as never);
  const result = bundled.length
    ? [
        `bundled single-instance ${bundled.join(', ')} are fine for trials; production should use integrations.* (managed services)`,
      ]
    : [];
  const { clickhouse } = values.integrations;
  if (clickhouse.enabled && clickhouse.cluster !== '' && clickhouse.cluster !== 'default') {
    result.push(
      `integrations.clickhouse.cluster is ${clickhouse.cluster}: Langfuse's automatic ClickHouse migrations are written ON CLUSTER default and fail on another cluster name`,
    );
  }
  return result;
}

export const blueprint = defineBlueprint({
  name: 'langfuse',
  version: '0.1.0',
  appVersion: LANGFUSE_VERSION,
  description: 'Langfuse v3: LLM observability, tracing, prompt management and evaluation',
  home: 'https://langfuse.com/self-hosting',
  kubeVersion: '>=1.24.0',
  schema: langfuseValues,
  build(values, ctx): PlatformSpec {
    const backends = langfuseBackends(values, ctx);
    const appSecrets = applicationSecrets(values, ctx);
    const envVars = sharedEnv(values, ctx, backends);
    const web = application('web', values, envVars, appSecrets.env);
    const worker = application('worker', values, envVars, appSecrets.env);
    return {
      components: [...backends.components, migrationJob(values, envVars), worker, web],
      secrets: [...appSecrets.specs, ...backends.secrets],
      configMaps: [],
      ingressRoutes: [{ path: '/', component: 'web', port: 'http' }],
      extraObjects: values.langfuse.keda.enabled
        ? [{ stage: 'backends', object: kedaScaledObject(values, ctx, backends) }]
        : [],
      alerts: [],
      notes: notes(values, ctx),
      warnings: warnings(values),
    };
  },
});
