import { z } from 'zod';
import { type ImageDefaults, imageSchema } from './image.ts';
import { type PersistenceDefaults, persistenceSchema } from './persistence.ts';
import { stringMap } from './primitives.ts';
import { type ResourceDefaults, resourcesSchema } from './resources.ts';
import { schedulingFields } from './service.ts';

export interface DependencyDefaults {
  readonly image: ImageDefaults;
  readonly resources: ResourceDefaults;
  readonly persistence: PersistenceDefaults;
}

/** `dependencies.<dep>.*`: a bundled single-instance service (database, cache, object store). */
export function dependencySchema(defaults: DependencyDefaults) {
  return z
    .strictObject({
      image: imageSchema(defaults.image).describe('Container image.'),
      resources: resourcesSchema(defaults.resources).describe('CPU and memory requests and limits.'),
      persistence: persistenceSchema(defaults.persistence).describe('Data volume.'),
      auth: z
        .strictObject({
          existingSecret: z
            .string()
            .default('')
            .describe(
              "An existing Secret with the dependency's credentials, under the keys of the Secret berth would generate (password; MinIO: root-user, root-password). Empty: berth generates them once.",
            ),
          secretKeys: stringMap
            .default({})
            .describe('Other key names in existingSecret, e.g. {password: postgres-password}.'),
        })
        .prefault({})
        .describe('Credentials of the bundled dependency.'),
      ...schedulingFields,
    })
    .prefault({});
}

export type DependencyValues = z.output<ReturnType<typeof dependencySchema>>;
