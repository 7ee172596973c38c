/** Casdoor (SSO), gitlab-shell (Git over SSH), CoreDNS, the log collector and the database Job. */
import { objectName } from '../../render/context.ts';
import type { ComponentSpec, ConfigMapSpec, KubeObject } from '../../render/model.ts';
import {
  containerSecurityContext,
  imageReference,
  podSecurityContext,
  selectorLabels,
  standardLabels,
} from '../../render/policies.ts';
import { templatedConfig } from '../shared/config-template.ts';
import { serviceHost } from '../shared/dependency.ts';
import { env, literalEnv } from '../shared/env.ts';
import { appComponent, CASDOOR_CLIENT_ID, jwtSecretName, type Wiring } from './components.ts';
import { psqlJob } from './database.ts';

const INIT_RESOURCES = { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } };

/** Casdoor's app.conf; the data source comes from the environment (Casdoor lets env override its config). */
const CASDOOR_APP_CONF = [
  'appname = casdoor',
  'httpport = 8000',
  'runmode = prod',
  'copyrequestbody = true',
  'driverName = postgres',
  'dbName =',
  'tableNamePrefix =',
  'showSql = false',
  'authState = "casdoor"',
  'verificationCodeTimeout = 10',
  'initScore = 0',
  'logPostOnly = true',
  'isDemoMode = false',
  'batchSize = 100',
  'enableGzip = true',
  'quota = {"organization": -1, "user": -1, "application": -1, "provider": -1}',
  'initDataFile = "/conf/init_data.json"',
  'initDataNewOnly = true',
  'frontendBaseDir = "../casdoor"',
  '',
].join('\n');

/**
 * Casdoor's first-start data: the OpenCSG organisation, the CSGHub application (its client secret and
 * JWT certificate filled in from Secrets at start-up) and the `root` administrator with the password
 * berth generated.
 */
function casdoorInitData({ access }: Wiring): string {
  const csghub = access.url('csghub');
  const data = {
    organizations: [
      {
        owner: 'admin',
        name: 'OpenCSG',
        displayName: 'OpenCSG',
        websiteUrl: csghub,
        passwordType: 'sha512-salt',
        passwordSalt: 'OpenCSG',
        passwordOptions: ['AtLeast8', 'Aa123'],
        countryCodes: ['CN', 'US'],
        defaultApplication: 'CSGHub',
        tags: [],
        languages: ['zh', 'en'],
        initScore: 2000,
        enableSoftDeletion: true,
        isProfilePublic: true,
      },
    ],
    applications: [
      {
        owner: 'admin',
        name: 'CSGHub',
        displayName: 'CSGHub',
        homepageUrl: csghub,
        organization: 'OpenCSG',
        cert: 'csghub-cert',
        enablePassword: true,
        enableSignUp: true,
        enableSigninSession: true,
        clientId: CASDOOR_CLIENT_ID,
        clientSecret: '@@CASDOOR_CLIENT_SECRET@@',
        providers: [],
        signinMethods: [{ name: 'Password', displayName: 'Password', rule: 'All' }],
        signupItems: ['Username', 'Display name', 'Password', 'Confirm password', 'Email'].map((name) => ({
          name,
          visible: true,
          required: true,
          prompted: false,
          rule: name === 'Email' ? 'No verification' : 'None',
        })),
        grantTypes: ['authorization_code', 'id_token'],
        redirectUris: [`${csghub}/api/v1/callback/casdoor`],
        tokenFormat: 'JWT',
        expireInHours: 168,
        refreshExpireInHours: 168,
        failedSigninLimit: 5,
        failedSigninFrozenTime: 15,
      },
    ],
    certs: [
      {
        owner: 'admin',
        name: 'csghub-cert',
        displayName: 'CSGHub JWT certificate',
        scope: 'JWT',
        type: 'x509',
        cryptoAlgorithm: 'RS256',
        certificate: '@@JWT_CERT@@',
        privateKey: '@@JWT_KEY@@',
      },
    ],
    users: [
      {
        owner: 'OpenCSG',
        name: 'root',
        displayName: 'root',
        // Plain on first start; Casdoor hashes it with the organisation's password type.
        password: '@@ADMIN_PASSWORD@@',
        passwordType: 'plain',
        email: 'root@example.com',
        type: 'normal-user',
        isAdmin: true,
        signupApplication: 'CSGHub',
      },
    ],
  };
  return `${JSON.stringify(data, null, 2)}\n`;
}

