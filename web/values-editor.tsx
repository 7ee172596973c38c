/**
 * The values editor: YAML text checked on every edit against the blueprint's JSON Schema (made
 * from its zod schema by the server), with each error at its values path.
 */
import Ajv2020 from 'ajv/dist/2020.js';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { getJson } from './api.ts';
import { checkValues, type Validate } from './values-ranges.ts';

export interface Checked {
  readonly errors: readonly string[];
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
  const validate = useMemo<Validate | undefined>(
    () => schema && new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(schema),
    [schema],
  );
  const errors = validate ? checkValues(validate, text).map((p) => p.message) : [];
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
          onChange(next, { errors: validate ? checkValues(validate, next).map((p) => p.message) : [] });
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
