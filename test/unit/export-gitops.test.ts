/**
 * The GitOps folder keeps berth's stage order (Argo CD sync waves, Flux dependsOn chain), holds
 * every rendered object exactly once, writes no secret value and is the same on every export.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { getBlueprint, listBlueprints } from '../../src/blueprints/registry.ts';
import { type GitopsOptions, gitopsFolder, SYNC_WAVE, stageFolder } from '../../src/export/gitops.ts';
import type { KubeObject } from '../../src/render/model.ts';
import { STAGES } from '../../src/render/model.ts';
import { render } from '../../src/render/render.ts';

const options: GitopsOptions = {
  release: 'shop',
  namespace: 'apps',
  secrets: 'omit',
  flux: { source: { kind: 'GitRepository', name: 'fleet', namespace: 'flux-system' }, path: './apps/shop' },
};

const renderOptions = { release: options.release, namespace: options.namespace };

const id = (o: KubeObject) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`;

function objectsIn(files: ReadonlyMap<string, string>): Map<string, { folder: string; object: KubeObject }> {
  const found = new Map<string, { folder: string; object: KubeObject }>();
  for (const [path, text] of files) {
    const [folder, file] = path.split('/');
    if (!file || file === 'kustomization.yaml' || folder === 'flux') continue;
    const object = parse(text, { version: '1.1' }) as KubeObject;
    found.set(id(object), { folder: folder!, object });
  }
  return found;
}

for (const { name } of await listBlueprints()) {
  describe(`export gitops ${name}`, async () => {
    const blueprint = await getBlueprint(name);
    // The folder holds no secret value, so the pods' config checksums see every Secret key as empty.
    const rendered = await render(blueprint, {}, { ...renderOptions, secretValues: () => '' });
    const files = await gitopsFolder(blueprint, {}, options);
    const objects = objectsIn(files);

    test('every object but the Secrets, in its stage folder with its stage as sync wave', () => {
      const expected = rendered.manifests.filter((m) => m.object.kind !== 'Secret');
      assert.deepEqual([...objects.keys()].sort(), expected.map((m) => id(m.object)).sort());
      for (const manifest of expected) {
        const { folder, object } = objects.get(id(manifest.object))!;
        assert.equal(folder, stageFolder(manifest.stage));
        assert.equal(object.metadata.annotations?.[SYNC_WAVE], String(STAGES.indexOf(manifest.stage)));
        const { annotations, ...metadata } = object.metadata;
        const { [SYNC_WAVE]: _wave, ...rest } = annotations!;
        const { annotations: renderedAnnotations, ...renderedMetadata } = manifest.object.metadata;
        assert.deepEqual(metadata, renderedMetadata);
        assert.deepEqual(rest, renderedAnnotations ?? {});
        assert.deepEqual({ ...object, metadata: {} }, { ...manifest.object, metadata: {} });
      }
      const secrets = rendered.manifests.filter((m) => m.object.kind === 'Secret');
      assert.equal(files.has('SECRETS.md'), secrets.length > 0);
      for (const secret of secrets)
        assert.match(files.get('SECRETS.md')!, new RegExp(`/${secret.object.metadata.name}\``));
    });

    test('kustomizations list the stages in order and every file of each', () => {
      const root = parse(files.get('kustomization.yaml')!) as { resources: string[] };
      const stages = STAGES.filter((s) => [...objects.values()].some((o) => o.folder === stageFolder(s)));
      assert.deepEqual(root.resources, stages.map(stageFolder));
      for (const stage of stages) {
        const listed = (
          parse(files.get(`${stageFolder(stage)}/kustomization.yaml`)!) as { resources: string[] }
        ).resources;
        const present = [...files.keys()].filter(
          (p) => p.startsWith(`${stageFolder(stage)}/`) && !p.endsWith('/kustomization.yaml'),
        );
        assert.deepEqual(listed.map((f) => `${stageFolder(stage)}/${f}`).sort(), present.sort());
      }
    });

    test('Flux applies one stage after another, each waiting for the one before', () => {
      const kustomizations = parseAllDocuments(files.get('flux/kustomizations.yaml')!).map(
        (d) =>
          d.toJS() as {
            metadata: { name: string };
            spec: { path: string; wait: boolean; dependsOn?: { name: string }[] };
          },
      );
      const folders = kustomizations.map((k) => k.spec.path.replace('./apps/shop/', ''));
      const order = folders.map((f) => STAGES.findIndex((s) => stageFolder(s) === f));
      assert.ok(
        order.every((i, n) => i >= 0 && (n === 0 || i > order[n - 1]!)),
        `stage order ${order}`,
      );
      kustomizations.forEach((k, n) => {
        assert.equal(k.spec.wait, true);
        assert.deepEqual(
          k.spec.dependsOn,
          n === 0 ? undefined : [{ name: kustomizations[n - 1]!.metadata.name }],
        );
      });
    });

    test('the same export twice gives the same files', async () => {
      assert.deepEqual(await gitopsFolder(blueprint, {}, options), files);
    });
  });
}

describe('export gitops with external-secrets', async () => {
  const blueprint = await getBlueprint('langfuse');
  const files = await gitopsFolder(
    blueprint,
    {},
    {
      ...options,
      secrets: 'external-secrets',
      externalSecrets: { store: 'vault', storeKind: 'ClusterSecretStore', keyPrefix: 'berth/' },
    },
  );

  test('each Secret becomes an ExternalSecret for every key, in the config stage, with no value', async () => {
    const rendered = await render(blueprint, {}, renderOptions);
    const objects = objectsIn(files);
    for (const { object: secret } of rendered.manifests.filter((m) => m.object.kind === 'Secret')) {
      const external = objects.get(`ExternalSecret/apps/${secret.metadata.name}`);
      assert.ok(external, secret.metadata.name);
      assert.equal(external.folder, '1-config');
      const spec = external.object.spec as {
        secretStoreRef: unknown;
        data: { secretKey: string; remoteRef: { key: string; property: string } }[];
      };
      assert.deepEqual(spec.secretStoreRef, { kind: 'ClusterSecretStore', name: 'vault' });
      assert.deepEqual(
        spec.data.map((d) => d.secretKey),
        Object.keys(secret.stringData as Record<string, string>),
      );
      for (const d of spec.data)
        assert.deepEqual(d.remoteRef, { key: `berth/${secret.metadata.name}`, property: d.secretKey });
    }
    for (const [path, text] of files) assert.doesNotMatch(text, /^kind: Secret$|stringData/m, path);
    assert.equal(files.has('SECRETS.md'), false);
  });
});
