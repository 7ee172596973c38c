/** The ownership map of a release: per object, the tools that claim it and the field managers of its fields. */
import { useReleaseJson } from './api.ts';
import type { OwnershipReport } from './types.ts';

export function OwnersPage({ namespace, release }: { namespace: string; release: string }) {
  const { data: report, error } = useReleaseJson<OwnershipReport>(namespace, release, 'owners');
  if (error) return <p class="error">{error}</p>;
  if (!report) return <p class="muted">reading who owns the objects of {release}…</p>;
  const contested = report.objects.filter((o) => o.contested).length;
  return (
    <section>
      <h1>
        Ownership of <a href={`/releases/${namespace}/${release}`}>{release}</a>{' '}
        <span class="muted">{report.revision ? `revision ${report.revision}` : 'no berth record'}</span>
      </h1>
      <p data-testid="owners-summary">
        {report.objects.length} objects, {contested} contested
      </p>
      <table data-testid="owners">
        <thead>
          <tr>
            <th>Object</th>
            <th>Claimed by</th>
            <th>Field managers</th>
          </tr>
        </thead>
        <tbody>
          {report.objects.map((o) => (
            <tr
              key={o.object}
              class={o.contested ? 'contested' : undefined}
              data-testid={`owner-${o.object}`}
            >
              <td>
                <code>{o.object}</code>
                {!o.recorded && <div class="muted">not in berth's record</div>}
                {o.contested && <div class="badge fail">contested</div>}
              </td>
              <td>
                {o.claims.length === 0 && <span class="muted">nobody</span>}
                {o.claims.map((c) => (
                  <div key={`${c.tool} ${c.owner}`} title={c.evidence}>
                    <strong>{c.tool}</strong> {c.owner}
                  </div>
                ))}
              </td>
              <td>
                {o.managers.map((m) => (
                  <div key={`${m.manager} ${m.operation} ${m.subresource ?? ''}`}>
                    <strong>{m.manager}</strong>{' '}
                    <span class="muted">
                      {m.kind}, {m.operation}
                      {m.subresource ? ` /${m.subresource}` : ''}
                    </span>
                    : {m.fields.join(', ')}
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.skipped.length > 0 && <p class="muted">not read: {report.skipped.join('; ')}</p>}
    </section>
  );
}
