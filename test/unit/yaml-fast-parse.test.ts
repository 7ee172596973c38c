/**
 * The quick first read of YAML input must give the data the yaml package gives, or decline; berth's
 * messages for bad YAML come from the package either way.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseDocument } from 'yaml';
import { scaleValues } from '../../bench/scale.ts';
import { toYaml } from '../../src/yaml.ts';
import { fastParse } from '../../src/yaml-fast-parse.ts';

const packageRead = (text: string) => parseDocument(text, { uniqueKeys: false }).toJS();

const SCALARS = [
  ...[
    '0755',
    '0o17',
    '0x1F',
    '0b101',
    '1_000',
    '1e3',
    '1E3',
    '.5',
    '+1',
    '-0',
    '1.',
    '.inf',
    '-.Inf',
    '.NaN',
  ],
  ...[
    '~',
    'null',
    'Null',
    'NULL',
    '',
    'true',
    'True',
    'TRUE',
    'yes',
    'on',
    'y',
    '2001-12-14',
    '12:30',
    '1:20:30',
  ],
  ...[
    '123456789012345678901234567890',
    '9007199254740993',
    '0.1',
    '1e400',
    '-1e400',
    '"a"',
    "'b'",
    '0',
    '00',
  ],
  ...['+0.5e+3', '0x', '1__0', '.', '-', '+', 'nan', 'inf', '1.0e', '!!str 1', '0o', '08', '09.5', '+.inf'],
  ...[
    '"\\x41\\u00e9\\t"',
    "'it''s'",
    'a #c',
    'a#c',
    '"multi\n  line"',
    '[1, {a: b}]',
    '{}',
    '[]',
    '__proto__',
  ],
  ...[
    '&a 1',
    '*a',
    '<<',
    'http://x:80/?a=1&b=2',
    '"tab\there"',
    '>-\n  folded\n  text',
    '|\n  lit\n  text\n',
  ],
];

/** Each scalar as a value, a key and an item, in block and flow style. */
function documents(scalar: string): string[] {
  const key = scalar.includes('\n') ? '"k"' : scalar || '""';
  return [
    `k: ${scalar}\n`,
    `${key}: v\n`,
    `- ${scalar}\n`,
    `a:\n  b:\n    - c: ${scalar}\n`,
    `{k: [${scalar}]}\n`,
  ];
}

test('awkward scalars: the same data as the yaml package, or no answer', () => {
  let answered = 0;
  for (const scalar of SCALARS) {
    for (const text of documents(scalar)) {
      let expected: unknown;
      try {
        expected = packageRead(text);
      } catch {
        continue; // the package refuses it; the caller then reports the package's error
      }
      const fast = fastParse(text);
      if (!fast) continue;
      answered++;
      assert.deepEqual(fast.value, expected, JSON.stringify(text));
    }
  }
  assert.ok(answered > SCALARS.length * 2, `answered only ${answered}`);
});

test('what needs the package is declined: duplicate keys, aliases, tags, several documents, bad syntax', () => {
  for (const text of [
    'a: 1\na: 2\n',
    'a: &x 1\nb: *x\n',
    'a: !!str 1\n',
    'a: 1\n---\nb: 2\n',
    'a: [1\n',
    '',
    '<<: {a: 1}\n',
  ]) {
    assert.equal(fastParse(text), undefined, JSON.stringify(text));
  }
});

test("the example values files and the scale benchmark's values read the same", () => {
  const texts = readdirSync('examples').flatMap((dir) =>
    readdirSync(`examples/${dir}`)
      .filter((file) => file.endsWith('.yaml'))
      .map((file) => readFileSync(`examples/${dir}/${file}`, 'utf8')),
  );
  texts.push(toYaml(scaleValues(20)));
  for (const text of texts) {
    const fast = fastParse(text);
    assert.ok(fast, text.slice(0, 80));
    assert.deepEqual(fast.value, packageRead(text));
  }
});
