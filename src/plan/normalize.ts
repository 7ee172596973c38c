/**
 * Noise removal before objects are compared: what the server maintains on its own (managed fields,
 * versions, uid, timestamps, status) and what would only repeat the object (kubectl's
 * last-applied annotation) goes; keys are sorted so both sides of a diff line up.
 */
import { isPlainObject } from '../values/merge.ts';

const METADATA_NOISE = [
  'managedFields',
  'resourceVersion',
  'uid',
  'generation',
  'creationTimestamp',
  'selfLink',
] as const;

/** Annotations that only mirror the object itself (and may hold Secret data in clear text). */
export const NOISY_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration'] as const;

/** Recursively sorts object keys; arrays keep their order (it means something there). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key])]),
  );
}

/** A copy of `object` without server-maintained noise, keys sorted. Never mutates its input. */
export function normalizeObject(object: Record<string, unknown>): Record<string, unknown> {
  const { status: _status, ...rest } = structuredClone(object);
  const metadata = isPlainObject(rest.metadata) ? rest.metadata : undefined;
  if (metadata) {
    for (const field of METADATA_NOISE) delete metadata[field];
    if (isPlainObject(metadata.annotations)) {
      for (const annotation of NOISY_ANNOTATIONS) delete metadata.annotations[annotation];
      if (Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
    }
  }
  return sortKeys(rest) as Record<string, unknown>;
}

/**
 * `source` reduced to the paths `shape` has (lists by position): the live object seen through the
 * fields berth renders, for comparisons that cannot go through a server-side dry run.
 */
export function projectOnto(source: unknown, shape: unknown): unknown {
  if (Array.isArray(shape)) {
    if (!Array.isArray(source)) return source;
    return source.map((item, i) => (i < shape.length ? projectOnto(item, shape[i]) : item));
  }
  if (isPlainObject(shape)) {
    if (!isPlainObject(source)) return source;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(source)) if (key in shape) out[key] = projectOnto(source[key], shape[key]);
    return out;
  }
  return source;
}
