/**
 * CSGHub's own components. Six of them run the csghub_server image with a different command and
 * share one environment (the chart's server ConfigMap): they are built from one table.
 */
import { objectName, type RenderContext } from '../../render/context.ts';
import type { ComponentSpec, ConfigMapSpec, ContainerSpec, Stage, VolumeSpec } from '../../render/model.ts';
import type { EnvVarValues, ServiceValues } from '../../values/vocabulary/index.ts';
import { serviceComponent } from '../shared/component.ts';
import { serviceHost } from '../shared/dependency.ts';
import { type EnvSource, env, literalEnv } from '../shared/env.ts';
import type { CsghubAccess } from './access.ts';
import type { CsghubBackends } from './backends.ts';
import type { CsghubValues } from './values.ts';

/**
 * The CSGHub images run as root upstream (the chart forces uid 0); berth runs them as uid/gid 1000
 * and drops `update-ca-certificates` from their commands (it needs root).
 */
export const CSGHUB_UID = 1000;

export const CASDOOR_CLIENT_ID = 'csghub';

type ServerFamily = 'server' | 'user' | 'accounting' | 'runner' | 'proxy';

interface ServerFamilyEntry {
  readonly name: ServerFamily;
  readonly stage: Stage;
  readonly port: number;
  readonly command: readonly string[];
  /** Upstream has no leader election for what this role runs in the background. */
  readonly singleton?: boolean;
}

/**
 * The server's start, as the image's init.sh does it without its two writes under the root-owned
 * /starhub-bin: the schema is migrated by the `migrate` Job, and the one-off multi-sync runs in the
 * background with its output in the container log (init.sh appends it to a file under /starhub-bin).
 */
const SERVER_START = [
  '/bin/sh',
  '-c',
  '/starhub-bin/starhub sync sync-as-client & exec /starhub-bin/starhub start server',
];

/** The csghub_server image's long-running roles, as the chart starts them. */
const SERVER_FAMILY: readonly ServerFamilyEntry[] = [
  {
    name: 'server',
    stage: 'backends',
    port: 8080,
    command: SERVER_START,
    // Each `start server` meters every running deploy and runs the deploy scheduler: one server only.
    singleton: true,
  },
  { name: 'user', stage: 'backends', port: 8080, command: ['/starhub-bin/starhub', 'user', 'launch'] },
  {
    name: 'accounting',
    stage: 'backends',
    port: 8086,
    command: ['/starhub-bin/starhub', 'accounting', 'launch'],
  },
  {
    name: 'runner',
    stage: 'backends',
    port: 8082,
    command: ['/starhub-bin/starhub', 'deploy', 'runner'],
    // Runs an Argo workflow informer that writes every event to the database: one runner only.
    singleton: true,
  },
  { name: 'proxy', stage: 'backends', port: 8083, command: ['/starhub-bin/starhub', 'start', 'rproxy'] },
];

export interface Wiring {
  readonly values: CsghubValues;
  readonly ctx: RenderContext;
  readonly access: CsghubAccess;
  readonly backends: CsghubBackends;
}

const appSecret = (ctx: RenderContext, key: string): EnvSource => ({ secret: objectName(ctx, 'app'), key });

/**
 * Key of the API token in the application Secret: 64 random bytes as 128 hex characters, the
 * minimum `server`, `user` and `accounting` accept. (The former 64-character `api-token` key is left
 * unused so that existing releases get a fresh, long enough token.)
 */
export const API_TOKEN_KEY = 'server-api-token';

/** Key of the secret gitlab-shell and Gitaly sign their internal API calls with and the server checks. */
export const GITLAB_SHELL_SECRET_KEY = 'gitlab-shell-secret';

/** The image pull Secret space pods use in the runner's namespace. */
export function spacePullSecretName(values: CsghubValues, ctx: RenderContext): string {
  return values.csghub.runner.imagePullSecret || objectName(ctx, 'space-pull');
}

export function jwtSecretName(values: CsghubValues, ctx: RenderContext): string {
  return values.csghub.casdoor.jwtSecret || objectName(ctx, 'casdoor-jwt');
}

const url = (ctx: RenderContext, component: string, port: number) =>
  `http://${serviceHost(ctx, component)}:${port}`;

