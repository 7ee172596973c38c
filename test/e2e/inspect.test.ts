/**
 * berth owners, berth values --release --layers and the data-safety section of berth plan, end to
 * end: the real CLI against the local control plane, with objects edited by kubectl and labelled
 * the way Helm labels what it installs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { BERTH_BIN } from '../support/cli.ts';
import { berth } from './support/berth.ts';
import { apply, e2eEnv, kubectl, withNamespace } from './support/cluster.ts';

interface Ownership {
  kind: string;
  revision: number;
  objects: {
    object: string;
    recorded: boolean;
    contested: boolean;
    claims: { tool: string; owner: string }[];
    managers: { manager: string; kind: string; fields: string[] }[];
  }[];
}

interface Leaf {
  path: string;
  value: unknown;
  from: string;
}

function ok(result: { code: number; stderr: string }, what: string): void {
  assert.equal(result.code, 0, `${what} failed:\n${result.stderr}`);
}

describe('inspect', { concurrency: true }, () => {
  test('owners names berth, a kubectl edit and a Helm claim; values --layers tells the revision from defaults; plan shows data safety', async (t) => {
    const ns = await withNamespace(t, 'inspect');
    ok(
      await berth(['install', 'lf', 'langfuse', '-n', ns, '--no-wait', '--set', 'services.web.replicas=2']),
      'install',
    );
    ok(
      await kubectl([
        'patch',
        'deployment',
        'lf-web',
        '-n',
        ns,
        '-p',
        '{"spec":{"progressDeadlineSeconds":900}}',
      ]),
      'kubectl patch',
    );
    await apply(ns, [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'lf-legacy',
          labels: { 'app.kubernetes.io/managed-by': 'Helm' },
          annotations: { 'meta.helm.sh/release-name': 'lf', 'meta.helm.sh/release-namespace': ns },
        },
        data: { a: 'b' },
      },
    ]);

    const owners = await berth(['owners', 'lf', '-n', ns, '-o', 'json']);
    ok(owners, 'owners');
    const report = JSON.parse(owners.stdout) as Ownership;
    assert.equal(report.kind, 'Ownership');
    assert.equal(report.revision, 1);
    const byName = new Map(report.objects.map((o) => [o.object, o]));

    const web = byName.get('Deployment/lf-web');
    assert.ok(web, owners.stdout);
    assert.equal(web.recorded, true);
    assert.deepEqual(
      web.claims.map((c) => `${c.tool}:${c.owner}`),
      ['berth:lf'],
    );
    assert.ok(web.managers.some((m) => m.manager === 'berth' && m.fields.includes('spec')));
    const patch = web.managers.find((m) => m.manager === 'kubectl-patch');
    assert.deepEqual(
      patch && { kind: patch.kind, fields: patch.fields },
      {
        kind: 'kubectl',
        fields: ['spec'],
      },
      JSON.stringify(web.managers),
    );
    assert.equal(web.contested, true);

    const legacy = byName.get('ConfigMap/lf-legacy');
    assert.ok(legacy, owners.stdout);
    assert.equal(legacy.recorded, false);
    assert.deepEqual(
      legacy.claims.map((c) => `${c.tool}:${c.owner}`),
      [`helm:${ns}/lf`],
    );
    assert.equal(legacy.contested, true);

    const service = byName.get('Service/lf-web');
    assert.equal(service?.contested, false, JSON.stringify(service));
    assert.ok(
      !byName.has('Secret/berth.lf.v1'),
      'release records are bookkeeping, not objects of the release',
    );

    const text = await berth(['owners', 'lf', '-n', ns]);
    ok(text, 'owners (text)');
    assert.match(text.stdout, /^!\s+Deployment\/lf-web\s+yes\s+berth\s+.*kubectl-patch\(spec\)/m);
    assert.match(text.stdout, /^!\s+ConfigMap\/lf-legacy\s+no\s+helm:/m);

    const values = await berth(['values', '--release', 'lf', '-n', ns, '--layers', '-o', 'json']);
    ok(values, 'values --release --layers');
    const leaves = new Map(
      (JSON.parse(values.stdout) as { leaves: Leaf[] }).leaves.map((l) => [l.path, l] as const),
    );
    assert.deepEqual(leaves.get('services.web.replicas'), {
      path: 'services.web.replicas',
      value: 2,
      origin: { kind: 'release', revision: 1 },
      from: 'revision 1',
    });
    assert.equal(leaves.get('services.worker.replicas')?.from, 'default');

    const plan = await berth([
      'plan',
      'lf',
      'langfuse',
      '-n',
      ns,
      '-o',
      'json',
      '--set',
      'services.web.replicas=2',
      '--set',
      'dependencies.postgresql.persistence.accessModes={ReadWriteMany}',
    ]);
    ok(plan, 'plan');
    const safety = (
      JSON.parse(plan.stdout) as {
        dataSafety: { safe: boolean; findings: { risk: string; object: string; reason: string }[] };
      }
    ).dataSafety;
    assert.equal(safety.safe, false, JSON.stringify(safety));
    const recreate = safety.findings.find((f) => f.risk === 'recreate' && f.object.includes('postgresql'));
    assert.ok(recreate, JSON.stringify(safety.findings));
  });

  test('in a terminal, install redraws a table per component and ends with the summary', async (t) => {
    const ns = await withNamespace(t, 'tty');
    const command = [BERTH_BIN, 'install', 'lf', 'langfuse', '-n', ns, '--no-wait'].join(' ');
    // script(1) gives berth a pseudo-terminal, as an interactive shell would.
    const { stdout } = await promisify(execFile)('script', ['-qec', command, '/dev/null'], {
      env: { ...process.env, KUBECONFIG: e2eEnv().kubeconfig, TERM: 'xterm' },
    });
    const frames = stdout.split('\x1b[0J');
    assert.ok(frames.length > 5, `redrawn in place:\n${stdout}`);
    assert.match(stdout, /\[\d+A\r/, 'the cursor goes back up over the previous frame');
    const last = frames.at(-1)!;
    assert.match(last, /^COMPONENT\s+STAGE\s+STATE\s+ELAPSED\s+WAITING FOR/m);
    assert.match(last, /^web\s+frontends\s/m);
    assert.match(last, /^release lf is deployed at revision 1 \(langfuse .*\) in namespace /m);
    assert.doesNotMatch(stdout, /\[config\] applying/, 'no event lines in a terminal');
  });
});
