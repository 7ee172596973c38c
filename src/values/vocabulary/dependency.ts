import { z } from 'zod';
import { type ImageDefaults, imageSchema } from './image.ts';
import { type PersistenceDefaults, persistenceSchema } from './persistence.ts';
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
      ...schedulingFields,
    })
    .prefault({});
}

export type DependencyValues = z.output<ReturnType<typeof dependencySchema>>;