/** Non-secret settings every csghub_server role reads (ConfigMap `server`). */
export function serverConfig({ values, ctx, access, backends }: Wiring): ConfigMapSpec {
  const { postgres, redis, s3, gitaly } = backends;
  const runner = values.csghub.runner;
  const internal = runner.internalDomains[0]!;
  return {
    name: 'server',
    data: {
      GIN_MODE: 'release',
      STARHUB_SERVER_SAAS: 'false',
      STARHUB_SERVER_MULTI_SYNC_ENABLED: 'true',
      STARHUB_SERVER_MIRRORSERVER_ENABLE: 'false',
      STARHUB_SERVER_PUBLIC_DOMAIN: access.url('csghub'),
      STARHUB_SERVER_MODEL_DOWNLOAD_ENDPOINT: access.url('csghub'),
      STARHUB_SERVER_PUBLIC_ROOT_DOMAIN: '',
      STARHUB_SERVER_INTERNAL_ROOT_DOMAIN: `${runner.namespace}.${internal.domain}:8083`,
      STARHUB_SERVER_REDIS_ENDPOINT: `${redis.host}:${redis.port}`,
      STARHUB_SERVER_GITSERVER_TYPE: 'gitaly',
      STARHUB_SERVER_GITALY_SERVER_SOCKET: gitaly.address,
      // csghub-server v1.2.0 reads the storage name from this (misspelt) variable.
      STARHUB_SERVER_GITALY_STORGE: 'default',
      STARHUB_SERVER_SSH_DOMAIN: `ssh://git@${access.host('csghub')}:${access.sshPort}`,
      STARHUB_SERVER_S3_ENDPOINT: s3.endpoint,
      STARHUB_SERVER_S3_ENABLE_SSL: String(s3.ssl),
      STARHUB_SERVER_S3_BUCKET: s3.buckets.git,
      STARHUB_SERVER_S3_REGION: s3.region,
      STARHUB_SERVER_ARGO_S3_PUBLIC_BUCKET: s3.buckets.portal,
      STARHUB_SERVER_SPACE_BUILDER_ENDPOINT: url(ctx, 'builder', 8080),
      STARHUB_SERVER_SPACE_RUNNER_ENDPOINT: url(ctx, 'runner', 8082),
      STARHUB_SERVER_DOCKER_REG_BASE: `${backends.registry.address}/${backends.registry.namespace}`,
      STARHUB_SERVER_DOCKER_IMAGE_PULL_SECRET: spacePullSecretName(values, ctx),
      OPENCSG_WORKFLOW_SERVER_ENDPOINT: backends.temporal.endpoint,
      OPENCSG_ACCOUNTING_SERVER_HOST: `http://${serviceHost(ctx, 'accounting')}`,
      OPENCSG_ACCOUNTING_SERVER_PORT: '8086',
      OPENCSG_USER_SERVER_HOST: `http://${serviceHost(ctx, 'user')}`,
      OPENCSG_USER_SERVER_PORT: '8080',
      OPENCSG_USER_SERVER_SIGNIN_SUCCESS_REDIRECT_URL: `${access.url('csghub')}/server/callback`,
      STARHUB_DATABASE_HOST: postgres.host,
      STARHUB_DATABASE_PORT: String(postgres.port),
      STARHUB_DATABASE_NAME: postgres.databases.server,
      STARHUB_DATABASE_TIMEZONE: 'Asia/Shanghai',
      STARHUB_SERVER_CASDOOR_CERTIFICATE: '/starhub-bin/casdoor/tls.crt',
      STARHUB_SERVER_CASDOOR_CLIENT_ID: CASDOOR_CLIENT_ID,
      STARHUB_SERVER_CASDOOR_ENDPOINT: access.url('casdoor'),
      STARHUB_SERVER_CASDOOR_ORGANIZATION_NAME: 'OpenCSG',
      STARHUB_SERVER_CASDOOR_APPLICATION_NAME: 'CSGHub',
      OPENCSG_ACCOUNTING_FEE_EVENT_SUBJECT: 'accounting.fee.>',
      OPENCSG_ACCOUNTING_NOTIFY_NOBALANCE_SUBJECT: 'accounting.notify.nobalance',
      OPENCSG_ACCOUNTING_MSG_FETCH_TIMEOUTINSEC: '5',
      OPENCSG_ACCOUNTING_CHARGING_ENABLE: 'true',
    },
  };
}

