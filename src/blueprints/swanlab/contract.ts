/**
 * What SwanLab's self-hosted distribution demands at the pinned version (2.7.0). The application
 * images are closed source, so the truth is the vendor's own deployment source: the self-hosted Helm
 * chart 0.3.0 (SwanHubX/charts, appVersion 2.7.0) and the docker-compose file of SwanHubX/self-hosted
 * v2.7.0. Facts are written in our own words; each names the file it was read from.
 */
import { parse } from 'yaml';
import type { KubeObject } from '../../render/model.ts';
import type { ContractFact, UpstreamContract } from '../../verify/contract.ts';
import type { ContainerView, ReleaseView } from '../../verify/view.ts';
import { BUNDLED_BUCKETS } from './connections.ts';
import { SWANLAB_VERSION } from './values.ts';

const CHART = { repo: 'SwanHubX/charts', ref: 'self-hosted-0.3.0' };
const COMPOSE = {
  repo: 'SwanHubX/self-hosted',
  ref: `v${SWANLAB_VERSION}`,
  file: 'docker/docker-compose.yaml',
};
const chart = (file: string, symbol?: string) => ({
  ...CHART,
  file: `charts/self-hosted/templates/${file}`,
  ...(symbol ? { symbol } : {}),
});

type Json = Record<string, unknown>;

/** Problems when `url` does not point at `<release>-<component>` on `port` under `path`. */
function pointsAt(
  release: ReleaseView,
  where: string,
  url: string | undefined,
  target: { component: string; port: number; path: string },
): string[] {
  if (url === undefined) return [`${where} is not set`];
  if (!URL.canParse(url)) return [`${where} ${url} is not a URL`];
  const parsed = new URL(url);
  const service = target.component === 'gateway' ? release.release : `${release.release}-${target.component}`;
  const ok =
    parsed.hostname.split('.')[0] === service &&
    Number(parsed.port || 80) === target.port &&
    parsed.pathname.replace(/\/$/, '') === target.path;
  return ok ? [] : [`${where} ${url} is not ${target.component}:${target.port}${target.path}`];
}

function requireEnv(release: ReleaseView, component: string, names: readonly string[]): string[] {
  const container = release.main(component);
  if (!container) return [];
  return names.filter((name) => !container.env.has(name)).map((name) => `${component}: ${name} is not set`);
}

function probePaths(container: ContainerView): string[] {
  return ['startupProbe', 'readinessProbe', 'livenessProbe'].flatMap((probe) => {
    const path = ((container.spec[probe] as Json | undefined)?.httpGet as Json | undefined)?.path;
    return typeof path === 'string' ? [path] : [];
  });
}

function listens(release: ReleaseView, component: string, port: number, health: string): string[] {
  const container = release.main(component);
  if (!container) return [`${component} is not rendered`];
  const problems: string[] = [];
  if (!container.ports.some((p) => p.containerPort === port))
    problems.push(`${component}: no container port ${port}`);
  for (const path of probePaths(container))
    if (path !== health) problems.push(`${component}: probe GET ${path} instead of ${health}`);
  return problems;
}

function gatewayDynamicConfig(release: ReleaseView): Json | undefined {
  const text = release.data('ConfigMap', 'gateway', 'dynamic.yaml');
  return text === undefined ? undefined : ((parse(text) as Json).http as Json);
}

/** Whether a NetworkPolicy rule admits pods carrying `labels` from the policy's own namespace. */
function admitsPods(policy: KubeObject, labels: Readonly<Record<string, string>>): boolean {
  const rules = ((policy.spec as Json).ingress as Json[] | undefined) ?? [];
  return rules.some((rule) => {
    const from = rule.from as Json[] | undefined;
    if (!from || from.length === 0) return true;
    return from.some((peer) => {
      if (peer.ipBlock || peer.namespaceSelector) return !peer.ipBlock && !peer.podSelector;
      const match = ((peer.podSelector as Json | undefined)?.matchLabels as Record<string, string>) ?? {};
      return Object.entries(match).every(([key, wanted]) => labels[key] === wanted);
    });
  });
}

