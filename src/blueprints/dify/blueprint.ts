/**
 * Dify 1.x (LLM application platform), as its docker-compose deploys it: api, worker, worker-beat,
 * web, sandbox, plugin-daemon, ssrf-proxy and an nginx entry, over PostgreSQL, Redis, a vector store
 * and file storage — bundled single instances or the user's external services.
 */
import { createHash } from 'node:crypto';
import { objectName, type RenderContext } from '../../render/context.ts';
import { ingressUrl } from '../../render/ingress.ts';
import type { ComponentSpec, ContainerSpec, PlatformSpec, Stage, VolumeSpec } from '../../render/model.ts';
import type { PersistenceValues, ServiceValues } from '../../values/vocabulary/index.ts';
import { defineBlueprint } from '../blueprint.ts';
import { serviceComponent } from '../shared/component.ts';
import { serviceHost } from '../shared/dependency.ts';
import { env, literalEnv } from '../shared/env.ts';
import {
  type AppKeys,
  appConfig,
  appKeys,
  appSecretEnv,
  pluginDaemonConfig,
  pluginDaemonSecretEnv,
  publicUrl,
  sandboxEnv,
} from './config.ts';
import { type DifyBackends, difyBackends } from './connections.ts';
import { ingressRoutes, nginxConfig, PORTS } from './routes.ts';
import {
  PROXY_PORT,
  SANDBOX_CALLERS,
  SANDBOX_EXCEPTION,
  SANDBOX_PORT,
  sandboxIsolation,
  squidConfig,
} from './sandbox.ts';
import { DIFY_VERSION, type DifyValues, difyValues } from './values.ts';

/** uid/gid of the dify-api and dify-web images (compose's init_permissions chowns storage to 1001). */
const DIFY_UID = 1001;

type Container = Omit<ContainerSpec, 'name' | 'image' | 'resources'>;

/** A component from its `services.<name>` values, its one container named after it with extraEnv last. */
function component(
  name: string,
  stage: Stage,
  service: ServiceValues,
  container: Container,
  extra: Partial<Omit<ComponentSpec, 'name' | 'stage' | 'containers'>> = {},
): ComponentSpec {
  return serviceComponent(name, service, {
    stage,
    ...extra,
    containers: [
      {
        ...container,
        name,
        image: service.image,
        resources: service.resources,
        env: [...(container.env ?? []), ...service.extraEnv],
      },
    ],
  });
}

/** The Job's name carries the image, so an upgrade creates a new Job instead of patching an immutable one. */
export function migrationJobName(values: DifyValues): string {
  const { repository, tag, digest } = values.services.api.image;
  const hash = createHash('sha256')
    .update(`${repository}:${tag}@${digest ?? ''}`)
    .digest('hex');
  return `migrate-${hash.slice(0, 8)}`;
}

