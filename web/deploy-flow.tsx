/** Values → plan (as a diff) → apply with live progress: the upgrade page and the install wizard. */
import { useState } from 'preact/hooks';
import { ApiError, postJson, postStream, releasePath } from './api.ts';
import { DataSafetyView } from './data-safety.tsx';
import { DiffView } from './diff-view.tsx';
import { Progress, useProgress } from './progress.tsx';
import type { Plan } from './types.ts';
import { type Checked, ValuesEditor } from './values-editor.tsx';

export function DeployFlow({
  namespace,
  release,
  blueprint,
  initialValues,
  install,
  readOnly,
}: {
  namespace: string;
  release: string;
  blueprint: string;
  initialValues: string;
  install: boolean;
  readOnly: boolean;
}) {
  const [text, setText] = useState(initialValues);
  const [checked, setChecked] = useState<Checked>({ errors: [] });
  const [plan, setPlan] = useState<Plan>();
  /** Given once the user has read a data-destroying data-safety view. */
  const [accepted, setAccepted] = useState(false);
  const [error, setError] = useState<string>();
  const progress = useProgress();
  const base = releasePath(namespace, release);
  const body = { blueprint, values: text, install };

  const onChange = (next: string, result: Checked) => {
    setText(next);
    setChecked(result);
    setPlan(undefined);
    setAccepted(false);
  };
  const showPlan = async () => {
    setError(undefined);
    try {
      setAccepted(false);
      setPlan(await postJson<Plan>(`${base}/plan`, body));
    } catch (e) {
      const problems = e instanceof ApiError ? e.problems.map((p) => `values ${p.path}: ${p.message}`) : [];
      setError([(e as Error).message, ...problems].join('\n'));
    }
  };
  const apply = () => progress.run(() => postStream(`${base}/upgrade`, body, progress.onEvent));

  return (
    <div>
      <h2>1. Values</h2>
      <ValuesEditor blueprint={blueprint} text={text} onChange={onChange} />
      <button type="button" data-testid="show-plan" disabled={checked.errors.length > 0} onClick={showPlan}>
        Show the plan
      </button>
      {error && <pre class="error">{error}</pre>}
      {plan && (
        <>
          <h2>2. Plan</h2>
          <p data-testid="plan-summary">
            {plan.summary.create} to create, {plan.summary.change} to change, {plan.summary.prune} to prune,{' '}
            {plan.summary.unchanged} unchanged
          </p>
          {plan.notes.map((n) => (
            <p class="note" key={n}>
              {n}
            </p>
          ))}
          <div data-testid="plan-diff">
            {plan.changes
              .filter((c) => c.action !== 'unchanged')
              .map((c) => (
                <div key={c.object}>
                  {c.note && <p class="note">{c.note}</p>}
                  <DiffView diff={c.diff} />
                </div>
              ))}
          </div>
          <h2>3. Data safety</h2>
          <DataSafetyView safety={plan.safety} />
          <h2>4. Apply</h2>
          {readOnly ? (
            <p class="muted">the console runs read-only</p>
          ) : (
            <>
              {!plan.safety.safe && (
                <label class="confirm">
                  <input
                    type="checkbox"
                    data-testid="accept-data-loss"
                    checked={accepted}
                    onChange={(e) => setAccepted((e.target as HTMLInputElement).checked)}
                  />{' '}
                  I have read the data-safety list: apply anyway
                </label>
              )}
              <button
                type="button"
                data-testid="apply"
                disabled={progress.state.running || (!plan.safety.safe && !accepted)}
                onClick={apply}
              >
                {install ? 'Install' : 'Upgrade'} {release}
              </button>
            </>
          )}
        </>
      )}
      <Progress state={progress.state} />
    </div>
  );
}
