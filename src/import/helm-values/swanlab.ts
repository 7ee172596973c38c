/**
 * SwanLab's self-hosted chart (SwanHubX/charts, charts/self-hosted), whose values berth's SwanLab
 * blueprint already follows: `service.<x>` is `services.<x>`, `storageSize` is `size`, ClickHouse's
 * `tcpPort` is `nativePort`; every other key the guide shows keeps its path.
 */
import type { Rule } from './engine.ts';

export const swanlabRules: readonly Rule[] = [
  { from: 'service.*.persistence.storageSize', to: 'services.$1.persistence.size' },
  { from: 'service.*', to: 'services.$1' },
  { from: 'dependencies.*.persistence.storageSize', to: 'dependencies.$1.persistence.size' },
  { from: 'integrations.clickhouse.tcpPort', to: 'integrations.clickhouse.nativePort' },
];
