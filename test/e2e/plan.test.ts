/**
 * berth plan and berth drift end to end: the real CLI, the real control plane, the generated
 * secrets read back with kubectl and searched for in everything berth printed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { CliResult } from '../support/cli.ts';
import { berth } from './support/berth.ts';
import { kubectl, kubectlJson, withNamespace } from './support/cluster.ts';

interface PlanJson {
  apiVersion: string;
  kind: string;
  revision: number | null;
  summary: { create: number; change: number; prune: number; unchanged: number };
  changes: { action: string; object: string; diff: string }[];
}

/** Values of every generated key of the release's Secrets, as the cluster holds them. */
async function generatedValues(ns: string): Promise<string[]> {
  const list = await kubectlJson<{
    items: { metadata: { annotations?: Record<string, string> }; data?: Record<string, string> }[];
  }>(['get', 'secrets', '-n', ns, '-l', 'app.kubernetes.io/instance=lf']);
  const values: string[] = [];
  for (const item of list.items) {
    const keys = item.metadata.annotations?.['berth.dev/generated-keys']?.split(',') ?? [];
    for (const key of keys) values.push(Buffer.from(item.data?.[key] ?? '', 'base64').toString());
  }
  return values;
}

function changed(diff: string, sign: '-' | '+'): string[] {
  return diff.split('\n').filter((l) => l.startsWith(sign) && !l.startsWith(`${sign}${sign}${sign}`));
}

function actions(plan: PlanJson): string[] {
  return plan.changes.map((c) => `${c.action} ${c.object}`).sort();
}

