/**
 * `berth images` and the image rule: the list is exactly what the rendered pods pull, for every
 * blueprint over its option matrix; a mirror (global.imageRegistry) takes every image, keeps its
 * path and prefixes nothing twice; pull secrets reach every pod; mirror scripts copy each image
 * from where it is published to where the release pulls it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LANGFUSE_VERSION } from '../../src/blueprints/langfuse/values.ts';
import { blueprintNames, getBlueprint } from '../../src/blueprints/registry.ts';
import { releaseImages } from '../../src/images/list.ts';
import { mirrorCopies, mirrorScript } from '../../src/images/mirror.ts';
import type { RenderContext } from '../../src/render/context.ts';
import type { KubeObject } from '../../src/render/model.ts';
import { imageReference } from '../../src/render/policies.ts';
import { type RenderResult, render } from '../../src/render/render.ts';
import { mergeValues } from '../../src/values/merge.ts';
import { globalSchema, type ImageValues, namesRegistry } from '../../src/values/vocabulary/index.ts';
import { runBerth } from '../support/cli.ts';
import { fixedSecrets, renderExample } from '../support/render.ts';

type Json = Record<string, any>;

const MIRROR = 'mirror.example.internal/airgap';
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

/** Every pod spec anywhere in an object: any map with a `containers` list, however deep. */
function podSpecs(node: unknown): Json[] {
  if (Array.isArray(node)) return node.flatMap(podSpecs);
  if (node === null || typeof node !== 'object') return [];
  const own = Array.isArray((node as Json).containers) ? [node as Json] : [];
  return [...own, ...Object.values(node).flatMap(podSpecs)];
}

function imagesIn(objects: readonly KubeObject[]): string[] {
  return podSpecs(objects).flatMap((spec) =>
    ['initContainers', 'containers', 'ephemeralContainers'].flatMap((key) =>
      ((spec[key] as Json[] | undefined) ?? []).map((c) => String(c.image)),
    ),
  );
}

const objectsOf = (result: RenderResult) => result.manifests.map((m) => m.object);

function reference(image: Partial<ImageValues> & { repository: string }, mirror = ''): string {
  const ctx = { common: { global: { imageRegistry: mirror } } } as unknown as RenderContext;
  return imageReference(ctx, { tag: '1.0', pullPolicy: 'IfNotPresent', ...image });
}

describe('the image rule', () => {
  test('a reference without a registry is on Docker Hub, official images under library/', () => {
    assert.equal(reference({ repository: 'redis', tag: '7.4' }), 'docker.io/library/redis:7.4');
    assert.equal(reference({ repository: 'bitnami/redis' }), 'docker.io/bitnami/redis:1.0');
    assert.equal(reference({ repository: 'redis', registry: 'docker.io' }), 'docker.io/library/redis:1.0');
  });

  test("an image's registry goes in front; a repository that names its own registry is not prefixed", () => {
    const swanlab = { registry: 'repo.swanlab.cn' };
    assert.equal(reference({ ...swanlab, repository: 'self-hosted/x' }), 'repo.swanlab.cn/self-hosted/x:1.0');
    assert.equal(reference({ ...swanlab, repository: 'harbor.internal/x/y' }), 'harbor.internal/x/y:1.0');
    assert.equal(reference({ ...swanlab, repository: 'registry:5000/x' }), 'registry:5000/x:1.0');
    assert.equal(reference({ ...swanlab, repository: 'localhost/x' }), 'localhost/x:1.0');
    assert.equal(reference({ registry: 'quay.io/prom/', repository: 'node' }), 'quay.io/prom/node:1.0');
  });

  test('a mirror takes every image under its source path, once', () => {
    assert.equal(reference({ repository: 'redis' }, MIRROR), `${MIRROR}/library/redis:1.0`);
    assert.equal(reference({ repository: 'quay.io/a/b' }, `${MIRROR}/`), `${MIRROR}/a/b:1.0`);
    assert.equal(
      reference({ registry: 'repo.swanlab.cn', repository: 'self-hosted/x' }, MIRROR),
      `${MIRROR}/self-hosted/x:1.0`,
    );
    // Already on the mirror's registry: left as it is.
    assert.equal(
      reference({ repository: 'mirror.example.internal/team/app' }, MIRROR),
      'mirror.example.internal/team/app:1.0',
    );
    assert.equal(reference({ repository: 'redis' }, 'localhost:5000'), 'localhost:5000/library/redis:1.0');
  });

  test('a digest pins the image after the tag', () => {
    assert.equal(reference({ repository: 'redis', digest: DIGEST }), `docker.io/library/redis:1.0@${DIGEST}`);
  });

  test('global.imageRegistry must name a registry host', () => {
    for (const ok of ['', 'harbor.example.com', 'harbor.example.com/mirror', 'registry:5000', 'localhost'])
      assert.ok(globalSchema.safeParse({ imageRegistry: ok }).success, ok);
    for (const bad of ['mirror', 'team/mirror'])
      assert.ok(!globalSchema.safeParse({ imageRegistry: bad }).success, bad);
    assert.ok(namesRegistry('localhost/x') && !namesRegistry('library/redis'));
  });
});

