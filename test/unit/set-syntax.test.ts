import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BerthError } from '../../src/errors.ts';
import {
  applyAssignment,
  parseKeyPath,
  parseSetExpression,
  typedScalar,
} from '../../src/values/set-syntax.ts';

function apply(...expressions: string[]): Record<string, unknown> {
  const target: Record<string, unknown> = {};
  for (const e of expressions) for (const a of parseSetExpression(e)) applyAssignment(target, a);
  return target;
}

describe('--set grammar (Helm compatible)', () => {
  test('dotted keys build nested maps', () => {
    assert.deepEqual(apply('services.web.replicas=3'), { services: { web: { replicas: 3 } } });
  });

  test('several assignments separated by commas', () => {
    assert.deepEqual(apply('a=1,b.c=two'), { a: 1, b: { c: 'two' } });
  });

  test('escaped dots stay in the key', () => {
    assert.deepEqual(apply('ingress.annotations.cert-manager\\.io/cluster-issuer=le'), {
      ingress: { annotations: { 'cert-manager.io/cluster-issuer': 'le' } },
    });
  });

  test('escaped commas stay in the value', () => {
    assert.deepEqual(apply('a=x\\,y'), { a: 'x,y' });
  });

  test('list indices create and pad lists', () => {
    assert.deepEqual(apply('l[1].name=b'), { l: [null, { name: 'b' }] });
    assert.deepEqual(apply('l[0]=a', 'l[1]=b'), { l: ['a', 'b'] });
  });

  test('nested list indices', () => {
    assert.deepEqual(apply('m[0][1]=x'), { m: [[null, 'x']] });
  });

  test('brace lists', () => {
    assert.deepEqual(apply('global.imagePullSecrets={a,b}'), { global: { imagePullSecrets: ['a', 'b'] } });
    assert.deepEqual(apply('x={}'), { x: [] });
  });

  test('typed scalars like Helm', () => {
    assert.equal(typedScalar('true'), true);
    assert.equal(typedScalar('FALSE'), false);
    assert.equal(typedScalar('null'), null);
    assert.equal(typedScalar('42'), 42);
    assert.equal(typedScalar('-7'), -7);
    assert.equal(typedScalar('007'), '007');
    assert.equal(typedScalar('1.5'), '1.5');
    assert.equal(typedScalar('99999999999999999999'), '99999999999999999999');
  });

  test('--set-string keeps strings', () => {
    const [assignment] = parseSetExpression('a=true', 'string');
    assert.equal(assignment?.value, 'true');
  });

  test('null removes a key', () => {
    const target = { a: { b: 1, c: 2 } };
    for (const a of parseSetExpression('a.b=null')) applyAssignment(target, a);
    assert.deepEqual(target, { a: { c: 2 } });
  });

  test('empty value is an empty string', () => {
    assert.deepEqual(apply('a='), { a: '' });
  });

  test('a later --set replaces a scalar with a map', () => {
    assert.deepEqual(apply('a=1', 'a.b=2'), { a: { b: 2 } });
  });

  test('value may contain "="', () => {
    assert.deepEqual(apply('extra=k=v'), { extra: 'k=v' });
  });

  const bad: [string, string][] = [
    ['noequals', '--set "noequals": "noequals" has no "=" (expected key=value)'],
    ['=x', '--set "=x": the key is empty'],
    ['a..b=1', '--set "a..b=1": key "a..b" has an empty segment'],
    ['a.=1', '--set "a.=1": key "a." ends with a dot'],
    ['[0]=1', '--set "[0]=1": key "[0]" starts with a list index'],
    ['a[x]=1', '--set "a[x]=1": list index "x" is not a whole number'],
    ['a[1=1', '--set "a[1=1": key "a[1" has an unclosed "["'],
    ['a[70000]=1', '--set "a[70000]=1": list index 70000 is over 65536'],
  ];
  for (const [expression, message] of bad) {
    test(`rejects ${expression}`, () => {
      assert.throws(
        () => parseSetExpression(expression),
        (error: unknown) =>
          error instanceof BerthError && error.code === 'BERTH_SET_INVALID' && error.message === message,
      );
    });
  }

  test('parseKeyPath mixes keys and indices', () => {
    assert.deepEqual(parseKeyPath('a.b[2].c'), ['a', 'b', 2, 'c']);
  });
});
