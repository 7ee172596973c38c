/**
 * The official Langfuse chart (langfuse/langfuse-k8s, chart 1.x): `langfuse.web|worker.*` per
 * component, pod settings under `langfuse.*` for both, Bitnami-style `postgresql`, `redis`,
 * `clickhouse` with `deploy`, and `s3`. Secret values written into chart values are refused: berth
 * reads credentials from Secrets only.
 */
import { inlineSecret, type Rule } from './engine.ts';

type Json = Record<string, unknown>;

const BOTH = (key: string) => [`services.web.${key}`, `services.worker.${key}`];
const INLINE_SECRET = inlineSecret(
  'langfuse.existingSecret, integrations.*.existingSecret, dependencies.*.auth.existingSecret',
);
const deployed = (input: Json, dep: string) =>
  (input[dep] as { deploy?: unknown } | undefined)?.deploy !== false;
const external = (dep: string) => (input: Json) => !deployed(input, dep);
const bundled = (dep: string) => (input: Json) => deployed(input, dep);

/** `postgresql`, `redis`, `clickhouse`: bundled unless `deploy: false`, then `integrations.<dep>`. */
function dependencyRules(chart: string, berth: string, passwordKey: string): Rule[] {
  return [
    { from: `${chart}.deploy`, to: `integrations.${berth}.enabled`, value: (deploy) => deploy === false },
    { from: `${chart}.host`, to: `integrations.${berth}.host` },
    { from: `${chart}.port`, to: `integrations.${berth}.port` },
    { from: `${chart}.auth.password`, to: null, reason: INLINE_SECRET },
    {
      from: `${chart}.auth.existingSecret`,
      to: `integrations.${berth}.existingSecret`,
      when: external(chart),
    },
    {
      from: `${chart}.auth.existingSecret`,
      to: `dependencies.${berth}.auth.existingSecret`,
      when: bundled(chart),
    },
    { from: passwordKey, to: `integrations.${berth}.secretKeys.password`, when: external(chart) },
    { from: passwordKey, to: `dependencies.${berth}.auth.secretKeys.password`, when: bundled(chart) },
  ];
}

function secretRef(chart: string, key: string): Rule[] {
  return [
    { from: `${chart}.value`, to: null, reason: INLINE_SECRET },
    { from: `${chart}.secretKeyRef.name`, to: 'langfuse.existingSecret' },
    { from: `${chart}.secretKeyRef.key`, to: `langfuse.secretKeys.${key}` },
  ];
}

export const langfuseRules: readonly Rule[] = [
  { from: 'global.defaultStorageClass', to: 'global.storageClass' },
  { from: 'global.imageRegistry', to: 'global.imageRegistry' },
  { from: 'langfuse.nextauth.url', to: 'langfuse.nextauthUrl' },
  ...secretRef('langfuse.nextauth.secret', 'nextauthSecret'),
  ...secretRef('langfuse.salt', 'salt'),
  ...secretRef('langfuse.encryptionKey', 'encryptionKey'),
  { from: 'langfuse.logging.level', to: 'langfuse.logLevel' },
  { from: 'langfuse.*.replicas', to: 'services.$1.replicas' },
  { from: 'langfuse.*.image', to: 'services.$1.image' },
  { from: 'langfuse.*.resources', to: 'services.$1.resources' },
  { from: 'langfuse.*.hpa', to: 'services.$1.autoscaling' },
  { from: 'langfuse.*.livenessProbe', to: 'services.$1.probes.liveness' },
  { from: 'langfuse.*.readinessProbe', to: 'services.$1.probes.readiness' },
  { from: 'langfuse.*.service', to: 'services.$1.service' },
  { from: 'langfuse.*.pod.annotations', to: 'services.$1.podAnnotations' },
  { from: 'langfuse.*.pod.labels', to: 'services.$1.podLabels' },
  { from: 'langfuse.additionalEnv', to: BOTH('extraEnv') },
  { from: 'langfuse.extraContainers', to: BOTH('sidecars') },
  { from: 'langfuse.extraInitContainers', to: BOTH('initContainers') },
  { from: 'langfuse.pod.annotations', to: BOTH('podAnnotations') },
  { from: 'langfuse.pod.labels', to: BOTH('podLabels') },
  ...[
    'serviceAccount',
    'podSecurityContext',
    'securityContext',
    'affinity',
    'tolerations',
    'nodeSelector',
    'extraVolumes',
    'extraVolumeMounts',
    'envFrom',
    'priorityClassName',
    'topologySpreadConstraints',
  ].map((key) => ({ from: `langfuse.${key}`, to: BOTH(key) })),
  { from: 'langfuse.ingress', to: 'ingress' },
  ...dependencyRules('postgresql', 'postgresql', 'postgresql.auth.secretKeys.userPasswordKey'),
  {
    from: 'postgresql.auth.username',
    to: null,
    reason: 'the username is read from the Secret (secretKeys.username)',
  },
  { from: 'postgresql.auth.database', to: 'integrations.postgresql.database' },
  { from: 'postgresql.primary.persistence.size', to: 'dependencies.postgresql.persistence.size' },
  ...dependencyRules('redis', 'redis', 'redis.auth.existingSecretPasswordKey'),
  { from: 'redis.auth.username', to: 'integrations.redis.username' },
  { from: 'redis.tls.enabled', to: 'integrations.redis.tls.enabled' },
  { from: 'redis.primary.persistence.size', to: 'dependencies.redis.persistence.size' },
  ...dependencyRules('clickhouse', 'clickhouse', 'clickhouse.auth.existingSecretKey'),
  { from: 'clickhouse.httpPort', to: 'integrations.clickhouse.httpPort' },
  { from: 'clickhouse.nativePort', to: 'integrations.clickhouse.nativePort' },
  { from: 'clickhouse.persistence.size', to: 'dependencies.clickhouse.persistence.size' },
  {
    from: 'clickhouse.replicaCount',
    to: null,
    reason:
      "berth's bundled ClickHouse is one server; a replicated one is an integration (integrations.clickhouse)",
  },
  {
    from: 'clickhouse.clusterEnabled',
    to: null,
    reason:
      "berth's bundled ClickHouse is one server; a cluster is an integration (integrations.clickhouse.cluster)",
  },
  { from: 's3.deploy', to: 'integrations.s3.enabled', value: (deploy) => deploy === false },
  { from: 's3.bucket', to: ['integrations.s3.eventUpload.bucket', 'integrations.s3.mediaUpload.bucket'] },
  { from: 's3.region', to: 'integrations.s3.region' },
  { from: 's3.endpoint', to: 'integrations.s3.endpoint' },
  { from: 's3.forcePathStyle', to: 'integrations.s3.forcePathStyle' },
  { from: 's3.accessKeyId.value', to: null, reason: INLINE_SECRET },
  { from: 's3.secretAccessKey.value', to: null, reason: INLINE_SECRET },
  { from: 's3.accessKeyId.secretKeyRef.name', to: 'integrations.s3.existingSecret' },
  { from: 's3.accessKeyId.secretKeyRef.key', to: 'integrations.s3.secretKeys.accessKey' },
  { from: 's3.secretAccessKey.secretKeyRef.name', to: 'integrations.s3.existingSecret' },
  { from: 's3.secretAccessKey.secretKeyRef.key', to: 'integrations.s3.secretKeys.secretKey' },
  { from: 's3.persistence.size', to: 'dependencies.minio.persistence.size' },
];
