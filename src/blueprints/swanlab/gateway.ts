/**
 * The gateway: Traefik with SwanLab's identify plugin, routing `/` to next, `/api` to server,
 * `/api/house` to house and (bundled MinIO only) the two bucket paths to MinIO. Routes follow the
 * chart's gateway/config.yaml; entry points listen on unprivileged ports so Traefik runs non-root.
 */
import { objectName, type RenderContext } from '../../render/context.ts';
import type { ComponentSpec, ConfigMapSpec } from '../../render/model.ts';
import { toYaml } from '../../yaml.ts';
import { BUNDLED_BUCKETS, componentUrl, type SwanLabBackends } from './connections.ts';
import type { SwanLabValues } from './values.ts';

export const GATEWAY_PORTS = { web: 8000, ping: 8080, metrics: 9100 } as const;
const PLUGIN_MODULE = 'github.com/swanhubx/swanlab-helper/identify';
/** Traefik loads local plugins from ./plugins-local/src/<module> (its working directory is /). */
const PLUGIN_DIR = '/plugins-local/src/github.com/swanhubx/swanlab-helper';

export function gatewayConfig(ctx: RenderContext, backends: SwanLabBackends): ConfigMapSpec {
  const staticConfig = {
    global: { checkNewVersion: false, sendAnonymousUsage: false },
    log: { level: 'INFO' },
    // The chart trusts X-Forwarded-* from anywhere (S3 uploads are signed against them).
    entryPoints: {
      web: { address: `:${GATEWAY_PORTS.web}`, forwardedHeaders: { insecure: true } },
      traefik: { address: `:${GATEWAY_PORTS.ping}` },
      metrics: { address: `:${GATEWAY_PORTS.metrics}` },
    },
    ping: { entryPoint: 'traefik' },
    metrics: { prometheus: { entryPoint: 'metrics' } },
    providers: { file: { directory: '/etc/traefik/dynamic', watch: true } },
    experimental: { localPlugins: { identify: { moduleName: PLUGIN_MODULE } } },
  };
  const identity = `${ctx.release}-identity`;
  const s3Header = `${ctx.release}-s3`;
  const bundledS3 = backends.s3.type === 'local';
  const route = (rule: string, service: string, middlewares?: string[]) => ({
    rule,
    service,
    entryPoints: ['web'],
    ...(middlewares ? { middlewares } : {}),
  });
  const server = (url: string) => ({ loadBalancer: { servers: [{ url }] } });
  const dynamicConfig = {
    http: {
      middlewares: {
        [identity]: { plugin: { identify: { AuthUrl: componentUrl(ctx, 'server', 3000, '/api/identity') } } },
        ...(bundledS3
          ? {
              [s3Header]: {
                headers: {
                  customRequestHeaders: {
                    Host: `${backends.s3.private.endpoint}:${backends.s3.private.port}`,
                  },
                },
              },
            }
          : {}),
      },
      routers: {
        'next-router': route('PathPrefix(`/`)', 'swanlab-next'),
        'server-router': route('PathPrefix(`/api`)', 'swanlab-server', [identity]),
        'house-router': route('PathPrefix(`/api/house`)', 'swanlab-house', [identity]),
        ...(bundledS3
          ? {
              's3-router': route(
                `PathPrefix(\`/${BUNDLED_BUCKETS.private}\`) || PathPrefix(\`/${BUNDLED_BUCKETS.public}\`)`,
                'swanlab-s3',
                [s3Header],
              ),
            }
          : {}),
      },
      services: {
        'swanlab-next': server(componentUrl(ctx, 'next', 80)),
        'swanlab-server': server(componentUrl(ctx, 'server', 3000)),
        'swanlab-house': server(componentUrl(ctx, 'house', 3000)),
        ...(bundledS3 ? { 'swanlab-s3': server(componentUrl(ctx, 'minio', 9000)) } : {}),
      },
    },
  };
  return {
    name: 'gateway',
    data: { 'traefik.yaml': toYaml(staticConfig), 'dynamic.yaml': toYaml(dynamicConfig) },
  };
}

export function gatewayComponent(values: SwanLabValues, ctx: RenderContext): ComponentSpec {
  const gateway = values.services.gateway;
  const config = objectName(ctx, 'gateway');
  return {
    name: 'gateway',
    stage: 'frontends',
    kind: 'Deployment',
    replicas: gateway.replicas,
    initContainers: [
      {
        name: 'download-identify',
        image: gateway.identifyImage,
        // The helper copies the plugin into $COPY_TO/identify.
        env: [{ name: 'COPY_TO', value: PLUGIN_DIR }],
        resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
        volumeMounts: ['identify-plugin'],
      },
    ],
    containers: [
      {
        name: 'traefik',
        image: gateway.image,
        args: ['--configfile=/etc/traefik/traefik.yaml'],
        env: gateway.extraEnv,
        ports: [
          { name: 'web', containerPort: GATEWAY_PORTS.web, servicePort: 80 },
          { name: 'metrics', containerPort: GATEWAY_PORTS.metrics },
        ],
        resources: gateway.resources,
        probes: {
          readiness: { http: { path: '/ping', port: GATEWAY_PORTS.ping }, periodSeconds: 5 },
          liveness: {
            http: { path: '/ping', port: GATEWAY_PORTS.ping },
            initialDelaySeconds: 10,
            periodSeconds: 10,
          },
        },
        volumeMounts: ['static-config', 'dynamic-config', 'identify-plugin'],
        readOnlyRootFilesystem: true,
      },
    ],
    volumes: [
      {
        name: 'static-config',
        mountPath: '/etc/traefik/traefik.yaml',
        subPath: 'traefik.yaml',
        configMap: config,
        readOnly: true,
      },
      {
        name: 'dynamic-config',
        mountPath: '/etc/traefik/dynamic/dynamic.yaml',
        subPath: 'dynamic.yaml',
        configMap: config,
        readOnly: true,
      },
      { name: 'identify-plugin', mountPath: PLUGIN_DIR, emptyDir: {} },
    ],
    // The Service carries the release name: `kubectl port-forward svc/<release> 8080:80`.
    service: { name: ctx.release },
    scheduling: gateway,
    scaling: { autoscaling: gateway.autoscaling, podDisruptionBudget: gateway.podDisruptionBudget },
    // Traefik runs as any user once its ports are unprivileged; 65532 is the conventional nonroot uid.
    podSecurity: { runAsUser: 65532, runAsGroup: 65532 },
    rollOn: { configMaps: ['gateway'] },
    metrics: { port: 'metrics', path: '/metrics' },
    // The entry point, called by the user's load balancer or ingress controller and by next
    // (API_URL). Its ingress route opens it to every source; ipBlock peers alone would shut out
    // pods on CNIs that keep pod addresses out of CIDR rules (allowed by the NetworkPolicy spec).
  };
}
