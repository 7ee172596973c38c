/** Every release the console may see, across namespaces, with its health. */
import { useEffect, useState } from 'preact/hooks';
import { getJson } from './api.ts';
import type { ReleaseSummary } from './types.ts';

export function ReleasesPage() {
  const [data, setData] = useState<{ releases: ReleaseSummary[]; notes: string[] }>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    getJson<{ releases: ReleaseSummary[]; notes: string[] }>('/api/releases').then(setData, (e: Error) =>
      setError(e.message),
    );
  }, []);
  if (error) return <p class="error">{error}</p>;
  if (!data) return <p class="muted">loading releases…</p>;
  return (
    <section>
      <h1>Releases</h1>
      {data.notes.map((note) => (
        <p class="note" key={note}>
          {note}
        </p>
      ))}
      <table data-testid="releases">
        <thead>
          <tr>
            <th>Namespace</th>
            <th>Release</th>
            <th>Status</th>
            <th>Revision</th>
            <th>Blueprint</th>
            <th>Version</th>
            <th>Updated</th>
          </tr>
        </thead>
        <tbody>
          {data.releases.map((r) => (
            <tr key={`${r.namespace}/${r.release}`} data-testid={`release-${r.namespace}-${r.release}`}>
              <td>{r.namespace}</td>
              <td>
                <a href={`/releases/${r.namespace}/${r.release}`}>{r.release}</a>
              </td>
              <td>
                <span class={`badge ${r.status}`}>{r.status}</span>
              </td>
              <td>{r.revision}</td>
              <td>{r.blueprint}</td>
              <td>{r.appVersion}</td>
              <td>{r.updated}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.releases.length === 0 && <p class="muted">no releases found</p>}
    </section>
  );
}
