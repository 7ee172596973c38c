import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergeValues } from '../../src/values/merge.ts';

describe('mergeValues', () => {
  test('maps merge deeply, later wins', () => {
    assert.deepEqual(mergeValues({ a: { b: 1, c: 2 } }, { a: { c: 3, d: 4 } }), { a: { b: 1, c: 3, d: 4 } });
  });
  test('lists replace instead of merging', () => {
    assert.deepEqual(mergeValues({ l: [1, 2, 3] }, { l: [9] }), { l: [9] });
  });
  test('null removes a key', () => {
    assert.deepEqual(mergeValues({ a: 1, b: 2 }, { a: null }), { b: 2 });
  });
  test('a scalar replaces a map and a map replaces a scalar', () => {
    assert.deepEqual(mergeValues({ a: { b: 1 } }, { a: 5 }), { a: 5 });
    assert.deepEqual(mergeValues({ a: 5 }, { a: { b: 1 } }), { a: { b: 1 } });
  });
  test('inputs are not mutated', () => {
    const base = { a: { b: 1 } };
    mergeValues(base, { a: { b: 2 } });
    assert.deepEqual(base, { a: { b: 1 } });
  });
});
