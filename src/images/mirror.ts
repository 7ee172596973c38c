/** Copy commands that mirror a release's images into a private registry, for skopeo, crane or oras. */
import type { KubeObject } from '../render/model.ts';
import { type ImageParts, parseImage, podContainers } from './list.ts';

export const MIRROR_TOOLS = ['skopeo', 'crane', 'oras'] as const;
export type MirrorTool = (typeof MIRROR_TOOLS)[number];

/** One image to copy: where it is published, and where the release pulls it from. */
export interface MirrorCopy {
  readonly source: ImageParts;
  readonly target: ImageParts;
}

/** The source by digest when pinned (the copy then keeps exactly that content), else by tag. */
function sourceRef(image: ImageParts): string {
  const name = `${image.registry}/${image.repository}`;
  return image.digest ? `${name}@${image.digest}` : `${name}:${image.tag}`;
}

/** Registries take a push by tag only; a digest-pinned pull still finds the copied content. */
function targetRef(image: ImageParts): string {
  return `${image.registry}/${image.repository}:${image.tag}`;
}

const COMMANDS: Record<MirrorTool, (source: string, target: string) => string> = {
  // --all copies every platform, so an index digest stays valid in the mirror.
  skopeo: (source, target) => `skopeo copy --all docker://${source} docker://${target}`,
  crane: (source, target) => `crane copy ${source} ${target}`,
  oras: (source, target) => `oras copy ${source} ${target}`,
};

export function mirrorScript(tool: MirrorTool, copies: readonly MirrorCopy[]): string {
  const lines = copies.map((copy) => COMMANDS[tool](sourceRef(copy.source), targetRef(copy.target)));
  return ['#!/bin/sh', 'set -eu', ...lines, ''].join('\n');
}

/**
 * Pairs each container of the release as published (rendered without a mirror) with the same
 * container as the release pulls it, one copy per image that the mirror does not already hold.
 */
export function mirrorCopies(published: readonly KubeObject[], pulled: readonly KubeObject[]): MirrorCopy[] {
  const sources = podContainers(published);
  const targets = podContainers(pulled);
  const copies = new Map<string, MirrorCopy>();
  targets.forEach(({ image, use }, index) => {
    const source = sources[index];
    if (source?.use.name !== use.name || source.use.container !== use.container) {
      throw new Error(`the release rendered with and without a mirror differs at ${use.kind}/${use.name}`);
    }
    if (source.image !== image)
      copies.set(image, { source: parseImage(source.image), target: parseImage(image) });
  });
  return [...copies.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, copy]) => copy);
}
