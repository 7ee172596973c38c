/**
 * `berth export gitops`: the rendered release as a folder Argo CD or Flux can sync, one file per
 * object, in berth's stage order. No secret value is written: Secrets are left out with a note, or
 * replaced by ExternalSecrets that fetch the same keys from a store.
 */
import type { Blueprint } from '../blueprints/blueprint.ts';
import type { GeneratedValue, KubeObject, Stage } from '../render/model.ts';
import { STAGES } from '../render/model.ts';
import { type Manifest, render } from '../render/render.ts';
import { toYaml } from '../yaml.ts';
import { NOT_CARRIED } from './limits.ts';

export const SECRET_MODES = ['omit', 'external-secrets'] as const;
export type SecretMode = (typeof SECRET_MODES)[number];

export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

export interface GitopsOptions {
  readonly release: string;
  readonly namespace: string;
  readonly secrets: SecretMode;
  /** external-secrets: the store to read from and the remote key of each Secret (prefix + name). */
  readonly externalSecrets?: {
    readonly store: string;
    readonly storeKind: 'SecretStore' | 'ClusterSecretStore';
    readonly keyPrefix: string;
  };
  /** Where Flux finds this folder. */
  readonly flux: {
    readonly source: { kind: string; name: string; namespace: string };
    readonly path: string;
  };
}

/** A stage's folder: `1-config`, `2-dependencies`, ... */
export function stageFolder(stage: Stage): string {
  return `${STAGES.indexOf(stage) + 1}-${stage}`;
}

function withWave(object: KubeObject, stage: Stage): KubeObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: { ...object.metadata.annotations, [SYNC_WAVE]: String(STAGES.indexOf(stage)) },
    },
  };
}

function externalSecret(
  secret: KubeObject,
  options: NonNullable<GitopsOptions['externalSecrets']>,
): KubeObject {
  const keys = Object.keys((secret.stringData ?? {}) as Record<string, string>);
  const { annotations, labels, name, namespace } = secret.metadata;
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: options.storeKind, name: options.store },
      target: {
        name,
        creationPolicy: 'Owner',
        template: {
          type: secret.type ?? 'Opaque',
          metadata: { ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
        },
      },
      data: keys.map((key) => ({
        secretKey: key,
        remoteRef: { key: `${options.keyPrefix}${name}`, property: key },
      })),
    },
  };
}

interface OmittedSecret {
  readonly name: string;
  readonly namespace: string;
  readonly type: string;
  readonly keys: readonly string[];
}

function fileName(object: KubeObject, namespace: string): string {
  const where =
    object.metadata.namespace && object.metadata.namespace !== namespace
      ? `${object.metadata.namespace}-`
      : '';
  return `${object.kind.toLowerCase()}-${where}${object.metadata.name}.yaml`;
}

function kustomization(resources: readonly string[]): string {
  return toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources });
}

function fluxKustomizations(stages: readonly Stage[], options: GitopsOptions): string {
  const name = (stage: Stage) => `${options.release}-${stage}`;
  const path = options.flux.path.replace(/\/+$/, '');
  return stages
    .map((stage, i) =>
      toYaml({
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name: name(stage), namespace: options.flux.source.namespace },
        spec: {
          interval: '10m',
          path: `${path}/${stageFolder(stage)}`,
          prune: true,
          wait: true,
          timeout: '10m',
          sourceRef: { kind: options.flux.source.kind, name: options.flux.source.name },
          ...(i > 0 ? { dependsOn: [{ name: name(stages[i - 1]!) }] } : {}),
        },
      }),
    )
    .join('---\n');
}

function describeGenerated(spec: GeneratedValue): string {
  return spec.kind === 'hex' ? `${spec.bytes} random bytes, hex` : `${spec.length} random letters and digits`;
}

