/**
 * SwanLab self-hosted (experiment tracking), as its Kubernetes guide and the self-hosted chart
 * deploy it: server, house (StatefulSet), cloud and next behind a Traefik gateway, over PostgreSQL,
 * Redis, ClickHouse and MinIO — bundled single instances or the user's external services.
 */
import type { RenderContext } from '../../render/context.ts';
import { ingressUrl } from '../../render/ingress.ts';
import type { ComponentSpec, ContainerSpec, PlatformSpec } from '../../render/model.ts';
import type { EnvVarValues, ServiceValues } from '../../values/vocabulary/index.ts';
import { defineBlueprint } from '../blueprint.ts';
import { env, literalEnv } from '../shared/env.ts';
import { componentUrl, type SwanLabBackends, swanlabBackends } from './connections.ts';
import { gatewayComponent, gatewayConfig } from './gateway.ts';
import { SWANLAB_VERSION, type SwanLabValues, swanlabValues } from './values.ts';

/**
 * The images do not document their users; the app pods run as uid 1000 (the node user of the
 * Node.js-based images) with a writable /tmp, which the kwok e2e cannot prove — see the docs.
 */
const APP_UID = 1000;

/** busybox init container that waits until each host:port accepts connections (the chart's `ping`). */
function waitFor(values: SwanLabValues, targets: readonly string[]): ContainerSpec {
  const script = [
    'for target in "$@"; do',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
    '  host="${target%:*}"; port="${target##*:}"',
    '  until nc -z -w 2 "$host" "$port"; do echo "waiting for $target"; sleep 2; done',
    'done',
  ].join('\n');
  return {
    name: 'wait-for-dependencies',
    image: values.swanlab.helperImage,
    command: ['/bin/sh', '-c', script, 'wait-for'],
    args: [...targets],
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
  };
}

function s3Env(backends: SwanLabBackends): EnvVarValues[] {
  const bucketEnv = (prefix: 'PUBLIC' | 'PRIVATE', bucket: SwanLabBackends['s3']['public']) =>
    literalEnv({
      [`SS_${prefix}_STORAGE_ENDPOINT`]: bucket.endpoint,
      [`SS_${prefix}_STORAGE_REGION`]: bucket.region,
      [`SS_${prefix}_STORAGE_PATH_STYLE`]: bucket.pathStyle,
      [`SS_${prefix}_STORAGE_PORT`]: bucket.port,
      [`SS_${prefix}_STORAGE_USE_SSL`]: bucket.ssl,
      [`SS_${prefix}_STORAGE_BUCKET`]: bucket.bucket,
    });
  return [
    env('SS_STORAGE_TYPE', backends.s3.type),
    ...bucketEnv('PUBLIC', backends.s3.public),
    env('SS_AVATAR_DOMAIN', backends.s3.public.domain),
    ...bucketEnv('PRIVATE', backends.s3.private),
    env('ACCESS_KEY', backends.s3.accessKey),
    env('SECRET_KEY', backends.s3.secretKey),
  ];
}

/** What every SwanLab application component shares: scheduling, scaling, non-root user. */
function application(
  name: string,
  service: ServiceValues,
  rest: Omit<ComponentSpec, 'name' | 'replicas' | 'scheduling' | 'scaling' | 'kind'> &
    Partial<Pick<ComponentSpec, 'kind'>>,
): ComponentSpec {
  return {
    name,
    kind: 'Deployment',
    replicas: service.replicas,
    scheduling: service,
    scaling: { autoscaling: service.autoscaling, podDisruptionBudget: service.podDisruptionBudget },
    podSecurity: { runAsUser: APP_UID, runAsGroup: APP_UID, fsGroup: APP_UID },
    ...rest,
  };
}

const TMP = { name: 'tmp', mountPath: '/tmp', emptyDir: {} } as const;

