/** Values of the Langfuse blueprint: the shared vocabulary plus Langfuse's own settings. */
import { z } from 'zod';
import { platformValuesSchema } from '../../values/platform.ts';
import {
  clickhouseIntegrationFields,
  dependencySchema,
  externalServiceSchema,
  integrationFields,
  postgresIntegrationFields,
  redisIntegrationFields,
  requireExistingSecret,
  requireHost,
  serviceSchema,
} from '../../values/vocabulary/index.ts';
import { MINIO_DEFAULTS, VALKEY_DEFAULTS } from '../shared/dependency-defaults.ts';

/** The newest v3 release (the production guide's 3.20.1 was never tagged). */
export const LANGFUSE_VERSION = '3.225.4';

const bucketFields = (bucket: string, prefix: string) =>
  z
    .strictObject({
      bucket: z.string().min(1).default(bucket).describe('Bucket name.'),
      prefix: z.string().default(prefix).describe('Key prefix inside the bucket.'),
    })
    .prefault({});

export const langfuseValues = platformValuesSchema({
  langfuse: z
    .strictObject({
      nextauthUrl: z
        .string()
        .default('')
        .describe(
          'Public URL of Langfuse (NEXTAUTH_URL). Empty: the ingress URL, else http://localhost:3000.',
        ),
      existingSecret: z
        .string()
        .default('')
        .describe(
          'Existing Secret with the application secrets (keys: see secretKeys). Empty: berth generates them once at install and keeps them.',
        ),
      secretKeys: z
        .strictObject({
          nextauthSecret: z.string().default('nextauth-secret').describe('Key of the NEXTAUTH_SECRET.'),
          salt: z.string().default('salt').describe('Key of the SALT used to hash API keys.'),
          encryptionKey: z
            .string()
            .default('encryption-key')
            .describe('Key of the ENCRYPTION_KEY (64 hex characters).'),
        })
        .prefault({})
        .describe('Keys of langfuse.existingSecret.'),
      telemetryEnabled: z
        .boolean()
        .default(true)
        .describe('Send anonymous usage data to Langfuse (TELEMETRY_ENABLED).'),
      logLevel: z
        .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal'])
        .default('info')
        .describe('LANGFUSE_LOG_LEVEL.'),
      keda: z
        .strictObject({
          enabled: z
            .boolean()
            .default(false)
            .describe(
              'Scale the worker with a KEDA ScaledObject on the Redis ingestion queue length (needs KEDA).',
            ),
          minReplicas: z.int().min(0).default(1).describe('Fewest worker replicas.'),
          maxReplicas: z.int().min(1).default(30).describe('Most worker replicas.'),
          listLength: z
            .int()
            .min(1)
            .default(500)
            .describe('Queued jobs per worker replica before KEDA adds one.'),
          listName: z.string().default('bull:ingestion-queue:wait').describe('Redis list KEDA watches.'),
        })
        .prefault({})
        .describe('Event-driven scaling of the worker.'),
    })
    .prefault({})
    .describe('Langfuse application settings.'),
  services: z
    .strictObject({
      web: serviceSchema({
        replicas: 1,
        image: { repository: 'langfuse/langfuse', tag: LANGFUSE_VERSION },
        resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '4Gi' } },
        autoscaling: { minReplicas: 3, maxReplicas: 20, targetCPUUtilizationPercentage: 70 },
      }).describe(
        'The web UI and API (Next.js, port 3000); runs the Postgres and ClickHouse migrations at start.',
      ),
      worker: serviceSchema({
        replicas: 1,
        image: { repository: 'langfuse/langfuse-worker', tag: LANGFUSE_VERSION },
        resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '8Gi' } },
        autoscaling: { minReplicas: 3, maxReplicas: 30, targetCPUUtilizationPercentage: 60 },
      }).describe('The ingestion worker (port 3030): processes queued events, exports and evaluations.'),
    })
    .prefault({})
    .describe('Langfuse components.'),
  dependencies: z
    .strictObject({
      postgresql: dependencySchema({
        image: { repository: 'postgres', tag: '17.6-alpine' },
        resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '2Gi' } },
        persistence: { size: '20Gi' },
      }).describe('Bundled PostgreSQL (used unless integrations.postgresql.enabled).'),
      redis: dependencySchema(VALKEY_DEFAULTS).describe(
        'Bundled Redis-compatible cache and queue (Valkey; used unless integrations.redis.enabled).',
      ),
      clickhouse: dependencySchema({
        image: { repository: 'clickhouse/clickhouse-server', tag: '24.8' },
        resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '8Gi' } },
        persistence: { size: '50Gi' },
      }).describe('Bundled single-node ClickHouse (used unless integrations.clickhouse.enabled).'),
      minio: dependencySchema(MINIO_DEFAULTS).describe(
        'Bundled S3-compatible object store (used unless integrations.s3.enabled).',
      ),
    })
    .prefault({})
    .describe('Bundled single-instance dependencies.'),
  integrations: z
    .strictObject({
      postgresql: externalServiceSchema({
        ...postgresIntegrationFields(),
        database: z.string().min(1).default('langfuse').describe('Database name.'),
        args: z.string().default('').describe('Extra connection parameters, e.g. sslmode=require.'),
      }),
      redis: externalServiceSchema(redisIntegrationFields()),
      clickhouse: z
        .strictObject({
          ...clickhouseIntegrationFields('default'),
          secure: z
            .boolean()
            .default(false)
            .describe('Use TLS (https for CLICKHOUSE_URL, CLICKHOUSE_MIGRATION_SSL for the migrations).'),
          cluster: z
            .string()
            .default('')
            .describe(
              'Cluster name as configured in ClickHouse; set for replicated/sharded setups (CLICKHOUSE_CLUSTER_NAME).',
            ),
        })
        .prefault({})
        .superRefine(requireExistingSecret)
        .superRefine(requireHost),
      s3: z
        .strictObject({
          ...integrationFields('Use external S3-compatible storage instead of the bundled MinIO.', {
            accessKey: 'accessKey',
            secretKey: 'secretKey',
          }),
          endpoint: z.string().default('').describe('S3 endpoint URL; empty for AWS S3.'),
          region: z.string().default('us-east-1').describe('Region.'),
          forcePathStyle: z.boolean().default(false).describe('Path-style addressing (true for MinIO).'),
          eventUpload: bucketFields('langfuse', 'events/').describe('Bucket for raw ingestion events.'),
          mediaUpload: bucketFields('langfuse', 'media/').describe('Bucket for multi-modal media uploads.'),
          batchExport: z
            .strictObject({
              enabled: z
                .boolean()
                .default(false)
                .describe('Allow batch exports of traces to the bucket (worker).'),
              bucket: z.string().min(1).default('langfuse').describe('Bucket name.'),
              prefix: z.string().default('exports/').describe('Key prefix inside the bucket.'),
            })
            .prefault({})
            .describe('Bucket for batch exports.'),
        })
        .prefault({})
        .superRefine(requireExistingSecret),
    })
    .prefault({})
    .describe('External services that replace the bundled dependencies.'),
});

export type LangfuseValues = z.output<typeof langfuseValues>;