/** Secret-backed settings of every csghub_server role; $(VAR) is expanded by the kubelet. */
export function serverSecretEnv({ ctx, backends }: Wiring): EnvVarValues[] {
  const { postgres, redis, s3, nats, gitaly } = backends;
  return [
    env('STARHUB_DATABASE_USERNAME', postgres.username),
    env('POSTGRES_PASSWORD', postgres.password),
    env(
      'STARHUB_DATABASE_DSN',
      'postgresql://$(STARHUB_DATABASE_USERNAME):$(POSTGRES_PASSWORD)@$(STARHUB_DATABASE_HOST):$(STARHUB_DATABASE_PORT)/$(STARHUB_DATABASE_NAME)?sslmode=disable',
    ),
    env('STARHUB_SERVER_REDIS_PASSWORD', redis.password),
    env('STARHUB_SERVER_S3_ACCESS_KEY_ID', s3.accessKey),
    env('STARHUB_SERVER_S3_ACCESS_KEY_SECRET', s3.secretKey),
    env('STARHUB_SERVER_GITALY_TOKEN', gitaly.token),
    env('NATS_USERNAME', nats.username),
    env('NATS_PASSWORD', nats.password),
    env('OPENCSG_ACCOUNTING_NATS_URL', `nats://$(NATS_USERNAME):$(NATS_PASSWORD)@${nats.host}:4222`),
    env('STARHUB_SERVER_API_TOKEN', appSecret(ctx, API_TOKEN_KEY)),
    env('STARHUB_SERVER_GITALY_JWT_SECRET', appSecret(ctx, GITLAB_SHELL_SECRET_KEY)),
    env('STARHUB_JWT_SIGNING_KEY', appSecret(ctx, 'jwt-signing-key')),
    env('STARHUB_SERVER_SPACE_SESSION_SECRET_KEY', appSecret(ctx, 'space-session-secret')),
    env('STARHUB_SERVER_CASDOOR_CLIENT_SECRET', appSecret(ctx, 'casdoor-client-secret')),
  ];
}

/** A CSGHub component: the service's values, and the uid berth runs CSGHub's images as. */
export function appComponent(
  name: string,
  service: ServiceValues,
  spec: Pick<ComponentSpec, 'stage' | 'containers'> & Partial<Omit<ComponentSpec, 'name'>>,
): ComponentSpec {
  return serviceComponent(name, service, {
    podSecurity: { runAsUser: CSGHUB_UID, runAsGroup: CSGHUB_UID, fsGroup: CSGHUB_UID },
    ...spec,
  });
}

function serverRole(wiring: Wiring, entry: ServerFamilyEntry, extra: ServerRoleExtras = {}): ComponentSpec {
  const { values, ctx } = wiring;
  const service = values.services[entry.name];
  const main: ContainerSpec = {
    name: entry.name,
    image: service.image,
    command: [...entry.command],
    envFrom: [{ configMap: objectName(ctx, 'server') }],
    env: [...serverSecretEnv(wiring), ...(extra.env ?? []), ...service.extraEnv],
    ports: [{ name: 'http', containerPort: entry.port }],
    probes: { liveness: { tcp: { port: 'http' }, initialDelaySeconds: 20, periodSeconds: 10 } },
    resources: service.resources,
    volumeMounts: (extra.volumes ?? []).map((v) => v.name),
  };
  return appComponent(entry.name, service, {
    stage: entry.stage,
    ...(entry.singleton ? { singleton: true } : {}),
    containers: [main, ...(extra.sidecars ?? [])],
    volumes: [...(extra.volumes ?? []), ...(extra.sidecarVolumes ?? [])],
    service: {},
    rollOn: { configMaps: ['server', ...(extra.configMaps ?? [])], secrets: ['app'] },
  });
}

interface ServerRoleExtras {
  readonly env?: readonly EnvVarValues[];
  readonly volumes?: readonly VolumeSpec[];
  readonly sidecars?: readonly ContainerSpec[];
  readonly sidecarVolumes?: readonly VolumeSpec[];
  readonly configMaps?: readonly string[];
}

/** server, user, accounting, runner, proxy and mirror. */
export function serverFamily(wiring: Wiring): ComponentSpec[] {
  const { values, ctx } = wiring;
  const jwt: VolumeSpec = {
    name: 'casdoor-jwt',
    mountPath: '/starhub-bin/casdoor',
    secret: jwtSecretName(values, ctx),
    readOnly: true,
  };
  const runnerHome = '/var/lib/csghub';
  const extras: Record<ServerFamily, ServerRoleExtras> = {
    server: { volumes: [jwt] },
    user: { volumes: [jwt] },
    accounting: {},
    runner: {
      // The runner reads every ~/.kube/config* file (one per target cluster).
      env: [env('HOME', runnerHome)],
      volumes: [
        {
          name: 'kube-configs',
          mountPath: `${runnerHome}/.kube`,
          secret: values.csghub.runner.kubeconfigSecret,
          readOnly: true,
        },
      ],
    },
    proxy: proxySidecar(wiring),
  };
  return [...SERVER_FAMILY.map((entry) => serverRole(wiring, entry, extras[entry.name])), mirror(wiring)];
}

