import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runBerth } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'berth-values-cmd-'));
const prod = join(dir, 'prod.yaml');
writeFileSync(prod, 'services:\n  web:\n    replicas: 2\n  worker:\n    replicas: 4\n');

describe('berth values', () => {
  test('--layers prints each leaf with the file or flag it came from', async () => {
    const result = await runBerth([
      'values',
      'langfuse',
      '-f',
      prod,
      '--set',
      'services.web.replicas=3',
      '--layers',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const rows = result.stdout.split('\n');
    assert.match(rows[0]!, /^PATH\s+VALUE\s+FROM$/);
    assert.match(result.stdout, /^services\.web\.replicas\s+3\s+--set #1$/m);
    assert.match(
      result.stdout,
      new RegExp(`^services\\.worker\\.replicas\\s+4\\s+-f ${prod} \\(#1\\)$`, 'm'),
    );
    assert.match(result.stdout, /^services\.worker\.autoscaling\.maxReplicas\s+30\s+default$/m);
  });

  test('-o json holds the effective values and, with --layers, the leaves', async () => {
    const result = await runBerth(['values', 'langfuse', '--set', 'services.web.replicas=3', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const document = JSON.parse(result.stdout) as {
      kind: string;
      values: { services: { web: { replicas: number } } };
    };
    assert.equal(document.kind, 'EffectiveValues');
    assert.equal(document.values.services.web.replicas, 3);
    assert.ok(!('leaves' in document));
  });

  test('without -f, --set or --layers it is still the commented defaults', async () => {
    const result = await runBerth(['values', 'langfuse']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^# Default values of the langfuse blueprint/);
  });

  test('usage and value errors are one line with the usual exit codes', async () => {
    const neither = await runBerth(['values']);
    assert.equal(neither.code, 2);
    assert.equal(neither.stderr, 'error: values: expected either a blueprint or --release <name>\n');
    const both = await runBerth(['values', 'langfuse', '--release', 'lf']);
    assert.equal(both.code, 2);
    const flags = await runBerth(['values', '--release', 'lf', '--set', 'a=1']);
    assert.equal(flags.code, 2);
    assert.equal(flags.stderr, 'error: values: -f and --set apply to a blueprint, not to --release\n');
    const revision = await runBerth(['values', 'langfuse', '--revision', '2']);
    assert.equal(revision.code, 2);
    assert.equal(revision.stderr, 'error: values: --revision goes with --release\n');
    const invalid = await runBerth(['values', 'langfuse', '--set', 'services.web.replicas=many', '--layers']);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /^error: values services\.web\.replicas: expected /);
  });
});
