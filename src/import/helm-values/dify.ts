/**
 * The most-used community Dify chart (BorisPolonsky/dify-helm): one block per component (`api`,
 * `worker`, `web`, `sandbox`, `pluginDaemon`, `proxy`, `ssrfProxy`) with replicas, resources,
 * scheduling and `extraEnv`, images under `image.<component>`, Bitnami `postgresql` / `redis` with
 * `enabled`, and `externalPostgres` / `externalRedis`.
 */
import type { Rule } from './engine.ts';

const COMPONENTS: Readonly<Record<string, string>> = {
  api: 'api',
  worker: 'worker',
  web: 'web',
  sandbox: 'sandbox',
  pluginDaemon: 'pluginDaemon',
  ssrfProxy: 'ssrfProxy',
  proxy: 'nginx',
};

const PER_COMPONENT = [
  'replicas',
  'resources',
  'extraEnv',
  'nodeSelector',
  'affinity',
  'tolerations',
  'podSecurityContext',
  'securityContext',
  'serviceAccount',
  'podAnnotations',
  'podLabels',
] as const;

const INLINE_SECRET =
  'berth never takes a secret from values: put it in a Secret and name it (existingSecret)';

export const difyRules: readonly Rule[] = [
  ...Object.entries(COMPONENTS).flatMap(([chart, berth]) => [
    ...PER_COMPONENT.map((key) => ({ from: `${chart}.${key}`, to: `services.${berth}.${key}` })),
    { from: `image.${chart}`, to: `services.${berth}.image` },
    { from: `${chart}.autoscaling`, to: `services.${berth}.autoscaling` },
  ]),
  { from: 'api.logLevel', to: 'dify.logLevel' },
  { from: 'api.secretKey', to: null, reason: INLINE_SECRET },
  { from: 'postgresql.enabled', to: 'integrations.postgresql.enabled', value: (on) => on === false },
  { from: 'redis.enabled', to: 'integrations.redis.enabled', value: (on) => on === false },
  { from: 'postgresql.primary.persistence.size', to: 'dependencies.postgresql.persistence.size' },
  { from: 'redis.master.persistence.size', to: 'dependencies.redis.persistence.size' },
  { from: 'externalPostgres.enabled', to: 'integrations.postgresql.enabled' },
  { from: 'externalPostgres.address', to: 'integrations.postgresql.host' },
  { from: 'externalPostgres.port.postgresql', to: 'integrations.postgresql.port' },
  { from: 'externalPostgres.credentials.dify.database', to: 'integrations.postgresql.database' },
  {
    from: 'externalPostgres.credentials.pluginDaemon.database',
    to: 'integrations.postgresql.pluginDatabase',
  },
  { from: 'externalPostgres.credentials.*.username', to: null, reason: INLINE_SECRET },
  { from: 'externalPostgres.credentials.*.password', to: null, reason: INLINE_SECRET },
  { from: 'externalRedis.enabled', to: 'integrations.redis.enabled' },
  { from: 'externalRedis.host', to: 'integrations.redis.host' },
  { from: 'externalRedis.port', to: 'integrations.redis.port' },
  { from: 'externalRedis.username', to: 'integrations.redis.username' },
  { from: 'externalRedis.useSSL', to: 'integrations.redis.tls.enabled' },
  { from: 'externalRedis.password', to: null, reason: INLINE_SECRET },
];
