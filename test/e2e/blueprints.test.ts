/**
 * Every blueprint installs to Ready on the real local control plane, upgrades, and uninstalls
 * leaving only its data. (Langfuse's full lifecycle lives in release.test.ts.)
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { berth } from './support/berth.ts';
import { kubectl, kubectlJson, withNamespace } from './support/cluster.ts';
import { csghubPrerequisites } from './support/prerequisites.ts';

interface Case {
  readonly blueprint: string;
  /** What the cluster must hold before the install (the blueprint's documented prerequisites). */
  readonly prepare?: (namespace: string) => Promise<void>;
  /** A replica change for the upgrade: [values path, workload]. */
  readonly scale: readonly [string, string];
  /** Whether the minimal example keeps data on claims (the model router keeps none by default). */
  readonly claims?: false;
}

const cases: Case[] = [
  { blueprint: 'swanlab', scale: ['services.server.replicas', 'deployment/r-server'] },
  { blueprint: 'model-router', scale: ['services.router.replicas', 'deployment/r-router'], claims: false },
  {
    blueprint: 'csghub',
    scale: ['services.portal.replicas', 'deployment/r-portal'],
    prepare: csghubPrerequisites,
  },
  { blueprint: 'dify', scale: ['services.api.replicas', 'deployment/r-api'] },
];

async function ok(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const result = await berth(args);
  assert.equal(result.code, 0, `berth ${args.join(' ')} failed:\n${result.stderr}`);
  return result;
}

describe('blueprints install, upgrade and uninstall on the local control plane', {
  concurrency: true,
}, () => {
  for (const c of cases) {
    test(c.blueprint, async (t) => {
      const ns = await withNamespace(t, c.blueprint);
      if (c.prepare) {
        const refused = await berth([
          'install',
          'r',
          c.blueprint,
          '-n',
          ns,
          '-f',
          `examples/${c.blueprint}/values-minimal.yaml`,
        ]);
        assert.equal(refused.code, 3, 'preflight stops an install whose prerequisites are missing');
        assert.match(refused.stderr, /preflight failed; nothing was changed/);
        // Knative's CRDs are cluster-wide and other test files install them, so what is checked here
        // is the namespace's own prerequisite; the CRD check is a unit test (preflight.test.ts).
        assert.match(refused.stderr, /Secret kube-configs does not exist in namespace/);
        await c.prepare(ns);
      }
      const install = await ok([
        'install',
        'r',
        c.blueprint,
        '-n',
        ns,
        '-f',
        `examples/${c.blueprint}/values-minimal.yaml`,
      ]);
      assert.match(install.stdout, /is deployed at revision 1/);
      const status = JSON.parse((await ok(['status', 'r', '-n', ns, '-o', 'json'])).stdout);
      assert.equal(status.ready, true, JSON.stringify(status.components.filter((x: any) => !x.ready)));

      const claims = await kubectlJson<any>(['get', 'pvc', '-n', ns]);
      assert.equal(claims.items.length > 0, c.claims ?? true, 'persistence creates claims');
      for (const claim of claims.items) assert.equal(claim.status.phase, 'Bound', claim.metadata.name);

      await ok([
        'upgrade',
        'r',
        c.blueprint,
        '-n',
        ns,
        '-f',
        `examples/${c.blueprint}/values-minimal.yaml`,
        '--set',
        `${c.scale[0]}=2`,
      ]);
      const workload = await kubectlJson<any>(['get', c.scale[1], '-n', ns]);
      assert.equal(workload.spec.replicas, 2);
      assert.equal(workload.status.readyReplicas, 2);

      await ok(['uninstall', 'r', '-n', ns]);
      if (c.blueprint === 'csghub') {
        // The space namespace holds the platform's own workloads: it stays, like data volumes.
        const spaces = await kubectlJson<any>(['get', 'namespace', 'space']);
        assert.equal(spaces.status.phase, 'Active', 'uninstall keeps the space namespace');
        await kubectl(['delete', 'namespace', 'space', '--wait=false']);
      }
      const left = (
        await kubectl(['get', 'deployments,statefulsets,services,jobs,configmaps', '-n', ns, '-o', 'name'])
      ).stdout;
      assert.deepEqual(
        left
          .trim()
          .split('\n')
          .filter((n) => n && !n.includes('kube-root-ca')),
        [],
      );
    });
  }

  test('model-router: a config change rolls the router pods', async (t) => {
    const ns = await withNamespace(t, 'router-config');
    await ok(['install', 'r', 'model-router', '-n', ns]);
    const before = await kubectlJson<any>(['get', 'deployment/r-router', '-n', ns]);
    const checksum = (d: any) => d.spec.template.metadata.annotations['berth.dev/config-checksum'];
    await ok([
      'upgrade',
      'r',
      'model-router',
      '-n',
      ns,
      '--set',
      'router.loadBalance.type=least-connections',
    ]);
    const after = await kubectlJson<any>(['get', 'deployment/r-router', '-n', ns]);
    assert.notEqual(checksum(after), checksum(before));
    assert.ok(after.metadata.generation > before.metadata.generation, 'a new rollout');
    const config = await kubectlJson<any>(['get', 'configmap/r-config', '-n', ns]);
    assert.match(config.data['application.yml'], /least-connections/);
    const sets = await kubectlJson<any>([
      'get',
      'replicasets',
      '-n',
      ns,
      '-l',
      'app.kubernetes.io/component=router',
    ]);
    assert.equal(sets.items.length, 2, 'the old and the new ReplicaSet');
  });
});

describe('compose import', () => {
  test('a blueprint imported from a Dify-shaped compose file renders and installs', async (t) => {
    const name = `imported-${process.pid}`;
    const dir = join('src/blueprints', name);
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const imported = await berth([
      'import',
      'compose',
      'test/fixtures/compose/dify-like/docker-compose.yaml',
      '--name',
      name,
      '--output-dir',
      dir,
      '--profile',
      'weaviate',
    ]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.ok(existsSync(join(dir, 'blueprint.ts')) && existsSync(join(dir, 'REPORT.md')));
    const ns = await withNamespace(t, 'imported');
    await ok(['install', 'r', name, '-n', ns, '-f', join(dir, 'values.yaml')]);
    const status = JSON.parse((await ok(['status', 'r', '-n', ns, '-o', 'json'])).stdout);
    assert.equal(status.ready, true);
    assert.ok(
      status.components.some((c: any) => c.component === 'api'),
      'the api service became a component',
    );
  });
});
