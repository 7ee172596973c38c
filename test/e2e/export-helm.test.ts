/**
 * `berth export helm` against the real Helm 4: for the defaults and the production example of every
 * blueprint, `helm lint` passes and `helm template` gives the objects `berth render` gives (parsed
 * and compared whole, with berth rendering the secret values Helm generated, each checked against
 * the kind and length the blueprint declares). On the cluster, an upgrade keeps the generated secrets.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import type { GeneratedValue, KubeObject } from '../../src/render/model.ts';
import { render } from '../../src/render/render.ts';
import { parseValuesText } from '../../src/values/sources.ts';
import { runBerth } from '../support/cli.ts';
import { helm, kubectlJson, withNamespace } from './support/cluster.ts';

const RELEASE = 'demo';
const NAMESPACE = 'shop';

function objectsOf(yaml: string): KubeObject[] {
  return parseAllDocuments(yaml, { version: '1.1' })
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

function keyed(objects: readonly KubeObject[]): Map<string, KubeObject> {
  return new Map(objects.map((o) => [`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, o]));
}

function generatedBy(objects: readonly KubeObject[]): Map<string, Record<string, string>> {
  return new Map(
    objects
      .filter((o) => o.kind === 'Secret' && o.metadata.annotations?.['berth.dev/generated-keys'])
      .map((o) => [o.metadata.name, o.stringData as Record<string, string>]),
  );
}

function shapeOf(spec: GeneratedValue): RegExp {
  return spec.kind === 'hex'
    ? new RegExp(`^[0-9a-f]{${spec.bytes * 2}}$`)
    : new RegExp(`^[A-Za-z0-9]{${spec.length}}$`);
}

async function exportChart(blueprint: string, valueArgs: readonly string[]): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'berth-helm-')), blueprint);
  const result = await runBerth(['export', 'helm', blueprint, ...valueArgs, '--output-dir', dir]);
  assert.equal(result.code, 0, result.stderr);
  return dir;
}

// The bundled blueprints (those with examples): other e2e tests add imported ones for a while.
const blueprints = readdirSync('examples').sort();

describe('berth export helm', () => {
  for (const name of blueprints) {
    for (const variant of ['defaults', 'production'] as const) {
      test(`${name} ${variant}: helm lint passes and helm template equals berth render`, async (t) => {
        const valuesFile = variant === 'production' ? `examples/${name}/values-production.yaml` : undefined;
        const valueArgs = valuesFile ? ['-f', valuesFile] : [];
        const chart = await exportChart(name, valueArgs);
        t.after(() => rmSync(join(chart, '..'), { recursive: true, force: true }));

        const lint = await helm(['lint', chart, ...valueArgs], { allowFailure: true });
        assert.equal(lint.code, 0, `helm lint failed:\n${lint.stdout}${lint.stderr}`);
        const templated = await helm(['template', RELEASE, chart, '-n', NAMESPACE, ...valueArgs]);
        const fromHelm = objectsOf(templated.stdout);

        const helmSecrets = generatedBy(fromHelm);
        const blueprint = await getBlueprint(name);
        const userValues = valuesFile ? parseValuesText(readFileSync(valuesFile, 'utf8'), valuesFile) : {};
        let generated = 0;
        const fromBerth = await render(blueprint, userValues, {
          release: RELEASE,
          namespace: NAMESPACE,
          secretValues: (secret, key, spec) => {
            const value = helmSecrets.get(secret)?.[key];
            assert.ok(value !== undefined, `helm generated no ${secret}/${key}`);
            assert.match(value, shapeOf(spec), `${secret}/${key} has the declared kind and length`);
            generated++;
            return value;
          },
        });
        const declared = fromHelm.flatMap(
          (o) => o.metadata.annotations?.['berth.dev/generated-keys']?.split(',') ?? [],
        );
        assert.equal(generated, declared.length, 'every generated key was compared');
        const expected = keyed(fromBerth.manifests.map((m) => m.object));
        const actual = keyed(fromHelm);
        assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
        for (const [key, object] of expected) assert.deepEqual(actual.get(key), object, key);
      });
    }
  }

  test('the chart refuses values it was not exported with', async (t) => {
    const chart = await exportChart('langfuse', []);
    t.after(() => rmSync(join(chart, '..'), { recursive: true, force: true }));
    const changed = await helm(['template', RELEASE, chart, '--set', 'services.web.replicas=5'], {
      allowFailure: true,
    });
    assert.notEqual(changed.code, 0);
    assert.match(changed.stderr, /export again: berth export helm langfuse/);
    const badName = await helm(['template', 'Not_Valid', chart], { allowFailure: true });
    assert.notEqual(badName.code, 0);
  });

  test('an upgrade of the installed chart keeps the generated secrets', async (t) => {
    const namespace = await withNamespace(t, 'export-helm');
    const chart = await exportChart('langfuse', []);
    t.after(() => rmSync(join(chart, '..'), { recursive: true, force: true }));
    const secret = () =>
      kubectlJson<{ data: Record<string, string> }>(['get', 'secret', `${RELEASE}-app`, '-n', namespace]);
    await helm(['install', RELEASE, chart, '-n', namespace], { timeoutMs: 120_000 });
    const before = await secret();
    await helm(['upgrade', RELEASE, chart, '-n', namespace], { timeoutMs: 120_000 });
    const after = await secret();
    assert.equal(Object.keys(before.data).length, 3);
    assert.deepEqual(after.data, before.data);
  });
});
