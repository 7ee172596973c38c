/**
 * What Langfuse's own source demands at the pinned version (langfuse/langfuse v3.225.4): the
 * settings its env schemas require and their formats, what its entrypoint and ClickHouse migration
 * script do with them, its ports, user and health endpoints. Facts are written in our own words;
 * each names the file it was read from.
 */
import type { ContractFact, UpstreamContract } from '../../verify/contract.ts';
import type { ComponentView, ContainerView, ReleaseView } from '../../verify/view.ts';
import { LANGFUSE_VERSION } from './values.ts';

const REPO = 'langfuse/langfuse';
const REF = `v${LANGFUSE_VERSION}`;
const source = (file: string, symbol?: string) => ({
  repo: REPO,
  ref: REF,
  file,
  ...(symbol ? { symbol } : {}),
});

const APPS = ['web', 'worker'] as const;

/** The main container of each rendered application component. */
function apps(release: ReleaseView, only: readonly string[] = APPS): [ComponentView, ContainerView][] {
  return only.flatMap((name) => {
    const component = release.component(name);
    const container = component?.container(name);
    return component && container ? [[component, container] as [ComponentView, ContainerView]] : [];
  });
}

/** A variable's value with the kubelet's $(VAR) references filled in from the same container. */
function expanded(container: ContainerView, name: string): string | undefined {
  const raw = container.env.get(name)?.value;
  return raw?.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (ref, inner: string) =>
    container.env.has(inner) ? `<${inner}>` : ref,
  );
}

/** Problems when a variable is not set at all (a literal, or read from any Secret/ConfigMap). */
function requireEnv(release: ReleaseView, names: readonly string[], only?: readonly string[]): string[] {
  return apps(release, only).flatMap(([component, container]) =>
    names.filter((name) => !container.env.has(name)).map((name) => `${component.name}: ${name} is not set`),
  );
}

/** The containers that run the ClickHouse migrations: a Job running the web entrypoint, or the web. */
function clickhouseMigrators(release: ReleaseView): [string, ContainerView][] {
  const jobs = release.components
    .filter((c) => c.kind === 'Job')
    .flatMap((c) =>
      c.containers
        .filter((k) => k.command.includes('./web/entrypoint.sh'))
        .map((k) => [c.name, k] as [string, ContainerView]),
    );
  const web = apps(release, ['web'])
    .filter(([, container]) => flagValue(container, 'LANGFUSE_AUTO_CLICKHOUSE_MIGRATION_DISABLED') !== 'true')
    .map(([component, container]) => [component.name, container] as [string, ContainerView]);
  return [...jobs, ...web];
}

function flagValue(container: ContainerView, name: string): string | undefined {
  return container.env.get(name)?.value;
}

/** Buckets the bundled MinIO has: folders made before the server starts, plus `mc mb` in its Job. */
function minioBuckets(release: ReleaseView): Set<string> | undefined {
  const server = release.component('minio')?.container('minio');
  if (!server) return undefined;
  const scripts = [...server.command, ...server.args].join(' ');
  const names = [...scripts.matchAll(/\/data\/([\w.-]+)/g)].map((m) => m[1]!);
  const job = release.component('minio-buckets')?.containers[0];
  if (job) names.push(...[...job.args.join('\n').matchAll(/mc mb \S+ \w+\/([\w.-]+)/g)].map((m) => m[1]!));
  return new Set(names);
}

