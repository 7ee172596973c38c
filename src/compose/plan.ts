/**
 * From compose services to a berth plan: components with their kind, stage, ports, probes,
 * volumes, and environment split into plain settings and generated secrets.
 */
import type { Stage } from '../render/model.ts';
import type { ComposeProject, ComposeService, ComposeVolume, Unsupported } from './model.ts';

export const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|KEY|TOKEN|CREDENTIAL|AUTH|PRIVATE|SALT|DSN)/i;
/** Variables whose whole value names a host, so a compose service name there becomes a Service name. */
const HOST_NAME = /(HOST|HOSTNAME|SERVER|ADDR|ADDRESS|ENDPOINTS?|URL|URI|UPSTREAM)$/i;
const HOST_MARK = (component: string) => `{{host:${component}}}`;

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
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
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

function probeOf(service: ComposeService): PlannedProbe | undefined {
  const check = service.healthcheck;
  if (!check) return undefined;
  const [kind, ...rest] = check.test;
  const shell = kind === 'CMD-SHELL' ? rest.join(' ') : undefined;
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

/** Bind mounts of single files (configuration) are not data: they become ConfigMap suggestions. */
const looksLikeFile = (path: string) => /\.[A-Za-z0-9]{1,10}$/.test(path.split('/').at(-1) ?? '');

export function buildPlan(project: ComposeProject, name: string): ImportPlan {
  const notes = [...project.notes];
  const unsupported = [...project.unsupported];
  const services = project.services;
  const componentOf = new Map(services.map((s) => [s.name, dnsName(s.name)]));
  const included = new Set(services.map((s) => s.name));

  // Claims: one per named volume or data bind mount, shared when several services mount it.
  const claimKeys = new Map<string, { key: string; users: string[]; source: string }>();
  const dataVolumes = (service: ComposeService) =>
    service.volumes.filter(
      (v) =>
        v.kind === 'named' || (v.kind === 'bind' && !looksLikeFile(v.source) && !looksLikeFile(v.target)),
    );
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
    for (const volume of service.volumes) {
      if (volume.kind === 'bind' && (looksLikeFile(volume.source) || looksLikeFile(volume.target))) {
        notes.push(
          `${service.name}: bind mount ${volume.source} → ${volume.target} is a configuration file: put it in a ConfigMap and mount it (not mounted by the skeleton)`,
        );
      }
    }
  }
  const usedKeys = new Set<string>();
  for (const entry of claimKeys.values()) {
    let key = entry.key;
    for (let i = 2; usedKeys.has(key); i++) key = `${entry.key}${i}`;
    usedKeys.add(key);
    entry.key = key;
  }

  // Secrets: by variable name, or by carrying the value of a secret; one key per distinct value.
  // Flags and numbers (`API_TOKEN_ENABLED: "false"`, `TOKEN_TTL: 60`) are settings, not credentials:
  // treating them as secrets would turn every `false` and `60` of the file into a random string.
  const secretValues = new Map<string, string>();
  for (const service of services) {
    for (const [variable, value] of Object.entries(service.environment)) {
      if (SECRET_NAME.test(variable) && looksLikeCredential(value) && !secretValues.has(value)) {
        secretValues.set(value, kebab(variable));
      }
    }
  }
  const secretUsers = new Map<string, string[]>();
  const useSecret = (key: string, who: string) => {
    const list = secretUsers.get(key) ?? [];
    list.push(who);
    secretUsers.set(key, list);
  };

  // Ports other services use: `name:port` in their settings, commands and healthchecks.
  const referenced = new Map<string, Set<number>>();
  const texts = services.flatMap((s) => [
    ...Object.values(s.environment),
    ...(s.command ?? []),
    ...(s.entrypoint ?? []),
  ]);
  for (const service of services) {
    const pattern = new RegExp(
      `(?:^|[/@\\s,=])${service.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:(\\d{2,5})\\b`,
      'g',
    );
    for (const text of texts) {
      for (const match of text.matchAll(pattern)) {
        const set = referenced.get(service.name) ?? new Set<number>();
        set.add(Number(match[1]));
        referenced.set(service.name, set);
      }
    }
  }

  const hostRewrite = (variable: string, value: string) => {
    let out = value;
    for (const [compose, component] of componentOf) {
      if (HOST_NAME.test(variable) && out === compose) return HOST_MARK(component);
      const escaped = compose.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      out = out.replace(
        new RegExp(`(//|@)${escaped}(?=(?::\\d+)?(?:[/?#]|$))`, 'g'),
        `$1${HOST_MARK(component)}`,
      );
      out = out.replace(new RegExp(`(^|[\\s,=])${escaped}(?=:\\d)`, 'g'), `$1${HOST_MARK(component)}`);
    }
    const missing = project.skipped.find(
      (name) => (HOST_NAME.test(variable) && out === name) || new RegExp(`(//|@)${name}(?=[:/]|$)`).test(out),
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
    const httpCheck = probeOf(service)?.http;
    if (httpCheck) add(httpCheck.port, httpCheck.port, 'TCP', 'healthcheck');
    const imageBase = (service.image ?? '').split('/').at(-1)!.split(':')[0]!;
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
      if (key !== undefined && value !== '') {
        secretEnv[variable] = key;
        useSecret(key, `${service.name}.${variable}`);
        continue;
      }
      const embedded = [...secretValues.entries()].filter(([secret]) => value.includes(secret));
      if (embedded.length) {
        let text = hostRewrite(variable, value);
        for (const [secret, secretKey] of embedded) {
          text = text.split(secret).join(`$(${holderOf(secret, secretKey)})`);
        }
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
      words?.map((word) => {
        let out = word;
        for (const [secret, secretKey] of secretValues) {
          if (out.includes(secret)) {
            const holder = holderOf(secret, secretKey);
            out = out.split(secret).join(shell ? `"$${holder}"` : `$(${holder})`);
          }
        }
        return out;
      });
    const command = hide(service.entrypoint, false);
    const args = hide(service.command, false);
    let probe = probeOf(service);
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
    if (kind !== 'Job' && ports.size === 0) {
      notes.push(
        `${service.name}: no port found (ports, expose, healthcheck, references); add one if other services call it`,
      );
    }
    for (const port of ports.values()) {
      if (port.containerPort < 1024) {
        notes.push(
          `${service.name}: listens on port ${port.containerPort}; non-root pods usually cannot bind below 1024 — use an unprivileged image or port`,
        );
      }
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

    let runAsUser: number | undefined;
    let runAsGroup: number | undefined;
    if (service.user !== undefined) {
      const [uid, gid] = service.user.split(':');
      if (/^\d+$/.test(uid ?? '') && Number(uid) > 0) {
        runAsUser = Number(uid);
        if (/^\d+$/.test(gid ?? '')) runAsGroup = Number(gid);
      } else {
        unsupported.push({
          service: service.name,
          key: `user ${service.user}`,
          reason: 'pods run as a numeric non-root uid (berth policy); set the image’s non-root uid',
        });
      }
    }
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
      ...(runAsUser !== undefined ? { runAsUser } : {}),
      ...(runAsGroup !== undefined ? { runAsGroup } : {}),
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
