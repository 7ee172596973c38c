/**
 * Named user values for the SwanLab blueprint, as a user would write them in values.yaml: the
 * defaults, the production example, each base service external (with its existingSecret) alone,
 * and the persistence choices of the bundled services and of house.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const production = parse(readFileSync('examples/swanlab/values-production.yaml', 'utf8')) as Record<
  string,
  unknown
>;

const bucket = {
  ssl: true,
  endpoint: 'oss.example.com',
  region: 'cn-beijing',
  pathStyle: false,
  port: 443,
};

const external = {
  postgres: { enabled: true, host: 'pg.example.internal', existingSecret: 'sl-pg' },
  redis: { enabled: true, host: 'redis.example.internal', existingSecret: 'sl-redis' },
  clickhouse: { enabled: true, host: 'ch.example.internal', existingSecret: 'sl-ch' },
  s3: {
    enabled: true,
    existingSecret: 'sl-s3',
    public: { ...bucket, bucket: 'sl-public', domain: 'https://sl-public.oss.example.com' },
    private: { ...bucket, bucket: 'sl-private' },
  },
};

export const variants: Record<string, unknown> = {
  defaults: {},
  production,
  'postgres-external': { integrations: { postgres: external.postgres } },
  'redis-external': { integrations: { redis: external.redis } },
  'clickhouse-external': { integrations: { clickhouse: external.clickhouse } },
  's3-external': { integrations: { s3: external.s3 } },
  'all-external': { integrations: external },
  'login-host': { global: { settings: { loginHost: 'https://swanlab.example.com' } } },
  'no-persistence': {
    services: { house: { persistence: { enabled: false } } },
    dependencies: {
      postgres: { persistence: { enabled: false } },
      redis: { persistence: { enabled: false } },
      clickhouse: { persistence: { enabled: false } },
      s3: { persistence: { enabled: false } },
    },
  },
  'existing-claims': {
    dependencies: {
      postgres: { persistence: { existingClaim: 'sl-pg-data' } },
      s3: { persistence: { existingClaim: 'sl-minio-data' } },
    },
  },
  replicated: {
    services: {
      server: { replicas: 3 },
      house: { replicas: 3 },
      next: { replicas: 2 },
      gateway: { replicas: 2 },
    },
  },
  mirror: { global: { imageRegistry: 'mirror.example.internal/swanlab' } },
};
