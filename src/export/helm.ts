/**
 * `berth export helm`: a Helm chart that is this blueprint rendered with these values.
 *
 * A chart cannot carry berth's render logic (Go templates are not TypeScript), so each template is
 * the rendered object itself, with Helm expressions only where the value is not known until install:
 * the release name, the namespace, generated secrets and the checksums computed from them. That
 * makes `helm template` equal to `berth render` by construction; `symbolicRelease` proves that
 * nothing else depends on those values. The values are fixed at export: the chart refuses others.
 */
import { createHash } from 'node:crypto';
import type { Blueprint } from '../blueprints/blueprint.ts';
import { STAGES } from '../render/model.ts';
import { defaultsDocument } from '../values/document.ts';
import { isPlainObject, mergeValues } from '../values/merge.ts';
import { toYaml } from '../yaml.ts';
import { goJson } from './go-json.ts';
import { NOT_CARRIED } from './limits.ts';
import {
  Expr,
  type GeneratedSlot,
  type SymbolicMap,
  type SymbolicRelease,
  type SymbolicValue,
  symbolicRelease,
  type Token,
} from './symbolic.ts';

/** Where the chart keeps generated values for the length of one render (set by `berth.generated`). */
const CACHE = '__berthGenerated';
const FILES_CACHE = `$.Values.${CACHE}`;

export interface HelmExportOptions {
  /** The blueprint's values schema as JSON Schema (`berth schema`). */
  readonly jsonSchema: Record<string, unknown>;
}

function goToken(token: Token, cache: string): string {
  switch (token.kind) {
    case 'release':
      return '$.Release.Name';
    case 'namespace':
      return '$.Release.Namespace';
    case 'generated':
      return `(index ${cache} "g${token.id}")`;
    case 'checksum':
      return `(index ${cache} "c${token.id}")`;
    case 'podChecksum':
      return `(sha256sum (join "," (list ${token.inputs.map((i) => goPart(i, cache)).join(' ')})))`;
  }
}

function goPart(part: string | Token, cache: string): string {
  return typeof part === 'string' ? JSON.stringify(part) : goToken(part, cache);
}

/** A Go template expression for a symbolic string. */
function goString(expr: Expr, cache: string): string {
  const [only, ...rest] = expr.segments;
  if (only !== undefined && !rest.length) return goPart(only, cache);
  return `(print ${expr.segments.map((s) => goPart(s, cache)).join(' ')})`;
}

function escapeBraces(text: string): string {
  return text.replaceAll('{{', '{{ "{{" }}');
}

function usesCache(expr: Expr): boolean {
  return expr.segments.some((s) => typeof s !== 'string' && s.kind !== 'release' && s.kind !== 'namespace');
}

/** The object as YAML with `{{ expr | toJson }}` (a valid YAML string) wherever a value is symbolic. */
function objectTemplate(object: SymbolicMap): string {
  const exprs: Expr[] = [];
  const placeholders = (value: SymbolicValue): unknown => {
    if (value instanceof Expr) {
      exprs.push(value);
      return `BERTHEXPR${exprs.length - 1}X`;
    }
    if (Array.isArray(value)) return value.map(placeholders);
    if (isPlainObject(value))
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, placeholders(v)]));
    return value;
  };
  const yaml = escapeBraces(toYaml(placeholders(object))).replace(
    /BERTHEXPR(\d+)X/g,
    (_, n: string) => `{{ ${goString(exprs[Number(n)]!, FILES_CACHE)} | toJson }}`,
  );
  const preamble = exprs.some(usesCache) ? '{{- include "berth.generated" $ }}\n' : '';
  return preamble + yaml;
}

function generateExpression(slot: GeneratedSlot): string {
  if (slot.spec.kind === 'alphanumeric') return `(randAlphaNum ${slot.spec.length})`;
  const hexChars = slot.spec.bytes * 2;
  const blocks = Array.from({ length: Math.ceil(hexChars / 64) }, () => '(sha256sum (randAlphaNum 64))');
  return `(trunc ${hexChars} (print ${blocks.join(' ')}))`;
}

/**
 * Generated values are made once per render and kept in the values cache so every template sees
 * the same ones; an installed Secret's values win (generate once, like berth's kept secrets).
 */
function generatedHelper(release: SymbolicRelease): string {
  const lines = [
    '{{- define "berth.generated" -}}',
    `{{- if not (hasKey $.Values "${CACHE}") -}}`,
    '{{- $g := dict -}}',
  ];
  const lookups = new Map<string, number>();
  for (const slot of release.generated) {
    const secret = `${goString(slot.namespace, '$g')} ${goString(slot.secret, '$g')}`;
    if (!lookups.has(secret)) {
      lookups.set(secret, lookups.size);
      lines.push(`{{- $s${lookups.get(secret)} := lookup "v1" "Secret" ${secret} -}}`);
    }
    const v = `$v${slot.id}`;
    lines.push(
      `{{- ${v} := dig "data" ${JSON.stringify(slot.key)} "" $s${lookups.get(secret)} | b64dec -}}`,
      `{{- if not ${v} }}{{ ${v} = ${generateExpression(slot)} }}{{ end -}}`,
      `{{- $_ := set $g "g${slot.id}" ${v} -}}`,
    );
  }
  for (const checksum of release.checksums) {
    const entries = Object.entries(checksum.content)
      .map(([key, value]) => `${JSON.stringify(key)} ${goString(value, '$g')}`)
      .join(' ');
    lines.push(`{{- $_ := set $g "c${checksum.id}" (sha256sum (toRawJson (dict ${entries}))) -}}`);
  }
  lines.push(`{{- $_ := set $.Values "${CACHE}" $g -}}`, '{{- end -}}', '{{- end -}}', '');
  return lines.join('\n');
}

