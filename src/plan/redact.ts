/**
 * Secret values never reach a diff: a Secret's data is replaced by markers that say whether a key
 * is there and whether its value changed (compared by hash), and every known secret value is
 * scrubbed from any text berth prints, wherever it might have ended up.
 */
import { createHash } from 'node:crypto';
import { GENERATED_KEYS_ANNOTATION } from '../render/annotations.ts';
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
 * Keys that name a credential without holding one (`secretKeyRef`, `existingSecret`, `secretName`,
 * CSGHub's `casdoor.jwtSecret`, the name of the Secret with Casdoor's certificate).
 */
export const NAMES_A_SECRET =
  /(Ref|Name|Names|Keys|File|Path|Selector)$|^existingSecret$|^secretKeys?$|^key$|^jwtSecret$/;
/** Values that are no credential whatever their key says: flags, masks, markers, `$(VAR)` references. */
export const HARMLESS =
  /^(true|false|null|~|yes|no|\*+|<redacted[^>]*>|\$\([A-Za-z0-9_]+\)|\$\{[A-Za-z0-9_]+\}|)$/i;
/** `scheme://user:password@`: groups are the scheme, the user and the password. */
export const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:@/'"<>]*):([^\s@/'"<>]+)@/gi;

/** Where a credential sits in a document: keys, with array items named by their `name` when they have one. */
export type CredentialPath = readonly (string | number)[];

export interface Credential {
  readonly path: CredentialPath;
  /** The credential: a whole value, or the password part of a URL. */
  readonly value: string;
  /** -1 for a whole value; else which URL password of the string, from 0. */
  readonly occurrence: number;
}

function isCredentialKey(key: string): boolean {
  return SENSITIVE_KEY.test(key) && !NAMES_A_SECRET.test(key);
}

/**
 * Replaces every credential a user may have put into a document: env entries
 * (`{name: API_KEY, value: …}`) and values under credential-named keys whole, passwords inside
 * URLs (`scheme://user:…@host`) alone. Maps that name secrets (`secretKeys`, `existingSecret`) and
 * harmless values (`true`, `$(VAR)`) stay. Returns a new document.
 */
export function mapCredentials(value: unknown, replace: (credential: Credential) => string): unknown {
  const walk = (node: unknown, path: CredentialPath, key: string, names: boolean): unknown => {
    if (Array.isArray(node))
      return node.map((item, index) =>
        walk(
          item,
          [...path, isPlainObject(item) && typeof item.name === 'string' ? item.name : index],
          key,
          names,
        ),
      );
    if (isPlainObject(node)) {
      const envCredential = typeof node.name === 'string' && isCredentialKey(node.name);
      return Object.fromEntries(
        Object.entries(node).map(([k, v]) => [
          k,
          envCredential && k === 'value'
            ? walk(v, [...path, k], node.name as string, false)
            : walk(v, [...path, k], k, names || NAMES_A_SECRET.test(k)),
        ]),
      );
    }
    if (typeof node !== 'string' || HARMLESS.test(node)) return node;
    if (!names && isCredentialKey(key)) return replace({ path, value: node, occurrence: -1 });
    let occurrence = 0;
    return node.replace(URL_CREDENTIALS, (match, scheme: string, user: string, password: string) =>
      HARMLESS.test(password)
        ? match
        : `${scheme}${user}:${replace({ path, value: password, occurrence: occurrence++ })}@`,
    );
  };
  return walk(value, [], '', false);
}

/** A document with every credential replaced by `<redacted>`. */
export function redactCredentials<T>(value: T): T {
  return mapCredentials(value, () => REDACTED) as T;
}

const credentialKey = (c: Credential) => `${JSON.stringify(c.path)}#${c.occurrence}`;

/**
 * Both sides of a diff with their credentials redacted; a credential whose value differs from the
 * one at the same place before shows `<redacted, changed>`, so a changed API key is a change.
 */
export function redactCredentialsPair<T>(before: T, after: T): [T, T] {
  const old = new Map<string, string>();
  const redactedBefore = mapCredentials(before, (c) => {
    old.set(credentialKey(c), c.value);
    return REDACTED;
  }) as T;
  const redactedAfter = mapCredentials(after, (c) => {
    const was = old.get(credentialKey(c));
    return was === undefined || was === c.value ? REDACTED : REDACTED_CHANGED;
  }) as T;
  return [redactedBefore, redactedAfter];
}

/** Free text (an error message, a description) with the passwords of URLs in it redacted. */
export function redactUrlPasswords(text: string): string {
  return text.replace(URL_CREDENTIALS, (match, scheme: string, user: string, password: string) =>
    HARMLESS.test(password) ? match : `${scheme}${user}:${REDACTED}@`,
  );
}

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
