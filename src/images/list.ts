/**
 * The images a rendered release pulls, read from its objects (every pod template's containers and
 * init containers), so the list is what the cluster would pull by construction.
 */
import type { KubeObject } from '../render/model.ts';
import type { Manifest } from '../render/render.ts';
import { podTemplateOf } from '../verify/view.ts';

/** A container that pulls the image. */
export interface ImageUse {
  readonly kind: string;
  readonly name: string;
  readonly container: string;
}

/** A fully qualified reference split into its parts. */
export interface ImageParts {
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export interface ListedImage extends ImageParts {
  /** Exactly as the pod spec carries it. */
  readonly reference: string;
  readonly usedBy: readonly ImageUse[];
}

/** `registry/repository[:tag][@digest]`, as `imageReference` writes it. */
export function parseImage(reference: string): ImageParts {
  const at = reference.indexOf('@');
  const name = at < 0 ? reference : reference.slice(0, at);
  const digest = at < 0 ? undefined : reference.slice(at + 1);
  const colon = name.indexOf(':', name.lastIndexOf('/') + 1);
  const repositoryWithRegistry = colon < 0 ? name : name.slice(0, colon);
  const slash = repositoryWithRegistry.indexOf('/');
  return {
    registry: repositoryWithRegistry.slice(0, slash),
    repository: repositoryWithRegistry.slice(slash + 1),
    ...(colon < 0 ? {} : { tag: name.slice(colon + 1) }),
    ...(digest ? { digest } : {}),
  };
}

/** Every container of every pod template, in the order of the objects. */
export function podContainers(objects: readonly KubeObject[]): { image: string; use: ImageUse }[] {
  return objects.flatMap((object) => {
    const spec = podTemplateOf(object)?.spec as
      | { initContainers?: { name: string; image: string }[]; containers?: { name: string; image: string }[] }
      | undefined;
    if (!spec) return [];
    return [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c) => ({
      image: c.image,
      use: { kind: object.kind, name: object.metadata.name, container: c.name },
    }));
  });
}

/** The distinct images of a release, sorted, each with the containers that pull it. */
export function releaseImages(manifests: readonly Manifest[]): ListedImage[] {
  const uses = new Map<string, ImageUse[]>();
  for (const { image, use } of podContainers(manifests.map((m) => m.object))) {
    uses.set(image, [...(uses.get(image) ?? []), use]);
  }
  return [...uses.keys()]
    .sort()
    .map((reference) => ({ reference, ...parseImage(reference), usedBy: uses.get(reference)! }));
}
