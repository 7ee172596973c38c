/** Langfuse's backing services: bundled single instances, or the user's external ones. */

import {
  bundledClickHouse,
  type ClickHouseConnection,
  externalClickHouse,
} from '../../blueprints/shared/clickhouse.ts';
import { bundledMinio, type S3Connection } from '../../blueprints/shared/minio.ts';
import {
  bundledPostgres,
  externalPostgres,
  type PostgresConnection,
} from '../../blueprints/shared/postgresql.ts';
import { bundledRedis, externalRedis, type RedisConnection } from '../../blueprints/shared/redis.ts';
import type { RenderContext } from '../../render/context.ts';
import type { ComponentSpec, SecretSpec } from '../../render/model.ts';
import { bundledDependencies } from '../shared/dependency.ts';
import type { LangfuseValues } from './values.ts';

export interface LangfuseBackends {
  readonly postgres: PostgresConnection;
  readonly redis: RedisConnection;
  readonly clickhouse: ClickHouseConnection;
  readonly s3: S3Connection & {
    readonly eventUpload: Bucket;
    readonly mediaUpload: Bucket;
    readonly batchExport: Bucket & { readonly enabled: boolean };
  };
  readonly components: readonly ComponentSpec[];
  readonly secrets: readonly SecretSpec[];
}

interface Bucket {
  readonly bucket: string;
  readonly prefix: string;
}

/** Who reaches the databases: the applications and the migrate Job. */
const APP = ['web', 'worker', 'migrate'];

export function langfuseBackends(values: LangfuseValues, ctx: RenderContext): LangfuseBackends {
  const { integrations: ext, dependencies: deps } = values;
  const { components, secrets, use } = bundledDependencies();

  const postgres = ext.postgresql.enabled
    ? externalPostgres(ext.postgresql)
    : use(
        bundledPostgres(ctx, deps.postgresql, { database: 'langfuse', username: 'langfuse', allowFrom: APP }),
      );

  const redis: RedisConnection = ext.redis.enabled
    ? externalRedis(ext.redis)
    : use(bundledRedis(ctx, deps.redis, { allowFrom: APP }));

  const clickhouse: ClickHouseConnection = ext.clickhouse.enabled
    ? externalClickHouse(ext.clickhouse)
    : use(
        bundledClickHouse(ctx, deps.clickhouse, {
          username: 'langfuse',
          database: 'default',
          allowFrom: APP,
        }),
      );

  const buckets = {
    eventUpload: ext.s3.eventUpload,
    mediaUpload: ext.s3.mediaUpload,
    batchExport: ext.s3.batchExport,
  };
  const s3 = ext.s3.enabled
    ? {
        endpoint: ext.s3.endpoint,
        region: ext.s3.region,
        forcePathStyle: ext.s3.forcePathStyle,
        accessKey: { secret: ext.s3.existingSecret, key: ext.s3.secretKeys.accessKey },
        secretKey: { secret: ext.s3.existingSecret, key: ext.s3.secretKeys.secretKey },
        ...buckets,
      }
    : {
        ...use(
          bundledMinio(ctx, deps.minio, {
            // Langfuse never creates buckets: every one it writes to must exist before it starts.
            buckets: [
              ...new Set([
                buckets.eventUpload.bucket,
                buckets.mediaUpload.bucket,
                ...(buckets.batchExport.enabled ? [buckets.batchExport.bucket] : []),
              ]),
            ].map((name) => ({ name })),
            allowFrom: APP,
          }),
        ),
        ...buckets,
      };

  return { postgres, redis, clickhouse, s3, components, secrets };
}
