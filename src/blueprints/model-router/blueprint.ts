/**
 * A JAiRouter-style model gateway, as its Kubernetes guide deploys it: one Deployment whose
 * application.yml is rendered from typed values, an API key Secret, shared volumes for the config
 * store and logs, autoscaling (HPA with custom metrics, optional VPA), and Prometheus alerts.
 */
import { objectName, type RenderContext } from '../../render/context.ts';
import { ingressUrl } from '../../render/ingress.ts';
import type { ComponentSpec, NetworkPeerSpec, PlatformSpec } from '../../render/model.ts';
import { mergeValues, type PlainObject } from '../../values/merge.ts';
import { toYaml } from '../../yaml.ts';
import { defineBlueprint } from '../blueprint.ts';
import { env, literalEnv } from '../shared/env.ts';
import { API_KEY_ENV, CONFIG_FILE, CONFIG_LOCATION_ENV, JWT_SECRET_ENV, UPSTREAM_UID } from './contract.ts';
import { JAIROUTER_VERSION, type ModelRouterValues, modelRouterValues, SERVICE_TYPES } from './values.ts';

const HTTP_PORT = 8080;

/** Spring application.yml of the router, before the user's router.config is merged over it. */
function renderedSettings(values: ModelRouterValues): PlainObject {
  const { router } = values;
  const rateLimit = { ...router.rateLimit };
  const circuitBreaker = { ...router.circuitBreaker };
  const loadBalance = (type: string) => ({ type, 'hash-algorithm': router.loadBalance.hashAlgorithm });
  // Spring merges the model.services map over the image's packaged defaults (every type, with
  // backends at 172.16.30.6, gpustack adapters and tighter per-type limits): each type is written
  // out in full, and the types the user leaves out get no instances.
  const services = Object.fromEntries(
    SERVICE_TYPES.map((type) => {
      const service = router.services[type];
      if (!service) return [type, { instances: [] }];
      return [
        type,
        {
          adapter: service.adapter ?? router.adapter,
          'load-balance': loadBalance(service.loadBalance ?? router.loadBalance.type),
          'rate-limit': { ...rateLimit },
          'circuit-breaker': { ...circuitBreaker },
          instances: service.instances.map((i) => ({
            name: i.name,
            'base-url': i.baseUrl,
            path: i.path,
            weight: i.weight,
          })),
        },
      ];
    }),
  );
  return {
    server: { port: HTTP_PORT },
    model: {
      adapter: router.adapter,
      'load-balance': loadBalance(router.loadBalance.type),
      'rate-limit': rateLimit,
      'circuit-breaker': circuitBreaker,
      services,
    },
    management: {
      endpoints: { web: { exposure: { include: 'health,info,prometheus' } } },
      // The image enables the redis indicator (host localhost); without a Redis it turns
      // /actuator/health DOWN. Turn it back on through router.config when you wire one.
      health: { redis: { enabled: false } },
    },
    jairouter: {
      security: {
        // Replaces the packaged accounts (admin with a published default password, user/user123456).
        jwt: {
          accounts: [
            {
              username: 'admin',
              // biome-ignore lint/suspicious/noTemplateCurlyInString: a Spring placeholder, resolved from the pod's env
              password: '{noop}${INITIAL_ADMIN_PASSWORD}',
              roles: ['ADMIN', 'USER'],
              enabled: true,
            },
          ],
        },
      },
    },
    logging: { level: { 'org.unreal.modelrouter': router.logLevel } },
  };
}

