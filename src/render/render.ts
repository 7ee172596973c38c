/**
 * values → typed values → platform spec → Kubernetes objects, in a deterministic order, every object
 * labelled and validated.
 */

import { backupCallers, scheduledBackups } from '../backup/render.ts';
import type { Blueprint } from '../blueprints/blueprint.ts';
import { BerthError } from '../errors.ts';
import { checkReleaseName } from '../names.ts';
import { validateValues } from '../values/validate.ts';
import type { BackupValues } from '../values/vocabulary/backup.ts';
import { releaseWiring } from '../verify/callers.ts';
import { type Finding, formatFinding } from '../verify/findings.ts';
import { verifyRelease } from '../verify/verify.ts';
import { podTemplateOf } from '../verify/view.ts';
import {
  configMapObject,
  contentChecksum,
  freshSecretValues,
  type SecretValueSource,
  secretObjects,
} from './config-objects.ts';
import { objectName, type RenderContext } from './context.ts';
import { ingressObject } from './ingress.ts';
import { type KubeObject, STAGES, type Stage } from './model.ts';
import { prometheusRule, serviceMonitors } from './monitoring.ts';
import { networkPolicies } from './network-policy.ts';
import { assertValidObjects } from './openapi.ts';
import { applyPatches, extraObjectManifests, objectKey } from './patches.ts';
import { securityExceptionNotes, templatePolicyBreaches, userSecurityWarnings } from './policies.ts';
import { componentObjects } from './workload.ts';

export interface Manifest {
  readonly stage: Stage;
  /** The component the object belongs to, if any. */
  readonly component?: string;
  readonly object: KubeObject;
}

export interface RenderOptions {
  readonly release: string;
  readonly namespace: string;
  /** Generated secret values; fresh random ones unless the caller has stored values. */
  readonly secretValues?: SecretValueSource;
  /** `collect` returns wiring errors in `findings` instead of failing (for `berth lint`). */
  readonly wiring?: 'enforce' | 'collect';
}

export interface RenderResult {
  readonly blueprint: { readonly name: string; readonly version: string; readonly appVersion: string };
  readonly release: string;
  readonly namespace: string;
  readonly values: unknown;
  readonly manifests: readonly Manifest[];
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
  /** Names of Secrets whose keys berth generates. */
  readonly generatedSecrets: readonly string[];
  /** What the wiring verifier found (errors fail the render unless it was asked to collect them). */
  readonly findings: readonly Finding[];
}

/** A release whose wiring is wrong would crash-loop or time out on a real cluster: refuse it. */
function assertWired(findings: readonly Finding[]): void {
  const errors = findings.filter((f) => f.level === 'error');
  if (!errors.length) return;
  throw new BerthError('BERTH_WIRING', errors.map((f) => `wiring: ${formatFinding(f)}`).join('\n'), {
    hint: 'berth lint <blueprint> lists every wiring finding; a value you set may point at the wrong component or port',
  });
}

const KIND_ORDER = [
  'Namespace',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'Secret',
  'ConfigMap',
  'PersistentVolumeClaim',
  'Service',
  'StatefulSet',
  'Deployment',
  'Job',
  'HorizontalPodAutoscaler',
  'ScaledObject',
  'PodDisruptionBudget',
  'NetworkPolicy',
  'Ingress',
  'ServiceMonitor',
  'PrometheusRule',
];

function compareManifests(a: Manifest, b: Manifest): number {
  const byStage = STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage);
  if (byStage !== 0) return byStage;
  const rank = (kind: string) => (KIND_ORDER.includes(kind) ? KIND_ORDER.indexOf(kind) : KIND_ORDER.length);
  const byKind = rank(a.object.kind) - rank(b.object.kind);
  if (byKind !== 0) return byKind;
  return a.object.metadata.name < b.object.metadata.name
    ? -1
    : a.object.metadata.name > b.object.metadata.name
      ? 1
      : 0;
}

function kindAndName(object: KubeObject): string {
  return `${object.kind}/${object.metadata.name}`;
}

function sameObject(a: KubeObject, b: KubeObject): boolean {
  return kindAndName(a) === kindAndName(b);
}

