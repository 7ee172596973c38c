/**
 * The most-used community Dify chart (BorisPolonsky/dify-helm): one block per component (`api`,
 * `worker`, `web`, `sandbox`, `pluginDaemon`, `proxy`, `ssrfProxy`) with replicas, resources,
 * scheduling and `extraEnv`, images under `image.<component>`, Bitnami `postgresql` / `redis` with
 * `enabled`, and `externalPostgres` / `externalRedis`.
 */
import { inlineSecret, type Rule } from './engine.ts';

const COMPONENTS: Readonly<Record<string, string>> = {
  api: 'api',
  worker: 'worker',
  beat: 'workerBeat',
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
  'priorityClassName',
  'hostAliases',
  'extraVolumes',
  'extraVolumeMounts',
] as const;

/** Chart spelling → berth spelling, per component. */
const RENAMED: Readonly<Record<string, string>> = {
  containerSecurityContext: 'securityContext',
  updateStrategy: 'strategy',
  livenessProbe: 'probes.liveness',
  readinessProbe: 'probes.readiness',
  startupProbe: 'probes.startup',
  customLivenessProbe: 'probes.liveness',
  customReadinessProbe: 'probes.readiness',
  customStartupProbe: 'probes.startup',
  'service.annotations': 'service.annotations',
};

const INLINE_SECRET = inlineSecret('existingSecret');

export const difyRules: readonly Rule[] = [
  ...Object.entries(COMPONENTS).flatMap(([chart, berth]) => [
    ...PER_COMPONENT.map((key) => ({ from: `${chart}.${key}`, to: `services.${berth}.${key}` })),
    { from: `image.${chart}`, to: `services.${berth}.image` },
    { from: `${chart}.autoscaling`, to: `services.${berth}.autoscaling` },
    ...Object.entries(RENAMED).map(([from, to]) => ({
      from: `${chart}.${from}`,
      to: `services.${berth}.${to}`,
    })),
    ...['livenessProbe', 'readinessProbe', 'startupProbe'].map((probe) => ({
      from: `${chart}.${probe}.enabled`,
      to: null,
      reason: 'berth always probes its components; set the timings or a whole probe instead',
    })),
    {
      from: `${chart}.shareProcessNamespace`,
      to: null,
      reason: 'berth keeps process namespaces apart (production policy)',
    },
    { from: `${chart}.enabled`, to: null, reason: 'berth runs every Dify component its configuration needs' },
    { from: `${chart}.service.port`, to: null, reason: 'berth serves each component on its upstream port' },
    {
      from: `${chart}.service.labels`,
      to: null,
      reason: 'no berth equivalent for Service labels; use patches',
    },
    { from: `${chart}.service.clusterIP`, to: null, reason: 'berth lets the cluster assign it' },
  ]),
  {
    from: 'api.persistence.mountPath',
    to: null,
    reason: "berth mounts the storage volume where Dify's api reads it",
  },
  {
    from: 'api.persistence.annotations',
    to: null,
    reason: 'berth keeps data volumes on uninstall without an annotation',
  },
  {
    from: 'api.persistence.persistentVolumeClaim.existingClaim',
    to: 'dify.storage.persistence.existingClaim',
  },
  { from: 'api.persistence.persistentVolumeClaim.storageClass', to: 'dify.storage.persistence.storageClass' },
  { from: 'api.persistence.persistentVolumeClaim.size', to: 'dify.storage.persistence.size' },
  { from: 'api.persistence.persistentVolumeClaim.accessModes', to: 'dify.storage.persistence.accessModes' },
  {
    from: 'api.migration',
    to: null,
    reason: 'berth always runs the migrations as a Job before the api starts',
  },
  { from: 'api.auth', to: null, reason: INLINE_SECRET },
  { from: 'global.appSecretKey', to: null, reason: INLINE_SECRET },
  { from: 'global.internalApiKey', to: null, reason: INLINE_SECRET },
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
