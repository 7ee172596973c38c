/**
 * The CSGHub chart (OpenCSGs/csghub-installer): `global.ingress.domain` and `.tls`, and per
 * component blocks whose scheduling keys berth spells the same way. Only the keys below are mapped
 * so far; everything else is reported as not supported.
 */
import type { Rule } from './engine.ts';

export const csghubRules: readonly Rule[] = [
  { from: 'global.ingress.className', to: 'ingress.className' },
  { from: 'global.ingress.tls.enabled', to: 'ingress.tls.enabled' },
  { from: 'global.ingress.tls.secretName', to: 'ingress.tls.secretName' },
  { from: 'global.image.registry', to: 'global.imageRegistry' },
  { from: 'global.persistence.storageClass', to: 'global.storageClass' },
];