/** nginx next to the proxy forwards `*.<runner namespace>.<internal domain>` to Kourier (ConfigMap `proxy-nginx`). */
function proxySidecar({ ctx, values }: Wiring): ServerRoleExtras {
  return {
    sidecars: [
      {
        name: 'nginx',
        image: values.services.proxy.nginxImage,
        ports: [{ name: 'nginx', containerPort: 8080, servicePort: 80 }],
        resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
        volumeMounts: ['nginx-config'],
        // The unprivileged nginx image runs as uid 101.
        runAsUser: 101,
      },
    ],
    sidecarVolumes: [
      {
        name: 'nginx-config',
        mountPath: '/etc/nginx/conf.d',
        configMap: objectName(ctx, 'proxy-nginx'),
        readOnly: true,
      },
    ],
    configMaps: ['proxy-nginx'],
  };
}

export function proxyNginxConfig(values: CsghubValues): ConfigMapSpec {
  const { namespace, internalDomains } = values.csghub.runner;
  const data: Record<string, string> = {};
  for (const d of internalDomains) {
    data[`${d.domain}.conf`] = [
      'server {',
      '    listen 8080;',
      `    server_name *.${namespace}.${d.domain};`,
      '    location / {',
      '        proxy_http_version 1.1;',
      `        proxy_pass http://${d.host}:${d.port};`,
      "        add_header 'Access-Control-Allow-Origin' '*';",
      '        proxy_set_header Host $host;',
      '        proxy_set_header Upgrade $http_upgrade;',
      "        proxy_set_header Connection 'upgrade';",
      '        proxy_set_header X-Real-IP $remote_addr;',
      '        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
      '        proxy_set_header X-Forwarded-Proto $scheme;',
      '    }',
      '}',
      '',
    ].join('\n');
  }
  return { name: 'proxy-nginx', data };
}

/** Two sync workers (repositories and LFS objects) in one pod; nothing connects to them. */
function mirror(wiring: Wiring): ComponentSpec {
  const { values, ctx } = wiring;
  const service = values.services.mirror;
  const worker = (task: 'repo-sync' | 'lfs-sync'): ContainerSpec => ({
    name: `mirror-${task.split('-')[0]}`,
    image: service.image,
    command: ['/starhub-bin/starhub', 'mirror', task],
    envFrom: [{ configMap: objectName(ctx, 'server') }],
    env: [...serverSecretEnv(wiring), ...service.extraEnv],
    resources: service.resources,
  });
  return appComponent('mirror', service, {
    stage: 'backends',
    containers: [worker('repo-sync'), worker('lfs-sync')],
    rollOn: { configMaps: ['server'], secrets: ['app'] },
  });
}

