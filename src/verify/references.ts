/**
 * Finds where a component is told to call another part of the release: host names in environment
 * variables (URLs, `host:port`, `*_HOST` + `*_PORT` pairs) and in the config files mounted into its
 * pods. A host belongs to the release when its first label starts with `<release>-`.
 */
import type { ComponentView, ReleaseView } from './view.ts';

type Json = Record<string, unknown>;

export interface HostReference {
  readonly caller: ComponentView;
  /** e.g. `env REDIS_URL of container web` or `ConfigMap app-config key app.yaml`. */
  readonly where: string;
  /** The first DNS label of the host (a Service, or a StatefulSet pod). */
  readonly host: string;
  /** The rest of the DNS name after the first label, e.g. `.ns.svc.cluster.local`. */
  readonly suffix: string;
  readonly port?: number;
  readonly scheme?: string;
}

/** Ports a URL implies when it names none. */
const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  http: 80,
  https: 443,
  ws: 80,
  wss: 443,
  redis: 6379,
  rediss: 6379,
  postgres: 5432,
  postgresql: 5432,
  mysql: 3306,
  amqp: 5672,
  nats: 4222,
  mongodb: 27017,
};

const HOST_LIKE_NAME = /(HOST|HOSTNAME|HOSTS|ADDR|ADDRESS|ENDPOINT|SERVER|SERVERS|URL|URI|DSN)$/i;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const patterns = new Map<string, RegExp>();

/** Compiled once per release name: render scans every env value and config line with it. */
export function hostPattern(release: string): RegExp {
  const known = patterns.get(release);
  if (known) return known;
  const pattern = new RegExp(
    `(?:\\b([a-z][a-z0-9+.-]{0,31}):\\/\\/(?:[^\\s/@'"\`]{1,256}@)?)?\\b(${escapeRegExp(release)}-[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)((?:\\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*)(?::(\\d{1,5})\\b)?`,
    'g',
  );
  patterns.set(release, pattern);
  return pattern;
}

/** The port a URL's scheme implies when it names none. */
function withDefaultPort<T extends { port?: number; scheme?: string }>(ref: T): T {
  const implied = ref.port === undefined && ref.scheme ? DEFAULT_PORTS[ref.scheme] : undefined;
  return implied === undefined ? ref : { ...ref, port: implied };
}

/**
 * Host references in one piece of text, with the port only when the text names it;
 * `hostLike` accepts a bare host with no scheme or port.
 */
export function referencesInText(
  text: string,
  release: string,
  hostLike: boolean,
): { host: string; suffix: string; port?: number; scheme?: string }[] {
  const found: { host: string; suffix: string; port?: number; scheme?: string }[] = [];
  if (!text.includes(`${release}-`)) return found;
  for (const match of text.matchAll(hostPattern(release))) {
    const [whole, scheme, host, suffix, port] = match;
    const bare = !scheme && !port;
    // A bare name is a host only where the setting is one, and only as the whole value.
    if (bare && !(hostLike && whole.trim() === text.trim())) continue;
    found.push({
      host: host!,
      suffix: suffix ?? '',
      ...(port ? { port: Number(port) } : {}),
      ...(scheme ? { scheme: scheme.toLowerCase() } : {}),
    });
  }
  return found;
}

function envReferences(view: ReleaseView, caller: ComponentView): HostReference[] {
  const out: HostReference[] = [];
  for (const container of [...caller.initContainers, ...caller.containers]) {
    for (const [name, env] of container.env) {
      if (env.value === undefined) continue;
      const where = `env ${name} of container ${container.name}`;
      for (const ref of referencesInText(env.value, view.release, HOST_LIKE_NAME.test(name))) {
        // `FOO_HOST` without a port: the platform adds `FOO_PORT` when there is one, else the scheme's.
        const pair = ref.port === undefined ? portOfPair(name, container.env) : undefined;
        out.push({ caller, where, ...(pair === undefined ? withDefaultPort(ref) : { ...ref, port: pair }) });
      }
    }
  }
  return out;
}

function portOfPair(name: string, env: ReadonlyMap<string, { value?: string }>): number | undefined {
  const stem = name.replace(/_?(HOST|HOSTNAME|ADDR|ADDRESS|SERVER)$/i, '');
  if (stem === name) return undefined;
  const value = env.get(`${stem}_PORT`)?.value ?? env.get(`${stem}PORT`)?.value;
  return value !== undefined && /^\d{1,5}$/.test(value) ? Number(value) : undefined;
}

/** ConfigMaps and Secrets of the release mounted as files into the caller's pods. */
function mountedConfig(view: ReleaseView, caller: ComponentView): { kind: string; name: string }[] {
  const sources: { kind: string; name: string }[] = [];
  for (const volume of (caller.podSpec.volumes as Json[] | undefined) ?? []) {
    const configMap = volume.configMap as Json | undefined;
    const secret = volume.secret as Json | undefined;
    if (configMap) sources.push({ kind: 'ConfigMap', name: String(configMap.name) });
    if (secret) sources.push({ kind: 'Secret', name: String(secret.secretName) });
    for (const projected of ((volume.projected as Json | undefined)?.sources as Json[] | undefined) ?? []) {
      const cm = projected.configMap as Json | undefined;
      const sec = projected.secret as Json | undefined;
      if (cm) sources.push({ kind: 'ConfigMap', name: String(cm.name) });
      if (sec) sources.push({ kind: 'Secret', name: String(sec.name) });
    }
  }
  return sources.filter((s) => view.object(s.kind, s.name)?.metadata.name === s.name);
}

function configReferences(view: ReleaseView, caller: ComponentView): HostReference[] {
  const out: HostReference[] = [];
  for (const source of mountedConfig(view, caller)) {
    const object = view.object(source.kind, source.name)!;
    const entries = ((source.kind === 'Secret' ? (object.stringData ?? object.data) : object.data) ??
      {}) as Json;
    for (const [key, text] of Object.entries(entries)) {
      if (typeof text !== 'string') continue;
      for (const line of text.split('\n')) {
        // `key: value` / `key = value` lines: a host-like key makes a bare host count.
        const setting = /^\s*["']?([\w.-]+)["']?\s*[:=]\s*["']?([^"'#\s,]+)["']?\s*,?\s*$/.exec(line);
        const hostLike = setting ? HOST_LIKE_NAME.test(setting[1]!.replace(/[.-]/g, '_')) : false;
        const subject = setting && hostLike ? setting[2]! : line;
        for (const ref of referencesInText(subject, view.release, hostLike)) {
          out.push({ caller, where: `${source.kind} ${source.name} key ${key}`, ...withDefaultPort(ref) });
        }
      }
    }
  }
  return out;
}

export function hostReferences(view: ReleaseView): HostReference[] {
  return view.components.flatMap((caller) => [
    ...envReferences(view, caller),
    ...configReferences(view, caller),
  ]);
}
