/**
 * Everything in a support bundle passes through a Redactor before it is written: Secret data goes
 * (key names stay), values of credential-named keys and env vars, passwords in connection strings,
 * bearer tokens and every known secret value of the release are replaced. It counts what it
 * replaced, per file and kind, never what the values were.
 */
import { NOISY_ANNOTATIONS } from '../plan/normalize.ts';
import {
  HARMLESS,
  NAMES_A_SECRET,
  REDACTED,
  SENSITIVE_KEY,
  scrubKnownValues,
  scrubPatterns,
  secretValues,
  URL_CREDENTIALS,
} from '../plan/redact.ts';
import { isPlainObject } from '../values/merge.ts';

export const REDACTION_KINDS = [
  'secret-data',
  'sensitive-key',
  'connection-string',
  'bearer-token',
  'known-value',
  'annotation',
] as const;
export type RedactionKind = (typeof REDACTION_KINDS)[number];

export interface RedactionCount {
  readonly file: string;
  readonly kind: RedactionKind;
  readonly count: number;
}

const MASK = '***';

const BEARER = /\b(Bearer)\s+([A-Za-z0-9\-._~+/]{8,}=*)/g;
const AUTH_HEADER = /\b(Authorization\s*[:=]\s*["']?)(?!Bearer\b)([A-Za-z]+\s+)?([A-Za-z0-9\-._~+/]{8,}=*)/gi;
/** `password=…`, `"apiKey": "…"`, `SECRET_TOKEN: …` in free text (logs, config files, messages). */
const KEY_VALUE =
  /(["']?)([A-Za-z0-9_.-]*(?:pass(?:word|wd|phrase)?|secret|token|credential|api[_-]?key|access[_-]?key|private[_-]?key)[A-Za-z0-9_.-]*)\1([ \t]*[=:][ \t]*)(["']?)([^\s"',;&}]+)\4/gi;

export class Redactor {
  private readonly patterns: readonly string[];
  private readonly counts = new Map<string, Map<RedactionKind, number>>();

  /** `knownValues`: the release's secret values, scrubbed literally wherever they occur. */
  constructor(knownValues: Iterable<string>) {
    this.patterns = scrubPatterns(knownValues);
  }

  private count(file: string, kind: RedactionKind, n = 1): void {
    if (n === 0) return;
    const byKind = this.counts.get(file) ?? new Map<RedactionKind, number>();
    byKind.set(kind, (byKind.get(kind) ?? 0) + n);
    this.counts.set(file, byKind);
  }

  /** Free text (a log, a config file, an event message), redacted. */
  text(file: string, text: string): string {
    const known = scrubKnownValues(text, this.patterns);
    this.count(file, 'known-value', known.count);
    let out = known.text.replace(URL_CREDENTIALS, (match, scheme: string, user: string, pass: string) => {
      if (pass === MASK || HARMLESS.test(pass)) return match;
      this.count(file, 'connection-string');
      return `${scheme}${user}:${MASK}@`;
    });
    out = out.replace(BEARER, (_m, word: string) => {
      this.count(file, 'bearer-token');
      return `${word} ${MASK}`;
    });
    out = out.replace(AUTH_HEADER, (_m, head: string, scheme: string | undefined) => {
      this.count(file, 'bearer-token');
      return `${head}${scheme ?? ''}${MASK}`;
    });
    return out.replace(KEY_VALUE, (match, q: string, key: string, sep: string, vq: string, value: string) => {
      // A `${VAR}` reference ends the match before its `}`, so it is told by its start.
      if (NAMES_A_SECRET.test(key) || HARMLESS.test(value) || /^\$[({]/.test(value)) return match;
      this.count(file, 'sensitive-key');
      return `${q}${key}${q}${sep}${vq}${MASK}${vq}`;
    });
  }

  /**
   * A Kubernetes object (or any JSON) for the bundle: Secrets keep key names only, credential-named
   * keys and env vars lose their values, kubectl's last-applied annotation (a copy of the object,
   * Secret data included) and managed fields go, and every string goes through `text`.
   */
  object(file: string, value: unknown): unknown {
    if (isPlainObject(value) && value.kind === 'Secret' && ('data' in value || 'stringData' in value)) {
      const keys = Object.keys(secretValues(value)).sort();
      const { data: _data, stringData: _stringData, ...rest } = value;
      this.count(file, 'secret-data', keys.length);
      return this.object(file, { ...rest, dataKeys: keys });
    }
    return this.walk(file, value, '');
  }

  /** `names`: inside a map that names secrets and keys (`secretKeys`), where values are key names. */
  private walk(file: string, value: unknown, key: string, names = false): unknown {
    if (Array.isArray(value)) return value.map((item) => this.walk(file, item, key, names));
    if (isPlainObject(value)) {
      if (
        typeof value.name === 'string' &&
        typeof value.value === 'string' &&
        SENSITIVE_KEY.test(value.name)
      ) {
        if (!HARMLESS.test(value.value)) {
          this.count(file, 'sensitive-key');
          return { ...value, value: REDACTED };
        }
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (k === 'managedFields') continue;
        if ((NOISY_ANNOTATIONS as readonly string[]).includes(k)) {
          this.count(file, 'annotation');
          continue;
        }
        out[k] = this.walk(file, v, k, names || NAMES_A_SECRET.test(k));
      }
      return out;
    }
    if (typeof value !== 'string') return value;
    if (!names && SENSITIVE_KEY.test(key) && !NAMES_A_SECRET.test(key) && !HARMLESS.test(value)) {
      this.count(file, 'sensitive-key');
      return REDACTED;
    }
    return this.text(file, value);
  }

  /** The last defence for a whole file: known values only (the structure is already redacted). */
  scrub(file: string, text: string): string {
    const known = scrubKnownValues(text, this.patterns);
    this.count(file, 'known-value', known.count);
    return known.text;
  }

  /** What was redacted, per file and kind, in a stable order. */
  report(): RedactionCount[] {
    return [...this.counts.entries()]
      .flatMap(([file, byKind]) => [...byKind.entries()].map(([kind, count]) => ({ file, kind, count })))
      .sort((a, b) => a.file.localeCompare(b.file) || a.kind.localeCompare(b.kind));
  }
}

const KIND_TEXT: Record<RedactionKind, string> = {
  'secret-data': 'Secret values (key names kept)',
  'sensitive-key': 'values of password/secret/token/key/credential keys and env vars',
  'connection-string': 'passwords in connection strings (scheme://user:***@host)',
  'bearer-token': 'bearer tokens and Authorization headers',
  'known-value': "the release's generated secret values, found literally",
  annotation: 'kubectl last-applied-configuration annotations (copies of the object)',
};

/** REDACTIONS.md: what was redacted where, counts only. */
export function redactionsMarkdown(counts: readonly RedactionCount[]): string {
  const lines = [
    '# Redactions',
    '',
    'Everything in this bundle was redacted before it was written to disk. Values are never listed here,',
    'only what kind of value was replaced, in which file, and how often.',
    '',
    ...REDACTION_KINDS.map((kind) => `- \`${kind}\`: ${KIND_TEXT[kind]}`),
    '',
  ];
  if (counts.length === 0) return `${lines.join('\n')}Nothing needed redacting.\n`;
  lines.push('| file | kind | count |', '| --- | --- | ---: |');
  for (const c of counts) lines.push(`| ${c.file} | ${c.kind} | ${c.count} |`);
  const total = counts.reduce((sum, c) => sum + c.count, 0);
  lines.push('', `Total: ${total} redactions in ${new Set(counts.map((c) => c.file)).size} files.`);
  return `${lines.join('\n')}\n`;
}