/** Buckets the bundled MinIO has (folders made before the server starts and `mc mb` of its Job). */
function minioBuckets(release: ReleaseView): { names: Set<string>; publicRead: Set<string> } | undefined {
  const server = release.main('minio');
  if (!server) return undefined;
  const names = new Set([...server.args.join(' ').matchAll(/\/data\/([\w.-]+)/g)].map((m) => m[1]!));
  const job = release.component('minio-buckets')?.containers[0]?.args.join('\n') ?? '';
  for (const m of job.matchAll(/mc mb \S+ \w+\/([\w.-]+)/g)) names.add(m[1]!);
  const publicRead = new Set(
    [...job.matchAll(/mc anonymous set (?:download|public) \w+\/([\w.-]+)/g)].map((m) => m[1]!),
  );
  return { names, publicRead };
}

const STORAGE_ENV = ['ENDPOINT', 'REGION', 'PATH_STYLE', 'PORT', 'USE_SSL', 'BUCKET'];

const facts: ContractFact[] = [
  {
    id: 'server.env',
    fact: 'SwanLab-Server reads DATABASE_URL, DATABASE_URL_REPLICA, REDIS_URL, SERVER_PREFIX (/api), VERSION, SS_HOUSE_URL, SS_STORAGE_TYPE (local or remote), SS_PUBLIC_STORAGE_* and SS_PRIVATE_STORAGE_* (endpoint, region, path style, port, SSL, bucket), SS_AVATAR_DOMAIN, ACCESS_KEY and SECRET_KEY.',
    source: chart('swanlab-server/deployment.yaml'),
    check: (release) => {
      const server = release.main('server');
      const problems = requireEnv(release, 'server', [
        'DATABASE_URL',
        'DATABASE_URL_REPLICA',
        'REDIS_URL',
        'SS_HOUSE_URL',
        'SS_AVATAR_DOMAIN',
        'ACCESS_KEY',
        'SECRET_KEY',
        ...STORAGE_ENV.flatMap((key) => [`SS_PUBLIC_STORAGE_${key}`, `SS_PRIVATE_STORAGE_${key}`]),
      ]);
      if (server?.value('SERVER_PREFIX') !== '/api') problems.push('server: SERVER_PREFIX is not /api');
      if (server?.value('VERSION') !== SWANLAB_VERSION)
        problems.push(`server: VERSION is not ${SWANLAB_VERSION}`);
      if (!['local', 'remote'].includes(server?.value('SS_STORAGE_TYPE') ?? ''))
        problems.push('server: SS_STORAGE_TYPE is neither local nor remote');
      for (const name of ['DATABASE_URL', 'DATABASE_URL_REPLICA']) {
        const url = server?.value(name);
        if (url !== undefined && !/^postgres(ql)?:\/\//.test(url))
          problems.push(`server: ${name} is not a postgres URL`);
      }
      const redis = server?.value('REDIS_URL');
      if (redis !== undefined && !/^rediss?:\/\//.test(redis))
        problems.push('server: REDIS_URL is not a redis:// URL');
      return problems;
    },
  },
  {
    id: 'server.start',
    fact: 'The server container is started with `npx prisma migrate deploy && node migrate.js && pm2-runtime app.js`: every replica migrates the database before it listens on port 3000.',
    source: chart('swanlab-server/deployment.yaml', 'command'),
    check: (release) => {
      const server = release.main('server');
      if (!server) return [];
      const command = [...server.command, ...server.args].join(' ');
      return ['prisma migrate deploy', 'node migrate.js', 'pm2-runtime app.js']
        .filter((step) => !command.includes(step))
        .map((step) => `server: the start command does not run ${step}`);
    },
  },
  {
    id: 'server.listen',
    fact: 'The server listens on port 3000 and answers GET /api/ when healthy.',
    source: { ...COMPOSE, symbol: 'swanlab-server.healthcheck' },
    check: (release) => listens(release, 'server', 3000, '/api/'),
  },
  {
    id: 'server.house-url',
    fact: 'The server calls SwanLab-House at SS_HOUSE_URL, the house Service on port 3000 under /api/house.',
    source: chart('swanlab-server/deployment.yaml', 'SS_HOUSE_URL'),
    check: (release) =>
      pointsAt(release, 'server: SS_HOUSE_URL', release.main('server')?.value('SS_HOUSE_URL'), {
        component: 'house',
        port: 3000,
        path: '/api/house',
      }),
  },
  {
    id: 'house.env',
    fact: 'SwanLab-House reads SH_API_PREFIX (/api/house), SH_SERVER_URL (server :3000/api), ClickHouse through SH_DB_HOST/PORT (native TCP)/NAME/USERNAME/PASSWORD, SH_REDIS_URL, SH_DISTRIBUTED_ENABLE and the private bucket through SH_MINIO_* (the same bucket the server signs for).',
    source: chart('swanlab-house/deployment.yaml'),
    check: (release) => {
      const house = release.main('house');
      if (!house) return [];
      const problems = requireEnv(release, 'house', [
        'SH_DB_HOST',
        'SH_DB_PORT',
        'SH_DB_NAME',
        'SH_DB_USERNAME',
        'SH_DB_PASSWORD',
        'SH_REDIS_URL',
        'SH_MINIO_ENDPOINT',
        'SH_MINIO_SECRET_ID',
        'SH_MINIO_SECRET_KEY',
      ]);
      if (house?.value('SH_API_PREFIX') !== '/api/house')
        problems.push('house: SH_API_PREFIX is not /api/house');
      if (house?.value('SH_DISTRIBUTED_ENABLE') !== 'true')
        problems.push('house: SH_DISTRIBUTED_ENABLE is not true');
      problems.push(
        ...pointsAt(release, 'house: SH_SERVER_URL', house?.value('SH_SERVER_URL'), {
          component: 'server',
          port: 3000,
          path: '/api',
        }),
      );
      const bucket = release.main('server')?.value('SS_PRIVATE_STORAGE_BUCKET');
      if (house?.value('SH_MINIO_PRIVATE_BUCKET') !== bucket)
        problems.push('house: SH_MINIO_PRIVATE_BUCKET differs from the server private bucket');
      const clickhouse = release.main('clickhouse');
      const native = clickhouse?.ports.find((p) => p.name === 'native')?.containerPort;
      if (native !== undefined && house?.value('SH_DB_PORT') !== String(native))
        problems.push(`house: SH_DB_PORT is not ClickHouse's native port ${native}`);
      return problems;
    },
  },
  {
    id: 'house.listen',
    fact: 'House listens on port 3000 and answers GET /api/house/health.',
    source: { ...COMPOSE, symbol: 'swanlab-house.healthcheck' },
    check: (release) => listens(release, 'house', 3000, '/api/house/health'),
  },
  {
    id: 'house.metrics-log',
    fact: 'House writes metrics to SH_LOG_PATH on its volume (/data/metrics); the logrotate sidecar rotates that directory and the Fluent Bit sidecar tails it (LOG_PATH) into ClickHouse over HTTP (CLICKHOUSE_PORT), so all three share the volume.',
    source: chart('swanlab-house/deployment.yaml', 'logrotate, fluent-bit'),
    check: (release) => {
      const component = release.component('house');
      if (!component) return [];
      const problems: string[] = [];
      const dir = release
        .main('house')
        ?.value('SH_LOG_PATH')
        ?.replace(/\/[^/]+$/, '');
      const fluentBit = component.container('fluent-bit');
      if (fluentBit?.value('LOG_PATH')?.replace(/\/[^/]+$/, '') !== dir)
        problems.push('house: Fluent Bit does not tail the directory house logs to');
      if (component.container('logrotate')?.value('LOGS_DIRECTORIES') !== dir)
        problems.push('house: logrotate does not rotate the directory house logs to');
      for (const name of ['house', 'logrotate', 'fluent-bit']) {
        const mount = component.container(name)?.mounts.find((m) => m.mountPath === '/data');
        if (!mount) problems.push(`house: container ${name} does not mount the house volume at /data`);
      }
      const http = release.main('clickhouse')?.ports.find((p) => p.name === 'http')?.containerPort;
      if (http !== undefined && fluentBit?.value('CLICKHOUSE_PORT') !== String(http))
        problems.push(`house: Fluent Bit CLICKHOUSE_PORT is not ClickHouse's HTTP port ${http}`);
      return problems;
    },
  },
  {
    id: 'next.env',
    fact: 'SwanLab-Next (port 3000) reaches cloud at CLOUD_URL (:80), the API through the gateway Service (API_URL and API_INTERNAL_URL, :80/api) and the server identity check at API_VERIFIER_URL (:3000/api/identity).',
    source: chart('swanlab-next/deployment.yaml'),
    check: (release) => {
      const next = release.main('next');
      if (!next) return [];
      return [
        ...(next.ports.some((p) => p.containerPort === 3000) ? [] : ['next: no container port 3000']),
        ...pointsAt(release, 'next: CLOUD_URL', next?.value('CLOUD_URL'), {
          component: 'cloud',
          port: 80,
          path: '',
        }),
        ...(['API_URL', 'API_INTERNAL_URL'] as const).flatMap((name) =>
          pointsAt(release, `next: ${name}`, next?.value(name), {
            component: 'gateway',
            port: 80,
            path: '/api',
          }),
        ),
        ...pointsAt(release, 'next: API_VERIFIER_URL', next?.value('API_VERIFIER_URL'), {
          component: 'server',
          port: 3000,
          path: '/api/identity',
        }),
      ];
    },
  },
  {
    id: 'cloud.listen',
    fact: 'SwanLab-Cloud is static files served by nginx on port 80 (GET / answers when up).',
    source: { ...COMPOSE, symbol: 'swanlab-cloud.healthcheck' },
    check: (release) => listens(release, 'cloud', 80, '/'),
  },
  {
    id: 'gateway.routes',
    fact: 'The Traefik gateway routes / to next, /api to server and /api/house to house (both through the identify plugin, whose AuthUrl is the server /api/identity), and with the bundled MinIO /swanlab-private and /swanlab-public to MinIO with the Host header the server signs URLs for.',
    source: chart('gateway/config.yaml', 'dynamic.yaml'),
    check: (release) => {
      const http = gatewayDynamicConfig(release);
      if (!http) return ['gateway: no dynamic configuration'];
      const routers = (http.routers ?? {}) as Record<string, Json>;
      const services = (http.services ?? {}) as Record<string, Json>;
      const target = (rule: string) => {
        const router = Object.values(routers).find((r) => r.rule === rule);
        const service = router && services[String(router.service)];
        return ((service?.loadBalancer as Json | undefined)?.servers as Json[] | undefined)?.[0]?.url as
          | string
          | undefined;
      };
      const problems = [
        ...pointsAt(release, 'gateway: route /', target('PathPrefix(`/`)'), {
          component: 'next',
          port: 80,
          path: '',
        }),
        ...pointsAt(release, 'gateway: route /api', target('PathPrefix(`/api`)'), {
          component: 'server',
          port: 3000,
          path: '',
        }),
        ...pointsAt(release, 'gateway: route /api/house', target('PathPrefix(`/api/house`)'), {
          component: 'house',
          port: 3000,
          path: '',
        }),
      ];
      const middlewares = Object.values((http.middlewares ?? {}) as Record<string, Json>);
      const identify = middlewares.find((m) => (m.plugin as Json | undefined)?.identify);
      const authUrl = ((identify?.plugin as Json | undefined)?.identify as Json | undefined)?.AuthUrl as
        | string
        | undefined;
      problems.push(
        ...pointsAt(release, 'gateway: identify AuthUrl', authUrl, {
          component: 'server',
          port: 3000,
          path: '/api/identity',
        }),
      );
      const server = release.main('server');
      if (server?.value('SS_STORAGE_TYPE') === 'local') {
        const s3 = Object.values(routers).find((r) => String(r.rule).includes(`/${BUNDLED_BUCKETS.private}`));
        if (!s3 || !String(s3.rule).includes(`/${BUNDLED_BUCKETS.public}`))
          problems.push('gateway: no route for the bundled buckets');
        const signed = `${server?.value('SS_PRIVATE_STORAGE_ENDPOINT')}:${server?.value('SS_PRIVATE_STORAGE_PORT')}`;
        const hosts = middlewares.map(
          (m) => ((m.headers as Json | undefined)?.customRequestHeaders as Json | undefined)?.Host,
        );
        if (!hosts.includes(signed))
          problems.push(`gateway: MinIO requests do not carry Host ${signed} the URLs are signed for`);
      }
      return problems;
    },
  },
  {
    id: 'gateway.plugin',
    fact: 'The identify plugin is copied by the identify helper image into an emptyDir that Traefik loads as the local plugin github.com/swanhubx/swanlab-helper/identify from plugins-local/src/<module>.',
    source: chart('gateway/deployment.yaml', 'download-identify'),
    check: (release) => {
      const gateway = release.component('gateway');
      if (!gateway) return ['gateway is not rendered'];
      const staticConfig = parse(release.data('ConfigMap', 'gateway', 'traefik.yaml') ?? '{}') as Json;
      const plugins = ((staticConfig.experimental as Json | undefined)?.localPlugins ?? {}) as Record<
        string,
        Json
      >;
      const module = plugins.identify?.moduleName as string | undefined;
      if (module !== 'github.com/swanhubx/swanlab-helper/identify')
        return ['gateway: identify plugin module not configured'];
      const mounted = gateway
        .container('traefik')
        ?.mounts.some((m) => `${m.mountPath}/identify` === `/plugins-local/src/${module}`);
      return mounted ? [] : ['gateway: the plugin directory is not mounted where Traefik looks for it'];
    },
  },
  {
    id: 'gateway.callers',
    fact: 'The gateway is called from outside (the user load balancer or ingress controller, usually pods) and from inside by next (API_URL), so nothing may shut pods out of it.',
    source: chart('swanlab-next/deployment.yaml', 'API_URL'),
    check: (release) => {
      const policy = release.object('NetworkPolicy', 'gateway');
      const next = release.component('next');
      if (!policy || !next) return [];
      return admitsPods(policy, next.podLabels)
        ? []
        : [
            'gateway: its NetworkPolicy does not admit next (ipBlock peers do not reliably cover pod addresses)',
          ];
    },
  },
  {
    id: 'minio.buckets',
    fact: 'With the bundled MinIO the buckets swanlab-public (anonymous read) and swanlab-private (private) must exist: the chart creates them in a Job, and the frontends and gateway routes use these names.',
    source: chart('s3/deployment.yaml', 'init-buckets'),
    check: (release) => {
      const buckets = minioBuckets(release);
      if (!buckets) return [];
      const server = release.main('server');
      const problems: string[] = [];
      for (const kind of ['PUBLIC', 'PRIVATE']) {
        const bucket = server?.value(`SS_${kind}_STORAGE_BUCKET`);
        if (bucket !== undefined && !buckets.names.has(bucket))
          problems.push(`minio: bucket ${bucket} is never created`);
      }
      const publicBucket = server?.value('SS_PUBLIC_STORAGE_BUCKET');
      if (publicBucket !== undefined && !buckets.publicRead.has(publicBucket))
        problems.push(`minio: bucket ${publicBucket} is not readable anonymously`);
      return problems;
    },
  },
];

export const contract: UpstreamContract = {
  blueprint: 'swanlab',
  upstreamVersion: SWANLAB_VERSION,
  facts,
};
