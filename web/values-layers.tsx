/** The effective values of a release's deployed revision, each leaf with the layer it came from. */
import { useReleaseJson } from './api.ts';
import type { ValuesLayers } from './types.ts';

export function ValuesLayersPage({ namespace, release }: { namespace: string; release: string }) {
  const { data: layers, error } = useReleaseJson<ValuesLayers>(namespace, release, 'values');
  if (error) return <p class="error">{error}</p>;
  if (!layers) return <p class="muted">loading the values of {release}…</p>;
  return (
    <section>
      <h1>
        Values of <a href={`/releases/${namespace}/${release}`}>{release}</a>{' '}
        <span class="muted">
          revision {layers.revision}, {layers.blueprint.name} {layers.blueprint.version}
        </span>
      </h1>
      {layers.notes.map((n) => (
        <p class="note" key={n}>
          {n}
        </p>
      ))}
      <table data-testid="values-layers">
        <thead>
          <tr>
            <th>Path</th>
            <th>Value</th>
            <th>Layer</th>
          </tr>
        </thead>
        <tbody>
          {layers.leaves.map((leaf) => (
            <tr key={leaf.path} data-testid={`value-${leaf.path}`}>
              <td>
                <code>{leaf.path}</code>
              </td>
              <td>
                <code>{JSON.stringify(leaf.value)}</code>
              </td>
              <td>
                <span class={`badge ${leaf.layer === 'default' ? 'none' : 'layer'}`}>{leaf.layer}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