function server(values: SwanLabValues, ctx: RenderContext, backends: SwanLabBackends): ComponentSpec {
  const svc = values.services.server;
  return application('server', svc, {
    stage: 'backends',
    initContainers: [waitFor(values, [backends.waitFor.postgres, backends.waitFor.redis])],
    containers: [
      {
        name: 'server',
        image: svc.image,
        command: ['bash', '-c', 'npx prisma migrate deploy && node migrate.js && pm2-runtime app.js'],
        env: [
          ...backends.postgresEnv,
          ...backends.redisEnv('REDIS_URL'),
          ...literalEnv({ VERSION: SWANLAB_VERSION, SERVER_PREFIX: '/api', PM2_HOME: '/tmp/.pm2' }),
          env('SS_HOUSE_URL', componentUrl(ctx, 'house', 3000, '/api/house')),
          ...s3Env(backends),
          ...svc.extraEnv,
        ],
        ports: [{ name: 'http', containerPort: 3000 }],
        resources: svc.resources,
        probes: {
          // Migrations run before the server listens; give them time.
          startup: { http: { path: '/api/', port: 'http' }, periodSeconds: 5, failureThreshold: 120 },
          readiness: { http: { path: '/api/', port: 'http' }, periodSeconds: 10 },
          liveness: { http: { path: '/api/', port: 'http' }, periodSeconds: 10, failureThreshold: 5 },
        },
        volumeMounts: ['tmp'],
      },
    ],
    volumes: [TMP],
    service: {},
    allowFrom: ['gateway', 'next', 'house'],
  });
}

function house(values: SwanLabValues, ctx: RenderContext, backends: SwanLabBackends): ComponentSpec {
  const svc = values.services.house;
  const ch = backends.clickhouse;
  const minio = backends.s3.private;
  return application('house', svc, {
    stage: 'backends',
    kind: 'StatefulSet',
    initContainers: [waitFor(values, [backends.waitFor.redis, backends.waitFor.clickhouse])],
    containers: [
      {
        name: 'house',
        image: svc.image,
        env: [
          ...literalEnv({
            SH_API_PREFIX: '/api/house',
            SH_LOG_PATH: '/data/metrics/metrics.log',
            SH_DISTRIBUTED_ENABLE: true,
            SH_SERVER_URL: componentUrl(ctx, 'server', 3000, '/api'),
            SH_DB_HOST: ch.host,
            SH_DB_PORT: ch.nativePort,
            SH_DB_NAME: ch.database,
          }),
          env('SH_DB_USERNAME', ch.username),
          env('SH_DB_PASSWORD', ch.password),
          ...backends.redisEnv('SH_REDIS_URL'),
          ...literalEnv({
            SH_FLAG_ID_IGNORE: true,
            SH_MINIO_ENDPOINT: `${minio.endpoint}:${minio.port}`,
            SH_MINIO_USE_SSL: minio.ssl,
            SH_MINIO_REGION: minio.region,
            SH_MINIO_PATH_STYLE: minio.pathStyle,
            SH_MINIO_PRIVATE_BUCKET: minio.bucket,
          }),
          env('SH_MINIO_SECRET_ID', backends.s3.accessKey),
          env('SH_MINIO_SECRET_KEY', backends.s3.secretKey),
          ...svc.extraEnv,
        ],
        ports: [{ name: 'http', containerPort: 3000 }],
        resources: svc.resources,
        probes: {
          readiness: { http: { path: '/api/house/health', port: 'http' }, periodSeconds: 10 },
          liveness: {
            http: { path: '/api/house/health', port: 'http' },
            initialDelaySeconds: 30,
            periodSeconds: 10,
          },
        },
        volumeMounts: ['house'],
      },
      {
        // Sidecars from the chart (to be removed upstream): rotate and ship the metrics logs.
        name: 'logrotate',
        image: svc.logImage,
        env: literalEnv({
          LOGS_DIRECTORIES: '/data/metrics',
          LOGROTATE_COPIES: 25,
          LOGROTATE_SIZE: '25M',
          LOGROTATE_CRONSCHEDULE: '*/20 * * * * *',
          LOGROTATE_INTERVAL: 'daily',
        }),
        resources: svc.logResources,
        volumeMounts: ['house'],
      },
      {
        name: 'fluent-bit',
        image: svc.fbImage,
        command: ['fluent-bit/bin/fluent-bit', '-c', '/conf/fluent-bit.conf'],
        env: [
          ...literalEnv({
            LOG_PATH: '/data/metrics/*.log',
            CLICKHOUSE_HOST: ch.host,
            CLICKHOUSE_PORT: ch.httpPort,
            CLICKHOUSE_DATABASE: ch.database,
          }),
          env('CLICKHOUSE_USER', ch.username),
          env('CLICKHOUSE_PASS', ch.password),
        ],
        resources: svc.fbResources,
        volumeMounts: ['house'],
      },
    ],
    volumes: [{ name: 'house', mountPath: '/data', persistence: svc.persistence }],
    service: {},
    allowFrom: ['gateway', 'next', 'server'],
  });
}

