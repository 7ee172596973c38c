/**
 * The console's values check (web/values-ranges.ts): each problem's `values <path>: …` line and the
 * span of the YAML text the editor marks for it, against langfuse's real values schema (the one
 * `berth schema` prints and the console serves) and a small one for missing keys.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { schema } from '../../src/actions/schema.ts';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import { checkValues, type Validate } from '../../web/values-ranges.ts';

const compile = (jsonSchema: Record<string, unknown>): Validate =>
  new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(jsonSchema);
const langfuse = compile(schema(await getBlueprint('langfuse')));
/** Two levels of maps, a key each must have. */
const small = compile({
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string' },
    services: {
      type: 'object',
      properties: { web: { type: 'object', required: ['image'], properties: { image: { type: 'string' } } } },
    },
  },
});

/** Each problem as its line and the text it marks. */
function marked(validate: Validate, text: string): [string, string][] {
  return checkValues(validate, text).map((p) => [p.message, text.slice(p.from, p.to)]);
}

describe('values problems and the text they mark', () => {
  test('a wrong value in nested maps marks the value', () => {
    assert.deepEqual(marked(langfuse, 'services:\n  web:\n    replicas: two\n'), [
      ['values services.web.replicas: must be integer', 'two'],
    ]);
  });

  test('a value in a sequence marks it at its index, and only it', () => {
    const text = 'services:\n  web:\n    extraEnv:\n      - name: A\n        value: "3"\n      - name: 3\n';
    const [problem, ...rest] = checkValues(langfuse, text);
    assert.deepEqual(rest, []);
    assert.equal(problem?.message, 'values services.web.extraEnv[1].name: must be string');
    assert.equal(text.slice(problem.from, problem.to), '3');
    assert.equal(problem.from, text.lastIndexOf('3'), "the second item's name, not the first one's value");
  });

  test('an unknown key marks the key itself', () => {
    assert.deepEqual(marked(langfuse, 'services:\n  web:\n    replica: 2\n'), [
      ['values services.web.replica: must NOT have additional properties', 'replica'],
    ]);
  });

  test("a missing key marks the key of the map that lacks it; a sequence's item at its first line", () => {
    assert.deepEqual(marked(small, 'name: n\nservices:\n  web:\n    tag: x\n'), [
      ["values services.web.image: must have required property 'image'", 'web'],
    ]);
    assert.deepEqual(
      marked(langfuse, 'services:\n  web:\n    extraEnv:\n      - value: y\n        valueFrom: {}\n'),
      [["values services.web.extraEnv[0].name: must have required property 'name'", 'value: y']],
    );
  });

  test('a missing key at the root, or in an empty document, marks the first line', () => {
    assert.deepEqual(marked(small, '# my values\nservices: {}\n'), [
      ["values name: must have required property 'name'", '# my values'],
    ]);
    assert.deepEqual(checkValues(small, ''), [
      { message: "values name: must have required property 'name'", from: 0, to: 0 },
    ]);
  });

  test('a value that should be a map marks it; a map where a value belongs marks its key', () => {
    assert.deepEqual(marked(langfuse, 'services:\n  web: 3\n'), [
      ['values services.web: must be object', '3'],
    ]);
    assert.deepEqual(marked(langfuse, 'services:\n  web:\n    replicas:\n      n: 2\n'), [
      ['values services.web.replicas: must be integer', 'replicas'],
    ]);
    assert.deepEqual(marked(langfuse, 'services:\n  web:\n    replicas:\n'), [
      ['values services.web.replicas: must be integer', 'replicas'],
    ]);
    assert.deepEqual(marked(langfuse, 'services:\n  web:\n    ? replicas\n'), [
      ['values services.web.replicas: must be integer', 'replicas'],
    ]);
  });

  test('flow style: maps and sequences on one line', () => {
    assert.deepEqual(marked(langfuse, 'services: {web: {replicas: two, replica: 2}}\n'), [
      ['values services.web.replica: must NOT have additional properties', 'replica'],
      ['values services.web.replicas: must be integer', 'two'],
    ]);
    assert.deepEqual(marked(langfuse, 'services: {web: {extraEnv: [{name: A}, {value: "3"}]}}\n'), [
      ["values services.web.extraEnv[1].name: must have required property 'name'", '{value: "3"}'],
    ]);
  });

  test('an alias marks where it is used', () => {
    assert.deepEqual(marked(small, 'name: &n two\nservices:\n  web:\n    image: *n\n    x: [*n]\n'), []);
    assert.deepEqual(
      marked(
        langfuse,
        'services:\n  web:\n    extraEnv: &env\n      - name: 3\n  worker:\n    extraEnv: *env\n',
      ),
      [
        ['values services.web.extraEnv[0].name: must be string', '3'],
        ['values services.worker.extraEnv[0].name: must be string', '3'],
      ],
    );
  });

  test('a YAML syntax error marks its own position, the schema is not checked', () => {
    const [problem, ...rest] = checkValues(langfuse, 'services:\n  web:\n    replicas: two: 3\n');
    assert.deepEqual(rest, []);
    assert.match(
      problem?.message ?? '',
      /^YAML: Nested mappings are not allowed in compact mappings at line 3/,
    );
    assert.equal(problem?.from, 'services:\n  web:\n    replicas: '.length);
  });

  test('a syntax error at the end of the text marks its last line', () => {
    const [problem, ...rest] = marked(langfuse, 'services:\n  web: {replicas: 2\n');
    assert.deepEqual(rest, []);
    assert.match(problem?.[0] ?? '', /^YAML: Flow map .*end with a } at line 3, column 1:$/);
    assert.equal(problem?.[1], '  web: {replicas: 2');
  });

  test('values that match mark nothing', () => {
    assert.deepEqual(checkValues(langfuse, 'services:\n  web:\n    replicas: 2\n'), []);
    assert.deepEqual(checkValues(langfuse, ''), []);
  });
});
