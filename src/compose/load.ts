/** Reads a compose file: YAML anchors and merge keys, interpolation, profiles, normalised services. */
import { BerthError } from '../errors.ts';
import { parseYamlInput } from '../yaml.ts';
import { interpolate, type Variables } from './interpolate.ts';
import type {
  ComposeDependency,
  ComposeFile,
  ComposeHealthcheck,
  ComposePort,
  ComposeProject,
  ComposeService,
  ComposeVolume,
  Unsupported,
} from './model.ts';

export interface LoadOptions {
  /** How errors name the compose file. */
  readonly source?: string;
  readonly variables: Variables;
  readonly profiles: readonly string[];
  /** Reads an env_file relative to the compose file; undefined when it does not exist. */
  readonly readEnvFile: (path: string) => Record<string, string> | undefined;
}

/** Keys berth translates (handled below); everything else is reported. */
const HANDLED = new Set([
  'image',
  'environment',
  'env_file',
  'ports',
  'expose',
  'volumes',
  'depends_on',
  'healthcheck',
  'command',
  'entrypoint',
  'deploy',
  'user',
  'restart',
  'profiles',
  'configs',
]);

/** Keys that have no effect on Kubernetes, with the note berth prints instead. */
const IGNORED: Record<string, string> = {
  container_name: 'Kubernetes names pods itself; other services reach this one through its Service',
  hostname: 'pods are reached through their Service name',
  networks: 'one flat pod network; use networkPolicy.enabled (or a NetworkPolicy) to isolate',
  labels: 'compose labels are not Kubernetes labels; use services.<name>.customLabels',
  logging: 'logs go to stdout and the cluster collects them',
  stop_grace_period: 'set terminationGracePeriodSeconds by hand if the default 30s is too short',
  init: 'run a minimal init in the image if zombie processes matter',
  tty: 'no terminal is attached to pods',
  stdin_open: 'no stdin is attached to pods',
  pull_policy: 'services.<name>.image.pullPolicy',
};

const UNSUPPORTED: Record<string, string> = {
  build:
    'Kubernetes runs images, it does not build them: build and push the image, then set services.<name>.image',
  privileged: 'pods run non-root with every capability dropped (berth policy)',
  cap_add: 'pods drop every capability (berth policy)',
  cap_drop: 'pods already drop every capability',
  security_opt: 'pods use the RuntimeDefault seccomp profile',
  devices: 'use a device plugin (e.g. GPU resources) instead',
  network_mode: 'pods always use the cluster network',
  pid: 'host PID namespaces are not allowed',
  ipc: 'host IPC namespaces are not allowed',
  ulimits: 'ulimits come from the node runtime, not the pod spec',
  sysctls: 'needs the node to allow unsafe sysctls; not part of berth policy',
  shm_size: 'mount an emptyDir with medium Memory at /dev/shm by hand',
  extra_hosts: 'use hostAliases or DNS by hand',
  dns: 'pods use cluster DNS',
  working_dir: 'set the working directory in the image',
  secrets: 'compose secrets: put the values in a Kubernetes Secret and reference it',
  links: 'services reach each other through Service names',
  external_links: 'services reach each other through Service names',
  platform: 'use a nodeSelector on kubernetes.io/arch',
  mem_limit: 'use deploy.resources.limits.memory (services.<name>.resources)',
  cpus: 'use deploy.resources.limits.cpus (services.<name>.resources)',
  domainname: 'pods are reached through their Service name',
};

type Raw = Record<string, unknown>;

const isRecord = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Applies interpolation to every string (keys too), returning the variables that were unset. */
function interpolateTree(value: unknown, vars: Variables, unset: Set<string>, where: string): unknown {
  if (typeof value === 'string') {
    const result = interpolate(value, vars, where);
    for (const name of result.unset) unset.add(name);
    return result.value;
  }
  if (Array.isArray(value)) return value.map((item) => interpolateTree(item, vars, unset, where));
  if (isRecord(value)) {
    const out: Raw = {};
    for (const [key, item] of Object.entries(value)) {
      // Extension fields are templates for anchors; they are never interpolated on their own.
      if (key.startsWith('x-')) continue;
      const name = interpolate(key, vars, where);
      out[name.value] = interpolateTree(item, vars, unset, where ? `${where}.${key}` : key);
    }
    return out;
  }
  return value;
}

/** Compose durations: 1m30s, 500ms, 10s; returns seconds, at least 1. */
export function durationSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Math.max(1, Math.round(value / 1e9));
  if (typeof value !== 'string' || value === '') return undefined;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)/g)) {
    const factor = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9 }[unit as 'h'];
    total += Number(amount) * factor;
  }
  return total > 0 ? Math.max(1, Math.round(total)) : undefined;
}

