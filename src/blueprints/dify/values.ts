/** Values of the Dify blueprint: the shared vocabulary plus Dify's own settings. */
import { z } from 'zod';
import { platformValuesSchema } from '../../values/platform.ts';
import {
  dependencySchema,
  externalServiceSchema,
  integrationFields,
  persistenceSchema,
  port,
  postgresIntegrationFields,
  redisIntegrationFields,
  requireExistingSecret,
  serviceSchema,
} from '../../values/vocabulary/index.ts';
import { MINIO_DEFAULTS, VALKEY_DEFAULTS } from '../shared/dependency-defaults.ts';

/** The 1.x release whose docker-compose.yaml this blueprint follows (api, worker, worker_beat, web). */
export const DIFY_VERSION = '1.13.3';
export const SANDBOX_VERSION = '0.2.14';
export const PLUGIN_DAEMON_VERSION = '0.5.3-local';

/** Names Dify's VECTOR_STORE accepts; only weaviate and qdrant can be bundled. */
export const VECTOR_STORES = [
  'weaviate',
  'qdrant',
  'pgvector',
  'pgvecto-rs',
  'milvus',
  'myscale',
  'relyt',
  'chroma',
  'opensearch',
  'elasticsearch',
  'elasticsearch-ja',
  'tidb_vector',
  'tidb_on_qdrant',
  'oracle',
  'tencent',
  'analyticdb',
  'couchbase',
  'oceanbase',
  'seekdb',
  'opengauss',
  'tablestore',
  'vastbase',
  'lindorm',
  'huawei_cloud',
  'upstash',
  'matrixone',
  'clickzetta',
  'baidu',
  'vikingdb',
  'iris',
  'alibabacloud_mysql',
  'hologres',
] as const;

/** An external service's address is required once its integration is enabled. */
function requireField<const Field extends string>(field: Field) {
  return (value: { readonly enabled: boolean } & Record<Field, string>, ctx: z.RefinementCtx): void => {
    if (value.enabled && value[field] === '') {
      ctx.addIssue({ code: 'custom', path: [field], message: 'required when enabled is true' });
    }
  };
}

const SECRET_NAME = /(PASSWORD|SECRET|KEY|TOKEN|CREDENTIAL)/;

// `--set X=2` gives a number; environment values are strings, so scalars are accepted and kept as text.
const plainSettings = z
  .record(
    z.string(),
    z.union([z.string(), z.number(), z.boolean()]).transform((value) => String(value)),
  )
  .superRefine((settings, ctx) => {
    for (const name of Object.keys(settings)) {
      if (SECRET_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'looks like a secret; put it in a Secret and name it in dify.extraSecret instead',
        });
      }
    }
  });

const appService = (
  repository: string,
  tag: string,
  resources: { cpu: string; memory: string; limit: string },
  replicas = 1,
) =>
  serviceSchema({
    replicas,
    image: { repository, tag },
    resources: {
      requests: { cpu: resources.cpu, memory: resources.memory },
      limits: { memory: resources.limit },
    },
    autoscaling: { minReplicas: 3, maxReplicas: 10, targetCPUUtilizationPercentage: 70 },
  });

