/**
 * The release engine end to end: the real CLI against the real local control plane.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { STAGES } from '../../src/render/model.ts';
import { berth, berthKilledAt, decodedRecords, secretData } from './support/berth.ts';
import { kubectl, kubectlJson, waitFor, withNamespace } from './support/cluster.ts';

const names = async (ns: string, kinds: string) =>
  (await kubectl(['get', kinds, '-n', ns, '-o', 'name'])).stdout.trim().split('\n').filter(Boolean).sort();

function stageOrder(stderr: string): string[] {
  return [...stderr.matchAll(/\[(\w+)\] applying/g)].map((m) => m[1]!);
}

function assertOk(result: { code: number; stderr: string }, what: string): void {
  assert.equal(result.code, 0, `${what} failed:\n${result.stderr}`);
}

describe('release lifecycle', { concurrency: true }, () => {
  test('langfuse installs in stage order, upgrades, prunes, rolls back and uninstalls', async (t) => {
    const ns = await withNamespace(t, 'lifecycle');
    const install = await berth(['install', 'lf', 'langfuse', '-n', ns]);
    assertOk(install, 'install');
    const order = stageOrder(install.stderr);
    assert.deepEqual(order, ['config', 'dependencies', 'migrations', 'backends', 'frontends']);
    // Each stage was ready before the next one started.
    for (const [i, stage] of order.entries()) {
      const ready = install.stderr.indexOf(`[${stage}] ready after`);
      assert.ok(ready > 0, `${stage} became ready`);
      const next = order[i + 1];
      if (next)
        assert.ok(
          ready < install.stderr.indexOf(`[${next}] applying`),
          `${stage} ready before ${next} starts`,
        );
    }
    assert.ok(STAGES.indexOf('dependencies') < STAGES.indexOf('backends'));
    assert.match(install.stdout, /release lf is deployed at revision 1/);
    assert.match(install.stderr, /port-forward svc\/lf-web 3000:3000/);

    const status = JSON.parse((await berth(['status', 'lf', '-n', ns, '-o', 'json'])).stdout);
    assert.equal(status.ready, true);
    assert.deepEqual(status.components.map((c: { component: string }) => c.component).sort(), [
      '(shared)',
      'clickhouse',
      'migrate',
      'minio',
      'postgresql',
      'redis',
      'web',
      'worker',
    ]);

    assertOk(
      await berth([
        'upgrade',
        'lf',
        'langfuse',
        '-n',
        ns,
        '--set',
        'services.web.replicas=2',
        '--set',
        'services.worker.image.tag=3.225.3',
      ]),
      'upgrade',
    );
    const web = await kubectlJson<any>(['get', 'deployment', 'lf-web', '-n', ns]);
    assert.equal(web.spec.replicas, 2);
    assert.equal(web.status.readyReplicas, 2);
    const worker = await kubectlJson<any>(['get', 'deployment', 'lf-worker', '-n', ns]);
    assert.equal(worker.spec.template.spec.containers[0].image, 'docker.io/langfuse/langfuse-worker:3.225.3');

    // An external Redis replaces the bundled one: its objects are pruned.
    await kubectl([
      'create',
      'secret',
      'generic',
      'redis-creds',
      '-n',
      ns,
      '--from-literal=password=external-redis-pw',
    ]);
    const external = await berth([
      'upgrade',
      'lf',
      'langfuse',
      '-n',
      ns,
      '--set',
      'integrations.redis.enabled=true,integrations.redis.host=redis.example,integrations.redis.existingSecret=redis-creds',
    ]);
    assertOk(external, 'upgrade to external redis');
    assert.match(external.stderr, /deleted StatefulSet\/lf-redis/);
    assert.match(external.stderr, /kept Secret\/lf-redis in .+: generated credentials of kept data/);
    assert.deepEqual(await names(ns, 'statefulsets'), [
      'statefulset.apps/lf-clickhouse',
      'statefulset.apps/lf-minio',
      'statefulset.apps/lf-postgresql',
    ]);

    // Revision 2 ran another worker version: going back restores the backup the upgrade took.
    const rollback = await berth(['rollback', 'lf', '-n', ns, '--restore']);
    assertOk(rollback, 'rollback');
    assert.match(rollback.stdout, /deployed at revision 4/);
    assert.ok((await names(ns, 'statefulsets')).includes('statefulset.apps/lf-redis'), 'redis is back');
    assert.equal((await kubectlJson<any>(['get', 'deployment', 'lf-web', '-n', ns])).spec.replicas, 2);

    const history = JSON.parse((await berth(['history', 'lf', '-n', ns, '-o', 'json'])).stdout);
    assert.deepEqual(
      history.map((h: { status: string }) => h.status),
      ['superseded', 'superseded', 'superseded', 'deployed'],
    );
    assert.equal(history[3].description, 'rollback to 2');

    const uninstall = await berth(['uninstall', 'lf', '-n', ns]);
    assertOk(uninstall, 'uninstall');
    const left = (
      await kubectl([
        'get',
        'deployments,statefulsets,services,configmaps,secrets,leases,poddisruptionbudgets',
        '-n',
        ns,
        '-l',
        'app.kubernetes.io/instance=lf',
        '-o',
        'name',
      ])
    ).stdout
      .trim()
      .split('\n')
      .sort();
    // Only the data stays: the claims and the generated credentials those databases were created with.
    assert.deepEqual(left, [
      'secret/lf-app',
      'secret/lf-clickhouse',
      'secret/lf-minio',
      'secret/lf-postgresql',
      'secret/lf-redis',
    ]);
    assert.deepEqual(await names(ns, 'leases'), [], 'no lock left behind');
    assert.ok(
      (await names(ns, 'secrets')).includes('secret/redis-creds'),
      "the user's own Secret is untouched",
    );
    // The four data claims, and the claim of the backup the worker upgrade took.
    assert.equal((await names(ns, 'pvc')).length, 5);
    assert.match((await berth(['status', 'lf', '-n', ns])).stderr, /release lf not found/);
  });

  test('a no-op upgrade changes nothing', async (t) => {
    const ns = await withNamespace(t, 'noop');
    assertOk(await berth(['install', 'lf', 'langfuse', '-n', ns]), 'install');
    const before = await kubectlJson<any>(['get', 'deployments,statefulsets,services,secrets', '-n', ns]);
    const again = await berth(['upgrade', 'lf', 'langfuse', '-n', ns]);
    assertOk(again, 'upgrade');
    assert.match(again.stdout, /no changes \(revision 1 stays deployed\)/);
    const after = await kubectlJson<any>(['get', 'deployments,statefulsets,services,secrets', '-n', ns]);
    const versions = (list: any) =>
      list.items.map((i: any) => `${i.kind}/${i.metadata.name}@${i.metadata.resourceVersion}`).sort();
    assert.deepEqual(versions(after), versions(before));
    assert.equal(JSON.parse((await berth(['history', 'lf', '-n', ns, '-o', 'json'])).stdout).length, 1);
  });

  test('generated secrets keep their values across upgrades and a rollback, and never show', async (t) => {
    const ns = await withNamespace(t, 'secrets');
    const outputs: string[] = [];
    const run = async (args: string[]) => {
      const result = await berth(args);
      assertOk(result, args.join(' '));
      outputs.push(result.stdout, result.stderr);
      return result;
    };
    await run(['install', 'lf', 'langfuse', '-n', ns, '-o', 'json']);
    const first = { app: await secretData(ns, 'lf-app'), pg: await secretData(ns, 'lf-postgresql') };
    for (const replicas of [2, 3, 1])
      await run(['upgrade', 'lf', 'langfuse', '-n', ns, '--set', `services.worker.replicas=${replicas}`]);
    await run(['rollback', 'lf', '2', '-n', ns, '-o', 'json']);
    await run(['status', 'lf', '-n', ns, '-o', 'json']);
    await run(['history', 'lf', '-n', ns, '-o', 'json']);
    assert.deepEqual(await secretData(ns, 'lf-app'), first.app);
    assert.deepEqual(await secretData(ns, 'lf-postgresql'), first.pg);

    const records = await decodedRecords(ns);
    assert.equal(records.length, 5);
    const secrets = [...Object.values(first.app), first.pg.password!];
    for (const value of secrets) {
      assert.equal(value.length >= 32, true);
      for (const text of [...records, ...outputs])
        assert.ok(!text.includes(value), 'a generated secret value leaked');
    }
    // --rotate-secret gives new values on demand.
    await run(['upgrade', 'lf', 'langfuse', '-n', ns, '--rotate-secret', 'postgresql']);
    assert.notEqual((await secretData(ns, 'lf-postgresql')).password, first.pg.password);
    assert.deepEqual(await secretData(ns, 'lf-app'), first.app);
  });

  test('two concurrent upgrades: one proceeds, the other is refused with the lock holder', async (t) => {
    const ns = await withNamespace(t, 'lock');
    assertOk(await berth(['install', 'lf', 'langfuse', '-n', ns]), 'install');
    // Four web replicas roll one at a time with minReadySeconds, so the first upgrade takes a while.
    const slow = berth(['upgrade', 'lf', 'langfuse', '-n', ns, '--set', 'services.web.replicas=4']);
    // Start the second writer only once the first holds the lock (the Lease exists).
    await waitFor(
      async () => (await names(ns, 'leases')).includes('lease.coordination.k8s.io/berth.lf.lock'),
      {
        timeoutMs: 30_000,
        intervalMs: 100,
        what: 'the first upgrade to take the lock',
      },
    );
    const refused = await berth(['upgrade', 'lf', 'langfuse', '-n', ns, '--set', 'services.web.replicas=2']);
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(
      refused.stderr,
      /^error: release lf is locked by berth\/.+\/\d+\/\w+ since \d{4}-\d\d-\d\dT/m,
    );
    assertOk(await slow, 'the first upgrade');
    assert.equal((await kubectlJson<any>(['get', 'deployment', 'lf-web', '-n', ns])).spec.replicas, 4);
  });

  for (const [name, command, killAt] of [
    ['mid-install while applying config', 'install', /\[config\] applying/],
    ['mid-install while waiting for dependencies', 'install', /\[dependencies\] waiting for/],
    ['mid-install while applying the frontends', 'install', /\[frontends\] applying/],
    ['mid-upgrade while waiting for the rollout', 'upgrade', /\[frontends\] waiting for/],
  ] as const) {
    test(`SIGKILL ${name}, then the same command succeeds`, async (t) => {
      const ns = await withNamespace(t, 'kill');
      if (command === 'upgrade') assertOk(await berth(['install', 'lf', 'langfuse', '-n', ns]), 'install');
      const args = [command, 'lf', 'langfuse', '-n', ns, '--set', 'services.web.replicas=2'];
      const killed = await berthKilledAt(args, killAt);
      assert.ok(killed.killed, `berth was killed at ${killAt}:\n${killed.output}`);
      const again = await berth(args);
      assertOk(again, `${command} after the kill`);
      assert.match(
        again.stderr,
        /took over the lock from berth\/.+ which is no longer running|took over the lock from berth\/.+, which is no longer running/,
      );
      assert.match(again.stderr, /recovered: revision \d+ was interrupted \(pending-(install|upgrade)\)/);
      const status = JSON.parse((await berth(['status', 'lf', '-n', ns, '-o', 'json'])).stdout);
      assert.equal(status.status, 'deployed');
      assert.equal(status.ready, true);
      const history = JSON.parse((await berth(['history', 'lf', '-n', ns, '-o', 'json'])).stdout);
      assert.equal(history.at(-2).status, 'failed');
      assert.match(history.at(-2).description, /interrupted/);
    });
  }

  test('a release whose manifests pass 2 MiB installs and shows in history', async (t) => {
    const ns = await withNamespace(t, 'big');
    const dir = mkdtempSync(join(tmpdir(), 'berth-big-'));
    const env = (prefix: string) =>
      Array.from(
        { length: 120 },
        (_, i) => `      - name: ${prefix}_${i}\n        value: "${randomBytes(5000).toString('hex')}"`,
      ).join('\n');
    const values = join(dir, 'big.yaml');
    writeFileSync(
      values,
      `services:\n  web:\n    extraEnv:\n${env('WEB')}\n  worker:\n    extraEnv:\n${env('WORKER')}\n`,
    );
    const rendered = await berth(['render', 'langfuse', '-f', values, '--release', 'lf', '-n', ns]);
    assert.ok(rendered.stdout.length > 2 * 1024 * 1024, `manifests are ${rendered.stdout.length} bytes`);
    assertOk(await berth(['install', 'lf', 'langfuse', '-n', ns, '-f', values]), 'install');
    const history = JSON.parse((await berth(['history', 'lf', '-n', ns, '-o', 'json'])).stdout);
    assert.equal(history[0].status, 'deployed');
    const chunks = await kubectlJson<any>(['get', 'secrets', '-n', ns, '-l', 'berth.dev/release=lf']);
    assert.ok(chunks.items.length > 1, 'the record is split into several objects');
    assert.ok(chunks.items.every((s: any) => Buffer.from(s.data.record, 'base64').length < 1024 * 1024));
  });

  test('a rollout that never becomes ready fails clearly; --atomic puts the previous revision back', async (t) => {
    const ns = await withNamespace(t, 'atomic');
    assertOk(await berth(['install', 'lf', 'langfuse', '-n', ns]), 'install');
    const broken = await berth([
      'upgrade',
      'lf',
      'langfuse',
      '-n',
      ns,
      '--timeout',
      '25s',
      '--atomic',
      '--set',
      'services.web.customAnnotations.berth\\.dev/simulate=image-pull-error',
    ]);
    assert.equal(broken.code, 3);
    assert.match(broken.stderr, /timed out after \d+s waiting for 1 object/);
    assert.match(broken.stderr, /ImagePullBackOff/);
    // What berth did about the failure follows the error; it is not a second error.
    assert.match(broken.stderr, /^rolled back to revision 1 \(--atomic\)$/m);
    const web = await kubectlJson<any>(['get', 'deployment', 'lf-web', '-n', ns]);
    assert.equal(web.spec.template.metadata.annotations?.['berth.dev/simulate'], undefined);
    const history = JSON.parse((await berth(['history', 'lf', '-n', ns, '-o', 'json'])).stdout);
    assert.deepEqual(
      history.map((h: any) => h.status),
      ['superseded', 'failed', 'deployed'],
    );

    // Without --atomic the failure is recorded and the release stays as the failed rollout left it.
    const plain = await berth([
      'upgrade',
      'lf',
      'langfuse',
      '-n',
      ns,
      '--timeout',
      '25s',
      '--set',
      'services.worker.customAnnotations.berth\\.dev/simulate=image-pull-error',
    ]);
    assert.equal(plain.code, 3);
    assert.match(plain.stderr, /Deployment\/lf-worker in .+: not ready/);
  });

  test('a failed first install with --atomic leaves nothing behind but the data and its credentials', async (t) => {
    const ns = await withNamespace(t, 'atomic-first');
    const result = await berth([
      'install',
      'lf',
      'langfuse',
      '-n',
      ns,
      '--timeout',
      '25s',
      '--atomic',
      '--set',
      'services.web.customAnnotations.berth\\.dev/simulate=image-pull-error',
    ]);
    assert.equal(result.code, 3);
    assert.match(result.stderr, /^removed the failed install of lf \(--atomic\)/m);
    assert.deepEqual(await names(ns, 'deployments,statefulsets,services,leases'), []);
    // Claims outlive the release, so the passwords they were created with stay beside them.
    const claims = await names(ns, 'persistentvolumeclaims');
    assert.ok(claims.length > 0, 'the data volumes stay');
    assert.deepEqual(await names(ns, 'secrets'), [
      'secret/lf-app',
      'secret/lf-clickhouse',
      'secret/lf-minio',
      'secret/lf-postgresql',
      'secret/lf-redis',
    ]);
  });

  test('objects that belong to someone else are never touched', async (t) => {
    const ns = await withNamespace(t, 'owned');
    await kubectl(['create', 'service', 'clusterip', 'lf-web', '--tcp=80:80', '-n', ns]);
    const result = await berth(['install', 'lf', 'langfuse', '-n', ns]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^error: Service\/lf-web in .+ already exists and does not belong to release lf; nothing was changed$/m,
    );
    assert.deepEqual(await names(ns, 'deployments,statefulsets,secrets'), []);
    const adopted = await berth(['install', 'lf', 'langfuse', '-n', ns, '--adopt']);
    assertOk(adopted, 'install --adopt');
  });
});