/** Splits a shell-like string into words, honouring quotes (compose's string form of command). */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) words.push(current);
      current = '';
      started = false;
    } else {
      if (ch === '\\' && i + 1 < text.length) current += text[++i];
      else current += ch;
      started = true;
    }
  }
  if (started) words.push(current);
  return words;
}

const truthy = (value: unknown) => value === true || value === 'true' || value === 'True';

function environmentOf(
  raw: Raw,
  options: LoadOptions,
  notes: string[],
  service: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  const files = raw.env_file === undefined ? [] : Array.isArray(raw.env_file) ? raw.env_file : [raw.env_file];
  for (const entry of files) {
    const path = isRecord(entry) ? String(entry.path) : String(entry);
    const required = isRecord(entry) ? entry.required !== false : true;
    const content = options.readEnvFile(path);
    if (content === undefined) {
      if (required)
        throw new BerthError('BERTH_COMPOSE_ENV_FILE', `service ${service}: env_file ${path} does not exist`);
      notes.push(`${service}: optional env_file ${path} does not exist; skipped`);
      continue;
    }
    Object.assign(env, content);
  }
  const environment = raw.environment;
  if (Array.isArray(environment)) {
    for (const item of environment) {
      const text = String(item);
      const eq = text.indexOf('=');
      if (eq < 0) {
        // `- NAME` passes the variable through from the shell running compose.
        const value = options.variables[text];
        if (value !== undefined) env[text] = value;
        else notes.push(`${service}: environment ${text} has no value here; left out`);
      } else {
        env[text.slice(0, eq)] = text.slice(eq + 1);
      }
    }
  } else if (isRecord(environment)) {
    for (const [name, value] of Object.entries(environment)) {
      env[name] = value === null || value === undefined ? (options.variables[name] ?? '') : String(value);
    }
  }
  return env;
}

/** `${NAME}`, `${NAME:-default}`, `$NAME`: the value is that variable's (a `:+` alternative is not). */
const WHOLE_VARIABLE = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)(?:(?::?[-?])[^}]*)?\}?$/;

/** Which interpolation variable each environment value comes from, read before interpolation. */
function environmentSources(raw: unknown): Record<string, string> {
  const entries: [string, unknown][] = Array.isArray(raw)
    ? raw.map(String).flatMap((text) => {
        const eq = text.indexOf('=');
        return eq < 0 ? [] : [[text.slice(0, eq), text.slice(eq + 1)] as [string, unknown]];
      })
    : isRecord(raw)
      ? Object.entries(raw)
      : [];
  const sources: Record<string, string> = {};
  for (const [name, value] of entries) {
    const match = typeof value === 'string' ? WHOLE_VARIABLE.exec(value) : null;
    if (match && (value as string).startsWith('${') === (value as string).endsWith('}'))
      sources[name] = match[1]!;
  }
  return sources;
}

/** Service `configs:` against the top-level `configs:` (file, inline content or an environment variable). */
function configFilesOf(
  raw: unknown,
  configs: Raw,
  variables: Variables,
  unsupported: Unsupported[],
  service: string,
): ComposeFile[] {
  if (!Array.isArray(raw)) return [];
  const out: ComposeFile[] = [];
  for (const entry of raw) {
    const name = isRecord(entry) ? String(entry.source) : String(entry);
    const target = isRecord(entry) && entry.target !== undefined ? String(entry.target) : `/${name}`;
    const definition = configs[name];
    const source = `configs.${name}`;
    if (!isRecord(definition)) {
      unsupported.push({ service, key: `configs ${name}`, reason: 'no top-level config of that name' });
    } else if (definition.file !== undefined) {
      out.push({ source, target, path: String(definition.file) });
    } else if (definition.content !== undefined) {
      out.push({ source, target, content: String(definition.content) });
    } else if (definition.environment !== undefined) {
      out.push({ source, target, content: variables[String(definition.environment)] ?? '' });
    } else {
      unsupported.push({
        service,
        key: `configs ${name}`,
        reason: 'external configs live outside the compose file: create the ConfigMap and mount it by hand',
      });
    }
  }
  return out;
}

