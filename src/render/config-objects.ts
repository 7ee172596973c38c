/** ConfigMaps and Secrets, and the checksums that roll pods when their content changes. */
import { createHash, randomBytes } from 'node:crypto';
import { GENERATED_KEYS_ANNOTATION } from './annotations.ts';
import { objectName, type RenderContext } from './context.ts';
import type { ConfigMapSpec, GeneratedValue, KubeObject, SecretSpec } from './model.ts';
import { standardLabels } from './policies.ts';

/**
 * Supplies the value of a generated secret key. Offline rendering draws fresh random values; the
 * release engine supplies the values already stored in the cluster so they never change.
 */
export type SecretValueSource = (secretName: string, key: string, spec: GeneratedValue) => string;

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomSecretValue(spec: GeneratedValue): string {
  if (spec.kind === 'hex') return randomBytes(spec.bytes).toString('hex');
  // Rejection sampling keeps every character equally likely.
  let out = '';
  while (out.length < spec.length) {
    for (const byte of randomBytes(spec.length * 2)) {
      if (byte < 248 && out.length < spec.length) out += ALPHANUMERIC[byte % ALPHANUMERIC.length];
    }
  }
  return out;
}

export const freshSecretValues: SecretValueSource = (_secret, _key, spec) => randomSecretValue(spec);

function secretObject(ctx: RenderContext, spec: SecretSpec, source: SecretValueSource): KubeObject {
  const name = objectName(ctx, spec.name);
  const data: Record<string, string> = { ...(spec.fixed ?? {}) };
  for (const [key, generator] of Object.entries(spec.generated)) data[key] = source(name, key, generator);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace: spec.namespace ?? ctx.namespace,
      labels: standardLabels(ctx),
      // Only Secrets with generated keys carry the list the release engine keeps values by.
      ...(Object.keys(spec.generated).length
        ? { annotations: { [GENERATED_KEYS_ANNOTATION]: Object.keys(spec.generated).sort().join(',') } }
        : {}),
    },
    type: spec.type ?? 'Opaque',
    stringData: sortedRecord(data),
  };
}

/**
 * The release's Secrets, derived entries filled in once every generated value is known. A derived
 * entry reads another Secret of the release by its short name.
 */
export function secretObjects(
  ctx: RenderContext,
  specs: readonly SecretSpec[],
  source: SecretValueSource,
): KubeObject[] {
  const objects = specs.map((spec) => secretObject(ctx, spec, source));
  const byShortName = new Map(specs.map((spec, i) => [spec.name, objects[i]!]));
  const value = (secret: string, key: string): string => {
    const found = (byShortName.get(secret)?.stringData as Record<string, string> | undefined)?.[key];
    if (found === undefined)
      throw new Error(
        `blueprint bug: a derived secret entry reads ${secret}/${key}, which the release does not generate`,
      );
    return found;
  };
  specs.forEach((spec, i) => {
    if (!spec.derived) return;
    const data = objects[i]!.stringData as Record<string, string>;
    for (const [key, derive] of Object.entries(spec.derived)) data[key] = derive(value);
    objects[i]!.stringData = sortedRecord(data);
  });
  return objects;
}

export function configMapObject(ctx: RenderContext, spec: ConfigMapSpec): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: objectName(ctx, spec.name), namespace: ctx.namespace, labels: standardLabels(ctx) },
    data: sortedRecord(spec.data),
  };
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Checksum of a ConfigMap's or Secret's content, keyed by the short name the blueprint uses. */
export function contentChecksum(object: KubeObject): string {
  const content = object.kind === 'Secret' ? object.stringData : object.data;
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}
