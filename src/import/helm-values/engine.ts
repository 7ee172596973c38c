/**
 * Chart values → berth values by rules: each rule names a chart key (segments, `*` for any one) and
 * where it goes in berth (`$1`… for the matched segments), or why it cannot go anywhere. A map whose
 * target is a berth map is walked key by key, so renaming a prefix carries its children along; keys
 * no rule names keep their path when the blueprint has it. Every key lands in the report.
 */
import type { z } from 'zod';
import { schemaAt } from '../../values/schema-walk.ts';

type Json = Record<string, unknown>;

export interface Rule {
  /** Chart key, e.g. `service.*.persistence.storageSize`. */
  readonly from: string;
  /** berth key(s) (`$1` for the first `*`), or null: not supported, with `reason`. */
  readonly to: string | readonly string[] | null;
  readonly reason?: string;
  /** Converts the chart value (e.g. `deploy: false` → `enabled: true`); the input is all chart values. */
  readonly value?: (value: unknown, input: Json) => unknown;
  /** Picks the target from the rest of the chart values (e.g. bundled or external database). */
  readonly when?: (input: Json) => boolean;
}

const INLINE_SECRET = 'berth never takes a secret from values';

/** The reason for a secret written into chart values, naming where berth takes it from instead. */
export function inlineSecret(where: string): string {
  return `${INLINE_SECRET}: put it in a Secret and name it (${where})`;
}

export function isInlineSecret(reason: string): boolean {
  return reason.startsWith(INLINE_SECRET);
}

export interface ImportReport {
  readonly mapped: string[];
  readonly changed: { readonly from: string; readonly to: string; readonly note?: string }[];
  readonly unsupported: { readonly key: string; readonly reason: string }[];
}

function isMap(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function match(pattern: string, path: readonly string[]): string[] | undefined {
  const parts = pattern.split('.');
  if (parts.length !== path.length) return undefined;
  const captures: string[] = [];
  for (const [i, part] of parts.entries()) {
    if (part === '*') captures.push(path[i]!);
    else if (part !== path[i]) return undefined;
  }
  return captures;
}

/** Some rule names a key inside this chart map, so the walk goes on into it. */
function rulesBelow(rules: readonly Rule[], path: readonly string[]): boolean {
  return rules.some((rule) => {
    const parts = rule.from.split('.');
    return parts.length > path.length && match(parts.slice(0, path.length).join('.'), path) !== undefined;
  });
}

function setAt(target: Json, path: readonly string[], value: unknown): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    if (!isMap(node[segment])) node[segment] = {};
    node = node[segment] as Json;
  }
  node[path.at(-1)!] = value;
}

function isObjectSchema(schema: z.core.$ZodType | undefined): boolean {
  return (schema?._zod.def as { type?: string } | undefined)?.type === 'object';
}

export function importByRules(
  schema: z.ZodType,
  rules: readonly Rule[],
  input: Json,
): { values: Json; report: ImportReport } {
  const values: Json = {};
  const report: ImportReport = { mapped: [], changed: [], unsupported: [] };
  const place = (from: readonly string[], to: readonly string[], value: unknown, note?: string) => {
    setAt(values, to, value);
    const [a, b] = [from.join('.'), to.join('.')];
    if (a === b && !note) report.mapped.push(a);
    else report.changed.push({ from: a, to: b, ...(note ? { note } : {}) });
  };
  const walk = (node: unknown, from: readonly string[], to: readonly string[]): void => {
    for (const rule of rules) {
      const captures = match(rule.from, from);
      if (!captures || (rule.when && !rule.when(input))) continue;
      if (rule.to === null) {
        report.unsupported.push({ key: from.join('.'), reason: rule.reason ?? 'no berth equivalent' });
        return;
      }
      const targets = (Array.isArray(rule.to) ? rule.to : [rule.to]) as string[];
      for (const target of targets) {
        const path = target.replace(/\$(\d)/g, (_, n: string) => captures[Number(n) - 1] ?? '').split('.');
        if (rule.value) place(from, path, rule.value(node, input), rule.reason);
        else if (isMap(node) && isObjectSchema(schemaAt(schema, path))) descend(node, from, path);
        else place(from, path, node, rule.reason);
      }
      return;
    }
    if (isMap(node) && (isObjectSchema(schemaAt(schema, to)) || rulesBelow(rules, from)))
      descend(node, from, to);
    else if (schemaAt(schema, to)) place(from, to, node);
    else report.unsupported.push({ key: from.join('.'), reason: 'no berth equivalent' });
  };
  const descend = (node: Json, from: readonly string[], to: readonly string[]) => {
    for (const [key, child] of Object.entries(node)) walk(child, [...from, key], [...to, key]);
  };
  descend(input, [], []);
  return { values, report };
}
