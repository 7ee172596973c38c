/**
 * Credentials a user supplies (an API key in extraEnv, a password inside a connection string) and
 * hand-made changes to generated Secrets, end to end: what plan, drift, status and the release
 * records show, with the real CLI against the control plane.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { CliResult } from '../support/cli.ts';
import { berth, decodedRecords } from './support/berth.ts';
import { kubectl, kubectlJson, withNamespace } from './support/cluster.ts';

const apiKey = 'sk-live-e2e-4f3e2d1c0b9a';
const dsnPassword = 'Dsn-Pa55-e2e-77';
const values = (key: string) => `services:
  web:
    extraEnv:
      - name: OPENAI_API_KEY
        value: ${key}
      - name: EXPORT_DSN
        value: postgresql://exporter:${dsnPassword}@warehouse.example:5432/exports
`;

describe('user-supplied credentials and hand-edited Secrets', () => {
  test('never printed or recorded in clear; drift sees a changed generated Secret value', async (t) => {
    const ns = await withNamespace(t, 'creds');
    const dir = await mkdtemp(join(tmpdir(), 'berth-creds-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'values.yaml');
    await writeFile(file, values(apiKey));
    const outputs: CliResult[] = [];
    const run = async (args: string[]) => {
      const result = await berth([...args, '-n', ns]);
      outputs.push(result);
      return result;
    };

    const plan = await run(['plan', 'lf', 'langfuse', '-f', file, '-o', 'json']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /OPENAI_API_KEY\\n\+\s*value: <redacted>/);
    assert.match(plan.stdout, /postgresql:\/\/exporter:<redacted>@warehouse.example/);

    const install = await run(['install', 'lf', 'langfuse', '-f', file]);
    assert.equal(install.code, 0, install.stderr);
    const env = await kubectlJson<{
      spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
    }>(['get', 'deployment', 'lf-web', '-n', ns]);
    assert.equal(
      env.spec.template.spec.containers[0]!.env.find((e) => e.name === 'OPENAI_API_KEY')?.value,
      apiKey,
      'the workload gets the real value',
    );

    // A rotated API key is a change, shown redacted, in plan text and JSON.
    await writeFile(file, values('sk-live-e2e-rotated-000'));
    const changedText = await run(['plan', 'lf', 'langfuse', '-f', file]);
    assert.match(changedText.stdout, /value: <redacted, changed>/);
    const changedJson = await run(['plan', 'lf', 'langfuse', '-f', file, '-o', 'json', '--exit-code']);
    assert.equal(changedJson.code, 2, changedJson.stderr);

    // A generated password changed by hand is drift, and its value never shows.
    const before = await run(['drift', 'lf', '--exit-code']);
    assert.equal(before.code, 0, before.stdout);
    await kubectl([
      'patch',
      'secret',
      'lf-postgresql',
      '-n',
      ns,
      '-p',
      '{"stringData":{"password":"by-hand-pw-123"}}',
    ]);
    const drift = await run(['drift', 'lf', '--exit-code', '-o', 'json']);
    assert.equal(drift.code, 2, drift.stdout);
    const doc = JSON.parse(drift.stdout) as { changes: { object: string; diff: string }[] };
    const secret = doc.changes.find((c) => c.object === 'Secret/lf-postgresql');
    assert.ok(secret, drift.stdout);
    assert.match(secret.diff, /^\+ {2}password: <redacted, changed>$/m);

    // A hand-edited API key in the Deployment is drift too.
    await kubectl(['set', 'env', 'deployment/lf-web', '-n', ns, 'OPENAI_API_KEY=sk-by-hand-999999']);
    const envDrift = await run(['drift', 'lf']);
    assert.match(envDrift.stdout, /value: <redacted, changed>/);

    const status = await run(['status', 'lf', '-o', 'json']);
    assert.equal(status.code, 0, status.stderr);

    for (const record of await decodedRecords(ns))
      for (const secretValue of [apiKey, dsnPassword])
        assert.ok(!record.includes(secretValue), 'a record holds a credential');
    for (const output of outputs)
      for (const text of [output.stdout, output.stderr])
        for (const secretValue of [
          apiKey,
          dsnPassword,
          'sk-live-e2e-rotated-000',
          'by-hand-pw-123',
          'sk-by-hand-999999',
        ])
          assert.ok(!text.includes(secretValue), `printed: ${secretValue}`);
  });
});
