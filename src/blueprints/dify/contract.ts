/**
 * What Dify 1.13.3, its sandbox 0.2.14 and its plugin daemon 0.5.3 demand of a deployment, read in
 * their sources at those tags, each checked against a rendered release.
 */

import type { ResolvedEnv } from '../../verify/container-env.ts';
import {
  type ContractFact,
  sameSecret,
  type UpstreamContract,
  type UpstreamSource,
} from '../../verify/contract.ts';
import type { ComponentView, ContainerView, ReleaseView } from '../../verify/view.ts';
import { PORTS } from './routes.ts';
import { PROXY_PORT, SANDBOX_PORT } from './sandbox.ts';
import { DIFY_VERSION, PLUGIN_DAEMON_VERSION, SANDBOX_VERSION } from './values.ts';

const dify = (file: string, symbol?: string): UpstreamSource => ({
  repo: 'langgenius/dify',
  ref: DIFY_VERSION,
  file,
  ...(symbol ? { symbol } : {}),
});
const sandbox = (file: string, symbol?: string): UpstreamSource => ({
  repo: 'langgenius/dify-sandbox',
  ref: SANDBOX_VERSION,
  file,
  ...(symbol ? { symbol } : {}),
});
const daemon = (file: string, symbol?: string): UpstreamSource => ({
  repo: 'langgenius/dify-plugin-daemon',
  // The image tag carries a `-local` suffix (the local-runtime build of that release).
  ref: PLUGIN_DAEMON_VERSION.replace(/-local$/, ''),
  file,
  ...(symbol ? { symbol } : {}),
});

/** Capabilities the sandbox's runner uses as root (see the sandbox.privileges fact). */
export const SANDBOX_CAPABILITIES = [
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'KILL',
  'SETGID',
  'SETUID',
  'SYS_CHROOT',
] as const;

/** STORAGE_TYPE values Dify's StorageConfig accepts. */
const STORAGE_TYPES = [
  'opendal',
  's3',
  'aliyun-oss',
  'azure-blob',
  'baidu-obs',
  'clickzetta-volume',
  'google-storage',
  'huawei-obs',
  'oci-storage',
  'tencent-cos',
  'volcengine-tos',
  'supabase',
  'local',
];

type Json = Record<string, unknown>;

/** api, worker, worker-beat and the migration Job: the one image that reads Dify's settings. */
function appComponents(view: ReleaseView): ComponentView[] {
  return view.components.filter(
    (c) => ['api', 'worker', 'worker-beat'].includes(c.name) || c.name.startsWith('migrate-'),
  );
}

const isSet = (entry: ResolvedEnv | undefined): boolean =>
  entry !== undefined && (entry.from !== 'literal' || (entry.value ?? '') !== '');

function missing(container: ContainerView, names: readonly string[], owner: string): string[] {
  return names.filter((n) => !isSet(container.env.get(n))).map((n) => `${owner}: ${n} is not set`);
}

/** `http://<release>-<component>.<namespace>.svc:<port>` (a trailing path is allowed). */
function pointsAt(view: ReleaseView, url: string | undefined, component: string, port: number): boolean {
  if (!url) return false;
  const host = `${view.release}-${component}.${view.namespace}.svc`;
  return new RegExp(`^https?://${host.replace(/\./g, '\\.')}:${port}(/|$)`).test(url);
}

function forEachApp(view: ReleaseView, check: (c: ContainerView, name: string) => string[]): string[] {
  return appComponents(view).flatMap((component) => {
    const container = component.containers[0];
    return container ? check(container, component.name) : [];
  });
}

