/**
 * The values editor: YAML text checked on every edit against the blueprint's JSON Schema (made
 * from its zod schema by the server), with each error at its values path.
 */
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020.js';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { parse } from 'yaml';
import { getJson } from './api.ts';

export interface Checked {
  readonly errors: readonly string[];
}

function valuesPath(error: ErrorObject): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'additionalProperties')
    path.push(String((error.params as { additionalProperty: string }).additionalProperty));
  if (error.keyword === 'required')
    path.push(String((error.params as { missingProperty: string }).missingProperty));
  return (
    path.reduce((out, s) => (/^\d+$/.test(s) ? `${out}[${s}]` : out ? `${out}.${s}` : s), '') || '(root)'
  );
}

function check(
  validate: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null },
  text: string,
): string[] {
  let data: unknown;
  try {
    data = parse(text) ?? {};
  } catch (error) {
    return [`YAML: ${(error as Error).message.split('\n')[0]}`];
  }
  if (validate(data)) return [];
  const seen = new Set<string>();
  return (validate.errors ?? [])
    .map((e) => `values ${valuesPath(e)}: ${e.message}`)
    .filter((line) => !seen.has(line) && seen.add(line));
}

export function ValuesEditor({
  blueprint,
  text,
  onChange,
}: {
  blueprint: string;
  text: string;
  onChange: (text: string, checked: Checked) => void;
}) {
  const [schema, setSchema] = useState<Record<string, unknown>>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    setSchema(undefined);
    getJson<Record<string, unknown>>(`/api/blueprints/${encodeURIComponent(blueprint)}/schema`).then(
      setSchema,
      (e: Error) => setError(e.message),
    );
  }, [blueprint]);
  const validate = useMemo(
    () => schema && new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(schema),
    [schema],
  );
  const errors = validate ? check(validate, text) : [];
  useEffect(() => {
    if (validate) onChange(text, { errors });
  }, [validate]);
  return (
    <div class="editor">
      <textarea
        data-testid="values-editor"
        spellcheck={false}
        rows={18}
        value={text}
        onInput={(e) => {
          const next = (e.target as HTMLTextAreaElement).value;
          onChange(next, { errors: validate ? check(validate, next) : [] });
        }}
      />
      {error && <p class="error">{error}</p>}
      {!validate && !error && <p class="muted">loading the {blueprint} schema…</p>}
      {validate && (
        <ul class={errors.length ? 'errors' : 'ok'} data-testid="schema-errors">
          {errors.length ? (
            errors.map((e) => <li key={e}>{e}</li>)
          ) : (
            <li>values match the {blueprint} schema</li>
          )}
        </ul>
      )}
    </div>
  );
}