/** api, worker, worker-beat and the migration Job: one image, one ConfigMap, one set of credentials. */
function apiFamily(values: DifyValues, ctx: RenderContext, backends: DifyBackends, keys: AppKeys) {
  // `env` shadows `envFrom`: a setting the user put in dify.extraConfig must not be set here too.
  const secretEnv = appSecretEnv(backends, keys).filter((e) => !(e.name in values.dify.extraConfig));
  const envFrom = [
    { configMap: objectName(ctx, 'config') },
    ...(values.dify.vectorStore.existingSecret ? [{ secret: values.dify.vectorStore.existingSecret }] : []),
    ...(values.dify.extraSecret ? [{ secret: values.dify.extraSecret }] : []),
  ];
  const rollOn = { configMaps: ['config'], ...(keys.specs.length ? { secrets: ['app'] } : {}) };
  const persistence: PersistenceValues = values.dify.storage.persistence;
  const sharedClaim = persistence.existingClaim || `${objectName(ctx, 'api')}-storage`;
  const storage = (owner: boolean): VolumeSpec[] =>
    backends.storage.sharedVolume
      ? [
          {
            name: 'storage',
            mountPath: '/app/api/storage',
            persistence:
              owner || !persistence.enabled ? persistence : { ...persistence, existingClaim: sharedClaim },
          },
        ]
      : [];
  const security = { podSecurity: { runAsUser: DIFY_UID, runAsGroup: DIFY_UID, fsGroup: DIFY_UID }, rollOn };
  // A ReadWriteOnce claim attaches to one node: a surging pod elsewhere would hang, so replace in place.
  const mode = (value: string) => literalEnv({ MODE: value });
  const mounts = (volumes: VolumeSpec[]) => volumes.map((v) => v.name);

  const apiVolumes = storage(true);
  const api = component(
    'api',
    'backends',
    values.services.api,
    {
      envFrom,
      env: [...mode('api'), ...sandboxEnv(ctx), ...secretEnv],
      ports: [{ name: 'http', containerPort: PORTS.api }],
      volumeMounts: mounts(apiVolumes),
      probes: {
        startup: { http: { path: '/health', port: 'http' }, periodSeconds: 5, failureThreshold: 60 },
        readiness: { http: { path: '/health', port: 'http' }, periodSeconds: 10 },
        liveness: { http: { path: '/health', port: 'http' }, periodSeconds: 30, failureThreshold: 3 },
      },
    },
    {
      ...security,
      volumes: apiVolumes,
      service: {},
      allowFrom: ['nginx', 'plugin-daemon', 'worker'],
    },
  );

  const workerVolumes = storage(false);
  const worker = component(
    'worker',
    'backends',
    values.services.worker,
    {
      envFrom,
      env: [...mode('worker'), ...sandboxEnv(ctx), ...secretEnv],
      volumeMounts: mounts(workerVolumes),
      probes: {
        readiness: {
          exec: ['celery', '-A', 'celery_healthcheck.celery', 'inspect', 'ping'],
          initialDelaySeconds: 30,
          periodSeconds: 60,
          timeoutSeconds: 30,
        },
      },
    },
    { ...security, volumes: workerVolumes },
  );

  // Two beats would schedule every periodic task twice: one replica, replaced without surging.
  const beatService = values.services.workerBeat;
  const beat = component(
    'worker-beat',
    'backends',
    { ...beatService, replicas: Math.min(beatService.replicas, 1) },
    { envFrom, env: [...mode('beat'), ...secretEnv] },
    {
      ...security,
      singleton: true,
      scaling: { podDisruptionBudget: { enabled: false } },
    },
  );

  // The Job never mounts the shared volume: a ReadWriteOnce claim would pin it, and migrations need none.
  const migrate: ComponentSpec = {
    ...component(
      migrationJobName(values),
      'migrations',
      { ...values.services.api, replicas: 1 },
      {
        command: ['flask', 'db', 'upgrade'],
        envFrom,
        env: [...mode('migration'), ...secretEnv],
        volumeMounts: ['storage'],
      },
      { ...security, volumes: [{ name: 'storage', mountPath: '/app/api/storage', emptyDir: {} }] },
    ),
    kind: 'Job',
    scaling: {},
    backoffLimit: values.dify.migrations.backoffLimit,
  };
  return { api, worker, beat, migrate };
}

function pluginDaemon(
  values: DifyValues,
  ctx: RenderContext,
  backends: DifyBackends,
  keys: AppKeys,
): ComponentSpec {
  const persistence = values.dependencies.pluginStorage.persistence;
  const volumes: VolumeSpec[] = [{ name: 'storage', mountPath: '/app/storage', persistence }];
  // Installed plugins live on this claim; render recreates the pod while it is ReadWriteOnce.
  return component(
    'plugin-daemon',
    'backends',
    values.services.pluginDaemon,
    {
      envFrom: [{ configMap: objectName(ctx, 'plugin-daemon') }],
      env: pluginDaemonSecretEnv(backends, keys),
      ports: [
        { name: 'http', containerPort: PORTS['plugin-daemon'] },
        { name: 'debugging', containerPort: 5003 },
      ],
      volumeMounts: ['storage'],
      probes: {
        startup: { http: { path: '/health/check', port: 'http' }, periodSeconds: 5, failureThreshold: 60 },
        readiness: { http: { path: '/health/check', port: 'http' }, periodSeconds: 10 },
        liveness: { http: { path: '/health/check', port: 'http' }, periodSeconds: 30 },
      },
    },
    {
      volumes,
      service: {},
      podSecurity: { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 },
      rollOn: { configMaps: ['plugin-daemon'], ...(keys.specs.length ? { secrets: ['app'] } : {}) },
      allowFrom: ['api', 'worker', 'nginx'],
    },
  );
}

