/**
 * A simplified Pod Security Standards check (baseline and restricted, as of Kubernetes 1.25+) of
 * rendered pod templates, so a namespace that enforces a level rejects nothing at install time.
 * Each violation names the object and the field path.
 */
import type { PodTemplate } from './model.ts';
import { asArray, asObject, containersOf } from './pods.ts';

export const POD_SECURITY_LEVELS = ['privileged', 'baseline', 'restricted'] as const;
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];

export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

export interface PodSecurityViolation {
  readonly level: Exclude<PodSecurityLevel, 'privileged'>;
  /** `StatefulSet/x spec.template.spec.containers[0].securityContext.privileged`. */
  readonly field: string;
  readonly problem: string;
}

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);

const RESTRICTED_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

const SELINUX_TYPES = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);

/** The level a namespace enforces (absent or unknown label: privileged, i.e. nothing enforced). */
export function enforcedLevel(labels: Readonly<Record<string, string>> | undefined): PodSecurityLevel {
  const value = labels?.[ENFORCE_LABEL];
  return (POD_SECURITY_LEVELS as readonly string[]).includes(value ?? '')
    ? (value as PodSecurityLevel)
    : 'privileged';
}

function baseline(template: PodTemplate): PodSecurityViolation[] {
  const out: PodSecurityViolation[] = [];
  const spec = template.spec;
  const at = (path: string) => `${template.owner} ${template.path}.${path}`;
  const v = (path: string, problem: string) => out.push({ level: 'baseline', field: at(path), problem });
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[field] === true) v(field, `${field} is true`);
  }
  const podContext = asObject(spec.securityContext) ?? {};
  asArray(podContext.sysctls).forEach((sysctl, i) => {
    if (!SAFE_SYSCTLS.has(String(sysctl.name)))
      v(`securityContext.sysctls[${i}].name`, `unsafe sysctl ${String(sysctl.name)}`);
  });
  if (asObject(podContext.seccompProfile)?.type === 'Unconfined')
    v('securityContext.seccompProfile.type', 'seccomp Unconfined');
  const podSelinux = asObject(podContext.seLinuxOptions)?.type;
  if (typeof podSelinux === 'string' && !SELINUX_TYPES.has(podSelinux))
    v('securityContext.seLinuxOptions.type', `SELinux type ${podSelinux}`);
  asArray(spec.volumes).forEach((volume, i) => {
    if (volume.hostPath !== undefined) v(`volumes[${i}].hostPath`, 'hostPath volume');
  });
  for (const { path, container } of containersOf(spec)) {
    const context = asObject(container.securityContext) ?? {};
    if (context.privileged === true) v(`${path}.securityContext.privileged`, 'privileged container');
    const added = (asObject(context.capabilities)?.add ?? []) as unknown[];
    added.forEach((cap, i) => {
      if (!BASELINE_CAPABILITIES.has(String(cap)))
        v(`${path}.securityContext.capabilities.add[${i}]`, `capability ${String(cap)}`);
    });
    if (context.procMount !== undefined && context.procMount !== 'Default')
      v(`${path}.securityContext.procMount`, `procMount ${String(context.procMount)}`);
    if (asObject(context.seccompProfile)?.type === 'Unconfined')
      v(`${path}.securityContext.seccompProfile.type`, 'seccomp Unconfined');
    const selinux = asObject(context.seLinuxOptions)?.type;
    if (typeof selinux === 'string' && !SELINUX_TYPES.has(selinux))
      v(`${path}.securityContext.seLinuxOptions.type`, `SELinux type ${selinux}`);
    asArray(container.ports).forEach((port, i) => {
      if (typeof port.hostPort === 'number' && port.hostPort !== 0)
        v(`${path}.ports[${i}].hostPort`, `hostPort ${port.hostPort}`);
    });
  }
  return out;
}

function restricted(template: PodTemplate): PodSecurityViolation[] {
  const out: PodSecurityViolation[] = [];
  const spec = template.spec;
  const at = (path: string) => `${template.owner} ${template.path}.${path}`;
  const v = (path: string, problem: string) => out.push({ level: 'restricted', field: at(path), problem });
  asArray(spec.volumes).forEach((volume, i) => {
    const type = Object.keys(volume).find((k) => k !== 'name');
    if (type && !RESTRICTED_VOLUMES.has(type) && type !== 'hostPath')
      v(`volumes[${i}].${type}`, `${type} volume`);
  });
  const podContext = asObject(spec.securityContext) ?? {};
  const podNonRoot = podContext.runAsNonRoot === true;
  const podSeccomp = asObject(podContext.seccompProfile)?.type;
  if (podContext.runAsUser === 0) v('securityContext.runAsUser', 'runs as root (runAsUser 0)');
  for (const { path, container } of containersOf(spec)) {
    const context = asObject(container.securityContext) ?? {};
    if (context.allowPrivilegeEscalation !== false) {
      v(`${path}.securityContext.allowPrivilegeEscalation`, 'allowPrivilegeEscalation is not false');
    }
    if (context.runAsNonRoot === false || (!podNonRoot && context.runAsNonRoot !== true)) {
      v(`${path}.securityContext.runAsNonRoot`, 'runAsNonRoot is not true');
    }
    if (context.runAsUser === 0) v(`${path}.securityContext.runAsUser`, 'runs as root (runAsUser 0)');
    const seccomp = asObject(context.seccompProfile)?.type ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
      v(`${path}.securityContext.seccompProfile.type`, 'seccompProfile is not RuntimeDefault or Localhost');
    }
    const capabilities = asObject(context.capabilities) ?? {};
    const dropped = ((capabilities.drop ?? []) as unknown[]).map(String);
    if (!dropped.includes('ALL'))
      v(`${path}.securityContext.capabilities.drop`, 'capabilities do not drop ALL');
    ((capabilities.add ?? []) as unknown[]).forEach((cap, i) => {
      if (String(cap) !== 'NET_BIND_SERVICE')
        v(`${path}.securityContext.capabilities.add[${i}]`, `capability ${String(cap)}`);
    });
  }
  return out;
}

/** Violations of `level` (restricted includes baseline); none for privileged. */
export function podSecurityViolations(
  templates: readonly PodTemplate[],
  level: PodSecurityLevel,
): PodSecurityViolation[] {
  if (level === 'privileged') return [];
  return templates.flatMap((t) => [...baseline(t), ...(level === 'restricted' ? restricted(t) : [])]);
}