const facts: ContractFact[] = [
  {
    id: 'api.secret-key',
    fact: 'SECRET_KEY signs sessions and encrypts provider credentials; left empty, each pod generates its own key in its storage directory, so every api-image pod must be given the same key.',
    source: dify('api/configs/feature/__init__.py', 'SecurityConfig.SECRET_KEY'),
    check: (view) => forEachApp(view, (c, name) => missing(c, ['SECRET_KEY'], name)),
  },
  {
    id: 'api.mode',
    fact: "The api image's entrypoint starts gunicorn unless MODE is worker (celery worker over every community queue) or beat (celery beat).",
    source: dify('api/docker/entrypoint.sh'),
    check: (view) =>
      (
        [
          ['api', 'api'],
          ['worker', 'worker'],
          ['worker-beat', 'beat'],
        ] as const
      ).flatMap(([component, mode]) => {
        const container = view.main(component);
        const value = container?.env.get('MODE')?.value;
        return container && value !== mode
          ? [`${component}: MODE is ${value ?? 'unset'}, expected ${mode}`]
          : [];
      }),
  },
  {
    id: 'api.migrations',
    fact: 'With MIGRATION_ENABLED=true (the compose default) the entrypoint migrates the database on every start of every api-image container; several replicas then race, so migrations belong to one Job.',
    source: dify('api/docker/entrypoint.sh'),
    check: (view) => {
      const api = view.main('api');
      if (!api) return [];
      const problems: string[] = [];
      if (api.env.get('MIGRATION_ENABLED')?.value !== 'false')
        problems.push('api: MIGRATION_ENABLED is not false');
      const job = view.components.find((c) => c.kind === 'Job' && c.name.startsWith('migrate-'));
      const command = job?.containers[0]?.command.join(' ') ?? '';
      if (!/^flask (db upgrade|upgrade-db)$/.test(command))
        problems.push('no migration Job runs `flask db upgrade` / `flask upgrade-db`');
      return problems;
    },
  },
  {
    id: 'api.database',
    fact: 'DatabaseConfig builds the SQLAlchemy URI from DB_TYPE, DB_HOST, DB_PORT, DB_USERNAME, DB_PASSWORD, DB_DATABASE and appends DB_EXTRAS as its query string (where sslmode goes).',
    source: dify('api/configs/middleware/__init__.py', 'DatabaseConfig.SQLALCHEMY_DATABASE_URI'),
    check: (view) =>
      forEachApp(view, (c, name) => {
        const problems = missing(
          c,
          ['DB_HOST', 'DB_PORT', 'DB_USERNAME', 'DB_PASSWORD', 'DB_DATABASE'],
          name,
        );
        const type = c.env.get('DB_TYPE')?.value;
        if (type !== 'postgresql')
          problems.push(`${name}: DB_TYPE is ${type ?? 'unset'}, expected postgresql`);
        const extras = c.env.get('DB_EXTRAS')?.value ?? '';
        if (extras.startsWith('?') || extras.startsWith('&'))
          problems.push(`${name}: DB_EXTRAS must be bare key=value pairs (Dify adds the "?")`);
        return problems;
      }),
  },
  {
    id: 'api.redis-and-broker',
    fact: 'RedisConfig reads REDIS_HOST/PORT/USERNAME/PASSWORD/DB/USE_SSL; Celery uses CELERY_BROKER_URL (also the result backend when CELERY_BACKEND=redis) and turns TLS on from its rediss:// scheme alone.',
    source: dify('api/configs/middleware/__init__.py', 'CeleryConfig.BROKER_USE_SSL'),
    check: (view) =>
      forEachApp(view, (c, name) => {
        const problems = missing(
          c,
          ['REDIS_HOST', 'REDIS_PORT', 'REDIS_PASSWORD', 'CELERY_BROKER_URL'],
          name,
        );
        const broker = c.env.get('CELERY_BROKER_URL');
        const tls = c.env.get('REDIS_USE_SSL')?.value === 'true';
        if (broker?.value && broker.value.startsWith('rediss://') !== tls)
          problems.push(`${name}: CELERY_BROKER_URL scheme does not match REDIS_USE_SSL=${tls}`);
        return problems;
      }),
  },
  {
    id: 'api.storage',
    fact: 'STORAGE_TYPE selects the file store (opendal by default, whose fs scheme writes under /app/api/storage); s3 needs S3_BUCKET_NAME and keys, and every api and worker pod must see the same files.',
    source: dify('api/configs/middleware/__init__.py', 'StorageConfig.STORAGE_TYPE'),
    check: (view) =>
      forEachApp(view, (c, name) => {
        const type = c.env.get('STORAGE_TYPE')?.value ?? 'opendal';
        if (!STORAGE_TYPES.includes(type)) return [`${name}: STORAGE_TYPE ${type} is not one Dify accepts`];
        if (type === 's3') {
          const keys =
            c.env.get('S3_USE_AWS_MANAGED_IAM')?.value === 'true' ? [] : ['S3_ACCESS_KEY', 'S3_SECRET_KEY'];
          return missing(c, ['S3_BUCKET_NAME', ...keys], name);
        }
        if (
          type === 'opendal' &&
          (c.env.get('OPENDAL_SCHEME')?.value ?? 'fs') === 'fs' &&
          !name.startsWith('migrate-')
        ) {
          const component = view.component(name);
          if (name === 'worker-beat') return [];
          const mounted = c.mounts.some((m) => m.mountPath === '/app/api/storage');
          if (!mounted)
            return [`${name}: STORAGE_TYPE opendal/fs but nothing is mounted at /app/api/storage`];
          const claim = ((component?.podSpec.volumes as Json[] | undefined) ?? []).find(
            (v) => v.name === c.mounts.find((m) => m.mountPath === '/app/api/storage')?.name,
          )?.persistentVolumeClaim as Json | undefined;
          const apiClaim = (
            ((view.component('api')?.podSpec.volumes as Json[] | undefined) ?? []).find(
              (v) => v.name === 'storage',
            )?.persistentVolumeClaim as Json | undefined
          )?.claimName;
          if (claim && apiClaim && claim.claimName !== apiClaim)
            return [`${name}: mounts ${String(claim.claimName)}, api mounts ${String(apiClaim)}`];
        }
        return [];
      }),
  },
  {
    id: 'api.vector-store',
    fact: 'VECTOR_STORE names the vector database; weaviate reads WEAVIATE_ENDPOINT (and WEAVIATE_API_KEY), qdrant reads QDRANT_URL (and QDRANT_API_KEY).',
    source: dify('api/configs/middleware/__init__.py', 'VectorStoreConfig.VECTOR_STORE'),
    check: (view) =>
      forEachApp(view, (c, name) => {
        const store = c.env.get('VECTOR_STORE')?.value;
        if (!store) return [`${name}: VECTOR_STORE is not set`];
        if (store === 'weaviate') return missing(c, ['WEAVIATE_ENDPOINT'], name);
        if (store === 'qdrant') return missing(c, ['QDRANT_URL'], name);
        return [];
      }),
  },
  {
    id: 'api.code-execution',
    fact: 'Code nodes call CODE_EXECUTION_ENDPOINT (default http://sandbox:8194) with CODE_EXECUTION_API_KEY, which must equal the sandbox API_KEY (the sandbox default is dify-sandbox).',
    source: dify('api/configs/feature/__init__.py', 'CodeExecutionSandboxConfig'),
    check: (view) => {
      const box = view.main('sandbox');
      if (!box) return [];
      return (['api', 'worker'] as const).flatMap((name) => {
        const c = view.main(name);
        if (!c) return [];
        const problems: string[] = [];
        if (!pointsAt(view, c.env.get('CODE_EXECUTION_ENDPOINT')?.value, 'sandbox', SANDBOX_PORT))
          problems.push(
            `${name}: CODE_EXECUTION_ENDPOINT does not point at the sandbox Service on ${SANDBOX_PORT}`,
          );
        if (!sameSecret(c.env.get('CODE_EXECUTION_API_KEY'), box.env.get('API_KEY')))
          problems.push(`${name}: CODE_EXECUTION_API_KEY is not the sandbox's API_KEY`);
        return problems;
      });
    },
  },
  {
    id: 'api.plugin-daemon',
    fact: 'api and worker call PLUGIN_DAEMON_URL with PLUGIN_DAEMON_KEY (the daemon checks it as SERVER_KEY); the daemon calls back DIFY_INNER_API_URL with DIFY_INNER_API_KEY, which api checks as INNER_API_KEY_FOR_PLUGIN.',
    source: dify('api/configs/feature/__init__.py', 'PluginConfig'),
    check: (view) => {
      const d = view.main('plugin-daemon');
      if (!d) return [];
      const problems: string[] = [];
      if (!pointsAt(view, d.env.get('DIFY_INNER_API_URL')?.value, 'api', PORTS.api))
        problems.push('plugin-daemon: DIFY_INNER_API_URL does not point at the api Service');
      for (const name of ['api', 'worker'] as const) {
        const c = view.main(name);
        if (!c) continue;
        if (!pointsAt(view, c.env.get('PLUGIN_DAEMON_URL')?.value, 'plugin-daemon', PORTS['plugin-daemon']))
          problems.push(`${name}: PLUGIN_DAEMON_URL does not point at the plugin-daemon Service`);
        if (!sameSecret(c.env.get('PLUGIN_DAEMON_KEY'), d.env.get('SERVER_KEY')))
          problems.push(`${name}: PLUGIN_DAEMON_KEY is not the daemon's SERVER_KEY`);
        if (!sameSecret(c.env.get('INNER_API_KEY_FOR_PLUGIN'), d.env.get('DIFY_INNER_API_KEY')))
          problems.push(`${name}: INNER_API_KEY_FOR_PLUGIN is not the daemon's DIFY_INNER_API_KEY`);
      }
      return problems;
    },
  },
  {
    id: 'api.plugin-package-size',
    fact: 'api refuses plugin packages above PLUGIN_MAX_PACKAGE_SIZE (default 15 MiB) and the daemon above MAX_PLUGIN_PACKAGE_SIZE (default 50 MiB); compose sets both to 52428800.',
    source: dify('api/configs/feature/__init__.py', 'PluginConfig.PLUGIN_MAX_PACKAGE_SIZE'),
    check: (view) => {
      const api = view.main('api');
      const d = view.main('plugin-daemon');
      if (!api || !d) return [];
      const a = api.env.get('PLUGIN_MAX_PACKAGE_SIZE')?.value;
      const b = d.env.get('MAX_PLUGIN_PACKAGE_SIZE')?.value;
      return a === b
        ? []
        : [`api PLUGIN_MAX_PACKAGE_SIZE ${a} differs from daemon MAX_PLUGIN_PACKAGE_SIZE ${b}`];
    },
  },
  {
    id: 'api.ssrf-proxy',
    fact: 'Outbound requests with user-controlled URLs (HTTP nodes, tools, remote files) go through SSRF_PROXY_HTTP_URL / SSRF_PROXY_HTTPS_URL (compose: the squid ssrf_proxy on 3128).',
    source: dify('docker/docker-compose.yaml', 'x-shared-env.SSRF_PROXY_HTTP_URL'),
    check: (view) =>
      (['api', 'worker'] as const).flatMap((name) => {
        const c = view.main(name);
        if (!c || !view.component('ssrf-proxy')) return [];
        return ['SSRF_PROXY_HTTP_URL', 'SSRF_PROXY_HTTPS_URL']
          .filter((v) => !pointsAt(view, c.env.get(v)?.value, 'ssrf-proxy', PROXY_PORT))
          .map((v) => `${name}: ${v} does not point at the ssrf-proxy Service`);
      }),
  },
  {
    id: 'api.files-url',
    fact: 'FILES_URL is the public base of signed file links (falls back to CONSOLE_API_URL); INTERNAL_FILES_URL is what the plugin daemon and workers use inside the network.',
    source: dify('api/configs/feature/__init__.py', 'FileAccessConfig'),
    check: (view) => forEachApp(view, (c, name) => missing(c, ['FILES_URL', 'INTERNAL_FILES_URL'], name)),
  },
  {
    id: 'worker-beat.single-scheduler',
    fact: 'MODE=beat runs celery beat, which enqueues every periodic task it schedules; two beats at once (a second replica, or a rolling update that surges) run each task twice.',
    source: dify('api/docker/entrypoint.sh'),
    check: (view) => {
      const beat = view.component('worker-beat');
      if (!beat) return [];
      const spec = beat.workload.spec as Json;
      const problems: string[] = [];
      if (spec.replicas !== 1) problems.push(`worker-beat: replicas ${String(spec.replicas)}, must be 1`);
      if ((spec.strategy as Json | undefined)?.type !== 'Recreate')
        problems.push('worker-beat: strategy is not Recreate, a rollout starts a second beat');
      return problems;
    },
  },
  {
    id: 'sandbox.privileges',
    fact: "The sandbox runs as root: at start it adds a `sandbox` user (useradd) and writes /var/sandbox and /opt; per run it chowns the script to a pooled uid, and the child chroots, sets no_new_privs, loads its own seccomp filter and setuid/setgid to that uid; the server kills children that overrun. Docker's default capabilities cover it; no privileged mode.",
    source: sandbox('internal/core/lib/python/add_seccomp.go', 'InitSeccomp'),
    check: (view) => {
      const c = view.main('sandbox');
      if (!c) return [];
      const sc = c.securityContext;
      const add = ((sc.capabilities as Json | undefined)?.add as string[] | undefined) ?? [];
      const problems = SANDBOX_CAPABILITIES.filter((cap) => !add.includes(cap)).map(
        (cap) => `sandbox: capability ${cap} is not added`,
      );
      if (sc.runAsNonRoot !== false || sc.runAsUser !== 0) problems.push('sandbox: does not run as root');
      if (sc.privileged === true) problems.push('sandbox: privileged, more than it needs');
      if ((sc.seccompProfile as Json | undefined)?.type === 'Unconfined')
        problems.push(
          'sandbox: seccomp Unconfined, more than it needs (chroot and seccomp() pass RuntimeDefault)',
        );
      return problems;
    },
  },
  {
    id: 'sandbox.settings',
    fact: 'The sandbox reads API_KEY (default dify-sandbox), SANDBOX_PORT (default 8194), WORKER_TIMEOUT, ENABLE_NETWORK and HTTP(S)_PROXY from its environment over conf/config.yaml.',
    source: sandbox('internal/static/config.go', 'InitConfig'),
    check: (view) => {
      const c = view.main('sandbox');
      if (!c) return [];
      const problems = missing(c, ['API_KEY'], 'sandbox');
      const port = Number(c.env.get('SANDBOX_PORT')?.value ?? SANDBOX_PORT);
      if (!c.ports.some((p) => p.containerPort === port))
        problems.push(`sandbox: listens on ${port} but declares no such port`);
      if (c.env.get('ENABLE_NETWORK')?.value === 'true' && view.component('ssrf-proxy'))
        for (const v of ['HTTP_PROXY', 'HTTPS_PROXY'])
          if (!pointsAt(view, c.env.get(v)?.value, 'ssrf-proxy', PROXY_PORT))
            problems.push(`sandbox: ${v} does not point at the ssrf-proxy Service`);
      return problems;
    },
  },
  {
    id: 'plugin-daemon.required-settings',
    fact: 'The daemon refuses to start without SERVER_KEY, DIFY_INNER_API_URL, DIFY_INNER_API_KEY, DB_USERNAME, DB_PASSWORD, DB_HOST, DB_PORT and DB_DATABASE (the rest have defaults).',
    source: daemon('internal/types/app/config.go', 'Config'),
    check: (view) => {
      const c = view.main('plugin-daemon');
      if (!c) return [];
      return missing(
        c,
        [
          'SERVER_KEY',
          'DIFY_INNER_API_URL',
          'DIFY_INNER_API_KEY',
          'DB_USERNAME',
          'DB_PASSWORD',
          'DB_HOST',
          'DB_PORT',
          'DB_DATABASE',
        ],
        'plugin-daemon',
      );
    },
  },
  {
    id: 'plugin-daemon.db-ssl-mode',
    fact: 'DB_SSL_MODE is validated as one of disable or require; any other value (verify-ca, verify-full) stops the daemon at start.',
    source: daemon('internal/types/app/config.go', 'Config.DBSslMode'),
    check: (view) => {
      const mode = view.main('plugin-daemon')?.env.get('DB_SSL_MODE')?.value;
      return mode === undefined || ['disable', 'require'].includes(mode)
        ? []
        : [`plugin-daemon: DB_SSL_MODE ${mode} is not disable or require`];
    },
  },
  {
    id: 'plugin-daemon.creates-database',
    fact: 'On start the daemon connects to DB_DEFAULT_DATABASE (postgres) and creates DB_DATABASE if it is missing, so its user needs CREATEDB or the database must exist.',
    source: daemon('internal/db/pg/pg.go'),
  },
  {
    id: 'plugin-daemon.local-storage',
    fact: 'With PLUGIN_STORAGE_TYPE=local the daemon keeps packages and installed plugins under PLUGIN_STORAGE_LOCAL_ROOT and runs them from PLUGIN_WORKING_PATH; both must be writable and survive restarts.',
    source: daemon('internal/types/app/config.go', 'Config.PluginStorageLocalRoot'),
    check: (view) => {
      const c = view.main('plugin-daemon');
      if (!c || (c.env.get('PLUGIN_STORAGE_TYPE')?.value ?? 'local') !== 'local') return [];
      return ['PLUGIN_STORAGE_LOCAL_ROOT', 'PLUGIN_WORKING_PATH'].flatMap((v) => {
        const path = c.env.get(v)?.value;
        return path && c.mounts.some((m) => path === m.mountPath || path.startsWith(`${m.mountPath}/`))
          ? []
          : [`plugin-daemon: ${v} (${path ?? 'unset'}) is not on a mounted volume`];
      });
    },
  },
  {
    id: 'migrate.reaches-databases',
    fact: 'The migration command boots the Flask app, which connects to PostgreSQL and Redis before it migrates.',
    source: dify('api/docker/entrypoint.sh'),
    check: (view) => {
      const job = view.components.find((c) => c.kind === 'Job' && c.name.startsWith('migrate-'));
      if (!job) return [];
      return ['postgresql', 'redis'].flatMap((target) => {
        const policy = view.objects.find(
          (o) =>
            o.kind === 'NetworkPolicy' &&
            ((o.spec as Json).podSelector as Json | undefined)?.matchLabels !== undefined &&
            (((o.spec as Json).podSelector as Json).matchLabels as Json)['app.kubernetes.io/component'] ===
              target,
        );
        if (!policy) return [];
        const rules = (((policy.spec as Json).ingress as Json[] | undefined) ?? []).flatMap(
          (r) => (r.from as Json[] | undefined) ?? [{}],
        );
        const admitted = rules.some((peer) => {
          if (peer.ipBlock || peer.namespaceSelector) return false;
          const labels = ((peer.podSelector as Json | undefined)?.matchLabels as Json | undefined) ?? {};
          return Object.entries(labels).every(([k, v]) => job.podLabels[k] === v);
        });
        return admitted ? [] : [`${job.name}: the ${target} NetworkPolicy does not admit the migration Job`];
      });
    },
  },
  {
    id: 'ingress.streaming-and-uploads',
    fact: "Chat and workflow responses stream as server-sent events for minutes and uploads reach UPLOAD_FILE_SIZE_LIMIT; compose's nginx sets client_max_body_size 100M, proxy read/send timeouts 3600s and no buffering, which an ingress-nginx Ingress needs as annotations.",
    source: dify('docker/docker-compose.yaml', 'services.nginx.environment'),
    check: (view) => {
      const ingress = view.objects.find((o) => o.kind === 'Ingress');
      if (!ingress) return [];
      const className = String((ingress.spec as Json).ingressClassName ?? '');
      if (className && !className.includes('nginx')) return [];
      const annotations = ingress.metadata.annotations ?? {};
      const a = (name: string) => annotations[`nginx.ingress.kubernetes.io/${name}`];
      const problems: string[] = [];
      if (!a('proxy-body-size'))
        problems.push('Ingress: no proxy-body-size (ingress-nginx cuts bodies at 1m)');
      if (a('proxy-buffering') !== 'off')
        problems.push('Ingress: proxy-buffering is not off (buffers SSE streams)');
      if (Number(a('proxy-read-timeout') ?? 60) < 600)
        problems.push('Ingress: proxy-read-timeout under 600s (cuts long streaming responses)');
      return problems;
    },
  },
];

export const contract: UpstreamContract = {
  blueprint: 'dify',
  upstreamVersion: DIFY_VERSION,
  facts,
};
