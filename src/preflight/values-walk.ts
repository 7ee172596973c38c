/**
 * Walks typed values for what the install reads but does not create: `existingSecret` (+ the keys
 * in `secretKeys`) and `existingClaim`. Generic over every blueprint: any object in the values with
 * a non-empty string `existingSecret` or `existingClaim`, unless it (or an ancestor) says
 * `enabled: false`.
 */
import { isPlainObject } from '../values/merge.ts';

export interface ValueSecretRef {
  readonly name: string;
  readonly keys: readonly string[];
  /** The values path of the `existingSecret` field, e.g. `integrations.postgresql.existingSecret`. */
  readonly path: string;
}

export interface ValueClaimRef {
  readonly name: string;
  readonly path: string;
}

export interface ValueReferences {
  readonly secrets: readonly ValueSecretRef[];
  readonly claims: readonly ValueClaimRef[];
}

function joinPath(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

function secretKeysOf(node: Record<string, unknown>): string[] {
  const keys = node.secretKeys;
  if (!isPlainObject(keys)) return [];
  const names = Object.values(keys).filter((k): k is string => typeof k === 'string' && k !== '');
  return [...new Set(names)].sort();
}

export function valueReferences(values: unknown): ValueReferences {
  const secrets: ValueSecretRef[] = [];
  const claims: ValueClaimRef[] = [];
  const visit = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        visit(item, `${path}[${i}]`);
      });
      return;
    }
    if (!isPlainObject(node) || node.enabled === false) return;
    if (typeof node.existingSecret === 'string' && node.existingSecret !== '') {
      secrets.push({
        name: node.existingSecret,
        keys: secretKeysOf(node),
        path: joinPath(path, 'existingSecret'),
      });
    }
    if (typeof node.existingClaim === 'string' && node.existingClaim !== '') {
      claims.push({ name: node.existingClaim, path: joinPath(path, 'existingClaim') });
    }
    for (const [key, child] of Object.entries(node)) visit(child, joinPath(path, key));
  };
  visit(values, '');
  return { secrets, claims };
}