export function casdoor(wiring: Wiring): { component: ComponentSpec; configMap: ConfigMapSpec } {
  const { values, ctx, backends } = wiring;
  const service = values.services.casdoor;
  const { postgres } = backends;
  const app = objectName(ctx, 'app');
  const rendered = templatedConfig({
    name: 'conf',
    configMap: objectName(ctx, 'casdoor'),
    mountPath: '/conf',
    files: ['app.conf', 'init_data.json'],
    image: service.image,
    resources: INIT_RESOURCES,
    values: {
      ADMIN_PASSWORD: { secret: app, key: 'admin-password' },
      CASDOOR_CLIENT_SECRET: { secret: app, key: 'casdoor-client-secret' },
    },
    fileValues: { JWT_CERT: '/berth/jwt/tls.crt', JWT_KEY: '/berth/jwt/tls.key' },
    extraMounts: ['jwt'],
  });
  const component = appComponent('casdoor', service, {
    stage: 'backends',
    initContainers: [rendered.initContainer],
    containers: [
      {
        name: 'casdoor',
        image: service.image,
        env: [
          env('RUNNING_IN_DOCKER', 'true'),
          env('DB_USERNAME', postgres.username),
          env('DB_PASSWORD', postgres.password),
          env(
            'dataSourceName',
            `user=$(DB_USERNAME) password=$(DB_PASSWORD) host=${postgres.host} port=${postgres.port} sslmode=disable dbname=${postgres.databases.casdoor}`,
          ),
          ...service.extraEnv,
        ],
        ports: [{ name: 'http', containerPort: 8000 }],
        probes: { liveness: { tcp: { port: 'http' }, initialDelaySeconds: 20, periodSeconds: 10 } },
        resources: service.resources,
        volumeMounts: ['conf'],
      },
    ],
    volumes: [
      ...rendered.volumes,
      { name: 'jwt', mountPath: '/berth/jwt', secret: jwtSecretName(values, ctx), readOnly: true },
    ],
    service: {},
    rollOn: { configMaps: ['casdoor'], secrets: ['app'] },
  });
  return {
    component,
    configMap: {
      name: 'casdoor',
      data: { 'app.conf': CASDOOR_APP_CONF, 'init_data.json': casdoorInitData(wiring) },
    },
  };
}

/**
 * Git over SSH. gitlab-sshd listens on 2222 (a non-root process cannot bind 22); the Service keeps
 * port 22 and, in NodePort mode, node port 30022. Host keys are made once onto the volume.
 */
export function gitlabShell(wiring: Wiring): { component: ComponentSpec; configMap: ConfigMapSpec } {
  const { values, ctx, access } = wiring;
  const service = values.services.gitlabShell;
  const config = [
    'user: git',
    `gitlab_url: "http://${serviceHost(ctx, 'server')}:8080"`,
    'secret_file: "/srv/gitlab-shell/.gitlab_shell_secret"',
    'log_file: "/srv/gitlab-shell/prd.log"',
    'log_level: INFO',
    'log_format: json',
    'sshd:',
    '  listen: "[::]:2222"',
    '  web_listen: "localhost:9122"',
    '  concurrent_sessions_limit: 10',
    '  client_alive_interval: 15',
    '  grace_period: 10',
    '  login_grace_time: 60',
    '  readiness_probe: "/start"',
    '  liveness_probe: "/health"',
    '  host_key_files:',
    ...['rsa', 'ecdsa', 'ed25519'].map((k) => `    - /srv/gitlab-shell/keys/ssh_host_${k}_key`),
    'lfs:',
    '  pure_ssh_protocol: false',
    '',
  ].join('\n');
  const rendered = templatedConfig({
    name: 'config',
    configMap: objectName(ctx, 'gitlab-shell'),
    mountPath: '/opt/gitlab-shell',
    files: ['config.yml', '.gitlab_shell_secret'],
    image: service.image,
    resources: INIT_RESOURCES,
    values: { SHELL_SECRET: { secret: objectName(ctx, 'app'), key: 'gitlab-shell-secret' } },
  });
  const nodePort = access.entryType === 'NodePort' ? { nodePort: values.csghub.entry.nodePorts.ssh } : {};
  const component = appComponent('gitlab-shell', service, {
    stage: 'backends',
    kind: 'StatefulSet',
    initContainers: [
      rendered.initContainer,
      {
        name: 'host-keys',
        image: service.image,
        command: ['/bin/sh', '-c'],
        args: [
          'ls /srv/gitlab-shell/keys/ssh_host_*_key >/dev/null 2>&1 && exit 0; mkdir -p /tmp/keys/etc/ssh && ssh-keygen -A -f /tmp/keys && cp /tmp/keys/etc/ssh/ssh_host_* /srv/gitlab-shell/keys/',
        ],
        resources: INIT_RESOURCES,
        volumeMounts: ['keys'],
      },
    ],
    containers: [
      {
        name: 'gitlab-shell',
        image: service.image,
        command: [
          '/bin/bash',
          '-c',
          'cp /opt/gitlab-shell/config.yml /opt/gitlab-shell/.gitlab_shell_secret /srv/gitlab-shell/ && exec /scripts/process-wrapper',
        ],
        env: [
          ...literalEnv({ KEYS_DIRECTORY: '/srv/gitlab-shell/keys', SSH_DAEMON: 'gitlab-sshd' }),
          ...service.extraEnv,
        ],
        ports: [{ name: 'ssh', containerPort: 2222, servicePort: 22, ...nodePort }],
        probes: { liveness: { tcp: { port: 'ssh' }, initialDelaySeconds: 20, periodSeconds: 10 } },
        resources: service.resources,
        volumeMounts: ['config', 'keys'],
      },
    ],
    volumes: [
      ...rendered.volumes,
      {
        name: 'keys',
        mountPath: '/srv/gitlab-shell/keys',
        persistence: values.csghub.gitlabShell.persistence,
      },
    ],
    service: { type: access.entryType },
    rollOn: { configMaps: ['gitlab-shell'], secrets: ['app'] },
  });
  return {
    component,
    configMap: {
      name: 'gitlab-shell',
      data: { 'config.yml': config, '.gitlab_shell_secret': '@@SHELL_SECRET@@' },
    },
  };
}