function sandbox(values: DifyValues, ctx: RenderContext, keys: AppKeys): ComponentSpec {
  const proxy = `http://${serviceHost(ctx, 'ssrf-proxy')}:${PROXY_PORT}`;
  return component(
    'sandbox',
    'backends',
    values.services.sandbox,
    {
      env: [
        env('API_KEY', keys.sandboxApiKey),
        ...literalEnv({
          GIN_MODE: 'release',
          WORKER_TIMEOUT: values.dify.sandbox.workerTimeout,
          ENABLE_NETWORK: values.dify.sandbox.enableNetwork,
          HTTP_PROXY: proxy,
          HTTPS_PROXY: proxy,
          SANDBOX_PORT,
        }),
      ],
      ports: [{ name: 'http', containerPort: SANDBOX_PORT }],
      probes: {
        readiness: { http: { path: '/health', port: 'http' }, periodSeconds: 10 },
        liveness: { http: { path: '/health', port: 'http' }, initialDelaySeconds: 10, periodSeconds: 30 },
      },
      securityException: SANDBOX_EXCEPTION,
    },
    {
      service: {},
      allowFrom: [...SANDBOX_CALLERS],
    },
  );
}

function ssrfProxy(values: DifyValues, ctx: RenderContext): ComponentSpec {
  return component(
    'ssrf-proxy',
    'backends',
    values.services.ssrfProxy,
    {
      command: ['squid'],
      args: ['-N', '-d', '1', '-f', '/etc/squid/berth/squid.conf'],
      ports: [{ name: 'proxy', containerPort: PROXY_PORT }],
      volumeMounts: ['config'],
      probes: { liveness: { tcp: { port: 'proxy' }, initialDelaySeconds: 10, periodSeconds: 30 } },
    },
    {
      volumes: [
        {
          name: 'config',
          mountPath: '/etc/squid/berth',
          configMap: objectName(ctx, 'ssrf-proxy'),
          readOnly: true,
        },
      ],
      service: {},
      // The image's squid user (proxy, uid 13); berth's config writes nothing outside /tmp.
      podSecurity: { runAsUser: 13, runAsGroup: 13 },
      rollOn: { configMaps: ['ssrf-proxy'] },
      allowFrom: ['api', 'worker', 'sandbox', 'plugin-daemon'],
    },
  );
}

function web(values: DifyValues): ComponentSpec {
  return component(
    'web',
    'frontends',
    values.services.web,
    {
      // Empty CONSOLE_API_URL / APP_API_URL: the browser calls the same origin, routed by nginx or the Ingress.
      env: literalEnv({
        NEXT_TELEMETRY_DISABLED: 1,
        MARKETPLACE_API_URL: 'https://marketplace.dify.ai',
        MARKETPLACE_URL: 'https://marketplace.dify.ai',
        TEXT_GENERATION_TIMEOUT_MS: 60000,
        ALLOW_EMBED: false,
      }),
      ports: [{ name: 'http', containerPort: PORTS.web }],
    },
    { service: {}, podSecurity: { runAsUser: DIFY_UID, runAsGroup: DIFY_UID }, allowFrom: ['nginx'] },
  );
}

