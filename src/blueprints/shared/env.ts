import type { EnvVarValues } from '../../values/vocabulary/index.ts';

/** Where a setting comes from: a literal, or a key of a Secret (never copied into values). */
export type EnvSource = { readonly value: string } | { readonly secret: string; readonly key: string };

export function env(name: string, source: EnvSource | string): EnvVarValues {
  if (typeof source === 'string') return { name, value: source };
  if ('value' in source) return { name, value: source.value };
  return { name, valueFrom: { secretKeyRef: { name: source.secret, key: source.key } } };
}

/** A fixed set of literal variables, in the order given. */
export function literalEnv(values: Record<string, string | number | boolean>): EnvVarValues[] {
  return Object.entries(values).map(([name, value]) => ({ name, value: String(value) }));
}
