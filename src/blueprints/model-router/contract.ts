/**
 * What JAiRouter's source demands at the pinned tag, read from Lincoln-cn/JAiRouter (the image
 * sodlinken/jairouter is built from its root Dockerfile by .github/workflows/docker-build-push.yml).
 */
import { parse } from 'yaml';
import type { ContractFact, UpstreamContract, UpstreamSource } from '../../verify/contract.ts';
import type { ComponentView, ContainerView, ReleaseView } from '../../verify/view.ts';
import { JAIROUTER_VERSION } from './values.ts';

const REPO = 'Lincoln-cn/JAiRouter';
const REF = `v${JAIROUTER_VERSION}`;
const src = (file: string, symbol?: string): UpstreamSource => ({
  repo: REPO,
  ref: REF,
  file,
  ...(symbol ? { symbol } : {}),
});
const SECURITY = 'src/main/java/org/unreal/modelrouter/auth/security/config/SecurityConfiguration.java';

/** Where the blueprint mounts its application.yml, and the setting that makes Spring read it last. */
export const CONFIG_FILE = '/app/config/application.yml';
export const CONFIG_LOCATION_ENV = 'SPRING_CONFIG_ADDITIONAL_LOCATION';
/** Spring's environment-variable spellings of jairouter.security.* properties. */
export const API_KEY_ENV = {
  id: 'JAIROUTER_SECURITY_APIKEY_KEYS_0_KEYID',
  value: 'JAIROUTER_SECURITY_APIKEY_KEYS_0_KEYVALUE',
  enabled: 'JAIROUTER_SECURITY_APIKEY_KEYS_0_ENABLED',
  permissions: 'JAIROUTER_SECURITY_APIKEY_KEYS_0_PERMISSIONS',
} as const;
export const JWT_SECRET_ENV = 'JAIROUTER_SECURITY_JWT_SECRET';
/** Paths Spring Security lets through without credentials (exact paths). */
export const PUBLIC_ACTUATOR = ['/actuator/health', '/actuator/info', '/actuator/prometheus'] as const;
export const UPSTREAM_UID = 10010;

type Json = Record<string, unknown>;

function router(view: ReleaseView): { component: ComponentView; container: ContainerView } | undefined {
  const component = view.component('router');
  const container = component?.container('router');
  return component && container ? { component, container } : undefined;
}

/** The rendered application.yml as an object (empty when absent or unparsable). */
function config(view: ReleaseView): Json {
  const text = view.data('ConfigMap', 'config', 'application.yml');
  if (!text) return {};
  const parsed: unknown = parse(text);
  return parsed && typeof parsed === 'object' ? (parsed as Json) : {};
}

function at(object: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>(
    (node, key) => (node && typeof node === 'object' ? (node as Json)[key] : undefined),
    object,
  );
}

function httpProbes(container: ContainerView): { kind: string; path: string }[] {
  return (['readinessProbe', 'livenessProbe', 'startupProbe'] as const).flatMap((kind) => {
    const path = at(container.spec, [kind, 'httpGet', 'path']);
    return typeof path === 'string' ? [{ kind, path }] : [];
  });
}

function fromSecret(container: ContainerView, name: string): boolean {
  const entry = container.env.get(name);
  return entry?.from === 'secret' || entry?.from === 'external';
}

function mountFor(container: ContainerView, path: string) {
  return container.mounts
    .filter((m) => path === m.mountPath || path.startsWith(`${m.mountPath}/`))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
}

function volumeOf(component: ComponentView, name: string): Json | undefined {
  return ((component.podSpec.volumes as Json[] | undefined) ?? []).find((v) => v.name === name);
}

const replicated = (view: ReleaseView, component: ComponentView): boolean =>
  ((component.workload.spec as Json | undefined)?.replicas ?? 1) !== 1 ||
  view.object('HorizontalPodAutoscaler', 'router') !== undefined;

