import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { z } from 'zod';
import {
  describeOrigin,
  effectiveValues,
  recordedOrigins,
  traceUserValues,
} from '../../src/inspect/values.ts';
import type { ValueSources } from '../../src/values/sources.ts';

const schema = z.object({
  web: z
    .object({
      replicas: z.int().default(1),
      image: z.string().default('web:1'),
      args: z.array(z.string()).default([]),
    })
    .prefault({}),
  auth: z.object({ password: z.string().default(''), user: z.string().default('admin') }).prefault({}),
  tags: z.array(z.string()).default(['a']),
});

function files(contents: Record<string, string>): (name: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-values-'));
  for (const [name, text] of Object.entries(contents)) writeFileSync(join(dir, name), text);
  return (name) => join(dir, name);
}

function origins(sources: ValueSources): Record<string, string> {
  const { values, origins } = traceUserValues(sources);
  const effective = effectiveValues(schema, values, origins);
  return Object.fromEntries(effective.leaves.map((l) => [l.path, describeOrigin(l.origin)]));
}

describe('effective values with their layer', () => {
  test('defaults, files in order and flags in order each claim what they wrote last', () => {
    const path = files({
      'base.yaml': 'web:\n  replicas: 2\n  image: web:2\ntags: [x, y]\n',
      'prod.yaml': 'web:\n  replicas: 3\n',
      'pw.txt': 'from-a-file',
    });
    const got = origins({
      files: [path('base.yaml'), path('prod.yaml')],
      flags: [
        { kind: 'set', expression: 'web.args={--debug}' },
        { kind: 'set-string', expression: 'auth.user=root' },
        { kind: 'set-file', expression: `auth.password=${path('pw.txt')}` },
        { kind: 'set', expression: 'tags[0]=z' },
      ],
    });
    assert.deepEqual(got, {
      'web.replicas': `-f ${path('prod.yaml')} (#2)`,
      'web.image': `-f ${path('base.yaml')} (#1)`,
      'web.args[0]': '--set #1',
      'auth.password': `--set-file #1 (${path('pw.txt')})`,
      'auth.user': '--set-string #1',
      'tags[0]': '--set #2',
      'tags[1]': `-f ${path('base.yaml')} (#1)`,
    });
  });

  test('a later file that repeats a value still claims it; a removed key goes back to its default', () => {
    const path = files({
      'a.yaml': 'web:\n  replicas: 2\n  image: mine\n',
      'b.yaml': 'web:\n  replicas: 2\n',
      'empty.yaml': '# nothing here\n',
    });
    const got = origins({
      files: [path('a.yaml'), path('b.yaml'), path('empty.yaml')],
      flags: [{ kind: 'set', expression: 'web.image=null' }],
    });
    assert.equal(got['web.replicas'], `-f ${path('b.yaml')} (#2)`);
    assert.equal(got['web.image'], 'default');
    assert.equal(got['tags[0]'], 'default', 'an empty file claims nothing');
  });

  test('a list index past the end pads the list, and the padding belongs to that flag', () => {
    const { origins: traced, values } = traceUserValues({
      files: [],
      flags: [{ kind: 'set', expression: 'web.args[2]=c' }],
    });
    assert.deepEqual(values, { web: { args: [null, null, 'c'] } });
    assert.deepEqual([...traced.values()].map(describeOrigin), ['--set #1', '--set #1', '--set #1']);
  });

  test('credentials are redacted in the values and in the leaves', () => {
    const { values, origins: traced } = traceUserValues({
      files: [],
      flags: [{ kind: 'set', expression: 'auth.password=hunter2-secret' }],
    });
    const effective = effectiveValues(schema, values, traced);
    assert.ok(!JSON.stringify(effective).includes('hunter2-secret'));
    assert.deepEqual(
      effective.leaves.find((l) => l.path === 'auth.password'),
      { path: 'auth.password', value: '<redacted>', origin: { kind: 'set', index: 0 } },
    );
  });

  test("a deployed revision's values come from that revision, the rest are defaults", () => {
    const recorded = { web: { replicas: 4 } };
    const effective = effectiveValues(schema, recorded, recordedOrigins(recorded, 3));
    const origin = (p: string) => describeOrigin(effective.leaves.find((l) => l.path === p)!.origin);
    assert.equal(origin('web.replicas'), 'revision 3');
    assert.equal(origin('web.image'), 'default');
    assert.equal(origin('tags[0]'), 'default');
  });

  test('an empty list set by the user is a leaf of its own', () => {
    const { values, origins: traced } = traceUserValues({
      files: [],
      flags: [{ kind: 'set', expression: 'tags={}' }],
    });
    const effective = effectiveValues(schema, values, traced);
    assert.deepEqual(
      effective.leaves.find((l) => l.path === 'tags'),
      { path: 'tags', value: [], origin: { kind: 'set', index: 0 } },
    );
  });
});
