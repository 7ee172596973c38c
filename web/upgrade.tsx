/** Upgrade a release (its values, checked live), and install a new one from a blueprint. */
import { useEffect, useState } from 'preact/hooks';
import { getJson, getSession, releasePath } from './api.ts';
import { DeployFlow } from './deploy-flow.tsx';
import type { BlueprintInfo, ReleaseDetail } from './types.ts';
import { toYaml } from './yaml.ts';

export function UpgradePage({ namespace, release }: { namespace: string; release: string }) {
  const [detail, setDetail] = useState<ReleaseDetail>();
  const [readOnly, setReadOnly] = useState(true);
  const [error, setError] = useState<string>();
  useEffect(() => {
    getJson<ReleaseDetail>(releasePath(namespace, release)).then(setDetail, (e: Error) =>
      setError(e.message),
    );
    getSession().then((s) => setReadOnly(s.readOnly));
  }, [namespace, release]);
  if (error) return <p class="error">{error}</p>;
  if (!detail) return <p class="muted">loading {release}…</p>;
  return (
    <section>
      <h1>
        Upgrade <a href={`/releases/${namespace}/${release}`}>{release}</a>{' '}
        <span class="muted">
          {detail.status.blueprint.name} {detail.status.blueprint.version}, revision {detail.status.revision}
        </span>
      </h1>
      <DeployFlow
        namespace={namespace}
        release={release}
        blueprint={detail.status.blueprint.name}
        initialValues={toYaml(detail.revision.values)}
        install={false}
        readOnly={readOnly}
      />
    </section>
  );
}

export function InstallPage() {
  const [blueprints, setBlueprints] = useState<BlueprintInfo[]>([]);
  const [namespaces, setNamespaces] = useState<readonly string[]>([]);
  const [form, setForm] = useState({ namespace: '', release: '', blueprint: '' });
  const [readOnly, setReadOnly] = useState(true);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    getJson<BlueprintInfo[]>('/api/blueprints').then((list) => {
      setBlueprints(list);
      setForm((f) => ({ ...f, blueprint: list[0]?.name ?? '' }));
    });
    getSession().then((s) => {
      setReadOnly(s.readOnly);
      setNamespaces(s.namespaces);
      setForm((f) => ({ ...f, namespace: s.namespaces[0] ?? 'default' }));
    });
  }, []);
  const field = (name: keyof typeof form) => (e: Event) => {
    setReady(false);
    setForm({ ...form, [name]: (e.target as HTMLInputElement).value });
  };
  return (
    <section>
      <h1>Install a release</h1>
      <div class="form">
        <label>
          Namespace
          <input
            data-testid="install-namespace"
            list="namespaces"
            value={form.namespace}
            onInput={field('namespace')}
          />
          <datalist id="namespaces">
            {namespaces.map((n) => (
              <option key={n} value={n} />
            ))}
          </datalist>
        </label>
        <label>
          Release name
          <input data-testid="install-release" value={form.release} onInput={field('release')} />
        </label>
        <label>
          Blueprint
          <select data-testid="install-blueprint" value={form.blueprint} onChange={field('blueprint')}>
            {blueprints.map((b) => (
              <option key={b.name} value={b.name}>
                {b.name} {b.version} — {b.description}
              </option>
            ))}
          </select>
        </label>
        <button type="button" disabled={!form.release || !form.namespace} onClick={() => setReady(true)}>
          Next: values
        </button>
      </div>
      {ready && (
        <DeployFlow
          key={`${form.namespace}/${form.release}/${form.blueprint}`}
          namespace={form.namespace}
          release={form.release}
          blueprint={form.blueprint}
          initialValues=""
          install
          readOnly={readOnly}
        />
      )}
    </section>
  );
}
