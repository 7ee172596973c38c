/**
 * Validate user values against a blueprint schema and turn every problem into one line that names
 * the values path, what was expected and what was given — all problems at once.
 */
import type { z } from 'zod';
import { type ValueProblem, ValuesError } from '../errors.ts';
import { objectKeysAt } from './schema-walk.ts';
import { nearest } from './suggest.ts';

const SENSITIVE = /pass(word)?|secret|token|(^|[^a-z])key$|credential/i;

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    const key = String(segment);
    const safe = /^[A-Za-z_][\w-]*$/.test(key) ? key : JSON.stringify(key);
    return text === '' ? safe : `${text}.${safe}`;
  }, '');
}

function describeGiven(value: unknown, path: readonly PropertyKey[]): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  const last = path.at(-1);
  if (typeof value === 'string' && typeof last === 'string' && SENSITIVE.test(last))
    return 'a string (value hidden)';
  const shown =
    typeof value === 'string'
      ? JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)
      : String(value);
  return `${typeof value} ${shown}`;
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a map',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

function bound(
  issue: { minimum?: unknown; maximum?: unknown; inclusive?: boolean; origin?: string },
  word: 'min' | 'max',
): string {
  const limit = word === 'min' ? issue.minimum : issue.maximum;
  const sign = word === 'min' ? (issue.inclusive ? '≥' : '>') : issue.inclusive ? '≤' : '<';
  if (issue.origin === 'string')
    return `a string of ${word === 'min' ? 'at least' : 'at most'} ${limit} characters`;
  if (issue.origin === 'array') return `a list of ${word === 'min' ? 'at least' : 'at most'} ${limit} items`;
  return `a number ${sign} ${String(limit)}`;
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_NAMES[issue.expected] ?? issue.expected;
    case 'too_small':
      return bound(issue as never, 'min');
    case 'too_big':
      return bound(issue as never, 'max');
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return issue.message && !issue.message.startsWith('Invalid')
        ? issue.message
        : `a valid ${issue.format}`;
    case 'invalid_union': {
      const options = issue.errors.map((branch) => branch[0]).filter((first) => first !== undefined);
      const named = [...new Set(options.map((first) => expectation(first)))];
      return named.join(' or ');
    }
    default:
      return issue.message;
  }
}

function problemsOf(issue: z.core.$ZodIssue, schema: z.core.$ZodType, input: unknown): ValueProblem[] {
  if (issue.code === 'unrecognized_keys') {
    const known = objectKeysAt(schema, issue.path);
    return issue.keys.map((key) => {
      const guess = nearest(key, known);
      const where = formatPath([...issue.path, key]);
      const hint = guess
        ? `; did you mean ${formatPath([...issue.path, guess])}?`
        : known.length
          ? `; known keys: ${known.join(', ')}`
          : '';
      return { path: where, message: `unknown key${hint}` };
    });
  }
  const path = formatPath(issue.path);
  if (issue.code === 'custom') return [{ path, message: issue.message }];
  const given = describeGiven(valueAt(input, issue.path), issue.path);
  return [{ path, message: `expected ${expectation(issue)}, got ${given}` }];
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

export function validateValues<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => problemsOf(issue, schema, input));
  throw new ValuesError(problems);
}