function nginx(values: DifyValues, ctx: RenderContext): ComponentSpec {
  const settings = values.dify.nginx;
  return component(
    'nginx',
    'frontends',
    values.services.nginx,
    {
      ports: [
        {
          name: 'http',
          containerPort: 8080,
          servicePort: 80,
          ...(settings.nodePort ? { nodePort: settings.nodePort } : {}),
        },
      ],
      volumeMounts: ['config'],
      probes: {
        readiness: { http: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
        liveness: { http: { path: '/healthz', port: 'http' }, periodSeconds: 30 },
      },
    },
    {
      volumes: [
        {
          name: 'config',
          mountPath: '/etc/nginx/conf.d',
          configMap: objectName(ctx, 'nginx'),
          readOnly: true,
        },
      ],
      service: { type: settings.serviceType },
      // nginx-unprivileged's nginx user.
      podSecurity: { runAsUser: 101, runAsGroup: 101 },
      rollOn: { configMaps: ['nginx'] },
    },
  );
}

function nginxEnabled(values: DifyValues, ctx: RenderContext): boolean {
  return values.dify.nginx.enabled ?? !ctx.common.ingress.enabled;
}

function notes(values: DifyValues, ctx: RenderContext, viaNginx: boolean): string[] {
  const url = ingressUrl(ctx);
  const lines = [`Dify ${DIFY_VERSION} (release ${ctx.release}, namespace ${ctx.namespace}).`];
  if (url) {
    lines.push(`Open ${url}/install once DNS points at your ingress controller.`);
  } else if (viaNginx) {
    lines.push(
      'Reach it with:',
      `  kubectl -n ${ctx.namespace} port-forward svc/${objectName(ctx, 'nginx')} 8080:80`,
      `  then open ${publicUrl(values, ctx)}/install`,
    );
  }
  lines.push('The /install page creates the admin account: open it first, before anyone else can.');
  if (!values.dify.existingSecret) {
    lines.push(
      `SECRET_KEY, the plugin keys and the sandbox key live in Secret ${objectName(ctx, 'app')} (generated once, kept on upgrade).`,
    );
  }
  return lines;
}

function warnings(values: DifyValues, backends: DifyBackends): string[] {
  const out: string[] = [];
  const bundled = backends.components.map((c) => c.name);
  if (bundled.length) {
    out.push(
      `bundled single-instance ${bundled.join(', ')} are fine for trials; production should use integrations.* (managed services)`,
    );
  }
  const persistence = values.dify.storage.persistence;
  if (backends.storage.sharedVolume && !persistence.accessModes.includes('ReadWriteMany')) {
    out.push(
      'dify.storage.persistence is not ReadWriteMany: api and worker share /app/api/storage, so every such pod must land on one node (pin them with customNodeSelector) and they are replaced without surging; prefer dify.storage.type minio or integrations.s3',
    );
  }
  if (backends.storage.sharedVolume && !persistence.enabled) {
    out.push(
      'dify.storage.persistence.enabled is false: api and worker do not share uploaded files and lose them on restart',
    );
  }
  if (values.services.workerBeat.replicas > 1) {
    out.push(
      'services.workerBeat.replicas is capped at 1: a second beat would run every periodic task twice',
    );
  }
  const vector = values.dify.vectorStore;
  if (!['weaviate', 'qdrant'].includes(vector.type) && Object.keys(vector.settings).length === 0) {
    out.push(
      `dify.vectorStore.type is ${vector.type} but dify.vectorStore.settings is empty; Dify needs its host settings`,
    );
  }
  return out;
}

export const blueprint = defineBlueprint({
  name: 'dify',
  version: '0.1.0',
  appVersion: DIFY_VERSION,
  description: 'Dify: LLM application platform (workflows, RAG, agents, plugins)',
  home: 'https://docs.dify.ai/getting-started/install-self-hosted',
  kubeVersion: '>=1.24.0',
  schema: difyValues,
  build(values, ctx): PlatformSpec {
    const backends = difyBackends(values, ctx, migrationJobName(values));
    const keys = appKeys(values, ctx);
    const { api, worker, beat, migrate } = apiFamily(values, ctx, backends, keys);
    const viaNginx = nginxEnabled(values, ctx);
    const dependencies = values.dify.databaseDisruptionBudget
      ? backends.components.map((c) => ({
          ...c,
          scaling: { podDisruptionBudget: { enabled: true, minAvailable: 1 } },
        }))
      : backends.components;
    const components = [
      ...dependencies,
      migrate,
      api,
      worker,
      beat,
      pluginDaemon(values, ctx, backends, keys),
      sandbox(values, ctx, keys),
      ssrfProxy(values, ctx),
      web(values),
      ...(viaNginx ? [nginx(values, ctx)] : []),
    ];
    const hosts = {
      api: serviceHost(ctx, 'api'),
      web: serviceHost(ctx, 'web'),
      'plugin-daemon': serviceHost(ctx, 'plugin-daemon'),
    };
    return {
      components,
      secrets: [...keys.specs, ...backends.secrets],
      configMaps: [
        { name: 'config', data: appConfig(values, ctx, backends) },
        { name: 'plugin-daemon', data: pluginDaemonConfig(ctx, backends) },
        { name: 'ssrf-proxy', data: { 'squid.conf': squidConfig(values) } },
        ...(viaNginx
          ? [
              {
                name: 'nginx',
                data: {
                  'default.conf': nginxConfig({
                    hosts,
                    clientMaxBodySize: values.dify.nginx.clientMaxBodySize,
                    proxyTimeout: values.dify.nginx.proxyTimeout,
                  }),
                },
              },
            ]
          : []),
      ],
      ingressRoutes: ingressRoutes(viaNginx),
      extraObjects: values.dify.sandbox.isolation ? [{ stage: 'config', object: sandboxIsolation(ctx) }] : [],
      alerts: [],
      notes: notes(values, ctx, viaNginx),
      warnings: warnings(values, backends),
    };
  },
});
