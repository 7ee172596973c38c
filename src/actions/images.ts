/** images: every image a rendered release pulls, and the copies that fill a mirror. */
import { BerthError, ExitCode } from '../errors.ts';
import { type ListedImage, releaseImages } from '../images/list.ts';
import { type MirrorCopy, mirrorCopies } from '../images/mirror.ts';
import { render as renderObjects } from '../render/render.ts';
import type { OfflineRequest } from './render.ts';

export interface ImageList {
  readonly release: string;
  /** `global.imageRegistry`, when one is set. */
  readonly mirror: string | undefined;
  readonly images: readonly ListedImage[];
}

function target(request: OfflineRequest) {
  return { release: request.release ?? request.blueprint.name, namespace: request.namespace };
}

async function pulledFrom(request: OfflineRequest) {
  const pulled = await renderObjects(request.blueprint, request.values, target(request));
  const mirror = (pulled.values as { global: { imageRegistry: string } }).global.imageRegistry;
  return { pulled, mirror: mirror || undefined };
}

export async function images(request: OfflineRequest): Promise<ImageList> {
  const { pulled, mirror } = await pulledFrom(request);
  return { release: pulled.release, mirror, images: releaseImages(pulled.manifests) };
}

/** From where each image is published to the mirror the values name. */
export async function mirrorImages(request: OfflineRequest): Promise<MirrorCopy[]> {
  const { pulled, mirror } = await pulledFrom(request);
  if (!mirror) {
    throw new BerthError('BERTH_FLAG_INVALID', '--mirror-script: no mirror to copy to', {
      hint: 'name it with --registry <host[/path]> (or global.imageRegistry in the values)',
      exitCode: ExitCode.usage,
    });
  }
  const global = request.values.global as Record<string, unknown> | undefined;
  const unmirrored = { ...request.values, global: { ...global, imageRegistry: '' } };
  const published = await renderObjects(request.blueprint, unmirrored, target(request));
  return mirrorCopies(
    published.manifests.map((m) => m.object),
    pulled.manifests.map((m) => m.object),
  );
}
