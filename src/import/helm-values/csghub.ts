/**
 * The CSGHub chart (OpenCSGs/csghub-installer, charts/csghub): `global.*` (domain, entry Service,
 * TLS, images, which stores are bundled, the space deployment), `csghub.<component>` blocks with
 * pod settings, `environments` and the connection of each component to PostgreSQL, Redis and the
 * object store, and the bundled `ingress-nginx` (its node ports are the entry's).
 */
import { inlineSecret, type Rule } from './engine.ts';

/** Chart components berth runs under the same name. */
const COMPONENTS = ['server', 'portal', 'user', 'accounting', 'mirror'] as const;

const POD_KEYS = [
  'resources',
  'nodeSelector',
  'tolerations',
  'affinity',
  'podSecurityContext',
  'securityContext',
  'podAnnotations',
  'podLabels',
  'serviceAccount',
  'annotations',
] as const;

const INLINE_SECRET = inlineSecret('integrations.*.existingSecret');
const USERNAME_IN_SECRET =
  'berth reads the user from the Secret it names (integrations.*.secretKeys.username)';
const NOT_IN_BERTH = "not part of berth's CSGHub blueprint";
const PINNED =
  'berth pins the CSGHub images per blueprint release (services.<component>.image to override one)';
const disabled = (on: unknown) => on === false;
/** Connection keys matter only for a store the chart did not bundle (`global.<store>.enabled: false`). */
const external = (store: string) => (input: Record<string, unknown>) =>
  (input.global as Record<string, { enabled?: unknown }> | undefined)?.[store]?.enabled === false;
const environments = (value: unknown) =>
  Object.entries((value ?? {}) as Record<string, unknown>).map(([name, v]) => ({ name, value: String(v) }));
function connection(from: string, to: string, store: string): Rule[] {
  return [
    { from, to, when: external(store) },
    {
      from,
      to: null,
      reason: `the chart bundles this store (global.${store}.enabled); so does berth, with its own settings`,
    },
  ];
}

