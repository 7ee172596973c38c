/**
 * Gather user values from files and flags, in Helm's order of precedence:
 * files in the order given, then --set / --set-string / --set-file in the order given.
 */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { BerthError } from '../errors.ts';
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
  let text: string;
  try {
    text = path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new BerthError('BERTH_VALUES_FILE', `values file ${path}: ${reason}`);
  }
  return parseValuesText(text, path);
}

export function parseValuesText(text: string, source: string): PlainObject {
  const lines = new LineCounter();
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
  const first = document.errors[0];
  if (first) {
    const position = lines.linePos(first.pos[0]);
    const where = `:${position.line}:${position.col}`;
    const what = first.message.split('\n')[0];
    throw new BerthError('BERTH_VALUES_YAML', `values file ${source}${where}: invalid YAML: ${what}`);
  }
  const data: unknown = document.toJS();
  if (data === null || data === undefined) return {};
  if (!isPlainObject(data)) {
    throw new BerthError(
      'BERTH_VALUES_YAML',
      `values file ${source}: expected a map of values at the top, got ${describe(data)}`,
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
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new BerthError(
      'BERTH_SET_INVALID',
      `--set-file ${JSON.stringify(expression)}: cannot read file ${path}`,
    );
  }
}
