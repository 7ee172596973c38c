/**
 * Secret values never reach a diff: a Secret's data is replaced by markers that say whether a key
 * is there and whether its value changed (compared by hash), and every known secret value is
 * scrubbed from any text berth prints, wherever it might have ended up.
 */
import { createHash } from 'node:crypto';
import { GENERATED_KEYS_ANNOTATION } from '../render/config-objects.ts';
import { isPlainObject } from '../values/merge.ts';

export const REDACTED = '<redacted>';
export const REDACTED_CHANGED = '<redacted, changed>';

type Json = Record<string, unknown>;

function hash(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** A Secret's values as text: `data` (base64) decoded, `stringData` on top, as the API server merges them. */
export function secretValues(object: Json | undefined): Record<string, string> {
  if (!object) return {};
  const out: Record<string, string> = {};
  if (isPlainObject(object.data))
    for (const [key, value] of Object.entries(object.data))
      out[key] = Buffer.from(String(value), 'base64').toString('utf8');
  if (isPlainObject(object.stringData))
    for (const [key, value] of Object.entries(object.stringData)) out[key] = String(value);
  return out;
}

function withMarkers(object: Json, markers: Record<string, string>): Json {
  const { data: _data, stringData: _stringData, ...rest } = object;
  const keys = Object.keys(markers).sort();
  return keys.length ? { ...rest, data: Object.fromEntries(keys.map((k) => [k, markers[k]!])) } : rest;
}

/** One Secret with every value replaced by a marker (key names stay). Other kinds pass through. */
export function redactSecret<T extends Json | undefined>(object: T): T {
  if (object?.kind !== 'Secret') return object;
  const keys = Object.keys(secretValues(object));
  return withMarkers(object, Object.fromEntries(keys.map((k) => [k, REDACTED]))) as T;
}

/**
 * Both sides of a Secret diff, redacted: a key on one side only shows as added or removed, a key
 * whose value differs (by sha256) shows `<redacted, changed>` on the new side.
 */
export function redactSecretPair<T extends Json | undefined>(before: T, after: T): [T, T] {
  const kind = before?.kind ?? after?.kind;
  if (kind !== 'Secret') return [before, after];
  const old = secretValues(before);
  const now = secretValues(after);
  const beforeMarkers = Object.fromEntries(Object.keys(old).map((k) => [k, REDACTED]));
  const afterMarkers = Object.fromEntries(
    Object.entries(now).map(([k, v]) => [
      k,
      old[k] === undefined || hash(old[k]) === hash(v) ? REDACTED : REDACTED_CHANGED,
    ]),
  );
  return [
    (before ? withMarkers(before, beforeMarkers) : before) as T,
    (after ? withMarkers(after, afterMarkers) : after) as T,
  ];
}

/** Values shorter than this are too likely to occur by chance (`admin`, `true`) to scrub literally. */
export const MIN_SCRUB_LENGTH = 6;

/**
 * The strings to scrub for a set of secret values: each value, and its base64 form (which is how a
 * value shows up in a Secret's data or an encoded config), longest first so overlaps go whole.
 */
export function scrubPatterns(values: Iterable<string>): string[] {
  const patterns = new Set<string>();
  for (const value of values) {
    if (value.length < MIN_SCRUB_LENGTH) continue;
    patterns.add(value);
    patterns.add(Buffer.from(value).toString('base64'));
  }
  return [...patterns].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
}

/** Replaces every occurrence of a known secret value; returns the text and how many went. */
export function scrubKnownValues(
  text: string,
  patterns: readonly string[],
  replacement = REDACTED,
): { text: string; count: number } {
  let count = 0;
  let out = text;
  for (const pattern of patterns) {
    if (!out.includes(pattern)) continue;
    const parts = out.split(pattern);
    count += parts.length - 1;
    out = parts.join(replacement);
  }
  return { text: out, count };
}

/** Key names whose values are credentials (in Secrets, env vars, config files). */
export const SENSITIVE_KEY =
  /pass(word|wd|phrase)?|secret|token|credential|private|api[-_]?key|access[-_]?key|encryption|salt|(^|[-_.])key$/i;

/**
 * The values of a Secret worth scrubbing from any output: every generated key, and every key
 * whose name says credential. Plain identities (`username: langfuse`) are left alone, or every
 * mention of the product name would vanish.
 */
export function sensitiveSecretValues(object: Json | undefined): string[] {
  if (object?.kind !== 'Secret') return [];
  const metadata = isPlainObject(object.metadata) ? object.metadata : {};
  const annotations = isPlainObject(metadata.annotations) ? metadata.annotations : {};
  const generated = new Set(String(annotations[GENERATED_KEYS_ANNOTATION] ?? '').split(','));
  return Object.entries(secretValues(object))
    .filter(([key]) => generated.has(key) || SENSITIVE_KEY.test(key))
    .map(([, value]) => value);
}
