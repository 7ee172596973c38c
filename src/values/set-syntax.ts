/**
 * Helm's `--set` grammar, so Helm users feel at home:
 *   a.b=c,d[0].e=f     dotted keys, list indices, several assignments separated by commas
 *   a\.b=c             an escaped dot is part of the key
 *   a=x\,y             an escaped comma is part of the value
 *   a={x,y,z}          a list
 *   a=true|false|null|42   typed (`--set-string` keeps every value a string; `null` removes a key)
 */
import { BerthError } from '../errors.ts';
import { setOwn } from './merge.ts';

export type PathSegment = string | number;
export type SetMode = 'typed' | 'string';
export interface Assignment {
  readonly path: readonly PathSegment[];
  readonly value: unknown;
}

const MAX_LIST_INDEX = 65_536;

function setError(expression: string, problem: string): BerthError {
  return new BerthError('BERTH_SET_INVALID', `--set ${JSON.stringify(expression)}: ${problem}`, {
    hint: 'use key.path=value, with a\\.b for a literal dot and list[0] for list items',
  });
}

/** Split on a separator that is neither escaped nor inside `{...}`. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + text[i + 1];
      i++;
      continue;
    }
    if (ch === '{') depth++;
    if (ch === '}') depth = Math.max(0, depth - 1);
    if (ch === separator && depth === 0) {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts;
}

function unescapeText(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

export function parseKeyPath(key: string, expression = key): PathSegment[] {
  if (key.length === 0) throw setError(expression, 'the key is empty');
  const segments: PathSegment[] = [];
  let current = '';
  let i = 0;
  const flush = (): void => {
    if (current.length === 0) throw setError(expression, `key "${key}" has an empty segment`);
    segments.push(current);
    current = '';
  };
  while (i < key.length) {
    const ch = key[i]!;
    if (ch === '\\' && i + 1 < key.length) {
      current += key[i + 1];
      i += 2;
      continue;
    }
    if (ch === '.') {
      if (current.length > 0) flush();
      else if (segments.length === 0 || typeof segments.at(-1) !== 'number') flush();
      i++;
      continue;
    }
    if (ch === '[') {
      if (current.length > 0) flush();
      else if (segments.length === 0) throw setError(expression, `key "${key}" starts with a list index`);
      const close = key.indexOf(']', i);
      if (close < 0) throw setError(expression, `key "${key}" has an unclosed "["`);
      const digits = key.slice(i + 1, close);
      if (!/^\d+$/.test(digits)) throw setError(expression, `list index "${digits}" is not a whole number`);
      const index = Number(digits);
      if (index > MAX_LIST_INDEX) throw setError(expression, `list index ${index} is over ${MAX_LIST_INDEX}`);
      segments.push(index);
      i = close + 1;
      continue;
    }
    current += ch;
    i++;
  }
  if (current.length > 0) segments.push(current);
  else if (typeof segments.at(-1) !== 'number') throw setError(expression, `key "${key}" ends with a dot`);
  return segments;
}

export function typedScalar(raw: string): unknown {
  const lower = raw.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  // Like Helm: whole numbers only, and "007" stays a string.
  if (/^-?(0|[1-9]\d*)$/.test(raw)) {
    const n = Number(raw);
    if (Number.isSafeInteger(n)) return n;
  }
  return raw;
}

function parseValue(raw: string, mode: SetMode): unknown {
  if (raw.startsWith('{') && raw.endsWith('}')) {
    const inner = raw.slice(1, -1);
    if (inner.length === 0) return [];
    return splitTopLevel(inner, ',').map((item) => parseValue(item, mode));
  }
  const text = unescapeText(raw);
  return mode === 'string' ? text : typedScalar(text);
}

/** Parse one `--set` argument (which may hold several comma-separated assignments). */
export function parseSetExpression(expression: string, mode: SetMode = 'typed'): Assignment[] {
  return splitTopLevel(expression, ',')
    .filter((part) => part.length > 0)
    .map((part) => {
      const eq = findUnescaped(part, '=');
      if (eq < 0) throw setError(expression, `"${part}" has no "=" (expected key=value)`);
      return {
        path: parseKeyPath(part.slice(0, eq), expression),
        value: parseValue(part.slice(eq + 1), mode),
      };
    });
}

function findUnescaped(text: string, ch: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === ch) return i;
  }
  return -1;
}

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

/** Apply an assignment in place. `null` removes the key, as in Helm. */
export function applyAssignment(target: Record<string, unknown>, assignment: Assignment): void {
  let node: Container = target;
  const { path } = assignment;
  for (let i = 0; i < path.length - 1; i++) {
    const segment = path[i]!;
    const nextIsIndex = typeof path[i + 1] === 'number';
    const existing: unknown = readSlot(node, segment);
    if (isContainer(existing) && Array.isArray(existing) === nextIsIndex) {
      node = existing;
      continue;
    }
    const created: Container = nextIsIndex ? [] : {};
    writeSlot(node, segment, created);
    node = created;
  }
  const last = path.at(-1)!;
  if (assignment.value === null && !Array.isArray(node)) {
    delete (node as Record<string, unknown>)[String(last)];
    return;
  }
  writeSlot(node, last, assignment.value);
}

// Own properties only, written as data properties: `--set __proto__.x=1` or `constructor.x=1` names a
// values key like any other (which validation then refuses), never Object.prototype.
function readSlot(node: Container, segment: PathSegment): unknown {
  if (Array.isArray(node)) return node[segment as number];
  return Object.hasOwn(node, String(segment)) ? node[String(segment)] : undefined;
}

function writeSlot(node: Container, segment: PathSegment, value: unknown): void {
  if (Array.isArray(node)) {
    const index = segment as number;
    while (node.length < index) node.push(null);
    node[index] = value;
  } else {
    setOwn(node, String(segment), value);
  }
}
