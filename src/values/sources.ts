/**
 * Gather user values from files and flags, in Helm's order of precedence:
 * files in the order given, then --set / --set-string / --set-file in the order given.
 */
import { BerthError } from '../errors.ts';
import { readInputFile } from '../input.ts';
import { parseYamlInput } from '../yaml.ts';
import { isPlainObject, mergeValues, type PlainObject } from './merge.ts';
import { applyAssignment, parseSetExpression } from './set-syntax.ts';

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

export function collectUserValues(sources: ValueSources): PlainObject {
  let values: PlainObject = {};
  for (const file of sources.files) values = mergeValues(values, readValuesFile(file));
  for (const flag of sources.flags) {
    for (const assignment of assignmentsOf(flag)) applyAssignment(values, assignment);
  }
  return values;
}

function assignmentsOf(flag: ValueFlag) {
  switch (flag.kind) {
    case 'set':
      return parseSetExpression(flag.expression, 'typed');
    case 'set-string':
      return parseSetExpression(flag.expression, 'string');
    case 'set-file':
      return parseSetExpression(flag.expression, 'string').map(({ path, value }) => ({
        path,
        value: readSetFile(flag.expression, String(value)),
      }));
  }
}

function readSetFile(expression: string, path: string): string {
  return readInputFile(path, {
    code: 'BERTH_SET_INVALID',
    label: `--set-file ${JSON.stringify(expression)}: ${path}`,
  });
}
