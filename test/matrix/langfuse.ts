/**
 * Named user values for the Langfuse blueprint, as a user would write them in values.yaml: the
 * defaults, the production example, each integration alone (on, with its existingSecret) and the
 * storage and TLS choices the blueprint offers.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const production = parse(readFileSync('examples/langfuse/values-production.yaml', 'utf8')) as Record<
  string,
  unknown
>;

const externalPostgres = {
  enabled: true,
  host: 'pg.example.internal',
  existingSecret: 'lf-pg',
  args: 'sslmode=require',
};
const externalRedis = { enabled: true, host: 'redis.example.internal', existingSecret: 'lf-redis' };
const externalClickHouse = { enabled: true, host: 'ch.example.internal', existingSecret: 'lf-ch' };
const externalS3 = {
  enabled: true,
  endpoint: 'https://s3.example.internal',
  forcePathStyle: true,
  existingSecret: 'lf-s3',
};

export const variants: Record<string, unknown> = {
  defaults: {},
  production,
  'postgresql-external': { integrations: { postgresql: externalPostgres } },
  'redis-external': { integrations: { redis: externalRedis } },
  'redis-external-tls-acl': {
    integrations: { redis: { ...externalRedis, username: 'langfuse', tls: { enabled: true } } },
  },
  'clickhouse-external': { integrations: { clickhouse: externalClickHouse } },
  'clickhouse-external-tls': { integrations: { clickhouse: { ...externalClickHouse, secure: true } } },
  'clickhouse-external-cluster': {
    integrations: { clickhouse: { ...externalClickHouse, secure: true, cluster: 'default' } },
  },
  's3-external': { integrations: { s3: externalS3 } },
  's3-external-batch-export': {
    integrations: {
      s3: { ...externalS3, batchExport: { enabled: true, bucket: 'lf-exports', prefix: 'exports/' } },
    },
  },
  'minio-separate-buckets': {
    integrations: {
      s3: {
        eventUpload: { bucket: 'lf-events' },
        mediaUpload: { bucket: 'lf-media' },
        batchExport: { enabled: true, bucket: 'lf-exports' },
      },
    },
  },
  'minio-batch-export': { integrations: { s3: { batchExport: { enabled: true } } } },
  'all-external': {
    integrations: {
      postgresql: externalPostgres,
      redis: externalRedis,
      clickhouse: externalClickHouse,
      s3: externalS3,
    },
  },
  'existing-app-secret': { langfuse: { existingSecret: 'lf-app' } },
  keda: { langfuse: { keda: { enabled: true } } },
  'no-persistence': {
    dependencies: {
      postgresql: { persistence: { enabled: false } },
      redis: { persistence: { enabled: false } },
      clickhouse: { persistence: { enabled: false } },
      minio: { persistence: { enabled: false } },
    },
  },
};