/** application.yml: the rendered settings with the user's router.config merged over them (theirs win). */
export function applicationYaml(values: ModelRouterValues): string {
  return toYaml(mergeValues(renderedSettings(values), values.router.config as PlainObject));
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

/** Permissions of the API key: the service types with backends (a key without one answers 403 there). */
function permissions(values: ModelRouterValues): string {
  return SERVICE_TYPES.filter((type) => values.router.services[type]).join(',');
}

function router(values: ModelRouterValues, ctx: RenderContext): ComponentSpec {
  const svc = values.services.router;
  const { router: settings } = values;
  const apiKey = {
    secret: settings.existingSecret || objectName(ctx, 'api-key'),
    key: settings.existingSecret ? settings.secretKeys.apiKey : 'api-key',
  };
  const auth = (key: string) => ({ secret: objectName(ctx, 'auth'), key });
  const { config, logs } = settings.persistence;
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
            // The packaged application.yml imports /app/config/application.yml before its own
            // module files, which then win; an additional location is read after all of them.
            [CONFIG_LOCATION_ENV]: `file:${CONFIG_FILE}`,
            [API_KEY_ENV.id]: 'berth',
            [API_KEY_ENV.enabled]: true,
            [API_KEY_ENV.permissions]: permissions(values),
          }),
          env(API_KEY_ENV.value, apiKey),
          env(JWT_SECRET_ENV, auth('jwt-secret')),
          // Read by the image's startup checks (they log an error banner without it).
          env('JWT_SECRET', auth('jwt-secret')),
          env('INITIAL_ADMIN_PASSWORD', auth('admin-password')),
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
          // /actuator/health is one of the three anonymous actuator paths; the health groups
          // (/actuator/health/readiness, /liveness) need the ADMIN role and answer 401.
          readiness: {
            http: { path: '/actuator/health', port: 'http' },
            initialDelaySeconds: 30,
            periodSeconds: 10,
            timeoutSeconds: 5,
          },
          // Liveness only asks whether the JVM still serves: a backend or database turning the
          // health DOWN must not restart the pods.
          liveness: { tcp: { port: 'http' }, initialDelaySeconds: 60, periodSeconds: 30, timeoutSeconds: 10 },
        },
        volumeMounts: ['config', 'config-store', 'logs', 'data', 'tmp'],
      },
    ],
    volumes: [
      { name: 'config', mountPath: '/app/config', configMap: objectName(ctx, 'config'), readOnly: true },
      { name: 'config-store', mountPath: '/app/config-store', persistence: config },
      { name: 'logs', mountPath: '/app/logs', persistence: logs },
      // The H2 database (data/jairouter): one per pod, seeded from application.yml at each start.
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
    // The image's user (Dockerfile: useradd -u 10010), owner of /app.
    podSecurity: { runAsUser: UPSTREAM_UID, runAsGroup: UPSTREAM_UID, fsGroup: UPSTREAM_UID },
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
  const { logs } = values.router.persistence;
  const scaled = svc.replicas > 1 || svc.autoscaling.enabled;
  const result: string[] = [];
  if (vpa.enabled && vpa.updateMode !== 'Off' && svc.autoscaling.enabled)
    result.push(
      'VPA in an acting mode and an HPA on CPU/memory fight over the same pods; use updateMode Off (recommendations only) or drop one',
    );
  if (scaled && logs.enabled && logs.accessModes.includes('ReadWriteMany'))
    result.push(
      'several router pods write the same log files (logs/jairouter-*.log) on the shared claim; logs also go to stdout',
    );
  return result;
}

function notes(values: ModelRouterValues, ctx: RenderContext): string[] {
  const url = ingressUrl(ctx);
  const service = objectName(ctx, 'router');
  const lines = [`JAiRouter ${JAIROUTER_VERSION} (release ${ctx.release}, namespace ${ctx.namespace}).`];
  if (url) lines.push(`Open ${url} once DNS points at your ingress controller.`);
  lines.push(
    `In the cluster: http://${service}.${ctx.namespace}.svc (port 80). From here:`,
    `  kubectl port-forward --namespace ${ctx.namespace} svc/${service} 8080:80, then curl http://127.0.0.1:8080/actuator/health`,
    'Model requests carry the API key in the X-API-Key header. The admin UI (/admin/) logs in as admin with',
    `  the password in Secret ${objectName(ctx, 'auth')} (key admin-password).`,
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
      secrets: [
        ...(values.router.existingSecret
          ? []
          : [{ name: 'api-key', generated: { 'api-key': { kind: 'alphanumeric' as const, length: 40 } } }]),
        {
          name: 'auth',
          generated: {
            'jwt-secret': { kind: 'alphanumeric', length: 64 },
            'admin-password': { kind: 'alphanumeric', length: 24 },
          },
        },
      ],
      configMaps: [{ name: 'config', data: { 'application.yml': applicationYaml(values) } }],
      ingressRoutes: [{ path: '/', component: 'router', port: 'http' }],
      extraObjects: [],
      alerts: alerts(ctx),
      notes: notes(values, ctx),
      warnings: warnings(values),
    };
  },
});