export async function render(
  blueprint: Blueprint,
  userValues: unknown,
  options: RenderOptions,
): Promise<RenderResult> {
  checkReleaseName(options.release);
  const values = validateValues(blueprint.schema, userValues);
  const ctx: RenderContext = {
    release: options.release,
    namespace: options.namespace,
    blueprint: { name: blueprint.name, version: blueprint.version, appVersion: blueprint.appVersion },
    common: values,
  };
  const platform = blueprint.build(values, ctx);
  const source = options.secretValues ?? freshSecretValues;
  const manifests: Manifest[] = [];

  // Keyed by the blueprint's short name, which is how components name what should roll their pods.
  const secrets = secretObjects(ctx, platform.secrets, source);
  const configObjects = [
    ...platform.secrets.map((spec, i) => ({
      name: spec.name,
      stage: spec.stage ?? 'config',
      object: secrets[i]!,
    })),
    ...platform.configMaps.map((spec) => ({
      name: spec.name,
      stage: 'config' as const,
      object: configMapObject(ctx, spec),
    })),
  ];
  const checksums = new Map<string, string>();
  for (const { name, stage, object } of configObjects) {
    manifests.push({ stage, object });
    checksums.set(name, contentChecksum(object));
  }

  for (const component of platform.components) {
    for (const object of componentObjects(ctx, component, { checksums })) {
      // Components that share a values object (a migration Job runs with its app's) share its ServiceAccount.
      if (object.kind === 'ServiceAccount' && manifests.some((m) => sameObject(m.object, object))) continue;
      manifests.push({ stage: component.stage, component: component.name, object });
    }
    for (const object of serviceMonitors(ctx, [component])) {
      manifests.push({ stage: component.stage, component: component.name, object });
    }
  }
  manifests.push(...platform.extraObjects);
  const lastStage = STAGES.at(-1)!;
  const extras = extraObjectManifests(ctx, values.extraObjects ?? [], lastStage);
  const present = new Set(manifests.map((m) => kindAndName(m.object)));
  for (const extra of extras) {
    if (present.has(kindAndName(extra.object))) {
      throw new BerthError(
        'BERTH_VALUES',
        `values extraObjects: ${objectKey(extra.object)} is already part of the release; change it with patches instead`,
      );
    }
    present.add(kindAndName(extra.object));
    manifests.push(extra);
  }
  const ingress = ingressObject(ctx, platform.ingressRoutes, platform.components);
  if (ingress) manifests.push({ stage: lastStage, object: ingress });
  // Scheduled backups call the stores, so they come before the network policies that must admit them.
  const backup = (values as unknown as { backup?: BackupValues }).backup;
  if (backup)
    manifests.push(
      ...scheduledBackups({
        release: ctx.release,
        namespace: ctx.namespace,
        blueprint: ctx.blueprint,
        manifests,
        values: userValues as Record<string, unknown>,
        settings: backup,
      }),
    );
  const { callers, routed } = releaseWiring({ release: ctx.release, namespace: ctx.namespace, manifests });
  for (const [store, jobs] of backupCallers(
    manifests,
    userValues as Record<string, unknown>,
    ctx.namespace,
  )) {
    callers.set(store, new Set([...(callers.get(store) ?? []), ...jobs]));
  }
  for (const object of networkPolicies(ctx, platform.components, platform.ingressRoutes, callers, routed)) {
    manifests.push({ stage: 'config', object });
  }
  const rule = prometheusRule(ctx, platform.alerts);
  if (rule) manifests.push({ stage: lastStage, object: rule });

  const { patched } = applyPatches(manifests, values.patches ?? []);
  manifests.sort(compareManifests);
  await assertValidObjects(manifests.map((m) => m.object));
  const rechecked = new Set([...patched, ...extras.map((e) => objectKey(e.object))]);
  const policyWarnings = manifests.flatMap(({ object }) => {
    const template = rechecked.has(objectKey(object)) ? podTemplateOf(object) : undefined;
    return template
      ? templatePolicyBreaches(template).map(
          (breach) =>
            `${objectKey(object)}: after patches and extraObjects, breaks the production policy (${breach})`,
        )
      : [];
  });
  const findings = verifyRelease({
    release: ctx.release,
    namespace: ctx.namespace,
    values,
    manifests,
    singletons: new Set(platform.components.filter((c) => c.singleton).map((c) => c.name)),
    userProvidedSecrets: platform.userProvidedSecrets ?? [],
  });
  if (options.wiring !== 'collect') assertWired(findings);
  return {
    blueprint: ctx.blueprint,
    release: ctx.release,
    namespace: ctx.namespace,
    values,
    manifests,
    notes: platform.notes,
    warnings: [
      ...platform.warnings,
      ...platform.components.flatMap(securityExceptionNotes),
      ...platform.components.flatMap(userSecurityWarnings),
      ...policyWarnings,
      ...findings.filter((f) => f.level === 'warning').map(formatFinding),
    ],
    findings,
    generatedSecrets: platform.secrets
      .filter((s) => Object.keys(s.generated).length > 0)
      .map((s) => objectName(ctx, s.name)),
  };
}
