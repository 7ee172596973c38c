/** CSGHub's backing services: PostgreSQL, Redis, object storage and a registry (bundled or external), NATS and Gitaly. */
import { objectName, type RenderContext } from '../../render/context.ts';
import type { ComponentSpec, ConfigMapSpec, SecretSpec } from '../../render/model.ts';
import { templatedConfig } from '../shared/config-template.ts';
import { bundledDependencies, serviceHost, statefulDependency } from '../shared/dependency.ts';
import { type EnvSource, env } from '../shared/env.ts';
import { bundledMinio } from '../shared/minio.ts';
import { bundledPostgres } from '../shared/postgresql.ts';
import { bundledRedis } from '../shared/redis.ts';
import { bundledRegistry } from '../shared/registry.ts';
import type { CsghubAccess } from './access.ts';
import type { CsghubValues } from './values.ts';

export interface CsghubBackends {
  readonly postgres: {
    readonly host: string;
    readonly port: number;
    readonly username: EnvSource;
    readonly password: EnvSource;
    readonly databases: {
      readonly server: string;
      readonly portal: string;
      readonly casdoor: string;
      readonly temporal: string;
      readonly temporalVisibility: string;
    };
  };
  readonly redis: { readonly host: string; readonly port: number; readonly password: EnvSource };
  readonly s3: {
    /** host[:port] the browser and the runner reach; CSGHub signs download links for it. */
    readonly endpoint: string;
    readonly ssl: boolean;
    readonly region: string;
    readonly accessKey: EnvSource;
    readonly secretKey: EnvSource;
    readonly buckets: { readonly server: string; readonly portal: string; readonly git: string };
  };
  readonly registry: {
    /** Address nodes pull space images from and the builder pushes to. */
    readonly address: string;
    readonly namespace: string;
    readonly username: EnvSource;
    readonly password: EnvSource;
    /** Served over plain HTTP (the bundled registry without ingress TLS): pushes need --insecure-registry. */
    readonly plainHttp: boolean;
  };
  readonly nats: { readonly host: string; readonly username: EnvSource; readonly password: EnvSource };
  readonly gitaly: { readonly address: string; readonly token: EnvSource };
  /** host:port of the Temporal frontend the workflow workers dial. */
  readonly temporal: { readonly endpoint: string };
  readonly components: readonly ComponentSpec[];
  readonly secrets: readonly SecretSpec[];
  readonly configMaps: readonly ConfigMapSpec[];
}

/** Components of CSGHub that talk to each backend (NetworkPolicy callers). */
const SERVER_FAMILY = ['server', 'user', 'accounting', 'mirror', 'runner', 'proxy'];
const CALLERS = {
  postgresql: [...SERVER_FAMILY, 'portal', 'casdoor', 'temporal', 'create-databases', 'migrate', 'seed'],
  redis: [...SERVER_FAMILY, 'builder'],
  minio: [...SERVER_FAMILY, 'portal'],
  registry: ['builder', 'runner'],
  nats: SERVER_FAMILY,
  gitaly: [...SERVER_FAMILY, 'gitlab-shell'],
};

/** A key of an integration's existing Secret. */
function fromSecret<Key extends string>(
  integration: { readonly existingSecret: string; readonly secretKeys: Record<Key, string> },
  key: Key,
): EnvSource {
  return { secret: integration.existingSecret, key: integration.secretKeys[key] };
}