export const difyValues = platformValuesSchema({
  dify: z
    .strictObject({
      publicUrl: z
        .string()
        .default('')
        .describe(
          'URL users open (ENDPOINT_URL_TEMPLATE, TRIGGER_URL, FILES_URL). Empty: the ingress URL, else http://localhost:8080 (port-forward to nginx).',
        ),
      existingSecret: z
        .string()
        .default('')
        .describe(
          'Existing Secret with the application keys (see secretKeys). Empty: berth generates them once at install and keeps them.',
        ),
      secretKeys: z
        .strictObject({
          secretKey: z.string().default('secret-key').describe('Key of SECRET_KEY (signs sessions).'),
          pluginDaemonKey: z
            .string()
            .default('plugin-daemon-key')
            .describe('Key of PLUGIN_DAEMON_KEY (api → plugin-daemon).'),
          pluginInnerApiKey: z
            .string()
            .default('plugin-inner-api-key')
            .describe('Key of PLUGIN_DIFY_INNER_API_KEY (plugin-daemon → api).'),
          sandboxApiKey: z
            .string()
            .default('sandbox-api-key')
            .describe('Key of the sandbox API key (CODE_EXECUTION_API_KEY).'),
        })
        .prefault({})
        .describe('Keys of dify.existingSecret.'),
      logLevel: z
        .enum(['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'])
        .default('INFO')
        .describe('LOG_LEVEL of api and worker.'),
      uploadFileSizeLimit: z.int().min(1).default(15).describe('UPLOAD_FILE_SIZE_LIMIT, in MB.'),
      uploadFileBatchLimit: z.int().min(1).default(5).describe('UPLOAD_FILE_BATCH_LIMIT.'),
      marketplaceEnabled: z
        .boolean()
        .default(true)
        .describe('Install plugins from marketplace.dify.ai (MARKETPLACE_ENABLED).'),
      extraConfig: plainSettings
        .default({})
        .describe(
          'More non-secret settings for api, worker and worker-beat (environment variable → value), added to the ConfigMap.',
        ),
      extraSecret: z
        .string()
        .default('')
        .describe(
          'Existing Secret whose keys are environment variable names (e.g. SMTP_PASSWORD), loaded into api, worker and worker-beat.',
        ),
      vectorStore: z
        .strictObject({
          type: z
            .enum(VECTOR_STORES)
            .default('weaviate')
            .describe(
              'VECTOR_STORE. weaviate and qdrant are bundled unless integrations.<type>.enabled; the others are external and configured with settings/existingSecret.',
            ),
          settings: plainSettings
            .default({})
            .describe('Non-secret settings of an external store, e.g. PGVECTOR_HOST, MILVUS_URI.'),
          existingSecret: z
            .string()
            .default('')
            .describe(
              'Secret whose keys are environment variable names of the store, e.g. PGVECTOR_PASSWORD, MILVUS_TOKEN.',
            ),
        })
        .prefault({})
        .describe('Where embeddings live.'),
      storage: z
        .strictObject({
          type: z
            .enum(['minio', 'pvc'])
            .default('minio')
            .describe(
              'File storage when integrations.s3 is off: a bundled MinIO (STORAGE_TYPE=s3), or a volume at /app/api/storage shared by api and worker.',
            ),
          persistence: persistenceSchema({ size: '20Gi', accessMode: 'ReadWriteOnce' }).describe(
            'The shared /app/api/storage volume (type pvc). ReadWriteOnce attaches to one node: every api and worker pod must run there (use customNodeSelector) and they are replaced without surging. Set ReadWriteMany with an RWX storage class (NFS, CephFS, EFS) to spread them.',
          ),
          bucket: z
            .string()
            .min(1)
            .default('difyai')
            .describe('Bucket of the bundled MinIO (S3_BUCKET_NAME).'),
        })
        .prefault({})
        .describe('Uploaded files and generated artefacts.'),
      migrations: z
        .strictObject({
          backoffLimit: z.int().min(0).default(3).describe('Retries of the migration Job.'),
        })
        .prefault({})
        .describe(
          'Database migrations run as a Job (flask db upgrade) before api and worker roll; api starts with MIGRATION_ENABLED=false.',
        ),
      sandbox: z
        .strictObject({
          isolation: z
            .boolean()
            .default(true)
            .describe(
              'NetworkPolicy for the code sandbox: only api and worker reach it; its egress goes only to the SSRF proxy and DNS.',
            ),
          enableNetwork: z
            .boolean()
            .default(true)
            .describe('Let sandboxed code open connections, through the SSRF proxy (ENABLE_NETWORK).'),
          workerTimeout: z.int().min(1).default(15).describe('Seconds a code run may take (WORKER_TIMEOUT).'),
        })
        .prefault({})
        .describe('The code-execution sandbox.'),
      ssrfProxy: z
        .strictObject({
          blockPrivateNetworks: z
            .boolean()
            .default(true)
            .describe(
              'Refuse requests to private, loopback and link-local addresses (the point of an SSRF proxy).',
            ),
          allowedDestinations: z
            .array(z.string().min(1))
            .default([])
            .describe(
              'Addresses or CIDRs (e.g. 10.1.2.3/32) reachable despite blockPrivateNetworks, such as an in-cluster model server.',
            ),
        })
        .prefault({})
        .describe('The squid forward proxy all outbound user-controlled requests go through.'),
      nginx: z
        .strictObject({
          enabled: z
            .boolean()
            .optional()
            .describe(
              'Run the nginx entry. Unset: on unless ingress.enabled (the Ingress then routes paths itself).',
            ),
          serviceType: z
            .enum(['ClusterIP', 'NodePort', 'LoadBalancer'])
            .default('ClusterIP')
            .describe('Type of the nginx Service.'),
          nodePort: port.optional().describe('nodePort when serviceType is NodePort, e.g. 30080.'),
          clientMaxBodySize: z.string().default('100M').describe('client_max_body_size.'),
          proxyTimeout: z.string().default('3600s').describe('proxy_read_timeout and proxy_send_timeout.'),
        })
        .prefault({})
        .describe('The nginx entry that routes /, /api, /console/api, /v1, /files, /e/ ...'),
      databaseDisruptionBudget: z
        .boolean()
        .default(false)
        .describe(
          'PodDisruptionBudget (minAvailable 1) for the bundled databases: drains wait instead of taking them down.',
        ),
    })
    .prefault({})
    .describe('Dify application settings.'),
  services: z
    .strictObject({
      api: appService('langgenius/dify-api', DIFY_VERSION, {
        cpu: '500m',
        memory: '1Gi',
        limit: '2Gi',
      }).describe('The API server (MODE=api, port 5001).'),
      worker: appService('langgenius/dify-api', DIFY_VERSION, {
        cpu: '500m',
        memory: '1Gi',
        limit: '2Gi',
      }).describe('The Celery worker for every queue (MODE=worker).'),
      workerBeat: appService('langgenius/dify-api', DIFY_VERSION, {
        cpu: '100m',
        memory: '256Mi',
        limit: '512Mi',
      }).describe('Celery beat, the scheduler of periodic tasks (MODE=beat). Always a single replica.'),
      web: appService('langgenius/dify-web', DIFY_VERSION, {
        cpu: '250m',
        memory: '512Mi',
        limit: '1Gi',
      }).describe('The web front end (Next.js, port 3000).'),
      sandbox: appService('langgenius/dify-sandbox', SANDBOX_VERSION, {
        cpu: '250m',
        memory: '256Mi',
        limit: '1Gi',
      }).describe('The code-execution sandbox (port 8194).'),
      pluginDaemon: appService('langgenius/dify-plugin-daemon', PLUGIN_DAEMON_VERSION, {
        cpu: '250m',
        memory: '512Mi',
        limit: '2Gi',
      }).describe('The plugin daemon (port 5002; remote debugging 5003).'),
      ssrfProxy: appService('ubuntu/squid', '6.6-24.04_beta', {
        cpu: '100m',
        memory: '128Mi',
        limit: '512Mi',
      }).describe('The SSRF proxy (squid, port 3128).'),
      nginx: appService('nginxinc/nginx-unprivileged', '1.28.0-alpine', {
        cpu: '100m',
        memory: '64Mi',
        limit: '256Mi',
      }).describe('The nginx entry (port 8080, non-root).'),
    })
    .prefault({})
    .describe('Dify components.'),
  dependencies: z
    .strictObject({
      postgresql: dependencySchema({
        image: { repository: 'postgres', tag: '15.13-alpine' },
        resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '2Gi' } },
        persistence: { size: '20Gi' },
      }).describe('Bundled PostgreSQL (used unless integrations.postgresql.enabled).'),
      redis: dependencySchema(VALKEY_DEFAULTS).describe(
        'Bundled Redis-compatible cache and Celery broker (Valkey; used unless integrations.redis.enabled).',
      ),
      weaviate: dependencySchema({
        image: { repository: 'semitechnologies/weaviate', tag: '1.27.0' },
        resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '4Gi' } },
        persistence: { size: '50Gi' },
      }).describe('Bundled Weaviate (vectorStore.type weaviate, unless integrations.weaviate.enabled).'),
      qdrant: dependencySchema({
        image: { repository: 'langgenius/qdrant', tag: 'v1.8.3' },
        resources: { requests: { cpu: '250m', memory: '1Gi' }, limits: { memory: '4Gi' } },
        persistence: { size: '50Gi' },
      }).describe('Bundled Qdrant (vectorStore.type qdrant, unless integrations.qdrant.enabled).'),
      minio: dependencySchema(MINIO_DEFAULTS).describe(
        'Bundled MinIO (storage.type minio, unless integrations.s3.enabled).',
      ),
      pluginStorage: z
        .strictObject({
          persistence: persistenceSchema({ size: '10Gi' }).describe(
            'Volume of the plugin daemon (/app/storage: installed plugins, their Python environments, package cache). ReadWriteMany to run more than one plugin-daemon replica.',
          ),
        })
        .prefault({})
        .describe('Plugin daemon storage.'),
    })
    .prefault({})
    .describe('Bundled single-instance dependencies.'),
  integrations: z
    .strictObject({
      postgresql: externalServiceSchema({
        ...postgresIntegrationFields(),
        database: z.string().min(1).default('dify').describe('Database of Dify (DB_DATABASE).'),
        pluginDatabase: z
          .string()
          .min(1)
          .default('dify_plugin')
          .describe('Database of the plugin daemon; it creates it when the user may.'),
        sslMode: z
          .enum(['disable', 'require', 'verify-ca', 'verify-full'])
          .default('disable')
          .describe('DB_SSL_MODE of the plugin daemon.'),
      }),
      redis: externalServiceSchema(redisIntegrationFields()),
      weaviate: z
        .strictObject({
          ...integrationFields('Use an external Weaviate.', { apiKey: 'api-key' }),
          endpoint: z.string().default('').describe('WEAVIATE_ENDPOINT, e.g. http://weaviate.db:8080.'),
          grpcEndpoint: z.string().default('').describe('WEAVIATE_GRPC_ENDPOINT; empty leaves it unset.'),
        })
        .prefault({})
        .superRefine(requireExistingSecret)
        .superRefine(requireField('endpoint')),
      qdrant: z
        .strictObject({
          ...integrationFields('Use an external Qdrant.', { apiKey: 'api-key' }),
          url: z.string().default('').describe('QDRANT_URL, e.g. https://xyz.cloud.qdrant.io:6333.'),
        })
        .prefault({})
        .superRefine(requireExistingSecret)
        .superRefine(requireField('url')),
      s3: z
        .strictObject({
          ...integrationFields('Store files in external S3-compatible storage (STORAGE_TYPE=s3).', {
            accessKey: 'accessKey',
            secretKey: 'secretKey',
          }),
          endpoint: z.string().default('').describe('S3_ENDPOINT; empty for AWS S3.'),
          region: z.string().default('us-east-1').describe('S3_REGION.'),
          bucket: z.string().min(1).default('difyai').describe('S3_BUCKET_NAME.'),
          pathStyle: z.boolean().default(false).describe('Path-style addressing (S3_ADDRESS_STYLE=path).'),
        })
        .prefault({})
        .superRefine(requireExistingSecret),
    })
    .prefault({})
    .describe('External services that replace the bundled dependencies.'),
});

export type DifyValues = z.output<typeof difyValues>;
