/**
 * Effective values with their layer: every leaf of the values a release renders with, and where it
 * came from — the blueprint's default, the n-th `-f` file, the n-th `--set`/`--set-string`/
 * `--set-file` flag, or the values recorded with a deployed revision. Credentials are redacted.
 */

import type { z } from 'zod';
import { redactCredentials } from '../plan/redact.ts';
import { isPlainObject, type PlainObject } from '../values/merge.ts';
import type { PathSegment } from '../values/set-syntax.ts';
import {
  type AppliedLayer,
  collectUserValues,
  leafPaths,
  type ValueLayerSource,
  type ValueSources,
} from '../values/sources.ts';
import { formatPath, validateValues } from '../values/validate.ts';

export type ValueOrigin =
  | { readonly kind: 'default' }
  | ValueLayerSource
  | { readonly kind: 'release'; readonly revision: number }
  | { readonly kind: 'adopted'; readonly chart: string };

export interface EffectiveValue {
  /** `services.web.replicas`, `env[0].value`. */
  readonly path: string;
  readonly value: unknown;
  readonly origin: ValueOrigin;
}

export interface EffectiveValues {
  /** The merged values with defaults, credentials redacted. */
  readonly values: PlainObject;
  /** One entry per leaf, in document order. */
  readonly leaves: readonly EffectiveValue[];
}

/** Which user layer last wrote each leaf, keyed by `pathKey`. */
export type UserOrigins = ReadonlyMap<string, ValueOrigin>;

const pathKey = (path: readonly PathSegment[]): string => JSON.stringify(path);

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of path) {
    if (!isPlainObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => path[i] === segment);
}

/**
 * The user values of `sources` and the layer each leaf came from: the last layer that wrote it, or
 * whose application changed it (a `--set list[3]` pads the list before it).
 */
export function traceUserValues(sources: ValueSources): { values: PlainObject; origins: UserOrigins } {
  const origins = new Map<string, ValueOrigin>();
  let before = new Map<string, unknown>();
  const values = collectUserValues(sources, (layer: AppliedLayer) => {
    const after = new Map<string, unknown>();
    for (const path of leafPaths(layer.values)) {
      const key = pathKey(path);
      const value = valueAt(layer.values, path);
      after.set(key, value);
      const written = layer.paths.some((prefix) => startsWith(path, prefix));
      if (written || !before.has(key) || !Object.is(before.get(key), value)) origins.set(key, layer.source);
    }
    for (const key of origins.keys()) if (!after.has(key)) origins.delete(key);
    before = after;
  });
  return { values, origins };
}

/** The values of a deployed revision: everything the record holds came from that revision's user values. */
export function recordedOrigins(values: PlainObject, revision: number): UserOrigins {
  return new Map(leafPaths(values).map((path) => [pathKey(path), { kind: 'release', revision } as const]));
}

/**
 * The origins of a revision rendered over an adopted layer (`merged` is the layer with the recorded
 * values over it): a leaf the recorded values hold is the revision's, the rest the layer's, and the
 * layer's patches come first in the list.
 */
export function adoptedOrigins(
  merged: PlainObject,
  recorded: PlainObject,
  revision: number,
  adopted: { readonly chart: string; readonly values: PlainObject },
): UserOrigins {
  const layerPatches = Array.isArray(adopted.values.patches) ? adopted.values.patches.length : 0;
  const fromLayer = { kind: 'adopted', chart: adopted.chart } as const;
  const fromRevision = { kind: 'release', revision } as const;
  return new Map(
    leafPaths(merged).map((path): [string, ValueOrigin] => {
      const layer =
        path[0] === 'patches' ? Number(path[1]) < layerPatches : valueAt(recorded, path) === undefined;
      return [pathKey(path), layer ? fromLayer : fromRevision];
    }),
  );
}

/**
 * The blueprint's values for `userValues` (validated, defaults filled in), every leaf tagged with
 * its origin; leaves no user layer wrote are defaults. Throws ValuesError for invalid values.
 */
export function effectiveValues(
  schema: z.ZodType,
  userValues: PlainObject,
  origins: UserOrigins,
): EffectiveValues {
  const merged = validateValues(schema, userValues) as PlainObject;
  const values = redactCredentials(merged);
  const leaves = leafPaths(values)
    .filter((path) => path.length > 0)
    .map((path) => ({
      path: formatPath(path),
      value: valueAt(values, path),
      origin: origins.get(pathKey(path)) ?? ({ kind: 'default' } as const),
    }));
  return { values, leaves };
}

/** `default`, `-f prod.yaml (#1)`, `--set #2`, `--set-file #1 (cert.pem)`, `revision 3`, `adopted (chart …)`. */
export function describeOrigin(origin: ValueOrigin): string {
  switch (origin.kind) {
    case 'default':
      return 'default';
    case 'release':
      return `revision ${origin.revision}`;
    case 'adopted':
      return `adopted (chart ${origin.chart})`;
    case 'file':
      return `-f ${origin.file} (#${origin.index + 1})`;
    default:
      return `--${origin.kind} #${origin.index + 1}${origin.file ? ` (${origin.file})` : ''}`;
  }
}
