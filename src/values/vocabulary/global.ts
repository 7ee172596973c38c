import { z } from 'zod';
import { namesRegistry } from './image.ts';

export const antiAffinityPresets = ['soft', 'hard', 'none'] as const;

/** `global.*`: settings every component and dependency honours. */
export const globalSchema = z
  .strictObject({
    imageRegistry: z
      .string()
      .refine(
        (value) => value === '' || namesRegistry(`${value.replace(/^\/+/, '')}/`),
        'a registry host, optionally with a path (harbor.example.com/mirror, registry:5000, localhost:5000)',
      )
      .default('')
      .describe(
        'Mirror every image is pulled from, under its source path (docker.io/library/redis → <mirror>/library/redis); images already on that registry host are left as they are. For air-gapped clusters.',
      ),
    imagePullSecrets: z
      .array(z.string().min(1))
      .default([])
      .describe('Names of existing docker-registry Secrets used to pull every image.'),
    storageClass: z
      .string()
      .default('')
      .describe(
        'StorageClass for every persistent volume that does not name its own; empty uses the cluster default.',
      ),
    podAntiAffinityPreset: z
      .enum(antiAffinityPresets)
      .default('soft')
      .describe(
        'Spread replicas of a component across nodes: soft (prefer), hard (require) or none. Applied as topology spread constraints.',
      ),
  })
  .prefault({});

export type GlobalValues = z.output<typeof globalSchema>;
