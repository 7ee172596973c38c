import { getBlueprint } from '../../src/blueprints/registry.ts';
import type { SecretValueSource } from '../../src/render/config-objects.ts';
import type { KubeObject } from '../../src/render/model.ts';
import { type RenderResult, render } from '../../src/render/render.ts';
import { collectUserValues } from '../../src/values/sources.ts';

/** Stands in for generated secret values so rendered output is reproducible in tests. */
export const fixedSecrets: SecretValueSource = (secret, key, spec) => {
  const length = spec.kind === 'hex' ? spec.bytes * 2 : spec.length;
  return `${secret}-${key}-`.padEnd(length, 'x').slice(0, length);
};

export async function renderExample(
  blueprint: string,
  files: readonly string[],
  sets: readonly string[] = [],
  options: { release?: string; namespace?: string } = {},
): Promise<RenderResult> {
  const values = collectUserValues({ files, flags: sets.map((expression) => ({ kind: 'set', expression })) });
  return render(await getBlueprint(blueprint), values, {
    release: options.release ?? blueprint,
    namespace: options.namespace ?? blueprint,
    secretValues: fixedSecrets,
  });
}

/** A render of plain values objects (no files), release and namespace named alike. */
export async function renderValues(
  blueprint: string,
  values: unknown,
  release: string,
): Promise<RenderResult> {
  return render(await getBlueprint(blueprint), values, {
    release,
    namespace: release,
    secretValues: fixedSecrets,
  });
}

export function find(result: RenderResult, kind: string, name: string): KubeObject {
  const found = result.manifests.find((m) => m.object.kind === kind && m.object.metadata.name === name);
  if (!found)
    throw new Error(
      `no ${kind}/${name} in ${result.manifests.map((m) => `${m.object.kind}/${m.object.metadata.name}`).join(', ')}`,
    );
  return found.object;
}

export function names(result: RenderResult, kind?: string): string[] {
  return result.manifests
    .filter((m) => !kind || m.object.kind === kind)
    .map((m) => `${m.object.kind}/${m.object.metadata.name}`);
}

/** The pod template's first container of a workload. */
export function podSpec(object: KubeObject): Record<string, any> {
  return (object.spec as any).template.spec;
}

export function envOf(object: KubeObject, container = 0): Record<string, unknown> {
  const env = podSpec(object).containers[container].env as {
    name: string;
    value?: string;
    valueFrom?: unknown;
  }[];
  return Object.fromEntries(env.map((e) => [e.name, e.value ?? e.valueFrom]));
}
