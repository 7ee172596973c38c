/**
 * Singletons and pods on a ReadWriteOnce claim never run twice: no surge on rollout, one replica,
 * no autoscaler. ReadWriteMany claims are flagged: most storage classes cannot provide them.
 */
import type { KubeObject } from '../../render/model.ts';
import { error, type Finding, warning } from '../findings.ts';
import type { ComponentView, ReleaseView } from '../view.ts';

type Json = Record<string, unknown>;

function accessModesOf(claim: Json | undefined): string[] {
  return ((claim?.spec as Json | undefined)?.accessModes as string[] | undefined) ?? [];
}

function readWriteOnceClaims(view: ReleaseView, component: ComponentView): string[] {
  return ((component.podSpec.volumes as Json[] | undefined) ?? [])
    .map((v) => (v.persistentVolumeClaim as Json | undefined)?.claimName as string | undefined)
    .filter((name): name is string => name !== undefined)
    .filter((name) => {
      const modes = accessModesOf(view.object('PersistentVolumeClaim', name) as Json | undefined);
      return modes.length > 0 && modes.every((m) => m === 'ReadWriteOnce');
    });
}

function surges(workload: KubeObject): boolean {
  const strategy = ((workload.spec as Json).strategy as Json | undefined) ?? {};
  if (strategy.type === 'Recreate') return false;
  const maxSurge = (strategy.rollingUpdate as Json | undefined)?.maxSurge ?? '25%';
  return !(maxSurge === 0 || maxSurge === '0%');
}

function scaledBeyondOne(view: ReleaseView, workload: KubeObject): boolean {
  const replicas = (workload.spec as Json).replicas;
  const autoscaled = view.objects.some(
    (o) =>
      (o.kind === 'HorizontalPodAutoscaler' &&
        ((o.spec as Json).scaleTargetRef as Json).name === workload.metadata.name) ||
      (o.kind === 'ScaledObject' &&
        ((o.spec as Json).scaleTargetRef as Json).name === workload.metadata.name),
  );
  return autoscaled || (typeof replicas === 'number' && replicas > 1);
}

export function rolloutFindings(view: ReleaseView, singletons: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = [];
  for (const component of view.components) {
    const { workload } = component;
    const subject = `${workload.kind}/${workload.metadata.name}`;
    if (singletons.has(component.name)) {
      if (scaledBeyondOne(view, workload))
        findings.push(
          error(
            'singleton',
            subject,
            'is a singleton (it must never run twice) but is scaled beyond one pod',
          ),
        );
      if (workload.kind === 'Deployment' && surges(workload))
        findings.push(
          error(
            'singleton',
            subject,
            'is a singleton but its rollout surges a second pod; use strategy Recreate',
          ),
        );
    }
    if (workload.kind !== 'Deployment') continue;
    const claims = readWriteOnceClaims(view, component);
    if (claims.length && surges(workload)) {
      findings.push(
        error(
          'rwo-surge',
          subject,
          `mounts ReadWriteOnce claim ${claims.join(', ')} but its rollout surges a second pod, which waits for the volume forever on another node; use strategy Recreate`,
        ),
      );
    }
    if (claims.length && scaledBeyondOne(view, workload)) {
      findings.push(
        warning(
          'rwo-surge',
          subject,
          `runs several pods on ReadWriteOnce claim ${claims.join(', ')}: they all have to land on one node`,
        ),
      );
    }
  }
  return findings;
}

export function storageFindings(view: ReleaseView): Finding[] {
  const claims: { name: string; spec: Json }[] = [];
  for (const object of view.objects) {
    if (object.kind === 'PersistentVolumeClaim')
      claims.push({ name: object.metadata.name, spec: (object.spec as Json) ?? {} });
    for (const template of ((object.spec as Json | undefined)?.volumeClaimTemplates as Json[] | undefined) ??
      []) {
      claims.push({
        name: `${object.metadata.name}/${String((template.metadata as Json).name)}`,
        spec: (template.spec as Json) ?? {},
      });
    }
  }
  return claims
    .filter((c) => ((c.spec.accessModes as string[] | undefined) ?? []).includes('ReadWriteMany'))
    .map((c) => {
      const storageClass = c.spec.storageClassName
        ? `storage class ${String(c.spec.storageClassName)}`
        : "the cluster's default storage class";
      return warning(
        'read-write-many',
        `PersistentVolumeClaim/${c.name}`,
        `asks ${storageClass} for ReadWriteMany, which block and local storage (EBS, GCE PD, Azure Disk, local-path) cannot provide; use a class backed by NFS, CephFS, EFS or Azure Files, or ReadWriteOnce`,
      );
    });
}
