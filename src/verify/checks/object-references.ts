/**
 * Every Secret, ConfigMap and claim a pod reads exists: in the release (with the key asked for) or
 * declared by the user (an `existingSecret`/`existingClaim`, or a name the user's values mention),
 * which preflight then checks live.
 */
import { error, type Finding } from '../findings.ts';
import type { ComponentView, ContainerView, ReleaseView } from '../view.ts';

type Json = Record<string, unknown>;

interface Reference {
  readonly kind: 'Secret' | 'ConfigMap' | 'PersistentVolumeClaim';
  readonly name: string;
  readonly key?: string;
  readonly optional: boolean;
  readonly where: string;
}

function containerReferences(container: ContainerView): Reference[] {
  const refs: Reference[] = [];
  for (const entry of (container.spec.env as Json[] | undefined) ?? []) {
    const from = (entry.valueFrom as Json | undefined) ?? {};
    for (const [field, kind] of [
      ['secretKeyRef', 'Secret'],
      ['configMapKeyRef', 'ConfigMap'],
    ] as const) {
      const ref = from[field] as Json | undefined;
      if (ref) {
        refs.push({
          kind,
          name: String(ref.name),
          key: String(ref.key),
          optional: ref.optional === true,
          where: `env ${String(entry.name)} of container ${container.name}`,
        });
      }
    }
  }
  for (const source of (container.spec.envFrom as Json[] | undefined) ?? []) {
    const ref = (source.secretRef ?? source.configMapRef) as Json;
    refs.push({
      kind: source.secretRef ? 'Secret' : 'ConfigMap',
      name: String(ref.name),
      optional: ref.optional === true,
      where: `envFrom of container ${container.name}`,
    });
  }
  return refs;
}

function volumeReferences(component: ComponentView): Reference[] {
  const refs: Reference[] = [];
  for (const volume of (component.podSpec.volumes as Json[] | undefined) ?? []) {
    const where = `volume ${String(volume.name)}`;
    const secret = volume.secret as Json | undefined;
    const configMap = volume.configMap as Json | undefined;
    const claim = volume.persistentVolumeClaim as Json | undefined;
    if (secret)
      refs.push({
        kind: 'Secret',
        name: String(secret.secretName),
        optional: secret.optional === true,
        where,
      });
    if (configMap)
      refs.push({
        kind: 'ConfigMap',
        name: String(configMap.name),
        optional: configMap.optional === true,
        where,
      });
    if (claim)
      refs.push({ kind: 'PersistentVolumeClaim', name: String(claim.claimName), optional: false, where });
    for (const source of ((volume.projected as Json | undefined)?.sources as Json[] | undefined) ?? []) {
      const s = (source.secret ?? source.configMap) as Json | undefined;
      if (s)
        refs.push({
          kind: source.secret ? 'Secret' : 'ConfigMap',
          name: String(s.name),
          optional: s.optional === true,
          where,
        });
    }
  }
  const claimTemplates = ((component.workload.spec as Json).volumeClaimTemplates as Json[] | undefined) ?? [];
  const templated = new Set(claimTemplates.map((t) => String((t.metadata as Json).name)));
  return refs.filter((r) => !(r.kind === 'PersistentVolumeClaim' && templated.has(r.name)));
}

function keysOf(object: Json): string[] {
  return Object.keys({
    ...((object.data as Json | undefined) ?? {}),
    ...((object.stringData as Json | undefined) ?? {}),
  });
}

/**
 * @param declared names the user declared outside the release (existingSecret, existingClaim, or
 *   any string in their values), which preflight checks against the cluster.
 */
export function objectReferenceFindings(view: ReleaseView, declared: ReadonlySet<string>): Finding[] {
  const findings: Finding[] = [];
  for (const component of view.components) {
    const subject = `${component.workload.kind}/${component.workload.metadata.name}`;
    const refs = [
      ...[...component.initContainers, ...component.containers].flatMap(containerReferences),
      ...volumeReferences(component),
    ];
    for (const ref of refs) {
      const object = view.objects.find((o) => o.kind === ref.kind && o.metadata.name === ref.name);
      if (!object) {
        if (!ref.optional && !declared.has(ref.name)) {
          findings.push(
            error(
              'object-reference',
              `${subject} ${ref.where}`,
              `reads ${ref.kind} ${ref.name}, which the release does not create and the values do not declare`,
            ),
          );
        }
        continue;
      }
      if (ref.key !== undefined && !ref.optional && !keysOf(object as Json).includes(ref.key)) {
        findings.push(
          error(
            'object-reference',
            `${subject} ${ref.where}`,
            `reads key ${ref.key} of ${ref.kind} ${ref.name}, which has only ${keysOf(object as Json).join(', ') || 'no keys'}`,
          ),
        );
      }
    }
  }
  return findings;
}
