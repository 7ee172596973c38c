/** The revisions of a release, a diff between any two, and rollback with a confirmation. */
import { useEffect, useState } from 'preact/hooks';
import { getJson, getSession, postStream, releasePath } from './api.ts';
import { DiffView } from './diff-view.tsx';
import { Progress, useProgress } from './progress.tsx';
import type { ReleaseSummary } from './types.ts';

interface RevisionDiff {
  readonly values: string;
  readonly objects: readonly { object: string; action: string; diff: string }[];
}

export function HistoryPage({ namespace, release }: { namespace: string; release: string }) {
  const base = releasePath(namespace, release);
  const [history, setHistory] = useState<ReleaseSummary[]>();
  const [from, setFrom] = useState<number>();
  const [to, setTo] = useState<number>();
  const [diff, setDiff] = useState<RevisionDiff>();
  const [error, setError] = useState<string>();
  const [readOnly, setReadOnly] = useState(true);
  const progress = useProgress();

  const load = () =>
    getJson<ReleaseSummary[]>(`${base}/history`).then(
      (list) => {
        setHistory(list);
        // Oldest first: compare the newest revision with the one before it.
        setTo(list.at(-1)?.revision);
        setFrom(list.at(-2)?.revision ?? list.at(-1)?.revision);
      },
      (e: Error) => setError(e.message),
    );
  useEffect(() => {
    void load();
    getSession().then((s) => setReadOnly(s.readOnly));
  }, [base]);
  useEffect(() => {
    if (from === undefined || to === undefined) return;
    getJson<RevisionDiff>(`${base}/diff?from=${from}&to=${to}`).then(setDiff, (e: Error) =>
      setError(e.message),
    );
  }, [base, from, to]);

  const rollback = async (revision: number) => {
    if (
      !window.confirm(
        `Roll ${release} back to revision ${revision}? A new revision with its manifests is deployed.`,
      )
    )
      return;
    await progress.run(() => postStream(`${base}/rollback`, { revision }, progress.onEvent));
    await load();
  };

  if (error) return <p class="error">{error}</p>;
  if (!history) return <p class="muted">loading history…</p>;
  const pick = (value: number | undefined, set: (n: number) => void, testId: string) => (
    <select
      data-testid={testId}
      value={value}
      onChange={(e) => set(Number((e.target as HTMLSelectElement).value))}
    >
      {history.map((h) => (
        <option key={h.revision} value={h.revision}>
          revision {h.revision}
        </option>
      ))}
    </select>
  );
  return (
    <section>
      <h1>
        <a href={`/releases/${namespace}/${release}`}>{release}</a> history
      </h1>
      <table data-testid="history">
        <thead>
          <tr>
            <th>Revision</th>
            <th>Status</th>
            <th>Blueprint</th>
            <th>Updated</th>
            <th>Description</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {history.map((h) => (
            <tr key={h.revision} data-testid={`revision-${h.revision}`}>
              <td>{h.revision}</td>
              <td>
                <span class={`badge ${h.status}`}>{h.status}</span>
              </td>
              <td>{h.blueprint}</td>
              <td>{h.updated}</td>
              <td>{h.description}</td>
              <td>
                {!readOnly && h.status !== 'deployed' && (
                  <button
                    type="button"
                    data-testid={`rollback-${h.revision}`}
                    onClick={() => rollback(h.revision)}
                  >
                    Roll back to {h.revision}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Progress state={progress.state} />
      <h2>
        Diff {pick(from, setFrom, 'diff-from')} → {pick(to, setTo, 'diff-to')}
      </h2>
      {diff && (
        <>
          <h3>Values</h3>
          <DiffView diff={diff.values} testId="values-diff" />
          <h3>Objects ({diff.objects.length} changed)</h3>
          <div data-testid="objects-diff">
            {diff.objects.map((o) => (
              <DiffView key={o.object} diff={o.diff} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