/**
 * Resolves `*.<runner namespace>.<internal domain>` to the proxy's nginx (rewritten to the proxy
 * Service, no fixed cluster IP for the proxy) and forwards everything else to the cluster DNS (its
 * own pod keeps the cluster's resolv.conf). Listens on 1053; the Service keeps 53, on the fixed IP of
 * csghub.runner.dnsServiceIP when set.
 */
export function coredns({ values, ctx }: Wiring): { component: ComponentSpec; configMap: ConfigMapSpec } {
  const service = values.services.coredns;
  const { namespace, internalDomains } = values.csghub.runner;
  const proxy = `${objectName(ctx, 'proxy')}.${ctx.namespace}.svc.cluster.local`;
  const rewrites = internalDomains.map(
    (d) =>
      `    rewrite name regex (.*)\\.${namespace}\\.${d.domain.replaceAll('.', '\\.')}\\.$ ${proxy}. answer auto`,
  );
  const corefile = [
    '.:1053 {',
    '    errors',
    '    health :8080',
    '    ready :8181',
    ...rewrites,
    '    forward . /etc/resolv.conf',
    '    cache 30',
    '    reload',
    '    loadbalance',
    '}',
    '',
  ].join('\n');
  const component = appComponent('coredns', service, {
    stage: 'dependencies',
    containers: [
      {
        name: 'coredns',
        image: service.image,
        args: ['-conf', '/etc/coredns/Corefile'],
        env: [...service.extraEnv],
        ports: [
          { name: 'dns', containerPort: 1053, servicePort: 53, protocol: 'UDP' },
          { name: 'dns-tcp', containerPort: 1053, servicePort: 53, protocol: 'TCP' },
        ],
        probes: {
          readiness: { http: { path: '/ready', port: 8181 }, periodSeconds: 5 },
          liveness: { http: { path: '/health', port: 8080 }, initialDelaySeconds: 10, periodSeconds: 10 },
        },
        resources: service.resources,
        volumeMounts: ['corefile'],
      },
    ],
    volumes: [
      { name: 'corefile', mountPath: '/etc/coredns', configMap: objectName(ctx, 'coredns'), readOnly: true },
    ],
    service: values.csghub.runner.dnsServiceIP ? { clusterIP: values.csghub.runner.dnsServiceIP } : {},
    // Pods of the release ask it directly; without a fixed IP the cluster DNS forwards to it.
    ...(values.csghub.runner.dnsServiceIP
      ? {}
      : {
          networkPolicy: {
            ingressFrom: [
              { podLabels: { 'app.kubernetes.io/instance': ctx.release } },
              { namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            ],
          },
        }),
    // The coredns image runs as nonroot (uid 65532).
    podSecurity: { runAsUser: 65_532, runAsGroup: 65_532 },
    rollOn: { configMaps: ['coredns'] },
  });
  return { component, configMap: { name: 'coredns', data: { Corefile: corefile } } };
}

/** Creates the databases of server, portal, Casdoor and the bundled Temporal when missing. */
export function createDatabases(wiring: Wiring): ComponentSpec {
  const { values, backends } = wiring;
  const { postgres } = backends;
  const { server, portal, casdoor, temporal, temporalVisibility } = postgres.databases;
  const names = [
    server,
    portal,
    casdoor,
    ...(values.integrations.temporal.enabled ? [] : [temporal, temporalVisibility]),
  ];
  const script = [
    'set -e',
    ...names.map(
      (db) =>
        `psql -tAc "SELECT 1 FROM pg_database WHERE datname = '${db}'" | grep -q 1 || psql -c 'CREATE DATABASE "${db}"'`,
    ),
  ].join('\n');
  return psqlJob(wiring, {
    name: 'create-databases',
    stage: 'migrations',
    database: 'postgres',
    command: ['/bin/sh', '-c', script],
  });
}

/**
 * The chart's "fluentd": Fluent Bit on every node tailing this namespace's container logs to
 * Elasticsearch. A DaemonSet reading node logs through a read-only hostPath, as uid 65534 in group 0
 * (container log files are root:root 0640); berth's other policies apply unchanged.
 */
export function logCollector({ values, ctx }: Wiring): { configMap: ConfigMapSpec; objects: KubeObject[] } {
  const service = values.services.fluentd;
  const es = values.csghub.logging.elasticsearch;
  const config = [
    '[SERVICE]',
    '    Daemon Off',
    '    Flush 1',
    '    Log_Level info',
    '    Parsers_File /fluent-bit/etc/parsers.conf',
    '    HTTP_Server On',
    '    HTTP_Listen 0.0.0.0',
    '    HTTP_Port 2020',
    '    Health_Check On',
    '',
    '[INPUT]',
    '    Name tail',
    `    Path /var/log/containers/*_${ctx.namespace}_*.log`,
    '    multiline.parser docker, cri',
    '    Tag kube.*',
    '    Mem_Buf_Limit 5MB',
    '    Skip_Long_Lines On',
    '',
    '[OUTPUT]',
    '    Name es',
    '    Match kube.*',
    `    Host ${es.host}`,
    `    Port ${es.port}`,
    `    Logstash_Prefix ${es.index}`,
    '    Logstash_Format On',
    '    Suppress_Type_Name On',
    '    Retry_Limit False',
    '',
  ].join('\n');
  const name = objectName(ctx, 'fluentd');
  const component = appComponent('fluentd', service, { stage: 'backends', containers: [] });
  const container = {
    name: 'fluent-bit',
    image: imageReference(ctx, service.image),
    imagePullPolicy: service.image.pullPolicy,
    ports: [{ name: 'http', containerPort: 2020, protocol: 'TCP' }],
    env: service.extraEnv.map((e) => ({ ...e })),
    resources: {
      requests: { ...service.resources.requests },
      limits: Object.fromEntries(Object.entries(service.resources.limits).filter(([, v]) => v !== undefined)),
    },
    readinessProbe: { httpGet: { path: '/api/v1/health', port: 'http' }, periodSeconds: 10 },
    livenessProbe: { httpGet: { path: '/', port: 'http' }, initialDelaySeconds: 10, periodSeconds: 10 },
    securityContext: containerSecurityContext({}),
    volumeMounts: [
      { name: 'config', mountPath: '/fluent-bit/etc/conf', readOnly: true },
      { name: 'varlog', mountPath: '/var/log', readOnly: true },
    ],
  };
  const daemonSet: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name,
      namespace: ctx.namespace,
      labels: { ...standardLabels(ctx, 'fluentd'), ...service.customLabels },
    },
    spec: {
      selector: { matchLabels: selectorLabels(ctx, 'fluentd') },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: {
          labels: {
            ...standardLabels(ctx, 'fluentd'),
            ...service.customLabels,
            ...selectorLabels(ctx, 'fluentd'),
          },
          ...(Object.keys(service.customAnnotations).length
            ? { annotations: { ...service.customAnnotations } }
            : {}),
        },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: podSecurityContext({
            ...component,
            podSecurity: { runAsUser: 65_534, runAsGroup: 0 },
          }),
          ...(ctx.common.global.imagePullSecrets.length
            ? { imagePullSecrets: ctx.common.global.imagePullSecrets.map((n) => ({ name: n })) }
            : {}),
          ...(Object.keys(service.customNodeSelector).length
            ? { nodeSelector: { ...service.customNodeSelector } }
            : {}),
          ...(service.customTolerations.length
            ? { tolerations: service.customTolerations.map((t) => ({ ...t })) }
            : {}),
          containers: [
            {
              ...container,
              command: ['/fluent-bit/bin/fluent-bit', '-c', '/fluent-bit/etc/conf/fluent-bit.conf'],
            },
          ],
          volumes: [
            { name: 'config', configMap: { name: objectName(ctx, 'fluentd') } },
            { name: 'varlog', hostPath: { path: '/var/log', type: 'Directory' } },
          ],
        },
      },
    },
  };
  return { configMap: { name: 'fluentd', data: { 'fluent-bit.conf': config } }, objects: [daemonSet] };
}
