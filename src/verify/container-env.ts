/**
 * A container's environment as the kubelet builds it: `envFrom` sources first (with their prefix),
 * then `env`, the last entry of a name winning; each value read through the ConfigMaps and Secrets
 * at hand. Used on rendered releases (the wiring checks) and on a chart's live objects (adoption).
 */

type Json = Record<string, unknown>;

/** Where an environment variable's value comes from, and the value when the release holds it. */
export interface ResolvedEnv {
  readonly name: string;
  /** The value, when it is a literal or comes from a Secret/ConfigMap at hand. */
  readonly value?: string;
  readonly from: 'literal' | 'secret' | 'configMap' | 'field' | 'external';
  /** For `secret`/`configMap`/`external`: the object and key it reads. */
  readonly ref?: { readonly kind: 'Secret' | 'ConfigMap'; readonly name: string; readonly key?: string };
}

/** The data of a ConfigMap or Secret (Secret values decoded), or undefined when it is not at hand. */
export type EnvSources = (
  kind: 'ConfigMap' | 'Secret',
  name: string,
) => Readonly<Record<string, string>> | undefined;

export function containerEnv(container: Json, sources: EnvSources): Map<string, ResolvedEnv> {
  const env = new Map<string, ResolvedEnv>();
  for (const source of (container.envFrom as Json[] | undefined) ?? []) {
    const ref = (source.configMapRef ?? source.secretRef) as Json | undefined;
    const kind = source.configMapRef ? 'ConfigMap' : 'Secret';
    const name = String(ref?.name ?? '');
    for (const [key, value] of Object.entries(sources(kind, name) ?? {})) {
      env.set(`${source.prefix ?? ''}${key}`, {
        name: key,
        value,
        from: kind === 'Secret' ? 'secret' : 'configMap',
        ref: { kind, name, key },
      });
    }
  }
  for (const entry of (container.env as Json[] | undefined) ?? []) {
    const name = String(entry.name);
    env.set(name, resolveEntry(name, entry, sources));
  }
  return env;
}

function resolveEntry(name: string, entry: Json, sources: EnvSources): ResolvedEnv {
  if (typeof entry.value === 'string') return { name, value: entry.value, from: 'literal' };
  const valueFrom = (entry.valueFrom as Json | undefined) ?? {};
  const secret = valueFrom.secretKeyRef as Json | undefined;
  const configMap = valueFrom.configMapKeyRef as Json | undefined;
  const ref = secret ?? configMap;
  if (!ref)
    return entry.value === undefined && !entry.valueFrom
      ? { name, value: '', from: 'literal' }
      : { name, from: 'field' };
  const kind = secret ? 'Secret' : 'ConfigMap';
  const objectName = String(ref.name);
  const key = String(ref.key);
  const data = sources(kind, objectName);
  if (!data) return { name, from: 'external', ref: { kind, name: objectName, key } };
  const value = data[key];
  return {
    name,
    ...(value === undefined ? {} : { value }),
    from: secret ? 'secret' : 'configMap',
    ref: { kind, name: objectName, key },
  };
}
