/**
 * A fast writer of YAML 1.1 for JSON-shaped data (Kubernetes objects, config files), byte for byte
 * what the yaml package writes with `{ version: '1.1', lineWidth: 0 }`, at a hundredth of its cost
 * (the package builds a document tree first; a 5,000-object release took seconds). Anything it is not
 * sure to write the same way (a non-finite number, a string with control characters, a block scalar
 * that needs an indentation indicator) makes it return undefined, and the caller uses the package.
 * test/unit/yaml-emit.test.ts compares the two on every blueprint's output and on awkward strings.
 */
import { stringify } from 'yaml';

const OPTIONS = { version: '1.1', lineWidth: 0 } as const;

/** Plain in every position: starts with a letter, no space, no YAML indicator, not a YAML 1.1 word. */
const SAFE_PLAIN = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const YAML11_WORDS =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;
/** Characters the package escapes or treats specially in a block scalar: controls, separators, BOM, surrogates. */
function awkward(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f)) return true;
    if (c === 0x2028 || c === 0x2029 || c === 0xfeff || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

/** A line of nothing but spaces or tabs (the package then quotes the whole string). */
const BLANK_LINE = /(?:^|\n)[ \t]+(?:\n|$)/;

class Unsure extends Error {}

const singleLines = new Map<string, string>();

/** What the package writes for a one-line string (plain or quoted), asking it once per string. */
function singleLine(text: string): string {
  if (SAFE_PLAIN.test(text) && !YAML11_WORDS.test(text)) return text;
  let written = singleLines.get(text);
  if (written === undefined) {
    written = stringify(text, OPTIONS).slice(0, -1);
    if (written.includes('\n') || written.startsWith('|') || written.startsWith('>')) throw new Unsure();
    singleLines.set(text, written);
  }
  return written;
}

/** A literal block scalar whose content sits at `indent`; unsure of anything but the common shape. */
function block(text: string, indent: string): string {
  if (text[0] === ' ' || text[0] === '\t' || text[0] === '\n' || awkward(text)) throw new Unsure();
  const body = text.replace(/\n+$/, '');
  if (BLANK_LINE.test(body) || /[ \t]$/.test(body)) throw new Unsure();
  const trailing = text.length - body.length;
  const header = trailing === 0 ? '|-' : trailing === 1 ? '|' : '|+';
  const lines = body.split('\n').map((line) => (line === '' ? '' : indent + line));
  return `${header}\n${lines.join('\n')}${trailing > 1 ? '\n'.repeat(trailing - 1) : ''}`;
}

function scalar(value: unknown, indent: string): string {
  switch (typeof value) {
    case 'string':
      return value.includes('\n') ? block(value, indent) : singleLine(value);
    case 'number':
      if (!Number.isFinite(value) || Object.is(value, -0)) throw new Unsure();
      return String(value);
    case 'boolean':
      return String(value);
    default:
      if (value === null) return 'null';
      throw new Unsure();
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `[]` or `{}` for empty collections, undefined when `value` needs lines of its own. */
function inline(value: unknown, indent: string): string | undefined {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
  if (isPlainObject(value)) {
    for (const key in value) if (value[key] !== undefined) return undefined;
    return '{}';
  }
  return scalar(value, `${indent}  `);
}

function writeMap(map: Record<string, unknown>, indent: string, out: string[]): void {
  for (const key in map) {
    const value = map[key];
    if (value === undefined) continue;
    const name = singleLine(key);
    const short = inline(value, indent);
    if (short !== undefined) out.push(`${indent}${name}: ${short}`);
    else {
      out.push(`${indent}${name}:`);
      writeNode(value, `${indent}  `, out);
    }
  }
}

function writeSeq(items: readonly unknown[], indent: string, out: string[]): void {
  for (const item of items) {
    const value = item === undefined ? null : item;
    const short = inline(value, indent);
    if (short !== undefined) {
      out.push(`${indent}- ${short}`);
      continue;
    }
    // A nested collection starts on the dash's line: write it one level in, then put the dash in.
    const start = out.length;
    writeNode(value, `${indent}  `, out);
    out[start] = `${indent}- ${out[start]!.slice(indent.length + 2)}`;
  }
}

function writeNode(value: unknown, indent: string, out: string[]): void {
  if (Array.isArray(value)) writeSeq(value, indent, out);
  else if (isPlainObject(value)) writeMap(value, indent, out);
  else throw new Unsure();
}

/** The YAML the package would write for `data`, or undefined where this writer is not sure of it. */
export function emitYaml(data: unknown): string | undefined {
  if (!Array.isArray(data) && !isPlainObject(data)) return undefined;
  try {
    const short = inline(data, '');
    if (short !== undefined) return `${short}\n`;
    const out: string[] = [];
    writeNode(data, '', out);
    return `${out.join('\n')}\n`;
  } catch (error) {
    if (error instanceof Unsure) return undefined;
    throw error;
  }
}
