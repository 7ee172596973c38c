/**
 * berth doctor end to end: a release broken on purpose (kwok's simulated image pull error), its
 * bundle extracted and every file searched for every generated secret value.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runBerth } from '../support/cli.ts';
import { berth } from './support/berth.ts';
import { kubectl, kubectlJson, withNamespace } from './support/cluster.ts';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

async function generatedValues(ns: string): Promise<string[]> {
  const list = await kubectlJson<{
    items: { metadata: { annotations?: Record<string, string> }; data?: Record<string, string> }[];
  }>(['get', 'secrets', '-n', ns, '-l', 'app.kubernetes.io/instance=lf']);
  return list.items.flatMap((item) =>
    (item.metadata.annotations?.['berth.dev/generated-keys']?.split(',') ?? []).map((key) =>
      Buffer.from(item.data?.[key] ?? '', 'base64').toString(),
    ),
  );
}

describe('doctor', { concurrency: true }, () => {
  test('a broken release: not ready, and a bundle with its events and failing pod, without secrets', async (t) => {
    const ns = await withNamespace(t, 'doctor');
    const install = await berth([
      'install',
      'lf',
      'langfuse',
      '-n',
      ns,
      '--set',
      'services.worker.customAnnotations.berth\\.dev/simulate=image-pull-error',
      '--timeout',
      '25s',
    ]);
    assert.notEqual(install.code, 0, 'the install fails');

    const dir = mkdtempSync(join(tmpdir(), 'berth-doctor-'));
    const bundle = join(dir, 'bundle.tar.gz');
    const started = Date.now();
    const doctor = await berth(['doctor', 'lf', '-n', ns, '--bundle', bundle]);
    t.diagnostic(`doctor took ${Date.now() - started} ms`);
    assert.equal(doctor.code, 3, `doctor reports not ready:\n${doctor.stderr}`);
    assert.match(doctor.stdout, /revision 1 failed [\s\S]*\nNOT all components ready\n/);
    assert.match(
      doctor.stdout,
      /^FAIL worker \(backends\)\n\s+NOT READY\s+Deployment\/lf-worker in \S+: 0\/1 pods ready/m,
    );
    assert.match(doctor.stderr, /bundle written to .*bundle\.tar\.gz/);
    // No kubelet on kwok: logs cannot be read, and the report says so instead of failing.
    assert.match(doctor.stderr, /not collected: logs of \d+ container\(s\)/);
    assert.equal(statSync(bundle).mode & 0o777, 0o600);

    const out = join(dir, 'x');
    execFileSync('mkdir', ['-p', out]);
    execFileSync('tar', ['xzf', bundle, '-C', out]);
    const [root] = readdirSync(out);
    assert.match(root!, /^berth-doctor-lf-\d{8}T\d{6}Z$/);
    const base = join(out, root!);
    const read = (file: string) => readFileSync(join(base, file), 'utf8');
    for (const file of [
      'REPORT.md',
      'REDACTIONS.md',
      'status.txt',
      'events.txt',
      'pods.txt',
      'nodes.yaml',
      'version.yaml',
    ])
      assert.ok(statSync(join(base, file)).isFile(), `${file} is in the bundle`);
    assert.match(read('pods.txt'), /^lf-worker-\S+\s+Pending\s+0\/1.*ImagePullBackOff/m);
    const workerPod = readdirSync(join(base, 'pods')).find((f) => f.startsWith('lf-worker-'))!;
    assert.match(read(`pods/${workerPod}`), /reason: ImagePullBackOff/);
    assert.match(read('events.txt'), /Deployment\/lf-worker .*Scaled up replica set/);
    assert.match(read('events.txt'), /Pod\/lf-worker-\S+ .*Successfully assigned/);
    assert.match(read('records/revision-1.yaml'), /status: failed/);
    assert.match(read('objects/Secret-lf-app.yaml'), /dataKeys:\n {2}- encryption-key/);
    assert.match(read('REPORT.md'), /## Not collected\n\n- logs of/);
    assert.match(read('version.yaml'), /berth: \d+\.\d+\.\d+/);
    assert.match(read('nodes.yaml'), /allocatable:/);

    const secrets = await generatedValues(ns);
    assert.equal(secrets.length, 7);
    const files = filesUnder(base);
    assert.ok(files.length > 20, `${files.length} files`);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const value of secrets) {
        assert.ok(value.length >= 16);
        assert.ok(!text.includes(value), `${file} holds a generated secret value`);
        assert.ok(
          !text.includes(Buffer.from(value).toString('base64')),
          `${file} holds an encoded secret value`,
        );
      }
    }
  });

  test('without RBAC for events, nodes and logs: the rest is collected and the report says what is missing', async (t) => {
    const ns = await withNamespace(t, 'doctor-rbac');
    assert.equal((await berth(['install', 'lf', 'langfuse', '-n', ns])).code, 0);
    // A service account that may read the release's objects, but not events, nodes or logs.
    await kubectl(['create', 'serviceaccount', 'reader', '-n', ns]);
    await kubectl([
      'create',
      'role',
      'reader',
      '-n',
      ns,
      '--verb=get,list',
      '--resource=secrets,services,pods,configmaps,deployments.apps,statefulsets.apps,jobs.batch,poddisruptionbudgets.policy',
    ]);
    await kubectl([
      'create',
      'rolebinding',
      'reader',
      '-n',
      ns,
      '--role=reader',
      `--serviceaccount=${ns}:reader`,
    ]);
    const token = (await kubectl(['create', 'token', 'reader', '-n', ns])).stdout.trim();
    const config = JSON.parse((await kubectl(['config', 'view', '--raw', '-o', 'json'])).stdout);
    const context = config.contexts.find((c: { name: string }) => c.name === config['current-context']);
    context.context.user = 'reader';
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'berth-rbac-')), 'kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({ ...config, contexts: [context], users: [{ name: 'reader', user: { token } }] }),
    );
    const bundle = join(mkdtempSync(join(tmpdir(), 'berth-doctor-')), 'b.tar.gz');
    const doctor = await runBerth(['doctor', 'lf', '-n', ns, '--kubeconfig', kubeconfig, '--bundle', bundle]);
    assert.equal(doctor.code, 0, `a ready release:\n${doctor.stderr}`);
    assert.match(doctor.stderr, /not collected: events: forbidden: /);
    assert.match(doctor.stderr, /not collected: nodes: forbidden: /);
    assert.match(doctor.stderr, /not collected: logs of 7 container\(s\) .*pods\/log is forbidden/);
    const listing = execFileSync('tar', ['tzf', bundle], { encoding: 'utf8' });
    assert.match(listing, /\/pods\.txt$/m);
    assert.match(listing, /\/objects\/Deployment-lf-web\.yaml$/m);
    assert.doesNotMatch(listing, /events\.txt|nodes\.yaml/);
  });
});
