/**
 * Gather user values from files and flags, in Helm's order of precedence:
 * files in the order given, then --set / --set-string / --set-file in the order given.
 */
import { BerthError } from '../errors.ts';
import { readInputFile } from '../input.ts';
import { parseYamlInput } from '../yaml.ts';
import { isPlainObject, mergeValues, type PlainObject } from './merge.ts';
import { type Assignment, applyAssignment, type PathSegment, parseSetExpression } from './set-syntax.ts';

export type ValueFlag =
  | { readonly kind: 'set'; readonly expression: string }
  | { readonly kind: 'set-string'; readonly expression: string }
  | { readonly kind: 'set-file'; readonly expression: string };

export interface ValueSources {
  readonly files: readonly string[];
  readonly flags: readonly ValueFlag[];
}

export function readValuesFile(path: string): PlainObject {
  const label = `values file ${path === '-' ? '(stdin)' : path}`;
  return parseValuesText(readInputFile(path, { code: 'BERTH_VALUES_FILE', label, stdin: true }), label);
}

export function parseValuesText(text: string, source: string): PlainObject {
  const data = parseYamlInput(text, { code: 'BERTH_VALUES_YAML', source });
  if (data === null || data === undefined) return {};
  if (!isPlainObject(data)) {
    throw new BerthError(
      'BERTH_VALUES_YAML',
      `${source}: expected a map of values at the top, got ${describe(data)}`,
    );
  }
  return data;
}

function describe(value: unknown): string {
  return Array.isArray(value) ? 'a list' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Where one layer of user values came from: the n-th `-f` file, or the n-th flag of its kind (from 0). */
export type ValueLayerSource =
  | { readonly kind: 'file'; readonly index: number; readonly file: string }
  | { readonly kind: ValueFlag['kind']; readonly index: number; readonly file?: string };

/** One layer as it was applied, for callers that trace where each value came from. */
export interface AppliedLayer {
  readonly source: ValueLayerSource;
  /** The paths the layer wrote: a file's leaves, a flag's keys. */
  readonly paths: readonly (readonly PathSegment[])[];
  /** Every user value after this layer (read it before the next layer is applied). */
  readonly values: PlainObject;
}

export function collectUserValues(
  sources: ValueSources,
  onLayer?: (layer: AppliedLayer) => void,
): PlainObject {
  let values: PlainObject = {};
  sources.files.forEach((file, index) => {
    const layer = readValuesFile(file);
    values = mergeValues(values, layer);
    // Listing every leaf of a large file is not free; only a caller tracing the layers needs it.
    if (onLayer) {
      const paths = leafPaths(layer).filter((path) => path.length > 0);
      onLayer({ source: { kind: 'file', index, file }, paths, values });
    }
  });
  const seen: Record<string, number> = {};
  for (const flag of sources.flags) {
    const index = seen[flag.kind] ?? 0;
    seen[flag.kind] = index + 1;
    const assignments = assignmentsOf(flag);
    for (const assignment of assignments) applyAssignment(values, assignment);
    const file = flag.kind === 'set-file' ? assignments.map((a) => a.file).join(',') : undefined;
    onLayer?.({
      source: file === undefined ? { kind: flag.kind, index } : { kind: flag.kind, index, file },
      paths: assignments.map((a) => a.path),
      values,
    });
  }
  return values;
}

/** Paths to the scalars, empty maps and empty lists of a document. */
export function leafPaths(value: unknown, prefix: readonly PathSegment[] = []): PathSegment[][] {
  const children: [PathSegment, unknown][] = Array.isArray(value)
    ? value.map((item, i) => [i, item])
    : isPlainObject(value)
      ? Object.entries(value)
      : [];
  if (children.length === 0) return [[...prefix]];
  return children.flatMap(([key, child]) => leafPaths(child, [...prefix, key]));
}

function assignmentsOf(flag: ValueFlag): (Assignment & { readonly file?: string })[] {
  switch (flag.kind) {
    case 'set':
      return parseSetExpression(flag.expression, 'typed');
    case 'set-string':
      return parseSetExpression(flag.expression, 'string');
    case 'set-file':
      return parseSetExpression(flag.expression, 'string').map(({ path, value }) => ({
        path,
        value: readSetFile(flag.expression, String(value)),
        file: String(value),
      }));
  }
}

function readSetFile(expression: string, path: string): string {
  return readInputFile(path, {
    code: 'BERTH_SET_INVALID',
    label: `--set-file ${JSON.stringify(expression)}: ${path}`,
  });
}
