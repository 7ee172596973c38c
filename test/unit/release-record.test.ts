/**
 * The release record on its own: chunking of a large record, what a Secret leaves in it, and what
 * the revision digest covers.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  CHUNK_BYTES,
  decodeRecord,
  encodeRecord,
  manifestDigest,
  type ReleaseRecord,
  recordedManifest,
  revisionDigest,
} from '../../src/release/record.ts';
import type { KubeObject } from '../../src/render/model.ts';

const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' } };
const manifests = [{ object: configMap }];

describe('the release record', () => {
  test('a record larger than one chunk is split into disjoint chunks that join back to it', () => {
    // Random bytes do not compress, so the packed record spans more than one chunk.
    const record = {
      release: 'lf',
      notes: [randomBytes(CHUNK_BYTES).toString('base64')],
    } as unknown as ReleaseRecord;
    const chunks = encodeRecord(record);
    assert.ok(chunks.length >= 2, `${chunks.length} chunks`);
    assert.ok(chunks.every((c) => c.length > 0 && c.length <= CHUNK_BYTES));
    assert.deepEqual(decodeRecord(chunks), record);
  });

  test('a Secret is recorded with its key names, sorted and once each, and without its values', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { zeta: 'eg==', alpha: 'YQ==' },
      stringData: { alpha: 'a', mid: 'm' },
    } as KubeObject;
    const recorded = recordedManifest({ stage: 'config', object: secret });
    assert.deepEqual(recorded.secretKeys, ['alpha', 'mid', 'zeta']);
    assert.deepEqual(recorded.object, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } });
    assert.deepEqual(Object.keys(recorded.secretDigests ?? {}).sort(), ['alpha', 'mid', 'zeta']);
  });

  test('any other kind is recorded as it is, with no secret fields', () => {
    const withData = { ...configMap, data: { key: 'value' } } as KubeObject;
    assert.deepEqual(recordedManifest({ stage: 'config', component: 'web', object: withData }), {
      stage: 'config',
      component: 'web',
      object: withData,
    });
  });

  test('the digest covers recorded settings that are set, and only those', () => {
    const bare = manifestDigest(manifests);
    assert.equal(manifestDigest(manifests, { backup: undefined }), bare);
    const one = manifestDigest(manifests, { backup: { bucket: 'a' } });
    const other = manifestDigest(manifests, { backup: { bucket: 'b' } });
    assert.notEqual(one, bare);
    assert.notEqual(one, other);
    assert.equal(
      manifestDigest(manifests, { backup: { bucket: 'a', region: 'x' } }),
      manifestDigest(manifests, { backup: { region: 'x', bucket: 'a' } }),
    );
  });

  test("a revision's digest changes with the user's backup values and with nothing else of them", () => {
    const bare = revisionDigest(manifests, {});
    assert.equal(revisionDigest(manifests, { services: { web: { replicas: 3 } } }), bare);
    assert.notEqual(revisionDigest(manifests, { backup: { bucket: 'a' } }), bare);
    assert.equal(
      revisionDigest(manifests, { backup: { bucket: 'a' } }),
      manifestDigest(manifests, { backup: { bucket: 'a' } }),
    );
  });
});
