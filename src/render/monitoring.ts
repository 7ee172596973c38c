import type { RenderContext } from './context.ts';
import type { ComponentSpec, KubeObject, PlatformSpec } from './model.ts';
import { selectorLabels, standardLabels } from './policies.ts';
import { serviceName } from './workload.ts';

/** A ServiceMonitor per component that exposes metrics, when monitoring.serviceMonitor.enabled. */
export function serviceMonitors(ctx: RenderContext, components: readonly ComponentSpec[]): KubeObject[] {
  const settings = ctx.common.monitoring.serviceMonitor;
  if (!settings.enabled) return [];
  return components
    .filter((c) => c.metrics && c.service)
    .map((component) => ({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: {
        name: serviceName(ctx, component),
        namespace: ctx.namespace,
        labels: { ...standardLabels(ctx, component.name), ...settings.labels },
      },
      spec: {
        selector: { matchLabels: selectorLabels(ctx, component.name) },
        endpoints: [
          {
            port: component.metrics!.port,
            path: component.metrics!.path,
            interval: settings.interval,
            scrapeTimeout: settings.scrapeTimeout,
          },
        ],
      },
    }));
}

/** The platform's alerts as one PrometheusRule, when monitoring.prometheusRule.enabled. */
export function prometheusRule(ctx: RenderContext, alerts: PlatformSpec['alerts']): KubeObject | undefined {
  const settings = ctx.common.monitoring.prometheusRule;
  if (!settings.enabled || alerts.length === 0) return undefined;
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: ctx.release,
      namespace: ctx.namespace,
      labels: { ...standardLabels(ctx), ...settings.labels },
    },
    spec: {
      groups: [
        {
          name: `${ctx.release}.rules`,
          rules: alerts.map((a) => ({
            alert: a.alert,
            expr: a.expr,
            for: a.for,
            labels: { severity: a.severity },
            annotations: { summary: a.summary },
          })),
        },
      ],
    },
  };
}
