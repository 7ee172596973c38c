/**
 * From compose services to a berth plan: components with their kind, stage, ports, probes,
 * volumes, and environment split into plain settings and generated secrets.
 */
import { posix } from 'node:path';
import type { SecurityException, Stage } from '../render/model.ts';
import {
  escapeRegExp,
  HOST_SUFFIX,
  HOST_VARIABLE,
  type HostReplacement,
  hostMark,
  portReferences,
  replaceHostArgument,
  rewriteHosts,
  rewriteShellHosts,
} from './hosts.ts';
import type { ComposeProject, ComposeService, ComposeVolume, Unsupported } from './model.ts';
import { decideUser, imageName } from './users.ts';

export const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|KEY|TOKEN|CREDENTIAL|AUTH|PRIVATE|SALT|DSN)/i;
/** Command-line flags and variables after which a word is a password (`--requirepass x`, `PGPASSWORD=x`). */
const SECRET_FLAG = /pass|secret|token|auth|key/i;

/** Ports of images that are commonly called without publishing them. */
const WELL_KNOWN_PORTS: Record<string, number> = {
  postgres: 5432,
  pgvector: 5432,
  mysql: 3306,
  mariadb: 3306,
  redis: 6379,
  valkey: 6379,
  mongo: 27017,
  weaviate: 8080,
  qdrant: 6333,
  minio: 9000,
  nginx: 80,
  squid: 3128,
  elasticsearch: 9200,
  opensearch: 9200,
  rabbitmq: 5672,
  clickhouse: 8123,
  etcd: 2379,
};

export interface PlannedPort {
  readonly name: string;
  readonly containerPort: number;
  readonly servicePort: number;
  readonly protocol: 'TCP' | 'UDP';
  /** Where the port was found: ports, expose, healthcheck, reference, image. */
  readonly source: string;
}

export interface PlannedProbe {
  readonly exec?: readonly string[];
  readonly http?: { readonly path: string; readonly port: number };
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
  readonly initialDelaySeconds?: number;
}

export interface PlannedVolume {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
  /** Key of `volumes.<key>` in values (a claim), or undefined for an emptyDir. */
  readonly claim?: string;
  /** This component creates the claim; the others reference it. */
  readonly owner?: boolean;
  readonly memory?: boolean;
}

/** A configuration file mounted from the component's `<component>-files` ConfigMap. */
export interface PlannedFile {
  /** Key in the ConfigMap (and subPath of the mount). */
  readonly key: string;
  readonly mountPath: string;
  /** Where it came from: the host path of a bind mount or `configs.<name>`. */
  readonly source: string;
  /** With {{host:<component>}} where a compose host was named. */
  readonly content: string;
  /** The file was not found next to the compose file: the content is a placeholder. */
  readonly placeholder: boolean;
}

/** What a file lookup next to the compose file found. */
export type FileLookup = { readonly content: string } | { readonly directory: true };

export interface PlanOptions {
  /** Reads a path relative to the compose file; undefined when it does not exist. */
  readonly readFile?: (path: string) => FileLookup | undefined;
}

export interface PlannedClaim {
  readonly key: string;
  readonly source: string;
  readonly users: readonly string[];
  readonly accessMode: 'ReadWriteOnce' | 'ReadWriteMany';
  readonly size: string;
}

export interface PlannedComponent {
  /** Component (and Kubernetes) name, a DNS label derived from the compose service name. */
  readonly name: string;
  /** Key under services.* in values (camelCase). */
  readonly key: string;
  readonly composeName: string;
  readonly kind: 'Deployment' | 'StatefulSet' | 'Job';
  readonly stage: Stage;
  readonly image: { readonly repository: string; readonly tag: string; readonly pinned: boolean };
  readonly replicas: number;
  readonly resources: {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu?: string; readonly memory: string };
  };
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly ports: readonly PlannedPort[];
  readonly probe?: PlannedProbe;
  /** Plain settings (ConfigMap), with {{host:<component>}} where a Service name belongs. */
  readonly config: Readonly<Record<string, string>>;
  /** Environment variable → key of the generated Secret. */
  readonly secretEnv: Readonly<Record<string, string>>;
  /** Values that embed a secret, rewritten to $(VAR) references of secretEnv entries. */
  readonly derivedEnv: Readonly<Record<string, string>>;
  readonly volumes: readonly PlannedVolume[];
  readonly files: readonly PlannedFile[];
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly fsGroup?: number;
  /** Namespaced safe sysctls (binding a port below 1024 as non-root). */
  readonly sysctls?: Readonly<Record<string, string>>;
  /** Root or capabilities this component truly needs, with the reason. */
  readonly securityException?: SecurityException;
  /** The user decision for the report: how it runs and why. */
  readonly user: { readonly runsAs: string; readonly why: string };
  readonly dependsOn: readonly string[];
}