function portsOf(raw: unknown, unsupported: Unsupported[], service: string): ComposePort[] {
  if (!Array.isArray(raw)) return [];
  const out: ComposePort[] = [];
  for (const entry of raw) {
    if (isRecord(entry)) {
      out.push({
        target: Number(entry.target),
        ...(entry.published !== undefined ? { published: Number(entry.published) } : {}),
        protocol: String(entry.protocol ?? 'tcp').toUpperCase() === 'UDP' ? 'UDP' : 'TCP',
      });
      continue;
    }
    const text = String(entry);
    const [spec, protocol] = text.split('/') as [string, string | undefined];
    const parts = spec.split(':');
    const container = parts.at(-1)!;
    const host = parts.length >= 2 ? parts.at(-2)! : undefined;
    if (container.includes('-')) {
      unsupported.push({
        service,
        key: `ports ${text}`,
        reason: 'port ranges are not expanded; list the ports one by one',
      });
      continue;
    }
    out.push({
      target: Number(container),
      ...(host && !host.includes('-') && host !== '' ? { published: Number(host) } : {}),
      protocol: protocol?.toUpperCase() === 'UDP' ? 'UDP' : 'TCP',
    });
  }
  return out.filter((p) => Number.isInteger(p.target) && p.target > 0);
}

function volumesOf(raw: unknown, named: ReadonlySet<string>): ComposeVolume[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((entry): ComposeVolume => {
    if (isRecord(entry)) {
      const type = String(entry.type ?? 'volume');
      const source = String(entry.source ?? '');
      const kind = type === 'bind' ? 'bind' : type === 'tmpfs' ? 'tmpfs' : source ? 'named' : 'anonymous';
      return { kind, source, target: String(entry.target), readOnly: truthy(entry.read_only) };
    }
    const parts = String(entry).split(':');
    if (parts.length === 1) return { kind: 'anonymous', source: '', target: parts[0]!, readOnly: false };
    const [source, target, mode = ''] = parts as [string, string, string?];
    const isPath = /^[./~]/.test(source) || source.includes('/');
    return {
      kind: isPath && !named.has(source) ? 'bind' : 'named',
      source,
      target,
      readOnly: mode.split(',').includes('ro'),
    };
  });
}

function dependsOf(raw: unknown): ComposeDependency[] {
  if (Array.isArray(raw))
    return raw.map((name) => ({ service: String(name), condition: 'service_started', required: true }));
  if (!isRecord(raw)) return [];
  return Object.entries(raw).map(([name, spec]) => {
    const condition = isRecord(spec) ? String(spec.condition ?? 'service_started') : 'service_started';
    return {
      service: name,
      condition: (['service_healthy', 'service_completed_successfully'].includes(condition)
        ? condition
        : 'service_started') as ComposeDependency['condition'],
      required: isRecord(spec) ? spec.required !== false : true,
    };
  });
}

function healthcheckOf(raw: unknown): ComposeHealthcheck | undefined {
  if (!isRecord(raw) || truthy(raw.disable)) return undefined;
  const test = raw.test;
  const words = Array.isArray(test) ? test.map(String) : typeof test === 'string' ? ['CMD-SHELL', test] : [];
  if (words.length === 0 || words[0] === 'NONE') return undefined;
  const seconds = (key: string) => durationSeconds(raw[key]);
  const result: Record<string, unknown> = { test: words };
  for (const [key, field] of [
    ['interval', 'interval'],
    ['timeout', 'timeout'],
    ['start_period', 'startPeriod'],
  ] as const) {
    const value = seconds(key);
    if (value !== undefined) result[field] = value;
  }
  if (raw.retries !== undefined) result.retries = Number(raw.retries);
  return result as unknown as ComposeHealthcheck;
}

const commandOf = (raw: unknown): string[] | undefined =>
  raw === undefined || raw === null
    ? undefined
    : Array.isArray(raw)
      ? raw.map(String)
      : shellWords(String(raw));

function deployOf(raw: unknown, unsupported: Unsupported[], service: string) {
  const out: Pick<ComposeService, 'limits' | 'reservations'> & { replicas?: number } = {
    limits: {},
    reservations: {},
  };
  if (!isRecord(raw)) return out;
  for (const key of Object.keys(raw)) {
    if (!['replicas', 'resources'].includes(key))
      unsupported.push({
        service,
        key: `deploy.${key}`,
        reason: 'swarm-only setting; Deployments roll with berth policy',
      });
  }
  if (raw.replicas !== undefined) {
    out.replicas = Number(raw.replicas);
    if (!Number.isSafeInteger(out.replicas) || out.replicas < 0) {
      throw new BerthError(
        'BERTH_COMPOSE_INVALID',
        `services.${service}.deploy.replicas: expected a whole number ≥ 0, got ${JSON.stringify(raw.replicas)}`,
      );
    }
  }
  const resources = isRecord(raw.resources) ? raw.resources : {};
  const amounts = (value: unknown) => {
    if (!isRecord(value)) return {};
    return {
      ...(value.cpus !== undefined ? { cpu: String(value.cpus) } : {}),
      ...(value.memory !== undefined ? { memory: String(value.memory) } : {}),
    };
  };
  return { ...out, limits: amounts(resources.limits), reservations: amounts(resources.reservations) };
}

