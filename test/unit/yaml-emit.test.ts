/**
 * The fast YAML writer must write exactly what the yaml package writes (rendered output is digested
 * and compared with earlier releases), and must be the one writing every blueprint's objects.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { blueprintNames } from '../../src/blueprints/registry.ts';
import { emitYaml } from '../../src/yaml-emit.ts';
import { renderExample } from '../support/render.ts';

const packageYaml = (data: unknown) => stringify(data, { version: '1.1', lineWidth: 0 });

const AWKWARD_STRINGS = [
  ...['yes', 'No', 'on', 'OFF', 'y', 'n', '~', 'null', 'true', 'False', '', ' ', '-', '- a', '?', ':'],
  ...['0755', '1_000', '1:20', '2001-12-14', '2001-12-14T21:59:43.10-05:00', '.inf', '-.Inf', '.NaN'],
  ...['0x1f', '0b101', '1e3', '.5', '+1', '3000', '8080', '1.0', '-1', '0o17', '12e', '1.2.3'],
  ...['&a', '*a', '!a', '%a', '@a', '`a', "'a", '"a', '{a', '[a', '|a', '>a', '#a', 'a #b', 'a#b'],
  ...['a,b', 'a]', 'a}', 'x y', 'x y ', ' x', 'x: y', 'x:y', 'http://h:80/p?q=1&r=2', 'a\tb', '\ta'],
  ...['a\u007fb', 'a\u0085b', 'a\u2028b', 'a\ufeffb', 'été', '中文', '😀', 'a\\b', 'a"b', "a'b", '<<'],
  ...['a\nb', 'a\nb\n', 'a\nb\n\n', 'a\nb\n\n\n', ' a\nb', '\ta\nb', 'a \nb', 'a\n  b\nc\n', '\nx'],
  ...['x\n\n\ny', 'a\r\nb', 'x\ty\nz', 'a\n ', 'a\n\t', 'a\n#b', 'key: v\nlist:\n  - 1\n', '- a\n- b\n'],
  ...['a\n\n', '"q"\nx', "'\n'", 'x\n \ny', 'a\u0085\nb', '|\nx', '>\nx', '---\nx', 'x\n---\ny', '...\n'],
];

const SCALARS: unknown[] = [
  ...AWKWARD_STRINGS,
  0,
  -0,
  1.5,
  -3,
  1e21,
  1e-7,
  Number.MAX_SAFE_INTEGER,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  false,
  null,
  undefined,
];

/** Each value as a map value, a map key, a list item, nested one and two levels down. */
function placements(value: unknown): unknown[] {
  const asKey = typeof value === 'string' ? [{ [value]: 1 }, { a: { [value]: [value] } }] : [];
  return [
    { k: value },
    [value],
    [[value]],
    { a: { b: [value, { c: value, d: [value] }] } },
    [{ k: value, l: value }],
    { empty: {}, none: [], v: value },
    ...asKey,
  ];
}

test('awkward strings and numbers: the same bytes as the yaml package, or no answer', () => {
  let answered = 0;
  for (const value of SCALARS) {
    for (const data of placements(value)) {
      const fast = emitYaml(data);
      if (fast === undefined) continue;
      answered++;
      assert.equal(fast, packageYaml(data), `for ${JSON.stringify(data)}`);
    }
  }
  // It must answer most of them itself, or it saves nothing.
  assert.ok(answered > SCALARS.length * 5, `answered only ${answered}`);
});

test('random strings of YAML-significant characters: the same bytes, or no answer', () => {
  const alphabet = [
    'a',
    'Z',
    ' ',
    '\n',
    '\t',
    ':',
    '#',
    '-',
    '"',
    "'",
    '1',
    '.',
    'é',
    '|',
    '>',
    '&',
    '[',
    '{',
    ',',
  ];
  let seed = 17;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  for (let i = 0; i < 4000; i++) {
    const text = Array.from({ length: next() % 9 }, () => alphabet[next() % alphabet.length]).join('');
    for (const data of [{ k: text }, [text], { a: [{ k: text, [text]: [text] }] }]) {
      const fast = emitYaml(data);
      if (fast !== undefined) assert.equal(fast, packageYaml(data), `for ${JSON.stringify(data)}`);
    }
  }
});

test('it declines what only the package writes right', () => {
  for (const data of [{ k: Number.NaN }, { k: -0 }, { k: ' a\nb' }, { k: 'a\r\nb' }, { k: new Date(0) }]) {
    assert.equal(emitYaml(data), undefined, JSON.stringify(data));
  }
  assert.equal(emitYaml('top\nlevel'), undefined);
});

test('empty and top-level collections', () => {
  for (const data of [{}, [], { a: undefined }, [undefined], [[]], [{}], { a: [[1, [2]], {}] }]) {
    assert.equal(emitYaml(data), packageYaml(data), JSON.stringify(data));
  }
});

for (const name of blueprintNames()) {
  test(`every ${name} object, defaults and examples: written fast, and identical`, async () => {
    for (const files of [
      [],
      [`examples/${name}/values-minimal.yaml`],
      [`examples/${name}/values-production.yaml`],
    ]) {
      const result = await renderExample(name, files);
      for (const { object } of result.manifests) {
        const fast = emitYaml(object);
        assert.ok(fast !== undefined, `${object.kind}/${object.metadata.name} fell back to the package`);
        assert.equal(fast, packageYaml(object), `${object.kind}/${object.metadata.name}`);
      }
    }
  });
}