export interface ImportPlan {
  readonly name: string;
  readonly components: readonly PlannedComponent[];
  readonly claims: readonly PlannedClaim[];
  /** Keys of the generated Secret, each with the variables that use it. */
  readonly secrets: Readonly<Record<string, readonly string[]>>;
  readonly stages: Readonly<Record<Stage, readonly string[]>>;
  readonly skipped: readonly string[];
  readonly unsupported: readonly Unsupported[];
  readonly notes: readonly string[];
}

export const dnsName = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40) || 'service';

export const camelKey = (name: string) => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const kebab = (name: string) => name.toLowerCase().replace(/_/g, '-');

function parseImage(
  reference: string | undefined,
  service: string,
  notes: string[],
): PlannedComponent['image'] {
  if (!reference) {
    notes.push(`${service}: no image (build only); set services.${camelKey(dnsName(service))}.image`);
    return { repository: `replace-me/${dnsName(service)}`, tag: 'unpinned', pinned: false };
  }
  // The registry host stays part of the repository (ghcr.io/org/image); a colon after the last / is the tag.
  const rest = reference.split('@')[0]!;
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > rest.lastIndexOf('/');
  const repository = hasTag ? rest.slice(0, colon) : rest;
  const tag = hasTag ? rest.slice(colon + 1) : 'latest';
  if (tag === 'latest') {
    notes.push(
      `${service}: image ${reference} is not pinned; berth refuses "latest" — set a real tag in values`,
    );
    return { repository, tag: 'unpinned', pinned: false };
  }
  return { repository, tag, pinned: true };
}

/** Compose quantities (2g, 512M, 0.5 cpus) as Kubernetes quantities. */
export function memoryQuantity(value: string): string {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(value.trim());
  if (!match) return value;
  const unit = match[2]!.toUpperCase();
  return unit ? `${match[1]}${unit}i` : match[1]!;
}

export function cpuQuantity(value: string): string {
  const number = Number(value);
  return Number.isFinite(number) ? `${Math.round(number * 1000)}m` : value;
}

