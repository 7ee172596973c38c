import { z } from 'zod';

export interface ImageDefaults {
  readonly repository: string;
  readonly tag: string;
}

/** `image.{registry,repository,tag,pullPolicy}`; the tag is pinned by the blueprint, never `latest`. */
export function imageSchema(defaults: ImageDefaults) {
  return z
    .strictObject({
      registry: z
        .string()
        .optional()
        .describe(
          'Registry for this image; overrides global.imageRegistry (e.g. a mirror in an air-gapped cluster).',
        ),
      repository: z.string().min(1).default(defaults.repository).describe('Image repository.'),
      tag: z
        .string()
        .min(1)
        .refine((tag) => tag !== 'latest', 'a pinned tag, not "latest"')
        .default(defaults.tag)
        .describe('Image tag, pinned.'),
      digest: z
        .string()
        .regex(/^sha256:[a-f0-9]{64}$/, 'a digest such as sha256:<64 hex>')
        .optional()
        .describe('Image digest; when set it is used instead of the tag.'),
      pullPolicy: z
        .enum(['IfNotPresent', 'Always', 'Never'])
        .default('IfNotPresent')
        .describe('Image pull policy.'),
    })
    .prefault({});
}

export type ImageValues = z.output<ReturnType<typeof imageSchema>>;
