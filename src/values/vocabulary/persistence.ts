import { z } from 'zod';
import { quantity } from './primitives.ts';

export interface PersistenceDefaults {
  readonly size: string;
  readonly accessMode?: 'ReadWriteOnce' | 'ReadWriteMany';
  /** Some volumes (a StatefulSet's per-replica claims) cannot use a pre-created claim. */
  readonly allowExistingClaim?: boolean;
}

/** `persistence.{enabled,storageClass,size,existingClaim,accessModes}`. */
export function persistenceSchema(defaults: PersistenceDefaults) {
  const base = {
    enabled: z
      .boolean()
      .default(true)
      .describe('Keep data on a PersistentVolumeClaim; false uses an emptyDir (data is lost with the pod).'),
    storageClass: z
      .string()
      .default('')
      .describe('StorageClass of the claim; empty uses global.storageClass, then the cluster default.'),
    size: quantity.default(defaults.size).describe('Requested size of the claim.'),
    accessModes: z
      .array(z.enum(['ReadWriteOnce', 'ReadWriteMany', 'ReadOnlyMany', 'ReadWriteOncePod']))
      .min(1)
      .default([defaults.accessMode ?? 'ReadWriteOnce'])
      .describe('Access modes of the claim.'),
  };
  if (defaults.allowExistingClaim === false) return z.strictObject(base).prefault({});
  return z
    .strictObject({
      ...base,
      existingClaim: z
        .string()
        .default('')
        .describe('Use this existing PersistentVolumeClaim instead of creating one.'),
    })
    .prefault({});
}

export type PersistenceValues = z.output<ReturnType<typeof persistenceSchema>> & { existingClaim?: string };
