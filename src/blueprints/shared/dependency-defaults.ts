/**
 * Default image and sizing of the bundled dependencies several blueprints share, so an image bump
 * happens in one place. A blueprint passes them to `dependencySchema` and overrides what differs.
 */
import type { DependencyDefaults } from '../../values/vocabulary/index.ts';

/** Valkey, the Redis-compatible server `bundledRedis` runs. */
export const VALKEY_DEFAULTS: DependencyDefaults = {
  image: { repository: 'valkey/valkey', tag: '8.1.3-alpine' },
  resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
  persistence: { size: '5Gi' },
};

/** MinIO, the S3-compatible store `bundledMinio` runs. */
export const MINIO_DEFAULTS: DependencyDefaults = {
  image: { repository: 'minio/minio', tag: 'RELEASE.2025-07-23T15-54-02Z' },
  resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
  persistence: { size: '50Gi' },
};
