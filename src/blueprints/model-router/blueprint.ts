/**
 * A JAiRouter-style model gateway, as its Kubernetes guide deploys it: one Deployment whose
 * application.yml is rendered from typed values, an API key Secret, shared volumes for the config
 * store and logs, autoscaling (HPA with custom metrics, optional VPA), and Prometheus alerts.
 */
import { objectName, type RenderContext } from '../../render/context.ts';
import { ingressUrl } from '../../render/ingress.ts';
import type { ComponentSpec, NetworkPeerSpec, PlatformSpec } from '../../render/model.ts';
import { toYaml } from '../../yaml.ts';
import { defineBlueprint } from '../blueprint.ts';
import { env, literalEnv } from '../shared/env.ts';
import { JAIROUTER_VERSION, type ModelRouterValues, modelRouterValues } from './values.ts';

const HTTP_PORT = 8080;

/** application.yml, in the keys of the guide's ConfigMap (and JAiRouter's config/router/*.yml). */
export function applicationYaml(values: ModelRouterValues): string {
  const { router } = values;
  const services = Object.fromEntries(
    Object.entries(router.services).map(([type, service]) => [
      type,
      {
        ...(service.loadBalance ? { 'load-balance': { type: service.loadBalance } } : {}),
        instances: service.instances.map((i) => ({
          name: i.name,
          'base-url': i.baseUrl,
          path: i.path,
          weight: i.weight,
        })),
      },
    ]),
  );
  return toYaml({
    server: { port: HTTP_PORT },
    model: {
      'load-balance': { type: router.loadBalance.type, 'hash-algorithm': router.loadBalance.hashAlgorithm },
      'rate-limit': { ...router.rateLimit },
      'circuit-breaker': { ...router.circuitBreaker },
      services,
    },
    management: {
      endpoints: { web: { exposure: { include: 'health,info,metrics,prometheus' } } },
      endpoint: { health: { probes: { enabled: true } } },
      metrics: { export: { prometheus: { enabled: true } } },
    },
    logging: {
      level: { 'org.unreal.modelrouter': router.logLevel },
      file: { name: '/app/logs/jairouter.log' },
    },
  });
}

/** Ports the router calls its backends on, from their base URLs. */
function backendPorts(values: ModelRouterValues): number[] {
  const ports = Object.values(values.router.services).flatMap((service) =>
    service.instances.map((i) => {
      const url = new URL(i.baseUrl);
      return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    }),
  );
  return [...new Set(ports)].filter((p) => p !== 80 && p !== 443).sort((a, b) => a - b);
}

function networkPolicy(values: ModelRouterValues): ComponentSpec['networkPolicy'] {
  const rules = values.router.networkPolicy;
  const namespace = (name: string): NetworkPeerSpec => ({
    namespaceLabels: { 'kubernetes.io/metadata.name': name },
  });
  const backends = backendPorts(values);
  const backendPeers = rules.backendCidrs.map((cidr) => ({ cidr }));
  return {
    ingressFrom: [
      namespace(rules.ingressNamespace),
      ...(rules.monitoringNamespace ? [namespace(rules.monitoringNamespace)] : []),
    ],
    egress: [
      { ports: [{ port: 80 }, { port: 443 }] },
      ...(backends.length ? [{ to: backendPeers, ports: backends.map((port) => ({ port })) }] : []),
    ],
  };
}

function router(values: ModelRouterValues, ctx: RenderContext): ComponentSpec {
  const svc = values.services.router;
  const { router: settings } = values;
  const apiKey = {
    secret: settings.existingSecret || objectName(ctx, 'api-key'),
    key: settings.existingSecret ? settings.secretKeys.apiKey : 'api-key',
  };
  const health = (path: string) => ({ http: { path, port: 'http' } });
  return {
    name: 'router',
    stage: 'backends',
    kind: 'Deployment',
    replicas: svc.replicas,
    containers: [
      {
        name: 'router',
        image: svc.image,
        env: [
          ...literalEnv({
            SPRING_PROFILES_ACTIVE: settings.springProfile,
            JAVA_OPTS: settings.javaOpts,
            SERVER_PORT: HTTP_PORT,
          }),
          // The guide reads API_KEY; the image's own settings read ADMIN_API_KEY.
          env('API_KEY', apiKey),
          env('ADMIN_API_KEY', apiKey),
          ...svc.extraEnv,
        ],
        ports: [
          {
            name: 'http',
            containerPort: HTTP_PORT,
            servicePort: 80,
            ...(settings.nodePort.enabled ? { nodePort: settings.nodePort.port } : {}),
          },
        ],
        resources: svc.resources,
        probes: {
          readiness: {
            ...health('/actuator/health/readiness'),
            initialDelaySeconds: 30,
            periodSeconds: 10,
            timeoutSeconds: 5,
          },
          liveness: {
            ...health('/actuator/health/liveness'),
            initialDelaySeconds: 60,
            periodSeconds: 30,
            timeoutSeconds: 10,
          },
        },
        volumeMounts: ['config', 'config-store', 'logs', 'data', 'tmp'],
      },
    ],
    volumes: [
      { name: 'config', mountPath: '/app/config', configMap: objectName(ctx, 'config'), readOnly: true },
      { name: 'config-store', mountPath: '/app/config-store', persistence: settings.persistence.config },
      { name: 'logs', mountPath: '/app/logs', persistence: settings.persistence.logs },
      { name: 'data', mountPath: '/app/data', emptyDir: {} },
      { name: 'tmp', mountPath: '/tmp', emptyDir: {} },
    ],
    service: settings.nodePort.enabled ? { nodePortService: { name: `${ctx.release}-nodeport` } } : {},
    scheduling: {
      ...svc,
      customAnnotations: {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(HTTP_PORT),
        'prometheus.io/path': '/actuator/prometheus',
        ...svc.customAnnotations,
      },
    },
    scaling: {
      autoscaling: svc.autoscaling,
      podDisruptionBudget: svc.podDisruptionBudget,
      verticalAutoscaling: svc.verticalAutoscaling,
    },
    // The guide's security context: uid/gid 1001, fsGroup 1001 (the upstream Dockerfile uses 10010).
    podSecurity: { runAsUser: 1001, runAsGroup: 1001, fsGroup: 1001 },
    rollOn: { configMaps: ['config'] },
    metrics: { port: 'http', path: '/actuator/prometheus' },
    networkPolicy: networkPolicy(values),
  };
}