/** The web UI; migrates its own database at start-up. */
export function portal({ values, ctx, access, backends }: Wiring): ComponentSpec {
  const service = values.services.portal;
  const { postgres, s3 } = backends;
  const binary = '/myapp/csghub-portal';
  return appComponent('portal', service, {
    stage: 'frontends',
    containers: [
      {
        name: 'portal',
        image: service.image,
        command: [
          '/bin/sh',
          '-c',
          `${binary} migration init && ${binary} migration migrate && ${binary} start server`,
        ],
        env: [
          ...literalEnv({
            CSGHUB_PORTAL_ON_PREMISE: 'true',
            CSGHUB_PORTAL_SENSITIVE_CHECK: 'false',
            CSGHUB_PORTAL_STARHUB_BASE_URL: access.url('csghub'),
            CSGHUB_PORTAL_ENABLE_HTTPS: String(access.tls),
            CSGHUB_PORTAL_DATABASE_HOST: postgres.host,
            CSGHUB_PORTAL_DATABASE_PORT: postgres.port,
            CSGHUB_PORTAL_DATABASE_NAME: postgres.databases.portal,
            CSGHUB_PORTAL_S3_ENDPOINT: s3.endpoint,
            CSGHUB_PORTAL_S3_BUCKET: s3.buckets.portal,
            CSGHUB_PORTAL_S3_REGION: s3.region,
            CSGHUB_PORTAL_S3_ENABLE_SSL: String(s3.ssl),
            STARHUB_SERVER_CASDOOR_CLIENT_ID: CASDOOR_CLIENT_ID,
          }),
          env(
            'CSGHUB_PORTAL_LOGIN_URL',
            `${access.url('casdoor')}/login/oauth/authorize?client_id=$(STARHUB_SERVER_CASDOOR_CLIENT_ID)&response_type=code&redirect_uri=$(CSGHUB_PORTAL_STARHUB_BASE_URL)/api/v1/callback/casdoor&scope=read&state=casdoor`,
          ),
          env('CSGHUB_PORTAL_STARHUB_API_KEY', appSecret(ctx, API_TOKEN_KEY)),
          env('CSGHUB_PORTAL_DATABASE_USERNAME', postgres.username),
          env('POSTGRES_PASSWORD', postgres.password),
          env(
            'CSGHUB_PORTAL_DATABASE_DSN',
            'postgresql://$(CSGHUB_PORTAL_DATABASE_USERNAME):$(POSTGRES_PASSWORD)@$(CSGHUB_PORTAL_DATABASE_HOST):$(CSGHUB_PORTAL_DATABASE_PORT)/$(CSGHUB_PORTAL_DATABASE_NAME)?sslmode=disable',
          ),
          env('CSGHUB_PORTAL_S3_ACCESS_KEY_ID', s3.accessKey),
          env('CSGHUB_PORTAL_S3_ACCESS_KEY_SECRET', s3.secretKey),
          ...service.extraEnv,
        ],
        ports: [{ name: 'http', containerPort: 8090 }],
        probes: { liveness: { tcp: { port: 'http' }, initialDelaySeconds: 20, periodSeconds: 10 } },
        resources: service.resources,
      },
    ],
    service: {},
    rollOn: { secrets: ['app'] },
  });
}

/** Builds space images and pushes them to the registry: a StatefulSet with its work volume. */
export function builder({ values, backends }: Wiring): ComponentSpec {
  const service = values.services.builder;
  const { redis, registry } = backends;
  const { dockerHost, persistence } = values.csghub.builder;
  const sidecar = dockerHost === '';
  const volumes: VolumeSpec[] = [{ name: 'data', mountPath: '/opt/data', persistence }];
  const containers: ContainerSpec[] = [
    {
      name: 'builder',
      image: service.image,
      env: [
        ...literalEnv({
          REDIS_HOST: redis.host,
          REDIS_PORT: redis.port,
          REDIS_ENDPOINT: `${redis.host}:${redis.port}`,
          SPACE_DATA_PATH: '/opt/data',
          REGISTRY_ADDRESS: registry.address,
          REGISTRY_NAMESPACE: registry.namespace,
          DOCKER_HOST: sidecar ? 'tcp://localhost:2375' : dockerHost,
        }),
        env('REDIS_PASSWD', redis.password),
        env('REGISTRY_USERNAME', registry.username),
        env('REGISTRY_PASSWORD', registry.password),
        ...service.extraEnv,
      ],
      ports: [{ name: 'http', containerPort: 8080 }],
      probes: { liveness: { tcp: { port: 'http' }, initialDelaySeconds: 20, periodSeconds: 10 } },
      resources: service.resources,
      volumeMounts: ['data'],
    },
  ];
  if (sidecar) {
    volumes.push({ name: 'docker', mountPath: '/home/rootless/.local/share/docker', emptyDir: {} });
    containers.push({
      name: 'docker',
      image: values.services.builder.dockerImage,
      args: [
        '--host=tcp://127.0.0.1:2375',
        ...(registry.plainHttp ? [`--insecure-registry=${registry.address}`] : []),
      ],
      // Listens on the pod's loopback only: not part of the Service.
      env: literalEnv({ DOCKER_TLS_CERTDIR: '' }),
      resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '4Gi' } },
      volumeMounts: ['docker'],
      // The image's `rootless` user.
      runAsUser: 1000,
      securityException: {
        reason:
          'rootless Docker-in-Docker (docker:*-dind-rootless) creates user namespaces and mounts overlay/proc for every build, which Docker documents as needing --privileged even when rootless; set csghub.builder.dockerHost to use an external daemon instead.',
        privileged: true,
        allowPrivilegeEscalation: true,
      },
    });
  }
  return appComponent('builder', service, {
    stage: 'backends',
    kind: 'StatefulSet',
    containers,
    volumes,
    service: {},
    allowFrom: ['server', 'runner'],
  });
}