export const csghubRules: readonly Rule[] = [
  { from: 'global.ingress.domain', to: 'csghub.domain' },
  { from: 'global.ingress.service.type', to: 'csghub.entry.type' },
  { from: 'global.ingress.className', to: 'ingress.className' },
  { from: 'global.ingress.tls.enabled', to: 'ingress.tls.enabled' },
  { from: 'global.ingress.tls.secretName', to: 'ingress.tls.secretName' },
  { from: 'global.image.registry', to: 'global.imageRegistry' },
  { from: 'global.image.pullSecrets', to: 'global.imagePullSecrets' },
  { from: 'global.image.tag', to: null, reason: PINNED },
  { from: 'global.image.pullPolicy', to: null, reason: PINNED },
  { from: 'global.edition', to: null, reason: 'berth deploys the edition its blueprint pins' },
  { from: 'global.persistence.storageClass', to: 'global.storageClass' },
  {
    from: 'global.pdb',
    to: null,
    reason: 'per component in berth: services.<component>.podDisruptionBudget',
  },
  { from: 'global.postgresql.enabled', to: 'integrations.postgresql.enabled', value: disabled },
  { from: 'global.redis.enabled', to: 'integrations.redis.enabled', value: disabled },
  { from: 'global.objectStore.enabled', to: 'integrations.s3.enabled', value: disabled },
  { from: 'global.minio.enabled', to: 'integrations.s3.enabled', value: disabled },
  { from: 'global.registry.enabled', to: 'integrations.registry.enabled', value: disabled },
  {
    from: 'global.registry.insecure',
    to: null,
    reason: 'berth serves the bundled registry over the ingress (TLS with ingress.tls)',
  },
  { from: 'global.gitaly', to: null, reason: 'berth always bundles Gitaly (one node)' },
  // Chart 1.2.x (CSGHub v1.2.0) spells the domain and the space runner under global.
  { from: 'global.domain', to: 'csghub.domain' },
  { from: 'global.runner.namespace', to: 'csghub.runner.namespace' },
  { from: 'global.runner.internalDomain', to: 'csghub.runner.internalDomains' },
  { from: 'global.runner.kubeConfig.secretName', to: 'csghub.runner.kubeconfigSecret' },
  { from: 'global.deploy.namespace', to: 'csghub.runner.namespace' },
  { from: 'global.deploy.kubeSecret', to: 'csghub.runner.kubeconfigSecret' },
  { from: 'global.deploy.enabled', to: null, reason: 'berth always deploys the space runner' },
  { from: 'global.deploy.autoConfigure', to: null, reason: 'berth configures the runner itself' },
  { from: 'global.deploy.mergingNamespace', to: null, reason: NOT_IN_BERTH },
  {
    from: 'global.deploy.knative',
    to: null,
    reason: 'Knative Serving is a prerequisite berth does not install',
  },
  { from: 'global.deploy.pipIndexUrl', to: null, reason: NOT_IN_BERTH },
  { from: 'global.deploy.imageBuilder', to: null, reason: NOT_IN_BERTH },
  { from: 'global.deploy.usePublicDomain', to: null, reason: NOT_IN_BERTH },
  { from: 'global.moderation', to: null, reason: NOT_IN_BERTH },
  { from: 'global.dataflow', to: null, reason: NOT_IN_BERTH },
  { from: 'global.starship', to: null, reason: NOT_IN_BERTH },
  { from: 'starship', to: null, reason: NOT_IN_BERTH },
  { from: 'dataflow', to: null, reason: NOT_IN_BERTH },
  { from: 'ingress-nginx.enabled', to: null, reason: "berth uses the cluster's ingress controller" },
  { from: 'ingress-nginx.controller.service.type', to: 'csghub.entry.type' },
  { from: 'ingress-nginx.controller.service.nodePorts.http', to: 'csghub.entry.nodePorts.http' },
  { from: 'ingress-nginx.controller.service.nodePorts.https', to: 'csghub.entry.nodePorts.https' },
  { from: 'ingress-nginx.controller.service.nodePorts.tcp.22', to: 'csghub.entry.nodePorts.ssh' },
  {
    from: 'csghub.autoscaling',
    to: null,
    reason: 'per component in berth: services.<component>.autoscaling',
  },
  ...COMPONENTS.flatMap((component): Rule[] => [
    ...POD_KEYS.map((key) => ({ from: `csghub.${component}.${key}`, to: `services.${component}.${key}` })),
    {
      from: `csghub.${component}.serviceAccount.automount`,
      to: `services.${component}.serviceAccount.automountServiceAccountToken`,
    },
    { from: `csghub.${component}.environments`, to: `services.${component}.extraEnv`, value: environments },
    { from: `csghub.${component}.image`, to: null, reason: PINNED },
  ]),
  // Each component's connection: the same external services, spelled per component in the chart.
  ...['server', 'portal'].flatMap((component): Rule[] => [
    ...connection(`csghub.${component}.postgresql.host`, 'integrations.postgresql.host', 'postgresql'),
    ...connection(`csghub.${component}.postgresql.port`, 'integrations.postgresql.port', 'postgresql'),
    ...connection(
      `csghub.${component}.postgresql.database`,
      `integrations.postgresql.databases.${component}`,
      'postgresql',
    ),
    { from: `csghub.${component}.postgresql.user`, to: null, reason: USERNAME_IN_SECRET },
    { from: `csghub.${component}.postgresql.password`, to: null, reason: INLINE_SECRET },
    { from: `csghub.${component}.postgresql.timezone`, to: null, reason: 'berth runs the databases in UTC' },
    ...connection(`csghub.${component}.objectStore.endpoint`, 'integrations.s3.endpoint', 'objectStore'),
    ...connection(`csghub.${component}.objectStore.region`, 'integrations.s3.region', 'objectStore'),
    ...connection(
      `csghub.${component}.objectStore.bucket`,
      `integrations.s3.buckets.${component}`,
      'objectStore',
    ),
    { from: `csghub.${component}.objectStore.accessKey`, to: null, reason: INLINE_SECRET },
    { from: `csghub.${component}.objectStore.secretKey`, to: null, reason: INLINE_SECRET },
    {
      from: `csghub.${component}.objectStore.pathStyle`,
      to: null,
      reason: 'berth always uses path-style S3 URLs',
    },
    { from: `csghub.${component}.objectStore.directUpload`, to: null, reason: NOT_IN_BERTH },
  ]),
  ...connection('csghub.server.redis.host', 'integrations.redis.host', 'redis'),
  ...connection('csghub.server.redis.port', 'integrations.redis.port', 'redis'),
  { from: 'csghub.server.redis.password', to: null, reason: INLINE_SECRET },
  { from: 'csghub.server.gitaly', to: null, reason: 'berth always bundles Gitaly (one node)' },
  {
    from: 'csghub.portal.ingress',
    to: null,
    reason: 'the portal is served by the csghub Ingress (ingress.*)',
  },
  { from: 'csghub.portal.smtp', to: null, reason: NOT_IN_BERTH },
  { from: 'csghub.portal.docs', to: null, reason: NOT_IN_BERTH },
  { from: 'csghub.runner.registry.password', to: null, reason: INLINE_SECRET },
  ...connection('csghub.runner.registry.repository', 'integrations.registry.host', 'registry'),
  ...connection('csghub.runner.registry.namespace', 'integrations.registry.namespace', 'registry'),
  { from: 'csghub.runner.registry.username', to: null, reason: USERNAME_IN_SECRET },
  {
    from: 'csghub.runner.registry.insecure',
    to: null,
    reason: 'berth serves the bundled registry over the ingress (TLS with ingress.tls)',
  },
  { from: 'csghub.runner.autoLabel', to: null, reason: NOT_IN_BERTH },
  {
    from: 'csghub.runner.objectStore',
    to: null,
    reason: 'the runner uses the same object store as the server (integrations.s3)',
  },
];