const HTTP_CHECK =
  /^(?:curl|wget)\b[^|;&]*?\bhttps?:\/\/(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?::(\d+))?(\/[^\s'"|;&]*)?[^|;&]*?(?:\|\|\s*exit\s+1)?\s*$/;

/**
 * A probe runs inside the container: its own compose name means the pod itself (localhost),
 * another service's name its Service ({{host:…}}).
 */
function probeOf(
  service: ComposeService,
  hosts: ReadonlyMap<string, HostReplacement>,
): PlannedProbe | undefined {
  const check = service.healthcheck;
  if (!check) return undefined;
  const [kind, ...words] = check.test;
  const shell = kind === 'CMD-SHELL' ? rewriteShellHosts(words.join(' '), hosts) : undefined;
  const rest = words.map((word, index) => {
    const argument = replaceHostArgument(words, index, hosts);
    return argument !== word ? argument : rewriteHosts(word, hosts);
  });
  const line = shell ?? rest.join(' ');
  const http = HTTP_CHECK.exec(line);
  const timing = {
    ...(check.interval !== undefined ? { periodSeconds: check.interval } : {}),
    ...(check.timeout !== undefined ? { timeoutSeconds: check.timeout } : {}),
    ...(check.retries !== undefined ? { failureThreshold: check.retries } : {}),
    ...(check.startPeriod !== undefined ? { initialDelaySeconds: check.startPeriod } : {}),
  };
  if (http) return { http: { path: http[2] ?? '/', port: Number(http[1] ?? 80) }, ...timing };
  return { exec: shell !== undefined ? ['sh', '-c', shell] : rest, ...timing };
}

/** Bind mounts of single files (configuration) are not data: they become mounted ConfigMaps. */
const looksLikeFile = (path: string) => /\.[A-Za-z0-9]{1,10}$/.test(path.split('/').at(-1) ?? '');

/** ConfigMaps hold at most 1 MiB; leave room for the other files and the object itself. */
const MAX_FILE_BYTES = 512 * 1024;

export function buildPlan(project: ComposeProject, name: string, options: PlanOptions = {}): ImportPlan {
  const notes = [...project.notes];
  const unsupported = [...project.unsupported];
  const services = project.services;
  const componentOf = new Map(services.map((s) => [s.name, dnsName(s.name)]));
  const included = new Set(services.map((s) => s.name));
  const lookups = new Map<string, FileLookup | undefined>();
  const lookup = (path: string) => {
    if (!lookups.has(path)) lookups.set(path, options.readFile?.(path));
    return lookups.get(path);
  };
  /** A bind mount of a file: what is on disk decides, else the names (a dot-extension). */
  const isFileMount = (v: ComposeVolume) => {
    if (v.kind !== 'bind') return false;
    const found = lookup(v.source);
    if (found && 'directory' in found) return false;
    if (found) return true;
    return looksLikeFile(v.source) || looksLikeFile(v.target);
  };
  /** Compose names as Service references (other services) or the pod itself (in its own probes). */
  const toService = new Map<string, HostReplacement>(
    [...componentOf].map(([compose, component]) => [compose, () => hostMark(component)]),
  );
  const probeHosts = (self: string) =>
    new Map<string, HostReplacement>([
      ...toService,
      [self, (form) => (form === 'url' ? 'localhost' : '127.0.0.1')],
    ]);

  // Claims: one per named volume or data bind mount, shared when several services mount it.
  const claimKeys = new Map<string, { key: string; users: string[]; source: string }>();
  const dataVolumes = (service: ComposeService) =>
    service.volumes.filter((v) => v.kind === 'named' || (v.kind === 'bind' && !isFileMount(v)));
  for (const service of services) {
    for (const volume of dataVolumes(service)) {
      const id = `${volume.kind}:${volume.source}`;
      const entry = claimKeys.get(id) ?? {
        key: camelKey(dnsName(volume.source.replace(/^[./~]+/, '').replace(/\//g, '-'))),
        users: [],
        source: volume.source,
      };
      if (!entry.users.includes(service.name)) entry.users.push(service.name);
      claimKeys.set(id, entry);
      if (volume.kind === 'bind')
        notes.push(
          `${service.name}: bind mount ${volume.source} → ${volume.target} became a PersistentVolumeClaim`,
        );
    }
  }
  const usedKeys = new Set<string>();
  for (const entry of claimKeys.values()) {
    let key = entry.key;
    for (let i = 2; usedKeys.has(key); i++) key = `${entry.key}${i}`;
    usedKeys.add(key);
    entry.key = key;
  }

  // Configuration files: bind-mounted files and `configs:`, read next to the compose file.
  const filesOf = new Map<string, PlannedFile[]>();
  for (const service of services) {
    const files: PlannedFile[] = [];
    const keys = new Set<string>();
    const add = (source: string, target: string, found: FileLookup | undefined, readOnly: boolean) => {
      const base = dnsName(posix.basename(target)).replace(/^-+/, '') || 'file';
      let key = posix.basename(target).replace(/[^-._a-zA-Z0-9]/g, '-') || base;
      for (let i = 2; keys.has(key); i++) key = `${posix.basename(target)}-${i}`;
      keys.add(key);
      let content: string | undefined;
      if (found && 'content' in found) {
        if (Buffer.byteLength(found.content) > MAX_FILE_BYTES)
          notes.push(
            `${service.name}: ${source} is larger than 512 KiB; a ConfigMap cannot hold it: the mount at ${target} holds a placeholder — use an image or a volume`,
          );
        else if (found.content.includes('\u0000'))
          notes.push(
            `${service.name}: ${source} is binary; the mount at ${target} holds a placeholder — put it in a Secret or the image`,
          );
        else content = found.content;
      } else {
        notes.push(
          `${service.name}: ${source} → ${target} was not found next to the compose file; its ConfigMap holds a placeholder: put the file's content in blueprint.ts (FILES) before installing`,
        );
      }
      if (content !== undefined && !readOnly)
        notes.push(
          `${service.name}: ${target} is mounted read-only from a ConfigMap; if the service writes it, copy it to an emptyDir first`,
        );
      files.push({
        key,
        mountPath: target,
        source,
        content:
          content === undefined
            ? `# placeholder: ${source} was not available to berth import compose; put the content of ${target} here\n`
            : rewriteHosts(content, toService),
        placeholder: content === undefined,
      });
    };
    for (const volume of service.volumes) {
      if (!isFileMount(volume)) continue;
      if (volume.source.endsWith('.sock')) {
        unsupported.push({
          service: service.name,
          key: `volumes ${volume.source}`,
          reason:
            'a host socket (e.g. the Docker daemon) is not available to pods; berth policy forbids hostPath',
        });
        continue;
      }
      const local = !/^[/~]/.test(volume.source);
      add(volume.source, volume.target, local ? lookup(volume.source) : undefined, volume.readOnly);
    }
    for (const file of service.files) {
      add(
        file.source,
        file.target,
        file.content !== undefined ? { content: file.content } : lookup(file.path!),
        true,
      );
    }
    filesOf.set(service.name, files);
  }

  // Secrets: by variable name, or by coming from the same interpolation variable as a secret; one
  // key per distinct value. A value that merely equals a password (`DB_USERNAME: postgres` next to
  // `POSTGRES_PASSWORD: postgres`) stays a setting. Flags and numbers (`API_TOKEN_ENABLED: "false"`,
  // `TOKEN_TTL: 60`) are settings too: they would turn every `false` and `60` into a random string.
  const secretSources = new Set<string>();
  for (const service of services) {
    for (const [variable, source] of Object.entries(service.envSources)) {
      if (SECRET_NAME.test(variable) || SECRET_NAME.test(source)) secretSources.add(source);
    }
  }
  const secretOrigin = (service: ComposeService, variable: string, value: string) => {
    if (!looksLikeCredential(value)) return undefined;
    if (SECRET_NAME.test(variable)) return variable;
    const source = service.envSources[variable];
    return source !== undefined && secretSources.has(source) ? source : undefined;
  };
  const secretValues = new Map<string, string>();
  const settingValues = new Set<string>();
  for (const service of services) {
    for (const [variable, value] of Object.entries(service.environment)) {
      const origin = secretOrigin(service, variable, value);
      if (origin === undefined) settingValues.add(value);
      else if (!secretValues.has(value)) secretValues.set(value, kebab(origin));
    }
  }
  /** A secret that is also a plain word or a setting's value is replaced only where a password goes. */
  const strong = (secret: string) => /[^A-Za-z]/.test(secret) && !settingValues.has(secret);
  /** Replaces a secret inside a text: anywhere when strong, else in a URL's password slot or after a password flag. */
  const embed = (text: string, secret: string, reference: string, previous?: string) => {
    if (strong(secret)) return text.split(secret).join(reference);
    const s = escapeRegExp(secret);
    if (previous !== undefined && text === secret && SECRET_FLAG.test(previous)) return reference;
    return text
      .replace(new RegExp(`(://[^:@/\\s]*:)${s}(?=@)`, 'g'), `$1${reference}`)
      .replace(
        new RegExp(`((?:^|\\s)[-\\w]*(?:${SECRET_FLAG.source})[-\\w]*=)${s}(?=$|\\s)`, 'gi'),
        `$1${reference}`,
      );
  };
  const secretUsers = new Map<string, string[]>();
  const useSecret = (key: string, who: string) => {
    const list = secretUsers.get(key) ?? [];
    list.push(who);
    secretUsers.set(key, list);
  };

  // Ports other services use: `name:port` and `scheme://name` in their settings, commands, probes
  // and config files, and HOST/PORT pairs (`SEARCH_HOST: search` with `SEARCH_PORT: 7700`).
  const referenced = new Map<string, Set<number>>();
  const callers = new Map<string, string[]>();
  const reference = (target: string, port: number | undefined, caller: string) => {
    const set = referenced.get(target) ?? new Set<number>();
    if (port !== undefined) set.add(port);
    referenced.set(target, set);
    const list = callers.get(target) ?? [];
    if (!list.includes(caller)) list.push(caller);
    callers.set(target, list);
  };
  for (const caller of services) {
    const texts: [string, string][] = [
      ...Object.entries(caller.environment),
      ...[...(caller.entrypoint ?? []), ...(caller.command ?? [])].map((t): [string, string] => [
        'command',
        t,
      ]),
      ...(caller.healthcheck?.test ?? []).map((t): [string, string] => ['healthcheck', t]),
      ...(filesOf.get(caller.name) ?? []).map((f): [string, string] => [f.source, f.content]),
    ];
    for (const target of services) {
      if (target === caller) continue;
      for (const [where, text] of texts) {
        for (const port of portReferences(text, target.name))
          reference(target.name, port, `${caller.name} (${where})`);
        if (
          where === 'command' ||
          where === 'healthcheck' ||
          where.startsWith('.') ||
          where.startsWith('configs.')
        )
          continue;
        // A HOST variable naming the service: its port is the sibling PORT variable, if any.
        if (HOST_VARIABLE.test(where) && text.split(',').some((item) => item.trim() === target.name)) {
          const portVariable = HOST_SUFFIX.test(where) ? where.replace(HOST_SUFFIX, 'PORT') : undefined;
          const port = portVariable ? Number(caller.environment[portVariable]) : Number.NaN;
          reference(
            target.name,
            Number.isInteger(port) && port > 0 ? port : undefined,
            `${caller.name} (${where})`,
          );
        }
      }
    }
  }

  const hostRewrite = (variable: string, value: string) => {
    const out = rewriteHosts(value, toService, HOST_VARIABLE.test(variable));
    const missing = project.skipped.find(
      (name) =>
        (HOST_VARIABLE.test(variable) && out === name) ||
        new RegExp(`(//|@)${escapeRegExp(name)}(?=[:/]|$)`).test(out),
    );
    const note = `${variable} points at service ${missing}, which is not included (its profile was not selected): point it at your own ${missing} before installing`;
    if (missing && !notes.includes(note)) notes.push(note);
    return out;
  };

  // One-shot services other services wait for (condition service_completed_successfully) become Jobs.
  const oneShot = new Set(
    services
      .filter(
        (s) =>
          s.restart === 'no' ||
          services.some((o) =>
            o.dependsOn.some((d) => d.service === s.name && d.condition === 'service_completed_successfully'),
          ),
      )
      .map((s) => s.name),
  );
  const stateful = (service: ComposeService) =>
    !oneShot.has(service.name) &&
    dataVolumes(service).some((v) => claimKeys.get(`${v.kind}:${v.source}`)!.users.length === 1);

  const components: PlannedComponent[] = services.map((service) => {
    const component = componentOf.get(service.name)!;
    const ports = new Map<number, PlannedPort>();
    const add = (containerPort: number, servicePort: number, protocol: 'TCP' | 'UDP', source: string) => {
      if (!ports.has(containerPort))
        ports.set(containerPort, {
          name: `port-${containerPort}`,
          containerPort,
          servicePort,
          protocol,
          source,
        });
    };
    for (const p of service.ports) add(p.target, p.target, p.protocol, 'ports');
    for (const p of service.expose) add(p, p, 'TCP', 'expose');
    for (const p of referenced.get(service.name) ?? []) add(p, p, 'TCP', 'reference');
    const hosts = probeHosts(service.name);
    const httpCheck = probeOf(service, hosts)?.http;
    if (httpCheck) add(httpCheck.port, httpCheck.port, 'TCP', 'healthcheck');
    const imageBase = imageName(service.image).name;
    const known = Object.entries(WELL_KNOWN_PORTS).find(([image]) => imageBase.includes(image));
    if (ports.size === 0 && known) add(known[1], known[1], 'TCP', 'image');
    if (service.ports.some((p) => p.published !== undefined)) {
      notes.push(
        `${service.name}: published ports become a ClusterIP Service; expose it with an Ingress or a NodePort Service`,
      );
    }

    const config: Record<string, string> = {};
    const secretEnv: Record<string, string> = {};
    const derivedEnv: Record<string, string> = {};
    const holderOf = (_secret: string, secretKey: string) => {
      let holder = Object.entries(secretEnv).find(([, k]) => k === secretKey)?.[0];
      if (!holder) {
        holder = `BERTH_SECRET_${secretKey.toUpperCase().replace(/-/g, '_')}`;
        secretEnv[holder] = secretKey;
        useSecret(secretKey, `${service.name}.${holder}`);
      }
      return holder;
    };
    for (const [variable, value] of Object.entries(service.environment)) {
      const key = secretValues.get(value);
      if (key !== undefined && secretOrigin(service, variable, value) !== undefined) {
        secretEnv[variable] = key;
        useSecret(key, `${service.name}.${variable}`);
        continue;
      }
      if (key !== undefined) {
        notes.push(
          `${service.name}: ${variable} has the same value as a password but neither its name nor its variable looks secret; kept as a setting`,
        );
        config[variable] = hostRewrite(variable, value);
        continue;
      }
      const rewritten = hostRewrite(variable, value);
      let text = rewritten;
      for (const [secret, secretKey] of secretValues) {
        if (!text.includes(secret)) continue;
        const replaced = embed(text, secret, '\u0000');
        if (replaced !== text) text = replaced.split('\u0000').join(`$(${holderOf(secret, secretKey)})`);
      }
      if (text !== rewritten) {
        derivedEnv[variable] = text;
        continue;
      }
      if (SECRET_NAME.test(variable) && value === '') {
        notes.push(`${service.name}: ${variable} looks secret but is empty; kept as an empty setting`);
      }
      config[variable] = hostRewrite(variable, value);
    }

    // Credentials inside commands and probes: Kubernetes expands $(VAR) in command/args; exec probes need a shell.
    const hide = (words: readonly string[] | undefined, shell: boolean) =>
      words?.map((word, index) => {
        let out = shell ? word : rewriteHosts(word, toService);
        for (const [secret, secretKey] of secretValues) {
          if (!out.includes(secret)) continue;
          const replaced = embed(out, secret, '\u0000', words[index - 1] ?? '');
          if (replaced === out) continue;
          const holder = holderOf(secret, secretKey);
          out = replaced.split('\u0000').join(shell ? `"$${holder}"` : `$(${holder})`);
        }
        return out;
      });
    const command = hide(service.entrypoint, false);
    const args = hide(service.command, false);
    let probe = probeOf(service, hosts);
    if (probe?.exec) {
      const hidden = hide(probe.exec, true)!;
      if (hidden.join('\0') !== probe.exec.join('\0')) {
        const shell = probe.exec[0] === 'sh' && probe.exec[1] === '-c';
        probe = { ...probe, exec: shell ? hidden : ['sh', '-c', hidden.join(' ')] };
      }
    }
    if (probe?.http && !ports.has(probe.http.port))
      add(probe.http.port, probe.http.port, 'TCP', 'healthcheck');

    const kind = oneShot.has(service.name) ? 'Job' : stateful(service) ? 'StatefulSet' : 'Deployment';
    const calledBy = callers.get(service.name) ?? [];
    if (kind !== 'Job' && ports.size === 0 && calledBy.length) {
      unsupported.push({
        service: service.name,
        key: 'ports',
        reason: `called by ${calledBy.join(', ')} but no port was found (ports, expose, host:port, HOST/PORT pairs, image): add it under expose: and import again, or its callers find no Service`,
      });
    } else if (kind !== 'Job' && ports.size === 0) {
      notes.push(`${service.name}: no port and no caller found: a component without a Service`);
    }
    // Non-root may bind low ports with a namespaced safe sysctl (Kubernetes ≥ 1.22).
    const lowPort = [...ports.values()].find(
      (port) => port.containerPort < 1024 && port.source !== 'reference',
    );
    if (lowPort && kind !== 'Job') {
      notes.push(
        `${service.name}: listens on port ${lowPort.containerPort} as non-root: the pod sets the safe sysctl net.ipv4.ip_unprivileged_port_start=0`,
      );
    }
    const volumes: PlannedVolume[] = [];
    service.volumes.forEach((volume: ComposeVolume, index) => {
      const entry = claimKeys.get(`${volume.kind}:${volume.source}`);
      const volumeName = entry
        ? dnsName(entry.key.replace(/([A-Z])/g, '-$1')).slice(0, 50)
        : `scratch-${index}`;
      if (entry) {
        volumes.push({
          name: volumeName,
          mountPath: volume.target,
          readOnly: volume.readOnly,
          claim: entry.key,
          owner: entry.users[0] === service.name,
        });
      } else if (volume.kind === 'anonymous' || volume.kind === 'tmpfs') {
        volumes.push({
          name: volumeName,
          mountPath: volume.target,
          readOnly: false,
          ...(volume.kind === 'tmpfs' ? { memory: true } : {}),
        });
      }
    });

    const user = decideUser(service);
    const { runAsUser, runAsGroup } = user;
    // Claims the pod writes to belong to its group, so a non-root uid can use them.
    const fsGroup = volumes.some((v) => v.claim) ? (runAsGroup ?? runAsUser) : undefined;
    if (service.restart !== undefined) {
      notes.push(
        `${service.name}: restart: ${service.restart} ignored — ${kind === 'Job' ? 'a Job runs to completion' : 'Kubernetes restarts pods itself'}`,
      );
    }

    const limits = service.limits;
    const reservations = service.reservations;
    const memoryLimit = limits.memory ? memoryQuantity(limits.memory) : '512Mi';
    return {
      name: component,
      key: camelKey(component),
      composeName: service.name,
      kind,
      stage: 'backends' as Stage,
      image: parseImage(service.image, service.name, notes),
      replicas: kind === 'Job' ? 1 : (service.replicas ?? 1),
      resources: {
        requests: {
          cpu: reservations.cpu ? cpuQuantity(reservations.cpu) : '100m',
          memory: reservations.memory ? memoryQuantity(reservations.memory) : '128Mi',
        },
        limits: { ...(limits.cpu ? { cpu: cpuQuantity(limits.cpu) } : {}), memory: memoryLimit },
      },
      ...(command ? { command } : {}),
      ...(args ? { args } : {}),
      ports: [...ports.values()],
      ...(probe ? { probe } : {}),
      config,
      secretEnv,
      derivedEnv,
      volumes,
      files: filesOf.get(service.name) ?? [],
      ...(runAsUser !== undefined ? { runAsUser } : {}),
      ...(runAsGroup !== undefined ? { runAsGroup } : {}),
      ...(fsGroup !== undefined ? { fsGroup } : {}),
      ...(lowPort && kind !== 'Job' ? { sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' } } : {}),
      ...(user.securityException ? { securityException: user.securityException } : {}),
      user: { runsAs: user.runsAs, why: user.why },
      dependsOn: service.dependsOn
        .filter((d) => {
          if (included.has(d.service)) return true;
          notes.push(
            `${service.name}: depends_on ${d.service}${d.required ? '' : ' (required: false)'} is not among the selected services; ignored`,
          );
          return false;
        })
        .map((d) => componentOf.get(d.service)!),
    };
  });

  // Stages: data services and their dependencies first, one-shot Jobs next, then whoever calls others.
  const byName = new Map(components.map((c) => [c.name, c]));
  const staged = components.map((c) => {
    if (c.kind === 'Job') return { ...c, stage: 'migrations' as Stage };
    // Data services nothing else has to precede are the dependencies; the rest follow what they wait for.
    if (c.kind === 'StatefulSet' && c.dependsOn.length === 0) return { ...c, stage: 'dependencies' as Stage };
    const callsApp = c.dependsOn.some((d) => {
      const dep = byName.get(d);
      return dep !== undefined && dep.kind === 'Deployment';
    });
    return { ...c, stage: (callsApp ? 'frontends' : 'backends') as Stage };
  });
  for (const c of staged) {
    for (const dep of c.dependsOn) {
      const other = staged.find((o) => o.name === dep)!;
      if (
        other.stage === c.stage &&
        c.kind === 'Deployment' &&
        other.kind === 'Deployment' &&
        c.stage === 'frontends'
      ) {
        notes.push(
          `${c.composeName}: depends on ${other.composeName} in the same stage (frontends); both start together`,
        );
      }
    }
  }
  const stages = { config: [], dependencies: [], migrations: [], backends: [], frontends: [] } as Record<
    Stage,
    string[]
  >;
  for (const c of staged) stages[c.stage].push(c.name);

  const claims: PlannedClaim[] = [...claimKeys.values()].map((entry) => ({
    key: entry.key,
    source: entry.source,
    users: entry.users.map((u) => componentOf.get(u)!),
    accessMode: entry.users.length > 1 ? 'ReadWriteMany' : 'ReadWriteOnce',
    size: '10Gi',
  }));
  for (const claim of claims) {
    if (claim.users.length > 1) {
      notes.push(`volume ${claim.source} is shared by ${claim.users.join(', ')}: ReadWriteMany claim`);
    }
  }
  const secrets = Object.fromEntries([...secretUsers.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    name,
    components: staged,
    claims,
    secrets,
    stages,
    skipped: project.skipped,
    unsupported,
    notes,
  };
}

const NOT_A_CREDENTIAL = /^(true|false|yes|no|on|off|null|none|[-+]?\d+(\.\d+)?)$/i;

/** Long enough and not a flag or a number: a value that can be a password, key or token. */
export function looksLikeCredential(value: string): boolean {
  return value.length >= 6 && !NOT_A_CREDENTIAL.test(value);
}
