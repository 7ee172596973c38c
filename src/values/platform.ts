import { z } from 'zod';
import {
  backupSchema,
  extraObjectsSchema,
  globalSchema,
  ingressSchema,
  monitoringSchema,
  networkPolicySchema,
  patchesSchema,
} from './vocabulary/index.ts';

/**
 * The top level every blueprint's values share: `global`, `ingress`, `monitoring`, `networkPolicy`,
 * `extraObjects`, `patches`,
 * plus the blueprint's own `services`, `dependencies`, `integrations` and settings.
 */
export function platformValuesSchema<const Shape extends z.ZodRawShape>(shape: Shape) {
  return z.strictObject({
    global: globalSchema.describe('Settings for every component and dependency.'),
    ...shape,
    ingress: ingressSchema.describe('Ingress in front of the platform.'),
    monitoring: monitoringSchema.describe('Prometheus Operator integration.'),
    networkPolicy: networkPolicySchema.describe('Network isolation between components.'),
    backup: backupSchema.describe('Backups of the bundled data stores (berth backup, schedules, upgrades).'),
    extraObjects: extraObjectsSchema,
    patches: patchesSchema,
  });
}