export function loadCompose(text: string, options: LoadOptions): ComposeProject {
  const document = parseYamlInput(text, {
    code: 'BERTH_COMPOSE_INVALID',
    source: options.source ?? 'the compose file',
    merge: true,
  });
  if (!isRecord(document) || !isRecord(document.services)) {
    throw new BerthError('BERTH_COMPOSE_INVALID', 'the compose file has no services');
  }
  const unset = new Set<string>();
  const root = interpolateTree(document, options.variables, unset, '') as Raw;
  const unsupported: Unsupported[] = [];
  const notes: string[] = [];
  for (const key of Object.keys(root)) {
    if (key === 'services' || key === 'volumes' || key === 'name' || key === 'configs') continue;
    if (key === 'version') notes.push('top-level version is obsolete and ignored');
    else if (key === 'networks') notes.push(`top-level ${key}: ${IGNORED.networks}`);
    else unsupported.push({ service: '(top level)', key, reason: UNSUPPORTED[key] ?? 'not translated' });
  }
  const configs = isRecord(root.configs) ? root.configs : {};
  const rawServices = document.services as Raw;
  const namedVolumes = isRecord(root.volumes) ? Object.keys(root.volumes) : [];
  const named = new Set(namedVolumes);
  const services: ComposeService[] = [];
  const skipped: string[] = [];
  for (const [name, value] of Object.entries(root.services as Raw)) {
    const raw = isRecord(value) ? value : {};
    const profiles = Array.isArray(raw.profiles) ? raw.profiles.map(String) : [];
    if (profiles.length && !profiles.some((p) => options.profiles.includes(p))) {
      skipped.push(name);
      continue;
    }
    for (const key of Object.keys(raw)) {
      if (HANDLED.has(key)) continue;
      if (IGNORED[key]) notes.push(`${name}: ${key} ignored — ${IGNORED[key]}`);
      else
        unsupported.push({
          service: name,
          key,
          reason: UNSUPPORTED[key] ?? 'not translated by berth; review by hand',
        });
    }
    const deploy = deployOf(raw.deploy, unsupported, name);
    const command = commandOf(raw.command);
    const entrypoint = commandOf(raw.entrypoint);
    services.push({
      name,
      ...(raw.image !== undefined ? { image: String(raw.image) } : {}),
      environment: environmentOf(raw, options, notes, name),
      envSources: environmentSources(isRecord(rawServices[name]) ? rawServices[name].environment : undefined),
      files: configFilesOf(raw.configs, configs, options.variables, unsupported, name),
      ports: portsOf(raw.ports, unsupported, name),
      expose: Array.isArray(raw.expose) ? raw.expose.map((p) => Number(String(p).split('/')[0])) : [],
      volumes: volumesOf(raw.volumes, named),
      dependsOn: dependsOf(raw.depends_on),
      ...(healthcheckOf(raw.healthcheck) ? { healthcheck: healthcheckOf(raw.healthcheck)! } : {}),
      ...(command ? { command } : {}),
      ...(entrypoint ? { entrypoint } : {}),
      ...(deploy.replicas !== undefined ? { replicas: deploy.replicas } : {}),
      limits: deploy.limits,
      reservations: deploy.reservations,
      ...(raw.user !== undefined ? { user: String(raw.user) } : {}),
      ...(raw.restart !== undefined ? { restart: String(raw.restart) } : {}),
      profiles,
    });
  }
  if (unset.size) {
    notes.push(`variables not set (empty strings used, as compose does): ${[...unset].sort().join(', ')}`);
  }
  checkDependencies(root.services as Raw);
  return { services, skipped, namedVolumes, unsupported, notes };
}

/** As compose itself: every depends_on target is a service of the file, and no service waits on itself. */
function checkDependencies(rawServices: Raw): void {
  const graph = new Map(
    Object.entries(rawServices).map(([name, raw]) => [
      name,
      dependsOf(isRecord(raw) ? raw.depends_on : undefined).map((d) => d.service),
    ]),
  );
  for (const [name, targets] of graph) {
    const unknown = targets.find((target) => !graph.has(target));
    if (unknown !== undefined) {
      throw new BerthError(
        'BERTH_COMPOSE_INVALID',
        `services.${name}.depends_on: ${unknown} is not a service of the compose file`,
      );
    }
  }
  const done = new Set<string>();
  const visit = (name: string, path: readonly string[]): void => {
    if (path.includes(name)) {
      const cycle = [...path.slice(path.indexOf(name)), name].join(' → ');
      throw new BerthError('BERTH_COMPOSE_INVALID', `services.${name}.depends_on: dependency cycle ${cycle}`);
    }
    if (done.has(name)) return;
    for (const target of graph.get(name) ?? []) visit(target, [...path, name]);
    done.add(name);
  };
  for (const name of graph.keys()) visit(name, []);
}