export function csghubBackends(
  values: CsghubValues,
  ctx: RenderContext,
  access: CsghubAccess,
): CsghubBackends {
  const { integrations: ext, dependencies: deps } = values;
  const { components, secrets, use } = bundledDependencies();
  const configMaps: ConfigMapSpec[] = [];

  const postgres = ext.postgresql.enabled
    ? {
        host: ext.postgresql.host,
        port: ext.postgresql.port,
        username: fromSecret(ext.postgresql, 'username'),
        password: fromSecret(ext.postgresql, 'password'),
        databases: ext.postgresql.databases,
      }
    : (() => {
        const databases = {
          server: 'csghub_server',
          portal: 'csghub_portal',
          casdoor: 'casdoor',
          temporal: 'temporal',
          temporalVisibility: 'temporal_visibility',
        };
        const pg = use(
          bundledPostgres(ctx, deps.postgresql, {
            database: databases.server,
            username: 'csghub',
            allowFrom: CALLERS.postgresql,
          }),
        );
        return { host: pg.host, port: pg.port, username: pg.username, password: pg.password, databases };
      })();

  const redis = ext.redis.enabled
    ? {
        host: ext.redis.host,
        port: ext.redis.port,
        password: fromSecret(ext.redis, 'password'),
      }
    : use(bundledRedis(ctx, deps.redis, { allowFrom: CALLERS.redis }));

  const s3 = ext.s3.enabled
    ? {
        endpoint: ext.s3.endpoint.replace(/^https?:\/\//, ''),
        ssl: ext.s3.ssl,
        region: ext.s3.region,
        accessKey: fromSecret(ext.s3, 'accessKey'),
        secretKey: fromSecret(ext.s3, 'secretKey'),
        buckets: ext.s3.buckets,
      }
    : (() => {
        const buckets = { server: 'csghub-server', portal: 'csghub-portal', git: 'csghub-git' };
        const minio = use(
          bundledMinio(ctx, deps.minio, {
            buckets: Object.values(buckets).map((name) => ({ name })),
            allowFrom: CALLERS.minio,
          }),
        );
        // Download links are signed for the public MinIO host, as the chart does.
        return {
          ...minio,
          endpoint: access.hostWithPort('minio'),
          ssl: access.tls,
          region: 'cn-north-1',
          buckets,
        };
      })();

  const registry = ext.registry.enabled
    ? {
        address: ext.registry.host.replace(/^https?:\/\//, ''),
        namespace: ext.registry.namespace,
        username: fromSecret(ext.registry, 'username'),
        password: fromSecret(ext.registry, 'password'),
        plainHttp: false,
      }
    : (() => {
        const bundled = use(
          bundledRegistry(ctx, deps.registry, {
            username: 'csghub',
            allowFrom: CALLERS.registry,
            htpasswdImage: deps.registry.htpasswdImage,
          }),
        );
        // Nodes pull space images through the registry's public host, so that is the address images carry.
        return {
          address: access.hostWithPort('registry'),
          namespace: 'csghub',
          username: bundled.username,
          password: bundled.password,
          plainHttp: !access.tls,
        };
      })();

  const nats = natsServer(values, ctx);
  components.push(nats.component);
  secrets.push(nats.secret);
  configMaps.push(nats.configMap);

  const gitaly = gitalyServer(values, ctx);
  components.push(gitaly.component);
  configMaps.push(gitaly.configMap);

  const temporal = {
    endpoint: ext.temporal.enabled
      ? `${ext.temporal.host}:${ext.temporal.port}`
      : `${serviceHost(ctx, 'temporal')}:7233`,
  };

  return {
    postgres,
    redis,
    s3,
    registry,
    nats: nats.connection,
    gitaly: gitaly.connection,
    temporal,
    components,
    secrets,
    configMaps,
  };
}

/** NATS with JetStream on its volume; the config reads the credentials from the environment. */
function natsServer(values: CsghubValues, ctx: RenderContext) {
  const name = 'nats';
  const secret = objectName(ctx, name);
  const username: EnvSource = { secret, key: 'username' };
  const password: EnvSource = { secret, key: 'password' };
  const config = [
    'port: 4222',
    'monitor_port: 8222',
    'jetstream: enabled',
    'jetstream {',
    '  store_dir: /data/jetstream',
    '  max_mem: 8G',
    '  max_file: 10G',
    '}',
    'authorization {',
    '  users = [',
    '    { user: $NATS_USERNAME, password: $NATS_PASSWORD }',
    '  ]',
    '}',
    '',
  ].join('\n');
  const base = statefulDependency({
    name,
    values: values.dependencies.nats,
    uid: 1000,
    dataPath: '/data/jetstream',
    allowFrom: CALLERS.nats,
    container: {
      name,
      args: ['--config', '/etc/nats/nats-server.conf'],
      env: [env('NATS_USERNAME', username), env('NATS_PASSWORD', password)],
      ports: [
        { name: 'api', containerPort: 4222 },
        { name: 'cluster', containerPort: 6222 },
        { name: 'monitor', containerPort: 8222 },
      ],
      probes: {
        readiness: { http: { path: '/healthz?js-enabled-only=true', port: 'monitor' }, periodSeconds: 5 },
        liveness: {
          http: { path: '/healthz?js-enabled-only=true', port: 'monitor' },
          initialDelaySeconds: 10,
        },
      },
    },
  });
  const component: ComponentSpec = {
    ...base,
    containers: base.containers.map((c) => ({ ...c, volumeMounts: [...(c.volumeMounts ?? []), 'config'] })),
    volumes: [
      ...(base.volumes ?? []),
      { name: 'config', mountPath: '/etc/nats', configMap: objectName(ctx, name), readOnly: true },
    ],
    rollOn: { configMaps: [name], secrets: [name] },
  };
  return {
    component,
    secret: {
      name,
      generated: { password: { kind: 'alphanumeric', length: 32 } },
      fixed: { username: 'natsadmin' },
    } satisfies SecretSpec,
    configMap: { name, data: { 'nats-server.conf': config } } satisfies ConfigMapSpec,
    connection: { host: serviceHost(ctx, name), username, password },
  };
}

/**
 * Gitaly, the Git storage; its auth token comes from the application Secret. Its hooks call the
 * server's internal API with a JWT signed by `[gitlab] secret`, which the server checks with
 * STARHUB_SERVER_GITALY_JWT_SECRET: both read the application Secret's `gitlab-shell-secret`.
 */
function gitalyServer(values: CsghubValues, ctx: RenderContext) {
  const name = 'gitaly';
  const deps = values.dependencies.gitaly;
  const token: EnvSource = { secret: objectName(ctx, 'app'), key: 'gitaly-token' };
  const config = [
    'bin_dir = "/usr/local/bin"',
    'listen_addr = "0.0.0.0:8075"',
    '',
    '[git]',
    'use_bundled_binaries = true',
    '',
    '[[storage]]',
    'name = "default"',
    'path = "/var/opt/gitaly/repositories"',
    '',
    '[logging]',
    'format = "json"',
    'level = "info"',
    '',
    '[auth]',
    'token = "@@GITALY_TOKEN@@"',
    '',
    '[gitlab]',
    `url = "http://${serviceHost(ctx, 'server')}:8080"`,
    'secret = "@@GITLAB_SECRET@@"',
    '',
  ].join('\n');
  const rendered = templatedConfig({
    name: 'config',
    configMap: objectName(ctx, name),
    mountPath: '/etc/gitaly',
    files: ['config.toml'],
    image: deps.image,
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
    values: {
      GITALY_TOKEN: token,
      GITLAB_SECRET: { secret: objectName(ctx, 'app'), key: 'gitlab-shell-secret' },
    },
  });
  const base = statefulDependency({
    name,
    values: deps,
    // GitLab's Gitaly image runs as git (uid 1000); the chart forces root, berth does not.
    uid: 1000,
    dataPath: '/var/opt/gitaly/repositories',
    scratch: { logs: '/var/log/gitaly' },
    allowFrom: CALLERS.gitaly,
    container: {
      name,
      command: ['/bin/sh', '-c', '/scripts/process-wrapper'],
      env: [env('CONFIG_TEMPLATE_DIRECTORY', '/etc/gitaly'), env('CONFIG_DIRECTORY', '/etc/gitaly')],
      ports: [{ name: 'gitaly', containerPort: 8075 }],
      probes: {
        readiness: { tcp: { port: 'gitaly' }, periodSeconds: 5 },
        liveness: { tcp: { port: 'gitaly' }, initialDelaySeconds: 20, periodSeconds: 10 },
      },
    },
  });
  const component: ComponentSpec = {
    ...base,
    initContainers: [rendered.initContainer],
    containers: base.containers.map((c) => ({ ...c, volumeMounts: [...(c.volumeMounts ?? []), 'config'] })),
    volumes: [...(base.volumes ?? []), ...rendered.volumes],
    rollOn: { configMaps: [name], secrets: ['app'] },
  };
  return {
    component,
    configMap: { name, data: { 'config.toml': config } } satisfies ConfigMapSpec,
    connection: { address: `tcp://${serviceHost(ctx, name)}:8075`, token },
  };
}