const facts: ContractFact[] = [
  {
    id: 'app.encryption-key-format',
    fact: 'ENCRYPTION_KEY must be exactly 64 characters (256 bits written as hex); the env schema rejects any other length at start.',
    source: source('packages/shared/src/env.ts', 'ENCRYPTION_KEY'),
    check: (release) => [
      ...requireEnv(release, ['ENCRYPTION_KEY']),
      ...apps(release).flatMap(([component, container]) => {
        const value = container.env.get('ENCRYPTION_KEY')?.value;
        return value !== undefined && value.length !== 64
          ? [`${component.name}: ENCRYPTION_KEY is ${value.length} characters, not 64`]
          : [];
      }),
    ],
  },
  {
    id: 'web.required-secrets',
    fact: 'The web refuses to start in production without NEXTAUTH_SECRET and SALT (used to hash API keys).',
    source: source('web/src/env.mjs', 'NEXTAUTH_SECRET, SALT'),
    check: (release) => requireEnv(release, ['NEXTAUTH_SECRET', 'SALT'], ['web']),
  },
  {
    id: 'app.database-url',
    fact: 'Both images need a postgresql:// DATABASE_URL; the entrypoint builds one from DATABASE_HOST/USERNAME/PASSWORD/NAME (plus ?DATABASE_ARGS) only when DATABASE_URL is empty, and uses it as DIRECT_URL for migrations.',
    source: source('web/entrypoint.sh'),
    check: (release) =>
      apps(release).flatMap(([component, container]) => {
        const url = expanded(container, 'DATABASE_URL');
        if (url === undefined)
          return container.env.has('DATABASE_URL') ? [] : [`${component.name}: DATABASE_URL is not set`];
        const problems: string[] = [];
        if (!/^postgres(ql)?:\/\//.test(url))
          problems.push(`${component.name}: DATABASE_URL is not a postgresql:// URL`);
        if (/\$\(/.test(url))
          problems.push(`${component.name}: DATABASE_URL refers to a variable the container does not define`);
        if ((url.match(/\?/g) ?? []).length > 1)
          problems.push(`${component.name}: DATABASE_URL has two query strings`);
        return problems;
      }),
  },
  {
    id: 'app.clickhouse-url',
    fact: 'CLICKHOUSE_URL (the HTTP interface, http:// or https://), CLICKHOUSE_USER and CLICKHOUSE_PASSWORD are required by the shared env schema.',
    source: source('packages/shared/src/env.ts', 'CLICKHOUSE_URL'),
    check: (release) => [
      ...requireEnv(release, ['CLICKHOUSE_URL', 'CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD']),
      ...apps(release).flatMap(([component, container]) => {
        const url = container.env.get('CLICKHOUSE_URL')?.value;
        return url !== undefined && !/^https?:\/\/[^/?]+/.test(url)
          ? [`${component.name}: CLICKHOUSE_URL ${url} is not an http(s) URL`]
          : [];
      }),
    ],
  },
  {
    id: 'web.clickhouse-migration-url',
    fact: "The ClickHouse migration script appends its own '?username=…&password=…' query to CLICKHOUSE_MIGRATION_URL (a clickhouse:// native-protocol URL), so the URL must carry no query of its own; TLS is asked for with CLICKHOUSE_MIGRATION_SSL=true.",
    source: source('packages/shared/clickhouse/scripts/up.sh'),
    check: (release) =>
      clickhouseMigrators(release).flatMap(([name, container]) => {
        const url = container.env.get('CLICKHOUSE_MIGRATION_URL')?.value;
        if (url === undefined) return [`${name}: CLICKHOUSE_MIGRATION_URL is not set`];
        const problems: string[] = [];
        if (!url.startsWith('clickhouse://'))
          problems.push(`${name}: CLICKHOUSE_MIGRATION_URL is not clickhouse://`);
        if (url.includes('?'))
          problems.push(
            `${name}: CLICKHOUSE_MIGRATION_URL ${url} has a query string; the migration script appends '?…' and the URL breaks`,
          );
        const secure = container.env.get('CLICKHOUSE_URL')?.value?.startsWith('https://');
        if (secure && flagValue(container, 'CLICKHOUSE_MIGRATION_SSL') !== 'true')
          problems.push(`${name}: ClickHouse is reached over TLS but CLICKHOUSE_MIGRATION_SSL is not true`);
        return problems;
      }),
  },
  {
    id: 'app.clickhouse-cluster-enabled',
    fact: "CLICKHOUSE_CLUSTER_ENABLED defaults to true, and the migration script runs the clustered (ON CLUSTER, Replicated*) migrations unless it is exactly 'false', so a single node must set it to false.",
    source: source('packages/shared/src/env.ts', 'CLICKHOUSE_CLUSTER_ENABLED'),
    check: (release) =>
      apps(release).flatMap(([component, container]) => {
        const value = flagValue(container, 'CLICKHOUSE_CLUSTER_ENABLED');
        if (value !== 'true' && value !== 'false')
          return [
            `${component.name}: CLICKHOUSE_CLUSTER_ENABLED is ${value ?? 'unset'}, must be true or false`,
          ];
        return value === 'true' && release.component('clickhouse')
          ? [
              `${component.name}: the bundled single-node ClickHouse runs with CLICKHOUSE_CLUSTER_ENABLED=true`,
            ]
          : [];
      }),
  },
  {
    id: 'web.clickhouse-cluster-name',
    fact: "The clustered ClickHouse migrations are written 'ON CLUSTER default'; automatic migrations on a cluster of another name fail.",
    source: source('packages/shared/clickhouse/migrations/clustered/0001_traces.up.sql'),
    check: (release) =>
      clickhouseMigrators(release).flatMap(([name, container]) =>
        flagValue(container, 'CLICKHOUSE_CLUSTER_ENABLED') === 'true' &&
        (flagValue(container, 'CLICKHOUSE_CLUSTER_NAME') ?? 'default') !== 'default' &&
        flagValue(container, 'LANGFUSE_AUTO_CLICKHOUSE_MIGRATION_DISABLED') !== 'true'
          ? [`${name}: automatic ClickHouse migrations need the cluster to be named default`]
          : [],
      ),
  },
  {
    id: 'app.redis',
    fact: 'Redis is reached through REDIS_CONNECTION_STRING or REDIS_HOST/REDIS_PORT/REDIS_AUTH (REDIS_USERNAME optional); REDIS_TLS_ENABLED is the string true or false and adds TLS to either form.',
    source: source('packages/shared/src/server/redis/redis.ts', 'createNewRedisInstance'),
    check: (release) =>
      apps(release).flatMap(([component, container]) => {
        const problems: string[] = [];
        if (!container.env.has('REDIS_CONNECTION_STRING') && !container.env.has('REDIS_HOST'))
          problems.push(`${component.name}: neither REDIS_CONNECTION_STRING nor REDIS_HOST is set`);
        const tls = flagValue(container, 'REDIS_TLS_ENABLED');
        if (tls !== undefined && tls !== 'true' && tls !== 'false')
          problems.push(`${component.name}: REDIS_TLS_ENABLED is ${tls}, must be true or false`);
        return problems;
      }),
  },
  {
    id: 'app.s3-event-bucket',
    fact: 'LANGFUSE_S3_EVENT_UPLOAD_BUCKET is required: every ingested event is written to it before processing.',
    source: source('worker/src/env.ts', 'LANGFUSE_S3_EVENT_UPLOAD_BUCKET'),
    check: (release) => requireEnv(release, ['LANGFUSE_S3_EVENT_UPLOAD_BUCKET']),
  },
  {
    id: 'minio.buckets-exist',
    fact: 'Langfuse never creates buckets (its storage service only reads, writes and lists objects), so every bucket it is configured with — event upload, media upload and, when enabled, batch export — must exist beforehand.',
    source: source('packages/shared/src/server/services/StorageService.ts'),
    check: (release) => {
      const buckets = minioBuckets(release);
      if (!buckets) return [];
      return apps(release).flatMap(([component, container]) => {
        const used = ['EVENT_UPLOAD', 'MEDIA_UPLOAD', 'BATCH_EXPORT']
          .filter(
            (kind) =>
              kind !== 'BATCH_EXPORT' || flagValue(container, 'LANGFUSE_S3_BATCH_EXPORT_ENABLED') === 'true',
          )
          .map((kind) => container.env.get(`LANGFUSE_S3_${kind}_BUCKET`)?.value)
          .filter((bucket): bucket is string => bucket !== undefined);
        return [...new Set(used)]
          .filter((bucket) => !buckets.has(bucket))
          .map((bucket) => `${component.name}: bucket ${bucket} is never created in the bundled MinIO`);
      });
    },
  },
  {
    id: 'app.listen',
    fact: "The web serves on PORT 3000 and the worker on 3030, both bound to HOSTNAME (0.0.0.0 wanted; Kubernetes sets HOSTNAME to the pod name, which Next.js's standalone server would bind to).",
    source: source('web/Dockerfile', 'ENV PORT 3000; worker/Dockerfile EXPOSE 3030'),
    check: (release) =>
      apps(release).flatMap(([component, container]) => {
        const expected = component.name === 'web' ? 3000 : 3030;
        const problems: string[] = [];
        const port = Number(flagValue(container, 'PORT') ?? expected);
        if (port !== expected)
          problems.push(`${component.name}: PORT is ${port}, the image serves on ${expected}`);
        if (!container.ports.some((p) => p.containerPort === port))
          problems.push(`${component.name}: no container port ${port}`);
        if (flagValue(container, 'HOSTNAME') !== '0.0.0.0')
          problems.push(
            `${component.name}: HOSTNAME is not 0.0.0.0, the server would bind the pod name only`,
          );
        return problems;
      }),
  },
  {
    id: 'app.user',
    fact: 'Both images run as a system user with uid 1001 (nextjs in the web, expressjs in the worker) and need no capabilities.',
    source: source('web/Dockerfile', 'ARG UID=1001'),
    check: (release) =>
      apps(release).flatMap(([component, container]) => {
        const uid =
          (container.securityContext.runAsUser as number | undefined) ??
          ((component.podSpec.securityContext as Record<string, unknown> | undefined)?.runAsUser as
            | number
            | undefined);
        return uid === 1001 ? [] : [`${component.name}: runs as uid ${uid ?? 'image default'}, not 1001`];
      }),
  },
  {
    id: 'app.health',
    fact: 'The web answers GET /api/public/health (liveness) and /api/public/ready (fails once SIGTERM arrived); the worker mounts its router at /api and answers GET /api/health.',
    source: source('worker/src/api/index.ts', '/health; web/src/pages/api/public/ready.ts'),
    check: (release) =>
      apps(release).flatMap(([component, container]) => {
        const allowed =
          component.name === 'web' ? ['/api/public/health', '/api/public/ready'] : ['/api/health'];
        return ['startupProbe', 'readinessProbe', 'livenessProbe'].flatMap((probe) => {
          const path = (
            (container.spec[probe] as Record<string, unknown> | undefined)?.httpGet as
              | Record<string, unknown>
              | undefined
          )?.path as string | undefined;
          return path !== undefined && !allowed.includes(path.split('?')[0]!)
            ? [`${component.name}: ${probe} GET ${path} is not a health endpoint of the image`]
            : [];
        });
      }),
  },
  {
    id: 'app.nextauth-url',
    fact: 'NEXTAUTH_URL, when set, must be an absolute URL (the env schema validates it); it is the public address links and OAuth callbacks use.',
    source: source('packages/shared/src/env.ts', 'NEXTAUTH_URL'),
    check: (release) =>
      apps(release).flatMap(([component, container]) => {
        const url = flagValue(container, 'NEXTAUTH_URL');
        return url !== undefined && !URL.canParse(url)
          ? [`${component.name}: NEXTAUTH_URL ${url} is not a URL`]
          : [];
      }),
  },
  {
    id: 'web.migrations',
    fact: 'The web entrypoint (not the worker) runs the Postgres migrations (prisma migrate deploy) and then the ClickHouse migrations (golang-migrate, whose ClickHouse driver locks only within one process) before exec-ing its arguments, unless LANGFUSE_AUTO_POSTGRES_MIGRATION_DISABLED / LANGFUSE_AUTO_CLICKHOUSE_MIGRATION_DISABLED are true; several replicas starting together would migrate concurrently.',
    source: source('web/entrypoint.sh'),
    check: (release) => {
      const [entry] = apps(release, ['web']);
      if (!entry) return [];
      const [web, container] = entry;
      const job = release.components.some(
        (c) => c.kind === 'Job' && c.containers.some((k) => k.command.includes('./web/entrypoint.sh')),
      );
      const webMigrates = ['POSTGRES', 'CLICKHOUSE'].some(
        (db) => flagValue(container, `LANGFUSE_AUTO_${db}_MIGRATION_DISABLED`) !== 'true',
      );
      const replicas = (web.workload.spec as Record<string, unknown>).replicas;
      const scaled = release.objects.some(
        (o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === web.workload.metadata.name,
      );
      if (!job && !webMigrates) return ['web: nothing runs the migrations'];
      if (webMigrates && (job || scaled || replicas !== 1))
        return ['web: every web replica runs the migrations at start, concurrently with the others'];
      return [];
    },
  },
];

export const contract: UpstreamContract = {
  blueprint: 'langfuse',
  upstreamVersion: LANGFUSE_VERSION,
  facts,
};
