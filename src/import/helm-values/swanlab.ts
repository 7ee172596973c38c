/**
 * SwanLab's self-hosted chart (SwanHubX/charts, charts/self-hosted), whose values berth's SwanLab
 * blueprint already follows: `service.<x>` is `services.<x>`, `storageSize` is `size`, ClickHouse's
 * `tcpPort` is `nativePort`; every other key the guide shows keeps its path. The bundled stores'
 * passwords written into the chart values are refused like any inline secret.
 */
import { inlineSecret, type Rule } from './engine.ts';

const INLINE_SECRET = inlineSecret('dependencies.*.auth.existingSecret');

export const swanlabRules: readonly Rule[] = [
  { from: 'service.*.persistence.storageSize', to: 'services.$1.persistence.size' },
  { from: 'service.*', to: 'services.$1' },
  { from: 'dependencies.*.persistence.storageSize', to: 'dependencies.$1.persistence.size' },
  { from: 'integrations.clickhouse.tcpPort', to: 'integrations.clickhouse.nativePort' },
  { from: 'dependencies.*.password', to: null, reason: INLINE_SECRET },
  { from: 'dependencies.s3.secretKey', to: null, reason: INLINE_SECRET },
];
