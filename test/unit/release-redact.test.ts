/** Credentials in recorded manifests: sealed apart and put back in place; Secret values known only by salted digests. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { REDACTED } from '../../src/plan/redact.ts';
import type { RecordedManifest } from '../../src/release/record.ts';
import { sealManifests, secretDigests, unsealManifests } from '../../src/release/redact.ts';

const manifest = (object: Record<string, unknown>) =>
  ({
    stage: 'backends',
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, ...object },
  }) as unknown as RecordedManifest;

describe('sealed credentials', () => {
  test('credentials in named and unnamed list items are sealed once each and put back in place', () => {
    const original = [
      manifest({
        data: { apiToken: 'tok-123456789' },
        items: [{ password: 'pw-one-23456' }, { password: 'pw-two-23456' }],
        env: [{ name: 'DB_PASSWORD', value: 'pw-env-23456' }],
      }),
    ];
    const { manifests, sealed } = sealManifests(original);
    const object = manifests[0]!.object as unknown as Record<string, unknown>;
    assert.deepEqual(object.items, [{ password: REDACTED }, { password: REDACTED }]);
    assert.deepEqual(object.env, [{ name: 'DB_PASSWORD', value: REDACTED }]);
    assert.equal(new Set(sealed.map((s) => JSON.stringify(s.path))).size, sealed.length, 'each path once');
    assert.deepEqual(sealed.map((s) => s.value).sort(), [
      'pw-env-23456',
      'pw-one-23456',
      'pw-two-23456',
      'tok-123456789',
    ]);
    assert.deepEqual(unsealManifests(manifests, sealed), original);
    assert.ok(JSON.stringify(manifests).indexOf('pw-') < 0);
  });

  test('a value with two URL passwords is sealed once, whole', () => {
    const mirrors = 'https://a:pw-one-23456@one.example,https://b:pw-two-23456@two.example';
    const original = [manifest({ data: { mirrors } })];
    const { manifests, sealed } = sealManifests(original);
    assert.deepEqual(
      sealed.map((s) => [s.path, s.value]),
      [[['data', 'mirrors'], mirrors]],
    );
    assert.ok(!JSON.stringify(manifests).includes('pw-'));
    assert.deepEqual(unsealManifests(manifests, sealed), original);
  });

  test('a sealed credential whose place is gone is dropped, not an error', () => {
    const kept = [manifest({})];
    assert.deepEqual(
      unsealManifests(kept, [{ manifest: 0, path: ['spec', 'gone', 'password'], value: 'x' }]),
      kept,
    );
    assert.deepEqual(unsealManifests([], [{ manifest: 3, path: ['data', 'password'], value: 'x' }]), []);
  });
});

describe('Secret digests', () => {
  const digest = (text: string) => createHash('sha256').update(text).digest('hex');

  test('salted with the Secret and key names, in key order', () => {
    const secret = { kind: 'Secret', metadata: { name: 'db' }, stringData: { b: 'same', a: 'same' } };
    const digests = secretDigests(secret);
    assert.deepEqual(Object.keys(digests), ['a', 'b']);
    assert.equal(digests.a, digest('db/a\0same'));
    assert.notEqual(digests.a, digests.b, 'the same value under two keys');
    const renamed = secretDigests({ ...secret, metadata: { name: 'cache' } });
    assert.notEqual(renamed.a, digests.a, 'the same value in another Secret');
    assert.equal(secretDigests({ kind: 'Secret', stringData: { a: 'v' } }).a, digest('/a\0v'));
  });
});