export const facts: readonly ContractFact[] = [
  {
    id: 'router.port',
    fact: 'The gateway, its actuator endpoints and the admin UI all listen on server.port 8080 (no separate management port).',
    source: src('src/main/resources/config/common/server.yml'),
    check(view) {
      const r = router(view);
      if (!r) return [];
      return r.container.ports.some((p) => p.containerPort === 8080)
        ? []
        : ['the router container does not declare port 8080'];
    },
  },
  {
    id: 'router.user',
    fact: 'The image runs as user jairouter, uid/gid 10010, which owns /app and its logs, config, config-store and data directories.',
    source: src('Dockerfile', 'groupadd/useradd -u 10010, USER jairouter'),
    check(view) {
      const r = router(view);
      if (!r) return [];
      const pod = (r.component.podSpec.securityContext as Json | undefined) ?? {};
      const uid = r.container.securityContext.runAsUser ?? pod.runAsUser;
      return uid === undefined || uid === UPSTREAM_UID
        ? []
        : [`the router runs as uid ${String(uid)}, but the image's files belong to uid ${UPSTREAM_UID}`];
    },
  },
  {
    id: 'router.public-endpoints',
    fact: 'Spring Security lets exactly /actuator/health, /actuator/info and /actuator/prometheus through anonymously; every other /actuator/** path (health groups such as /actuator/health/readiness included) needs the ADMIN role and answers 401.',
    source: src(SECURITY, 'securityWebFilterChain'),
    check(view) {
      const r = router(view);
      if (!r) return [];
      return httpProbes(r.container)
        .filter((p) => !(PUBLIC_ACTUATOR as readonly string[]).includes(p.path))
        .map((p) => `${p.kind} GET ${p.path} needs credentials and would answer 401`);
    },
  },
  {
    id: 'router.metrics-path',
    fact: 'Metrics are served by Micrometer at /actuator/prometheus, which is public (scrapers need no credentials).',
    source: src(SECURITY, 'securityWebFilterChain'),
    check(view) {
      const monitor = view.object('ServiceMonitor', 'router');
      if (!monitor) return [];
      const endpoints = (at(monitor, ['spec', 'endpoints']) as Json[] | undefined) ?? [];
      return endpoints
        .filter((e) => e.path !== '/actuator/prometheus')
        .map((e) => `the ServiceMonitor scrapes ${String(e.path)}, not the public /actuator/prometheus`);
    },
  },
  {
    id: 'router.redis-health',
    fact: 'The image bundles the reactive Redis starter and enables the redis health indicator (management.health.redis.enabled: true, host localhost), so without a Redis /actuator/health reports DOWN (503) unless the indicator is switched off.',
    source: src('src/main/resources/config/security/persistence-base.yml', 'management.health.redis'),
    check(view) {
      const r = router(view);
      if (!r) return [];
      const envOff = r.container.value('MANAGEMENT_HEALTH_REDIS_ENABLED') === 'false';
      const fileOff = at(config(view), ['management', 'health', 'redis', 'enabled']) === false;
      const redisHost = r.container.value('SPRING_DATA_REDIS_HOST');
      return envOff || fileOff || (redisHost && redisHost !== 'localhost')
        ? []
        : ['no Redis is wired and the redis health indicator is on: /actuator/health answers 503'];
    },
  },
  {
    id: 'router.config-precedence',
    fact: 'application.yml imports optional:file:/app/config/application.yml FIRST and the packaged module files after it; later imports win, so a file mounted there loses to the image defaults (its backends at 172.16.30.6 included). Only an additional config location (or environment variables) overrides them.',
    source: src('src/main/resources/application.yml', 'spring.config.import'),
    check(view) {
      const r = router(view);
      if (!r) return [];
      const location = r.container.value(CONFIG_LOCATION_ENV);
      if (!location)
        return [
          `${CONFIG_LOCATION_ENV} is not set: the rendered application.yml loses to the image defaults`,
        ];
      const file = location.replace(/^optional:/, '').replace(/^file:/, '');
      const mount = mountFor(r.container, file);
      if (!mount) return [`${CONFIG_LOCATION_ENV} points at ${file}, which no volume provides`];
      const volume = volumeOf(r.component, mount.name);
      const cm = at(volume, ['configMap', 'name']);
      const key = file.slice(mount.mountPath.length + 1);
      if (typeof cm === 'string' && view.data('ConfigMap', cm, key) === undefined)
        return [`ConfigMap ${cm} has no key ${key}`];
      return [];
    },
  },
  {
    id: 'router.api-key',
    fact: 'API keys are the list jairouter.security.api-key.keys (key-id, key-value 8-128 of [A-Za-z0-9_-], enabled, permissions), sent in the X-API-Key header; the image reads no ADMIN_API_KEY or API_KEY variable.',
    source: src(
      'src/main/java/org/unreal/modelrouter/auth/security/config/properties/ApiKeyConfig.java',
      'keys, headerName',
    ),
    check(view) {
      const r = router(view);
      if (!r) return [];
      const problems: string[] = [];
      if (!fromSecret(r.container, API_KEY_ENV.value))
        problems.push(`${API_KEY_ENV.value} is not read from a Secret`);
      const value = r.container.value(API_KEY_ENV.value);
      if (value !== undefined && !/^[A-Za-z0-9_-]{8,128}$/.test(value))
        problems.push('the API key is not 8-128 characters of [A-Za-z0-9_-]');
      if (r.container.value(API_KEY_ENV.enabled) !== 'true')
        problems.push(`${API_KEY_ENV.enabled} is not true`);
      if (!r.container.value(API_KEY_ENV.id)) problems.push(`${API_KEY_ENV.id} is empty`);
      return problems;
    },
  },
  {
    id: 'router.api-key-permissions',
    fact: 'A request to a model service type needs the key to hold that type (chat, embedding, …) or admin among its permissions; anything else answers 403.',
    source: src(
      'src/main/java/org/unreal/modelrouter/router/handler/ServiceRequestHandler.java',
      'hasServicePermission',
    ),
    check(view) {
      const r = router(view);
      if (!r) return [];
      const granted = (r.container.value(API_KEY_ENV.permissions) ?? '').split(',').map((p) => p.trim());
      if (granted.includes('admin')) return [];
      const services = Object.keys(
        (at(config(view), ['model', 'services']) as Json | undefined) ?? {},
      ).filter(
        (type) =>
          ((at(config(view), ['model', 'services', type, 'instances']) as unknown[]) ?? []).length > 0,
      );
      return services
        .filter((type) => !granted.includes(type))
        .map((type) => `the API key lacks permission ${type}: requests to it answer 403`);
    },
  },
  {
    id: 'router.jwt-secret',
    fact: 'The prod profile sets jairouter.security.jwt.secret from PROD_JWT_SECRET with an empty default, and JWT signing fails on an empty or short (< 32 bytes) secret, so admin-UI logins need the secret set.',
    source: src('src/main/resources/application-prod.yml', 'jairouter.security.jwt.secret'),
    check(view) {
      const r = router(view);
      if (!r) return [];
      if (!fromSecret(r.container, JWT_SECRET_ENV)) return [`${JWT_SECRET_ENV} is not read from a Secret`];
      const value = r.container.value(JWT_SECRET_ENV);
      return value !== undefined && value.length < 32 ? ['the JWT secret is shorter than 32 characters'] : [];
    },
  },
  {
    id: 'router.default-accounts',
    fact: 'The packaged jwt.yml creates JWT accounts admin (password INITIAL_ADMIN_PASSWORD, default ChangeMeOnFirstStartup123456) and user/user123456; a user account may call every /v1 endpoint.',
    source: src('src/main/resources/config/auth/jwt.yml', 'jairouter.security.jwt.accounts'),
    check(view) {
      const r = router(view);
      if (!r) return [];
      const accounts = at(config(view), ['jairouter', 'security', 'jwt', 'accounts']);
      const problems: string[] = [];
      if (!Array.isArray(accounts)) problems.push('the image default accounts (user/user123456) stay active');
      else if (accounts.some((a) => String(at(a, ['password'])).includes('user123456')))
        problems.push('an account keeps the published password user123456');
      if (!fromSecret(r.container, 'INITIAL_ADMIN_PASSWORD'))
        problems.push(
          'INITIAL_ADMIN_PASSWORD is not read from a Secret: admin keeps the published default password',
        );
      return problems;
    },
  },
  {
    id: 'router.writable-paths',
    fact: 'Relative to the working directory /app the app writes logs/ (logback, audit), data/ (the H2 database data/jairouter and state) and config-store/ (JWT file persistence).',
    source: src('src/main/resources/config/config-service/core.yml', 'spring.datasource.url'),
    check(view) {
      const r = router(view);
      if (!r) return [];
      return ['/app/logs', '/app/data', '/app/config-store'].flatMap((path) => {
        const mount = mountFor(r.container, path);
        if (!mount)
          return [`${path} has no volume (the image's directory is only writable by uid ${UPSTREAM_UID})`];
        return mount.readOnly ? [`${path} is mounted read-only`] : [];
      });
    },
  },
  {
    id: 'router.h2-single-writer',
    fact: 'The store is an embedded H2 file database (jdbc:h2:file:./data/jairouter without AUTO_SERVER), which one process at a time may open; it is seeded from the YAML settings only while empty.',
    source: src(
      'src/main/java/org/unreal/modelrouter/persistence/jpa/JpaDatabaseInitializer.java',
      'initializeModelConfig',
    ),
    check(view) {
      const r = router(view);
      if (!r) return [];
      const mount = mountFor(r.container, '/app/data');
      const volume = mount && volumeOf(r.component, mount.name);
      return volume?.persistentVolumeClaim && replicated(view, r.component)
        ? ['several router pods would open the same H2 database in /app/data']
        : [];
    },
  },
  {
    id: 'router.profile',
    fact: 'The image sets SPRING_PROFILES_ACTIVE=prod; the prod profile narrows actuator exposure to health, info and prometheus and logs at WARN.',
    source: src('Dockerfile', 'ENV SPRING_PROFILES_ACTIVE'),
  },
];

export const contract: UpstreamContract = {
  blueprint: 'model-router',
  upstreamVersion: JAIROUTER_VERSION,
  facts,
};
