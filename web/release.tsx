/** One release: its topology with live readiness, what each component waits for, preflight, doctor. */
import { useEffect, useState } from 'preact/hooks';
import { getJson, postJson, releasePath } from './api.ts';
import { TopologyView } from './topology.tsx';
import type { ComponentState, ComponentUpdate, PreflightCheck, ReleaseDetail } from './types.ts';
import { toYaml } from './yaml.ts';

export function ReleasePage({ namespace, release }: { namespace: string; release: string }) {
  const [detail, setDetail] = useState<ReleaseDetail>();
  const [error, setError] = useState<string>();
  const [updates, setUpdates] = useState<Record<string, ComponentUpdate>>({});
  const base = releasePath(namespace, release);

  useEffect(() => {
    getJson<ReleaseDetail>(base).then(setDetail, (e: Error) => setError(e.message));
    // Server-side watches push each component's readiness as it changes.
    const source = new EventSource(`${base}/live`);
    source.addEventListener('component', (message) => {
      const update = JSON.parse((message as MessageEvent<string>).data) as ComponentUpdate;
      setUpdates((previous) => ({ ...previous, [update.component]: update }));
    });
    return () => source.close();
  }, [base]);

  if (error) return <p class="error">{error}</p>;
  if (!detail) return <p class="muted">loading {release}…</p>;
  const { status } = detail;
  const states: Record<string, ComponentState | undefined> = Object.fromEntries(
    Object.values(updates).map((u) => [u.component, u.state]),
  );
  return (
    <section>
      <h1>
        {status.release} <span class="muted">in {status.namespace}</span>
      </h1>
      <p data-testid="release-summary">
        revision <strong data-testid="revision">{status.revision}</strong> ·{' '}
        <span class={`badge ${status.status}`}>{status.status}</span> · {status.blueprint.name}{' '}
        {status.blueprint.version} (app {status.blueprint.appVersion})
      </p>
      <nav class="actions">
        <a href={`/releases/${namespace}/${release}/history`}>History</a>
        <a href={`/releases/${namespace}/${release}/values`}>Values</a>
        <a href={`/releases/${namespace}/${release}/owners`}>Ownership</a>
        <a href={`/releases/${namespace}/${release}/upgrade`}>Upgrade</a>
        <a href={`${base}/doctor`} download data-testid="doctor">
          Doctor bundle
        </a>
      </nav>
      <h2>Topology</h2>
      <TopologyView topology={detail.topology} states={states} />
      <h2>Components</h2>
      <ul class="components">
        {detail.topology.components.map((c) => {
          const update = updates[c.name];
          return (
            <li key={c.name} data-testid={`problems-${c.name}`}>
              <strong>{c.name}</strong> <span class="muted">{c.stage}</span>{' '}
              <span class={`badge ${update?.state ?? 'none'}`}>
                {update?.state ?? (c.workloads.length ? '…' : 'config')}
              </span>
              {[...(update?.waiting ?? []), ...(update?.problems ?? []), ...(update?.events ?? [])].map(
                (line) => (
                  <div class="problem" key={line}>
                    {line}
                  </div>
                ),
              )}
            </li>
          );
        })}
      </ul>
      {status.notes.length > 0 && (
        <>
          <h2>Notes</h2>
          <pre>{status.notes.join('\n')}</pre>
        </>
      )}
      <Preflight base={base} blueprint={status.blueprint.name} values={detail.revision.values} />
    </section>
  );
}

function Preflight({ base, blueprint, values }: { base: string; blueprint: string; values: unknown }) {
  const [checks, setChecks] = useState<{ outcome: string; checks: PreflightCheck[] }>();
  const [error, setError] = useState<string>();
  const run = () =>
    postJson<{ outcome: string; checks: PreflightCheck[] }>(`${base}/preflight`, {
      blueprint,
      values: toYaml(values),
    }).then(setChecks, (e: Error) => setError(e.message));
  return (
    <>
      <h2>Preflight</h2>
      <button type="button" onClick={run} data-testid="run-preflight">
        Run preflight checks
      </button>
      {error && <p class="error">{error}</p>}
      {checks && (
        <table data-testid="preflight">
          <tbody>
            {checks.checks.map((c) => (
              <tr key={c.id}>
                <td>
                  <span class={`badge ${c.outcome}`}>{c.outcome}</span>
                </td>
                <td>{c.title}</td>
                <td>
                  {c.message}
                  {c.details?.map((d) => (
                    <div class="muted" key={d}>
                      {d}
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
