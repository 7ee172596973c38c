import { z } from 'zod';
import { stringMap } from './primitives.ts';

/** `monitoring.*`: Prometheus Operator objects (needs its CRDs in the cluster). */
export const monitoringSchema = z
  .strictObject({
    serviceMonitor: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe('Create ServiceMonitors for components that expose metrics.'),
        interval: z.string().default('30s').describe('Scrape interval.'),
        scrapeTimeout: z.string().default('10s').describe('Scrape timeout.'),
        labels: stringMap
          .default({})
          .describe('Extra labels, e.g. the release label your Prometheus selects.'),
      })
      .prefault({}),
    prometheusRule: z
      .strictObject({
        enabled: z.boolean().default(false).describe("Create a PrometheusRule with the platform's alerts."),
        labels: stringMap.default({}).describe('Extra labels on the PrometheusRule.'),
      })
      .prefault({}),
  })
  .prefault({});

/** `networkPolicy.*`: restrict traffic to what the platform needs. */
export const networkPolicySchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe('Create NetworkPolicies so each component accepts traffic only from its callers.'),
  })
  .prefault({});

export type MonitoringValues = z.output<typeof monitoringSchema>;
export type NetworkPolicyValues = z.output<typeof networkPolicySchema>;