function secretsNote(
  omitted: readonly OmittedSecret[],
  generated: ReadonlyMap<string, GeneratedValue>,
  blueprint: string,
): string {
  const lines = omitted.flatMap((secret) => [
    `- \`${secret.namespace}/${secret.name}\` (${secret.type}):`,
    ...secret.keys.map((key) => {
      const spec = generated.get(`${secret.name}/${key}`);
      return `  - \`${key}\`: ${spec ? describeGenerated(spec) : `a fixed or derived value (berth render ${blueprint} shows it)`}`;
    }),
  ]);
  return `# Secrets this folder leaves out

No secret value is committed. Create these Secrets in the cluster before the first sync (or export
with \`--secrets external-secrets\` to have External Secrets Operator create them from a store):

${lines.join('\n')}

The pods' \`berth.dev/config-checksum\` annotations do not cover these Secrets' values: restart the
pods after changing one.
`;
}

function readme(blueprint: Blueprint, stages: readonly Stage[], options: GitopsOptions): string {
  return `# ${blueprint.name} for GitOps (exported by berth)

\`berth render ${blueprint.name}\` as release \`${options.release}\` in namespace \`${options.namespace}\`,
one file per object, a folder per berth stage: ${stages.map((s) => `\`${stageFolder(s)}\``).join(', ')}.
\`kustomization.yaml\` includes every stage, so \`kubectl apply -k .\` applies the whole release.

- **Argo CD**: point an Application at this folder. Every object carries
  \`${SYNC_WAVE}\` = its stage's index (config 0 … frontends ${STAGES.length - 1}), so Argo CD applies
  the stages in berth's order and waits for each wave to be healthy before the next.
- **Flux**: apply \`flux/kustomizations.yaml\` (not part of \`kustomization.yaml\`): one Flux
  Kustomization per stage with \`wait: true\`, each \`dependsOn\` the one before, so a stage is applied
  only once the previous stage is ready. It reads ${options.flux.source.kind} \`${options.flux.source.name}\` at
  \`${options.flux.path}\`.
- **Secrets**: ${options.secrets === 'omit' ? 'left out; `SECRETS.md` lists what to create.' : 'ExternalSecrets (external-secrets.io/v1) in `1-config` make them from the store.'}

Values, release name and namespace are fixed in these files: export again to change them.

## What berth does that this folder cannot

${NOT_CARRIED.map((line) => `- ${line}`).join('\n')}
`;
}

/** The folder's files, by path relative to it. */
export async function gitopsFolder(
  blueprint: Blueprint,
  userValues: unknown,
  options: GitopsOptions,
): Promise<Map<string, string>> {
  const generated = new Map<string, GeneratedValue>();
  // Secrets are not written, so their values must not vary: a re-export differs only where the release does.
  const result = await render(blueprint, userValues, {
    release: options.release,
    namespace: options.namespace,
    secretValues: (secret, key, spec) => {
      generated.set(`${secret}/${key}`, spec);
      return '';
    },
  });
  const omitted: OmittedSecret[] = [];
  const placed = result.manifests.flatMap((manifest: Manifest): { stage: Stage; object: KubeObject }[] => {
    const { object, stage } = manifest;
    if (object.kind !== 'Secret') return [{ stage, object }];
    if (options.secrets === 'external-secrets' && options.externalSecrets) {
      return [{ stage, object: externalSecret(object, options.externalSecrets) }];
    }
    omitted.push({
      name: object.metadata.name,
      namespace: object.metadata.namespace ?? options.namespace,
      type: String(object.type ?? 'Opaque'),
      keys: Object.keys((object.stringData ?? {}) as Record<string, string>),
    });
    return [];
  });

  const files = new Map<string, string>();
  const stages = STAGES.filter((stage) => placed.some((p) => p.stage === stage));
  for (const stage of stages) {
    const names = placed
      .filter((p) => p.stage === stage)
      .map(({ object }) => {
        const name = fileName(object, options.namespace);
        files.set(`${stageFolder(stage)}/${name}`, toYaml(withWave(object, stage)));
        return name;
      });
    files.set(`${stageFolder(stage)}/kustomization.yaml`, kustomization(names));
  }
  files.set('kustomization.yaml', kustomization(stages.map(stageFolder)));
  files.set('flux/kustomizations.yaml', fluxKustomizations(stages, options));
  if (omitted.length) files.set('SECRETS.md', secretsNote(omitted, generated, blueprint.name));
  files.set('README.md', readme(blueprint, stages, options));
  return files;
}