function textTemplate(expr: Expr): string {
  return expr.segments
    .map((s) => (typeof s === 'string' ? escapeBraces(s) : `{{ ${goToken(s, FILES_CACHE)} }}`))
    .join('');
}

function guardTemplate(blueprint: Blueprint, digests: readonly string[]): string {
  const reexport = `berth export helm ${blueprint.name} -f <values> --output-dir <dir>`;
  return [
    `{{- if or (not (regexMatch "^[a-z]([-a-z0-9]*[a-z0-9])?$" .Release.Name)) (gt (len .Release.Name) 40) }}`,
    `{{- fail "release name: expected lower-case letters, digits and \\"-\\", starting with a letter, at most 40 characters" }}`,
    '{{- end }}',
    `{{- if not (has (sha256sum (toRawJson (omit .Values "${CACHE}"))) (list ${digests.map((d) => JSON.stringify(d)).join(' ')})) }}`,
    `{{- fail "values: this chart is ${blueprint.name} rendered by berth for the values it was exported with; for other values, export again: ${reexport}" }}`,
    '{{- end }}',
    '',
  ].join('\n');
}

function notesTemplate(release: SymbolicRelease): string {
  return [
    ...release.notes.map(textTemplate),
    '',
    'This chart was exported by berth. It does not carry:',
    ...NOT_CARRIED.map((line) => `- ${line}`),
    '',
  ].join('\n');
}

function chartYaml(blueprint: Blueprint): string {
  return toYaml({
    apiVersion: 'v2',
    name: blueprint.name,
    description: blueprint.description,
    type: 'application',
    version: blueprint.version,
    appVersion: blueprint.appVersion,
    kubeVersion: `${blueprint.kubeVersion}-0`,
    home: blueprint.home,
    annotations: { 'berth.dev/exported-from': `berth blueprint ${blueprint.name} ${blueprint.version}` },
  });
}

function readme(blueprint: Blueprint): string {
  return `# ${blueprint.name} (exported by berth)

${blueprint.description}

This chart is the berth blueprint \`${blueprint.name}\` ${blueprint.version} rendered for one set of
values. \`helm template\` gives exactly the objects \`berth render\` gives for the same values, release
name and namespace. Only these stay open until install:

- the release name and namespace (every name, label, host and selector that contains them);
- generated secrets: made once with \`randAlphaNum\` (hex keys: \`sha256sum\` of one), and read back from
  the installed Secret with \`lookup\` on upgrade, so they keep their values;
- the \`berth.dev/config-checksum\` pod annotations computed from those secrets.

Every other value is fixed: \`values.yaml\` shows the values the chart was rendered with, and the chart
refuses to render with different ones. To change a value, export again:

    berth export helm ${blueprint.name} -f my-values.yaml --output-dir ./chart

## What the chart cannot carry

${NOT_CARRIED.map((line) => `- ${line}`).join('\n')}
`;
}

/** The chart's files, by path relative to the chart folder. */
export async function helmChart(
  blueprint: Blueprint,
  userValues: Record<string, unknown>,
  options: HelmExportOptions,
): Promise<Map<string, string>> {
  const release = await symbolicRelease(blueprint, userValues);
  const files = new Map<string, string>();
  files.set('Chart.yaml', chartYaml(blueprint));
  const header = ` Values the ${blueprint.name} blueprint ${blueprint.version} was rendered with by berth export helm.\n They are fixed: the chart renders only these (or the same values file again). To change one, export again.`;
  files.set('values.yaml', defaultsDocument(blueprint.schema, header, release.values));
  files.set('values.schema.json', `${JSON.stringify(options.jsonSchema, null, 2)}\n`);
  files.set('README.md', readme(blueprint));
  files.set('templates/NOTES.txt', notesTemplate(release));
  if (release.generated.length || release.checksums.length) {
    files.set('templates/_berth.tpl', generatedHelper(release));
  }
  const values = release.values as Record<string, unknown>;
  const digests = [...new Set([goJson(values), goJson(mergeValues(values, userValues))])].map(sha256);
  files.set('templates/berth-guard.yaml', guardTemplate(blueprint, digests));
  release.manifests.forEach((manifest, index) => {
    const stage = `${STAGES.indexOf(manifest.stage) + 1}-${manifest.stage}`;
    const name = `${String(index).padStart(3, '0')}-${manifest.kind.toLowerCase()}-${manifest.shortName}.yaml`;
    files.set(`templates/${stage}/${name}`, objectTemplate(manifest.object));
  });
  return files;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