describe('plan and drift', { concurrency: true }, () => {
  test('a plan shows exactly the changed fields, drift shows a manual scale, no secret value ever shows', async (t) => {
    const ns = await withNamespace(t, 'plan');
    const outputs: CliResult[] = [];
    const run = async (args: string[]) => {
      const result = await berth([...args, '-n', ns]);
      outputs.push(result);
      return result;
    };
    const install = await berth(['install', 'lf', 'langfuse', '-n', ns]);
    assert.equal(install.code, 0, install.stderr);

    // No change: exit 0 with --exit-code, generated Secrets (not rotated) unchanged.
    const none = await run(['plan', 'lf', 'langfuse', '--exit-code', '-o', 'json']);
    assert.equal(none.code, 0, none.stderr);
    const nonePlan = JSON.parse(none.stdout) as PlanJson;
    assert.equal(nonePlan.apiVersion, 'berth.dev/v1');
    assert.equal(nonePlan.kind, 'Plan');
    assert.equal(nonePlan.revision, 1);
    assert.deepEqual(nonePlan.summary, { create: 0, change: 0, prune: 0, unchanged: 17 });
    assert.deepEqual(nonePlan.changes, []);

    // One values change: the web Deployment's replicas (plus the PDB and spread the replica policy adds).
    const started = Date.now();
    const replicas = await run([
      'plan',
      'lf',
      'langfuse',
      '--set',
      'services.web.replicas=3',
      '--exit-code',
      '-o',
      'json',
    ]);
    t.diagnostic(`plan took ${Date.now() - started} ms`);
    assert.equal(replicas.code, 2, replicas.stderr);
    const plan = JSON.parse(replicas.stdout) as PlanJson;
    assert.deepEqual(actions(plan), ['change Deployment/lf-web', 'create PodDisruptionBudget/lf-web']);
    const web = plan.changes.find((c) => c.object === 'Deployment/lf-web')!;
    assert.deepEqual(changed(web.diff, '-'), ['-  replicas: 1'], web.diff);
    assert.ok(changed(web.diff, '+').includes('+  replicas: 3'), web.diff);
    assert.doesNotMatch(web.diff, /resourceVersion|managedFields|uid:|generation:|status:|creationTimestamp/);
    const text = await run(['plan', 'lf', 'langfuse', '--set', 'services.web.replicas=3']);
    assert.equal(text.code, 0, 'without --exit-code a plan with changes exits 0');
    assert.match(
      text.stdout,
      /^Plan for release lf in .+ \(against revision 1\): 1 to create, 1 to change, 0 to prune, 16 unchanged$/m,
    );
    assert.match(text.stdout, /^~ Deployment\/lf-web \(web\): change$/m);
    assert.ok(!text.stdout.includes('\x1b['), 'no colour when stdout is not a terminal');

    // A manual scale shows as drift, and in the next plan (live objects, not the record).
    await kubectl(['scale', 'deployment', 'lf-web', '-n', ns, '--replicas=5']);
    const drift = await run(['drift', 'lf', '--exit-code', '-o', 'json']);
    assert.equal(drift.code, 2, drift.stderr);
    const driftPlan = JSON.parse(drift.stdout) as PlanJson;
    assert.equal(driftPlan.kind, 'Drift');
    assert.deepEqual(actions(driftPlan), ['change Deployment/lf-web']);
    assert.deepEqual(changed(driftPlan.changes[0]!.diff, '-'), ['-  replicas: 1']);
    assert.deepEqual(changed(driftPlan.changes[0]!.diff, '+'), ['+  replicas: 5']);
    const back = JSON.parse((await run(['plan', 'lf', 'langfuse', '-o', 'json'])).stdout) as PlanJson;
    assert.deepEqual(actions(back), ['change Deployment/lf-web']);
    assert.deepEqual(changed(back.changes[0]!.diff, '+'), ['+  replicas: 1']);

    // An edit of a Secret by hand: a key shows as added, its value never.
    await kubectl([
      'patch',
      'secret',
      'lf-app',
      '-n',
      ns,
      '-p',
      '{"stringData":{"extra":"hand-made-value-123"}}',
    ]);
    const secretDrift = await run(['drift', 'lf']);
    assert.match(secretDrift.stdout, /^\+ {2}extra: <redacted>$/m);
    assert.doesNotMatch(secretDrift.stdout, /hand-made-value-123/);

    // Rotation shows as a redacted change of every key of that Secret.
    const rotate = JSON.parse(
      (await run(['plan', 'lf', 'langfuse', '--rotate-secret', 'postgresql', '-o', 'json'])).stdout,
    ) as PlanJson;
    const pg = rotate.changes.find((c) => c.object === 'Secret/lf-postgresql')!;
    assert.match(pg.diff, /^\+ {2}password: <redacted, changed>$/m);

    const secrets = await generatedValues(ns);
    assert.equal(secrets.length, 7);
    for (const value of secrets) {
      assert.ok(value.length >= 16);
      const encoded = Buffer.from(value).toString('base64');
      for (const output of outputs)
        for (const text of [output.stdout, output.stderr])
          assert.ok(!text.includes(value) && !text.includes(encoded), 'a generated secret value leaked');
    }
  });

  test('a release that does not exist yet plans everything as a create', async (t) => {
    const ns = await withNamespace(t, 'plannew');
    const result = await berth(['plan', 'fresh', 'langfuse', '-n', ns, '-o', 'json', '--exit-code']);
    assert.equal(result.code, 2, result.stderr);
    const plan = JSON.parse(result.stdout) as PlanJson;
    assert.equal(plan.revision, null);
    assert.deepEqual(plan.summary, { create: 17, change: 0, prune: 0, unchanged: 0 });
    assert.ok(plan.changes.every((c) => c.action === 'create'));
    // Server defaults came from the dry run (a Service gets its clusterIP policy, say).
    assert.match(
      plan.changes.find((c) => c.object === 'Service/fresh-web')!.diff,
      /\+ {2}internalTrafficPolicy: Cluster/,
    );
    assert.match(
      plan.changes.find((c) => c.object === 'Secret/fresh-app')!.diff,
      /^\+ {2}salt: <redacted>$/m,
    );
    assert.equal(
      (await kubectl(['get', 'all', '-n', ns, '-o', 'name'])).stdout.trim(),
      '',
      'nothing was created',
    );
  });

  test('upgrade --plan-file applies exactly a saved plan, and refuses once the cluster or the values moved', async (t) => {
    const ns = await withNamespace(t, 'planfile');
    const dir = mkdtempSync(join(tmpdir(), 'berth-planfile-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'plan.json');
    const lf = (command: string, ...args: string[]) => berth([command, 'lf', 'langfuse', '-n', ns, ...args]);
    const webReplicas = async () =>
      (await kubectlJson<{ spec: { replicas: number } }>(['get', 'deployment', 'lf-web', '-n', ns])).spec
        .replicas;
    assert.equal((await lf('install')).code, 0);
    const three = ['--set', 'services.web.replicas=3'];

    const saved = await lf('plan', ...three, '--save', file);
    assert.equal(saved.code, 0, saved.stderr);
    const document = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(document.kind, 'SavedPlan');
    assert.equal(document.pin.revision, 1);
    for (const value of await generatedValues(ns))
      assert.ok(!readFileSync(file, 'utf8').includes(value), 'a generated secret value is in the plan file');

    const applied = await lf('upgrade', ...three, '--plan-file', file);
    assert.equal(applied.code, 0, applied.stderr);
    assert.equal(await webReplicas(), 3);

    // The plan saw revision 1: after that upgrade it is stale.
    const again = await lf('upgrade', ...three, '--plan-file', file);
    assert.equal(again.code, 3, again.stderr);
    assert.match(
      again.stderr,
      /^error: the cluster changed since the plan was saved: the newest revision is 2/m,
    );

    // A hand edit after the plan: refused, nothing changed.
    const two = ['--set', 'services.web.replicas=2'];
    assert.equal((await lf('plan', ...two, '--save', file)).code, 0);
    await kubectl(['scale', 'deployment', 'lf-web', '-n', ns, '--replicas=5']);
    const moved = await lf('upgrade', ...two, '--plan-file', file);
    assert.equal(moved.code, 3, moved.stderr);
    assert.match(
      moved.stderr,
      /^error: the cluster changed since the plan was saved: Deployment\/lf-web in \S+ was at generation \d+, is at generation \d+; nothing was changed$/m,
    );
    assert.equal(moved.stderr.split('\n').filter((l) => l.startsWith('error:')).length, 1);

    // Other values than the plan's: refused before anything is written.
    assert.equal((await lf('plan', ...two, '--save', file)).code, 0);
    const other = await lf('upgrade', '--set', 'services.web.replicas=4', '--plan-file', file);
    assert.equal(other.code, 3, other.stderr);
    assert.match(other.stderr, /^error: the saved plan does not match this upgrade: the values/m);
    assert.equal(await webReplicas(), 5, 'refused upgrades changed nothing');
    const history = JSON.parse((await berth(['history', 'lf', '-n', ns, '-o', 'json'])).stdout) as unknown[];
    assert.equal(history.length, 2);
  });
});
