/**
 * Named user values for the dify blueprint, as a user would write them in values.yaml: defaults,
 * the production example, every file-storage and vector-store choice, external services on and off.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const production = parse(
  readFileSync(new URL('../../examples/dify/values-production.yaml', import.meta.url), 'utf8'),
);

const externalPostgres = {
  postgresql: { enabled: true, host: 'pg.example.internal', existingSecret: 'dify-pg', sslMode: 'require' },
};
const externalRedis = {
  redis: { enabled: true, host: 'redis.example.internal', existingSecret: 'dify-redis', tls: true },
};

export const variants: Record<string, unknown> = {
  defaults: {},
  production,
  // File storage: bundled MinIO (default), a shared volume (ReadWriteOnce and ReadWriteMany), external S3.
  'storage-minio': { dify: { storage: { type: 'minio' } } },
  'storage-pvc-rwo': { dify: { storage: { type: 'pvc' } } },
  'storage-pvc-rwx': {
    dify: { storage: { type: 'pvc', persistence: { accessModes: ['ReadWriteMany'], storageClass: 'nfs' } } },
  },
  'storage-pvc-ephemeral': { dify: { storage: { type: 'pvc', persistence: { enabled: false } } } },
  'storage-s3': {
    integrations: {
      s3: { enabled: true, endpoint: 'https://s3.example.com', bucket: 'dify', existingSecret: 'dify-s3' },
    },
  },
  // Vector stores: bundled Weaviate/Qdrant, external Weaviate/Qdrant, stores configured by settings.
  'vector-weaviate-external': {
    integrations: {
      weaviate: { enabled: true, endpoint: 'http://weaviate.db:8080', existingSecret: 'dify-weaviate' },
    },
  },
  'vector-qdrant': { dify: { vectorStore: { type: 'qdrant' } } },
  'vector-qdrant-external': {
    dify: { vectorStore: { type: 'qdrant' } },
    integrations: {
      qdrant: { enabled: true, url: 'https://qdrant.example.com:6333', existingSecret: 'dify-qdrant' },
    },
  },
  'vector-pgvector': {
    dify: {
      vectorStore: {
        type: 'pgvector',
        settings: {
          PGVECTOR_HOST: 'pgvector.db',
          PGVECTOR_PORT: 5432,
          PGVECTOR_USER: 'dify',
          PGVECTOR_DATABASE: 'dify',
        },
        existingSecret: 'dify-pgvector',
      },
    },
  },
  'vector-milvus': {
    dify: {
      vectorStore: {
        type: 'milvus',
        settings: { MILVUS_URI: 'http://milvus.db:19530' },
        existingSecret: 'dify-milvus',
      },
    },
  },
  'vector-elasticsearch': {
    dify: {
      vectorStore: {
        type: 'elasticsearch',
        settings: {
          ELASTICSEARCH_HOST: 'es.db',
          ELASTICSEARCH_PORT: 9200,
          ELASTICSEARCH_USERNAME: 'elastic',
        },
        existingSecret: 'dify-es',
      },
    },
  },
  // External PostgreSQL and Redis, each alone and together; TLS on both.
  'external-postgres': { integrations: externalPostgres },
  'external-postgres-verify-full': {
    integrations: { postgresql: { ...externalPostgres.postgresql, sslMode: 'verify-full' } },
  },
  'external-redis': { integrations: externalRedis },
  'external-all': {
    integrations: {
      ...externalPostgres,
      ...externalRedis,
      s3: { enabled: true, bucket: 'dify', existingSecret: 'dify-s3' },
      weaviate: { enabled: true, endpoint: 'http://weaviate.db:8080', existingSecret: 'dify-weaviate' },
    },
  },
  'existing-app-secret': { dify: { existingSecret: 'dify-keys' } },
  'network-policy': { networkPolicy: { enabled: true } },
  'ingress-direct': {
    ingress: {
      enabled: true,
      className: 'nginx',
      host: 'dify.example.com',
      proxyBodySize: '100m',
      annotations: {
        'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
        'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
        'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
      },
    },
  },
  'sandbox-no-network': { dify: { sandbox: { enableNetwork: false, isolation: false } } },
  'nginx-nodeport': { dify: { nginx: { serviceType: 'NodePort', nodePort: 30080 } } },
};
