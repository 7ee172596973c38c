/**
 * The cluster part of the bad-input corpus (cluster_cases in test/corpus/cases.yaml): bad values,
 * names and flags for install, upgrade, plan and preflight against the real local control plane.
 * Each must fail with its exit code and one line, leave its namespace without a single object berth
 * made, and never create a namespace it was asked to create.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { clusterCases, judge, makeFixtures, runCase, substitute } from '../corpus/runner.ts';
import { e2eEnv, kubectl, kubectlJson, uniqueName, withNamespace } from './support/cluster.ts';

const fixtures = makeFixtures();
after(() => fixtures.cleanup());

/** Everything in a namespace that berth could have made (records, lock, workloads, config). */
async function objectsIn(namespace: string): Promise<string[]> {
  const list = await kubectlJson<{ items: { kind: string; metadata: { name: string } }[] }>([
    'get',
    'secrets,configmaps,leases,services,deployments,statefulsets,jobs,persistentvolumeclaims,serviceaccounts',
    '-n',
    namespace,
  ]);
  return list.items
    .map((item) => `${item.kind}/${item.metadata.name}`)
    .filter((name) => !['ConfigMap/kube-root-ca.crt', 'ServiceAccount/default'].includes(name));
}

describe('bad input corpus against the cluster', { concurrency: 2 }, () => {
  for (const c of clusterCases) {
    test(c.id, async (t) => {
      const ns = await withNamespace(t, 'corpus');
      const absent = uniqueName('corpus-absent');
      const args = substitute(c.args, { ns, absent, dir: fixtures.dir });
      const run = await runCase(args, {
        env: { KUBECONFIG: e2eEnv().kubeconfig },
        stdin: c.stdin,
        dir: fixtures.dir,
      });
      assert.deepEqual(judge(c, run), [], `berth ${args.join(' ')}\n${run.stderr}`);
      assert.deepEqual(await objectsIn(ns), [], 'berth left objects behind');
      const lookup = await kubectl(['get', 'namespace', absent], { allowFailure: true });
      assert.notEqual(lookup.code, 0, `namespace ${absent} was created`);
    });
  }
});
