/**
 * Release records never hold a credential. User values lose them outright (redactCredentials). In
 * recorded manifests they are replaced too, and the originals kept apart, in a Secret of their
 * own next to the record, because a rollback must apply them again. Recorded Secrets keep key
 * names and a digest of each value, so drift can tell a value changed without knowing it.
 */
import { createHash } from 'node:crypto';
import { type CredentialPath, mapCredentials, REDACTED, secretValues } from '../plan/redact.ts';
import { isPlainObject } from '../values/merge.ts';
import type { RecordedManifest } from './record.ts';

/** One credential taken out of a recorded manifest: the whole string it was part of. */
export interface SealedCredential {
  readonly manifest: number;
  readonly path: CredentialPath;
  readonly value: string;
}

/** The node at `path`; array items named by a string segment are found by their `name`. */
function step(node: unknown, segment: string | number): unknown {
  if (Array.isArray(node))
    return typeof segment === 'number'
      ? node[segment]
      : node.find((item) => isPlainObject(item) && item.name === segment);
  return isPlainObject(node) ? node[segment] : undefined;
}

function at(node: unknown, path: CredentialPath): unknown {
  return path.reduce<unknown>(step, node);
}

/** The manifests with their credentials replaced, and the originals. */
export function sealManifests(manifests: readonly RecordedManifest[]): {
  manifests: RecordedManifest[];
  sealed: SealedCredential[];
} {
  const sealed: SealedCredential[] = [];
  const redacted = manifests.map((manifest, index) => {
    const seen = new Set<string>();
    const object = mapCredentials(manifest.object, ({ path }) => {
      const key = JSON.stringify(path);
      if (!seen.has(key)) {
        seen.add(key);
        sealed.push({ manifest: index, path, value: at(manifest.object, path) as string });
      }
      return REDACTED;
    });
    return { ...manifest, object } as RecordedManifest;
  });
  return { manifests: redacted, sealed };
}

/** The manifests as they were applied: every sealed credential back in its place. */
export function unsealManifests(
  manifests: readonly RecordedManifest[],
  sealed: readonly SealedCredential[],
): RecordedManifest[] {
  const restored = manifests.map((m) => ({ ...m, object: structuredClone(m.object) }));
  for (const { manifest, path, value } of sealed) {
    const parent = at(restored[manifest]?.object, path.slice(0, -1));
    if (isPlainObject(parent) || Array.isArray(parent))
      (parent as Record<string, unknown>)[path.at(-1)!] = value;
  }
  return restored;
}

/** sha256 of each value of a Secret, salted with the Secret's and the key's name. */
export function secretDigests(object: Record<string, unknown>): Record<string, string> {
  const name = isPlainObject(object.metadata) ? String(object.metadata.name) : '';
  return Object.fromEntries(
    Object.entries(secretValues(object))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, value]) => [key, createHash('sha256').update(`${name}/${key}\0${value}`).digest('hex')]),
  );
}
