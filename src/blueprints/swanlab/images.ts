/** The images an air-gapped cluster must mirror, keyed by the values path that sets each one. */
import type { RenderContext } from '../../render/context.ts';
import { imageReference } from '../../render/policies.ts';
import type { ImageValues } from '../../values/vocabulary/index.ts';
import type { SwanLabValues } from './values.ts';

export interface OfflineImage {
  /** Values path of the image, e.g. services.gateway.image. */
  readonly path: string;
  /** Full reference, with global.imageRegistry applied. */
  readonly image: string;
}

/**
 * The guide's FAQ list ("集群无法连接外网"), in its order. Base services replaced by an integration
 * drop out, as the FAQ says they may be ignored then. The bundled MinIO's bucket Job runs the MinIO
 * image itself (it ships `mc`), so no client image joins the list.
 */
export function offlineImages(values: SwanLabValues): OfflineImage[] {
  const { services: s, dependencies: d, integrations: i } = values;
  const entries: [string, ImageValues, boolean][] = [
    ['services.gateway.image', s.gateway.image, true],
    ['services.gateway.identifyImage', s.gateway.identifyImage, true],
    ['swanlab.helperImage', values.swanlab.helperImage, true],
    ['services.server.image', s.server.image, true],
    ['services.house.image', s.house.image, true],
    ['services.house.logImage', s.house.logImage, true],
    ['services.house.fbImage', s.house.fbImage, true],
    ['services.cloud.image', s.cloud.image, true],
    ['services.next.image', s.next.image, true],
    ['dependencies.postgres.image', d.postgres.image, !i.postgres.enabled],
    ['dependencies.redis.image', d.redis.image, !i.redis.enabled],
    ['dependencies.s3.image', d.s3.image, !i.s3.enabled],
    ['dependencies.clickhouse.image', d.clickhouse.image, !i.clickhouse.enabled],
  ];
  // imageReference only reads global.imageRegistry from the context.
  const ctx = { common: { global: values.global } } as unknown as RenderContext;
  return entries
    .filter(([, , needed]) => needed)
    .map(([path, image]) => ({ path, image: imageReference(ctx, image) }));
}
