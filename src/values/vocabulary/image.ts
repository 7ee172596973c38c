import { z } from 'zod';

/** Whether a name's first path segment is a registry host: it contains `.` or `:`, or is `localhost`. */
export function namesRegistry(name: string): boolean {
  const slash = name.indexOf('/');
  if (slash < 0) return false;
  const first = name.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost';
}

export interface ImageDefaults {
  /** Registry the image is published on, when not Docker Hub (may carry a path: `host/project`). */
  readonly registry?: string;
  readonly repository: string;
  readonly tag: string;
}

/** Typed optional either way, so images built in code may leave the registry out. */
function registryField(registry: string | undefined): z.ZodOptional<z.ZodString> {
  const field = registry === undefined ? z.string().optional() : z.string().default(registry);
  return field as z.ZodOptional<z.ZodString>;
}

/** `image.{registry,repository,tag,pullPolicy}`; the tag is pinned by the blueprint, never `latest`. */
export function imageSchema(defaults: ImageDefaults) {
  return z
    .strictObject({
      registry: registryField(defaults.registry).describe(
        'Registry this image is published on (host, or host/project); empty is Docker Hub. global.imageRegistry rewrites it to a mirror.',
      ),
      repository: z
        .string()
        .min(1)
        .default(defaults.repository)
        .describe(
          'Image repository; one whose first segment is a registry host (harbor.internal/team/app) is used as it is, without registry.',
        ),
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
        .describe(
          'Image digest; when set the image is pulled by it (the tag stays in the reference, for readers).',
        ),
      pullPolicy: z
        .enum(['IfNotPresent', 'Always', 'Never'])
        .default('IfNotPresent')
        .describe('Image pull policy.'),
    })
    .prefault({});
}

export type ImageValues = z.output<ReturnType<typeof imageSchema>>;