function cloud(values: SwanLabValues): ComponentSpec {
  const svc = values.services.cloud;
  return application('cloud', svc, {
    stage: 'frontends',
    containers: [
      {
        name: 'cloud',
        image: svc.image,
        env: svc.extraEnv,
        ports: [{ name: 'http', containerPort: 80 }],
        resources: svc.resources,
        probes: { readiness: { http: { path: '/', port: 'http' }, periodSeconds: 5 } },
        volumeMounts: ['tmp', 'cache', 'run'],
      },
    ],
    volumes: [
      TMP,
      { name: 'cache', mountPath: '/var/cache/nginx', emptyDir: {} },
      { name: 'run', mountPath: '/var/run', emptyDir: {} },
    ],
    service: {},
    // Static files served by nginx on port 80: run as its nginx user (101), allowed to bind port 80.
    podSecurity: {
      runAsUser: 101,
      runAsGroup: 101,
      fsGroup: 101,
      sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' },
    },
    allowFrom: ['next'],
  });
}

function next(values: SwanLabValues, ctx: RenderContext): ComponentSpec {
  const svc = values.services.next;
  const api = `http://${ctx.release}.${ctx.namespace}.svc:80/api`;
  const loginHost = values.global.settings.loginHost;
  return application('next', svc, {
    stage: 'frontends',
    containers: [
      {
        name: 'next',
        image: svc.image,
        env: [
          ...literalEnv({
            CLOUD_URL: componentUrl(ctx, 'cloud', 80),
            API_URL: api,
            API_VERIFIER_URL: componentUrl(ctx, 'server', 3000, '/api/identity'),
            API_INTERNAL_URL: api,
          }),
          ...(loginHost ? [env('API_DISPLAY_HOST', loginHost)] : []),
          ...svc.extraEnv,
        ],
        ports: [{ name: 'http', containerPort: 3000, servicePort: 80 }],
        resources: svc.resources,
        volumeMounts: ['tmp'],
      },
    ],
    volumes: [TMP],
    service: {},
    allowFrom: ['gateway'],
  });
}

function notes(ctx: RenderContext): string[] {
  const url = ingressUrl(ctx);
  const lines = [`SwanLab ${SWANLAB_VERSION} (release ${ctx.release}, namespace ${ctx.namespace}).`];
  lines.push(
    'Access via kube-proxy: forward local port 8080 to the gateway Service:',
    `  kubectl port-forward --namespace ${ctx.namespace} svc/${ctx.release} 8080:80`,
    '  then open http://127.0.0.1:8080',
  );
  if (url) {
    lines.push(`Or open ${url} once DNS points at your ingress controller.`);
  } else {
    lines.push(
      `SwanLab is not exposed outside the cluster: point your load balancer or ingress at Service ${ctx.release} (port 80), or set ingress.enabled.`,
    );
  }
  lines.push(
    'The first visit activates the admin account: enter a user name, password and a License (free for personal use at https://swanlab.cn, Settings > Account & License).',
  );
  return lines;
}

function warnings(values: SwanLabValues): string[] {
  const bundled = (['postgres', 'redis', 'clickhouse', 's3'] as const).filter(
    (dep) => !values.integrations[dep].enabled,
  );
  return bundled.length
    ? [
        `bundled single-instance ${bundled.join(', ')} are fine for trials; for enterprise stability use integrations.* (external services)`,
      ]
    : [];
}

export const blueprint = defineBlueprint({
  name: 'swanlab',
  version: '0.1.0',
  appVersion: SWANLAB_VERSION,
  description: 'SwanLab self-hosted: machine-learning experiment tracking and visualisation',
  home: 'https://docs.swanlab.cn/guide_cloud/self_host/kubernetes-deploy.html',
  kubeVersion: '>=1.24.0',
  schema: swanlabValues,
  build(values, ctx): PlatformSpec {
    const backends = swanlabBackends(values, ctx);
    return {
      components: [
        ...backends.components,
        server(values, ctx, backends),
        house(values, ctx, backends),
        cloud(values),
        next(values, ctx),
        gatewayComponent(values, ctx),
      ],
      secrets: backends.secrets,
      configMaps: [gatewayConfig(ctx, backends)],
      ingressRoutes: [{ path: '/', component: 'gateway', port: 'web' }],
      extraObjects: [],
      alerts: [],
      notes: notes(ctx),
      warnings: warnings(values),
    };
  },
});