function alerts(ctx: RenderContext): PlatformSpec['alerts'] {
  const job = objectName(ctx, 'router');
  const ns = ctx.namespace;
  const requests = `http_server_requests_seconds_count{job="${job}",namespace="${ns}"`;
  const pods = `namespace="${ns}",pod=~"${job}-.*",container="router"`;
  return [
    {
      alert: 'JAiRouterDown',
      expr: `up{job="${job}",namespace="${ns}"} == 0`,
      for: '1m',
      severity: 'critical',
      summary: 'JAiRouter instance {{ $labels.instance }} has been down for more than 1 minute.',
    },
    {
      alert: 'JAiRouterHighErrorRate',
      expr: `sum(rate(${requests},status=~"5.."}[5m])) / sum(rate(${requests}}[5m])) > 0.1`,
      for: '2m',
      severity: 'warning',
      summary: 'JAiRouter error rate is above 10% for more than 2 minutes.',
    },
    {
      alert: 'JAiRouterHighMemoryUsage',
      expr: `max by (pod) (container_memory_working_set_bytes{${pods}} / container_spec_memory_limit_bytes{${pods}}) > 0.9`,
      for: '5m',
      severity: 'warning',
      summary: 'JAiRouter memory usage is above 90% of its limit for more than 5 minutes.',
    },
  ];
}

function warnings(values: ModelRouterValues): string[] {
  const svc = values.services.router;
  const vpa = svc.verticalAutoscaling;
  return vpa.enabled && vpa.updateMode !== 'Off' && svc.autoscaling.enabled
    ? [
        'VPA in an acting mode and an HPA on CPU/memory fight over the same pods; use updateMode Off (recommendations only) or drop one',
      ]
    : [];
}

function notes(values: ModelRouterValues, ctx: RenderContext): string[] {
  const url = ingressUrl(ctx);
  const service = objectName(ctx, 'router');
  const lines = [`JAiRouter ${JAIROUTER_VERSION} (release ${ctx.release}, namespace ${ctx.namespace}).`];
  if (url) lines.push(`Open ${url} once DNS points at your ingress controller.`);
  lines.push(
    `In the cluster: http://${service}.${ctx.namespace}.svc (port 80). From here:`,
    `  kubectl port-forward --namespace ${ctx.namespace} svc/${service} 8080:80, then curl http://127.0.0.1:8080/actuator/health`,
  );
  if (values.router.nodePort.enabled)
    lines.push(`NodePort: any node's address, port ${values.router.nodePort.port}.`);
  if (!values.router.existingSecret)
    lines.push(`The API key lives in Secret ${objectName(ctx, 'api-key')} (key api-key).`);
  return lines;
}

export const blueprint = defineBlueprint({
  name: 'model-router',
  version: '0.1.0',
  appVersion: JAIROUTER_VERSION,
  description: 'JAiRouter: an AI model gateway that routes, load-balances and rate-limits model backends',
  home: 'https://github.com/Lincoln-cn/JAiRouter',
  kubeVersion: '>=1.24.0',
  schema: modelRouterValues,
  build(values, ctx): PlatformSpec {
    return {
      components: [router(values, ctx)],
      secrets: values.router.existingSecret
        ? []
        : [{ name: 'api-key', generated: { 'api-key': { kind: 'alphanumeric', length: 40 } } }],
      configMaps: [{ name: 'config', data: { 'application.yml': applicationYaml(values) } }],
      ingressRoutes: [{ path: '/', component: 'router', port: 'http' }],
      extraObjects: [],
      alerts: alerts(ctx),
      notes: notes(values, ctx),
      warnings: warnings(values),
    };
  },
});
