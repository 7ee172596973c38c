/** What a planned upgrade does to data and credentials, between the plan diff and the apply button. */
import type { DataSafety } from './types.ts';

const TITLES: Record<string, string> = {
  deleted: 'deleted',
  recreate: 're-created',
  replaced: 'replaced',
  credentials: 'credentials change',
  kept: 'kept',
};

export function DataSafetyView({ safety }: { safety: DataSafety }) {
  return (
    <div data-testid="data-safety">
      {safety.safe ? (
        <p class="ok">Nothing is deleted, replaced or re-keyed.</p>
      ) : (
        <p class="error">This upgrade destroys or changes data: read each line below.</p>
      )}
      {safety.findings.length > 0 && (
        <table>
          <tbody>
            {safety.findings.map((f) => (
              <tr key={`${f.risk} ${f.object}`}>
                <td>
                  <span class={`badge ${f.risk === 'kept' ? 'pass' : 'fail'}`}>
                    {TITLES[f.risk] ?? f.risk}
                  </span>
                </td>
                <td>
                  <code>{f.object}</code>
                  {f.fields.length > 0 && <div class="muted">{f.fields.join(', ')}</div>}
                </td>
                <td>{f.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