for (const name of blueprintNames()) {
  describe(`${name}: images over the option matrix`, async () => {
    const { variants } = (await import(`../matrix/${name}.ts`)) as { variants: Record<string, Json> };
    const blueprint = await getBlueprint(name);
    const renderWith = (values: Json) =>
      render(blueprint, values, { release: name, namespace: name, secretValues: fixedSecrets });

    for (const [variant, values] of Object.entries(variants)) {
      test(`${variant}: the list is the rendered images; a mirror takes all of them once, with pull secrets`, async () => {
        const plain = await renderWith(structuredClone(values));
        const listed = releaseImages(plain.manifests);
        const rendered = imagesIn(objectsOf(plain));
        assert.ok(rendered.length > 0);
        assert.deepEqual(
          listed.map((i) => i.reference),
          [...new Set(rendered)].sort(),
          'the list equals the images in the rendered objects',
        );
        for (const image of listed) {
          assert.ok(namesRegistry(image.reference), `${image.reference} is fully qualified`);
          assert.ok(image.tag, `${image.reference} has a tag`);
          assert.equal(
            image.usedBy.length,
            rendered.filter((r) => r === image.reference).length,
            `${image.reference}: every container that pulls it`,
          );
        }

        const airgap = mergeValues(structuredClone(values), {
          global: { imageRegistry: MIRROR, imagePullSecrets: ['pull'] },
        });
        const published = await renderWith(
          mergeValues(structuredClone(values), { global: { imageRegistry: '' } }),
        );
        const mirrored = await renderWith(airgap);
        for (const image of imagesIn(objectsOf(mirrored))) {
          assert.ok(image.startsWith(`${MIRROR}/`), `${image} is pulled from the mirror`);
          assert.ok(!image.slice(MIRROR.length + 1).startsWith('mirror.example.internal'), `${image} once`);
        }
        const copies = mirrorCopies(objectsOf(published), objectsOf(mirrored));
        assert.equal(copies.length, new Set(imagesIn(objectsOf(mirrored))).size, 'one copy per image');
        for (const { source, target } of copies) {
          assert.equal(target.repository, `airgap/${source.repository}`, 'the mirror keeps the source path');
          assert.equal(target.tag, source.tag);
        }
        for (const spec of podSpecs(objectsOf(mirrored))) {
          assert.deepEqual(spec.imagePullSecrets, [{ name: 'pull' }], 'pull secrets reach every pod');
        }
      });
    }
  });
}

describe('mirror scripts', () => {
  test('copy each image from where it is published to where the release pulls it, by digest when pinned', async () => {
    const sets = [`services.web.image.digest=${DIGEST}`];
    const published = await renderExample('langfuse', [], sets);
    const pulled = await renderExample('langfuse', [], [...sets, `global.imageRegistry=${MIRROR}`]);
    const copies = mirrorCopies(objectsOf(published), objectsOf(pulled));
    const web = `docker.io/langfuse/langfuse@${DIGEST}`;
    const webTarget = `${MIRROR}/langfuse/langfuse:${LANGFUSE_VERSION}`;
    const skopeo = mirrorScript('skopeo', copies).split('\n');
    assert.deepEqual(skopeo.slice(0, 2), ['#!/bin/sh', 'set -eu']);
    assert.ok(skopeo.includes(`skopeo copy --all docker://${web} docker://${webTarget}`));
    assert.ok(
      skopeo.includes(
        `skopeo copy --all docker://docker.io/library/postgres:17.6-alpine docker://${MIRROR}/library/postgres:17.6-alpine`,
      ),
    );
    assert.ok(mirrorScript('crane', copies).includes(`\ncrane copy ${web} ${webTarget}\n`));
    assert.ok(mirrorScript('oras', copies).includes(`\noras copy ${web} ${webTarget}\n`));
    assert.equal(
      skopeo.filter((line) => line.startsWith('skopeo')).length,
      releaseImages(pulled.manifests).length,
    );
  });
});

describe('berth images', () => {
  test('-o json lists the references with their parts and users; text prints one a line', async () => {
    const json = await runBerth(['images', 'model-router', '-o', 'json', '--registry', 'localhost:5000']);
    assert.equal(json.code, 0, json.stderr);
    const list = JSON.parse(json.stdout);
    assert.equal(list.kind, 'ImageList');
    assert.equal(list.mirror, 'localhost:5000');
    const result = await renderExample('model-router', [], ['global.imageRegistry=localhost:5000']);
    assert.deepEqual(list.images, JSON.parse(JSON.stringify(releaseImages(result.manifests))));
    const text = await runBerth(['images', 'model-router', '--registry=localhost:5000']);
    assert.deepEqual(
      text.stdout.trim().split('\n'),
      list.images.map((i: Json) => i.reference),
    );
  });

  test('--mirror-script needs a mirror (usage error); a mirror that is no registry is a values error', async () => {
    const missing = await runBerth(['images', 'model-router', '--mirror-script', 'crane']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--mirror-script: no mirror to copy to/);
    const unknown = await runBerth([
      'images',
      'model-router',
      '--mirror-script',
      'docker',
      '--registry',
      'r.io',
    ]);
    assert.equal(unknown.code, 2);
    const bad = await runBerth(['images', 'model-router', '--registry', 'mirror']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: values global\.imageRegistry: a registry host/m);
    const script = await runBerth([
      'images',
      'model-router',
      '--registry',
      'r.io',
      '--mirror-script',
      'crane',
    ]);
    assert.equal(script.code, 0, script.stderr);
    assert.match(
      script.stdout,
      /^crane copy docker\.io\/sodlinken\/jairouter:\S+ r\.io\/sodlinken\/jairouter:\S+$/m,
    );
  });
});
