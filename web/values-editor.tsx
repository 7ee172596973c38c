/**
 * The values editor: YAML in CodeMirror, checked on every edit against the blueprint's JSON Schema
 * (made from its zod schema by the server). Each problem is marked in the text (underline, gutter
 * marker, message on hover) and listed under it by values path: both from one `checkValues`.
 */
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { type Diagnostic, lintGutter, lintKeymap, setDiagnostics } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import Ajv2020 from 'ajv/dist/2020.js';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { getJson } from './api.ts';
import { checkValues, type Problem, type Validate } from './values-ranges.ts';

export interface Checked {
  readonly errors: readonly string[];
}

const toDiagnostic = (p: Problem): Diagnostic => ({
  from: p.from,
  to: p.to,
  severity: 'error',
  message: p.message,
});

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
  // An edit is checked once: the list for onChange and the marks for the text it comes back as.
  const lastCheck = useRef<{ validate: Validate; text: string; problems: Problem[] }>(undefined);
  const check = (validate: Validate, text: string): Problem[] => {
    const last = lastCheck.current;
    if (last?.validate === validate && last.text === text) return last.problems;
    const problems = checkValues(validate, text);
    lastCheck.current = { validate, text, problems };
    return problems;
  };
  const problems = useMemo(() => (validate ? check(validate, text) : []), [validate, text]);

  // CodeMirror keeps its own document; edits go out through onChange, the latest of which is read here.
  const latest = useRef({ validate, onChange, check });
  latest.current = { validate, onChange, check };
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView>(undefined);
  useEffect(() => {
    const editor = new EditorView({
      parent: host.current as HTMLDivElement,
      state: EditorState.create({
        doc: text,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          lintGutter(),
          history(),
          drawSelection(),
          indentOnInput(),
          highlightActiveLine(),
          keymap.of([...defaultKeymap, ...historyKeymap, ...lintKeymap, indentWithTab]),
          yaml(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          EditorView.contentAttributes.of({ 'aria-label': `${blueprint} values (YAML)` }),
          EditorView.updateListener.of((update) => {
            if (!update.docChanged) return;
            const next = update.state.doc.toString();
            const { validate, onChange, check } = latest.current;
            onChange(next, { errors: validate ? check(validate, next).map((p) => p.message) : [] });
          }),
        ],
      }),
    });
    view.current = editor;
    return () => editor.destroy();
  }, []);
  // Once the schema is there, the document as it is now is reported: reporting the text of the
  // render that brought the schema would undo an edit made while it loaded.
  useEffect(() => {
    if (!validate) return;
    const current = view.current?.state.doc.toString() ?? text;
    onChange(current, { errors: check(validate, current).map((p) => p.message) });
  }, [validate]);
  // The text from outside (a new release's values) replaces the document; then the marks follow.
  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    if (editor.state.doc.toString() !== text)
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text } });
    editor.dispatch(setDiagnostics(editor.state, problems.map(toDiagnostic)));
  }, [text, problems]);

  return (
    <div class="editor">
      <div class="values-editor" data-testid="values-editor" ref={host} />
      {error && <p class="error">{error}</p>}
      {!validate && !error && <p class="muted">loading the {blueprint} schema…</p>}
      {validate && (
        <ul class={problems.length ? 'errors' : 'ok'} data-testid="schema-errors">
          {problems.length ? (
            problems.map((p) => <li key={p.message}>{p.message}</li>)
          ) : (
            <li>values match the {blueprint} schema</li>
          )}
        </ul>
      )}
    </div>
  );
}
