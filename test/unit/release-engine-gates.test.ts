/**
 * What the engine asks before it writes, and the runs that must still record a revision: the
 * preflight gate, the data guard and the backup it relies on, a saved plan against a missing
 * release, a rollback to the revision already running, the same install again.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Blueprint } from '../../src/blueprints/blueprint.ts';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import {
  type DataGuard,
  type DeployRequest,
  deploy,
  type GateInput,
  type GuardInput,
} from '../../src/release/engine.ts';
import { ReleaseStore } from '../../src/release/store.ts';
import { FakeCluster, deployOptions as options, releaseRecords } from '../support/fake-cluster.ts';

const NS = 'shop';
const RELEASE = 'lf';
const SCALED = { services: { web: { replicas: 3 } } };
const target = (cluster: FakeCluster) => ({ client: cluster.client, namespace: NS, release: RELEASE });
const records = (cluster: FakeCluster) => releaseRecords(cluster, NS, RELEASE);

let langfuse: Blueprint | undefined;
async function request(kind: 'install' | 'upgrade', values: Record<string, unknown> = {}) {
  langfuse ??= await getBlueprint('langfuse');
  return { kind, blueprint: langfuse, values, rotateSecrets: [] } satisfies DeployRequest;
}

describe('the preflight gate', () => {
  test('runs under the lock before an install or upgrade writes anything, with what would be applied; never for a rollback', async () => {
    const cluster = new FakeCluster();
    const gates: { input: GateInput; kinds: string[] }[] = [];
    const preflight = async (input: GateInput) => {
      gates.push({ input, kinds: [...cluster.objects.values()].map((o) => o.kind).sort() });
    };
    await deploy(target(cluster), await request('install'), options({ preflight }));
    assert.equal(gates.length, 1);
    assert.deepEqual(gates[0]?.kinds, ['Lease', 'Namespace'], 'only the namespace and the lock so far');
    assert.equal(gates[0]?.input.blueprint.name, 'langfuse');
    assert.ok(gates[0]?.input.manifests.some((m) => m.object.metadata.name === 'lf-web'));

    await deploy(target(cluster), await request('upgrade', SCALED), options({ preflight }));
    assert.equal(gates.length, 2);
    const refused = async () => {
      throw new Error('preflight ran');
    };
    const back = await deploy(target(cluster), { kind: 'rollback' }, options({ preflight: refused }));
    assert.equal(back.status, 'deployed');
  });
});

describe('the data guard', () => {
  function guard(backup?: string) {
    const calls: GuardInput[] = [];
    const after: number[] = [];
    const dataGuard: DataGuard = async (input) => {
      calls.push(input);
      return { backup, afterApply: async () => void after.push(input.deployed.revision) };
    };
    return { calls, after, dataGuard };
  }

  test('is asked only when a deployed revision is replaced for real; the backup it names is recorded', async () => {
    const cluster = new FakeCluster();
    const { calls, after, dataGuard } = guard('backup-0001');
    await deploy(target(cluster), await request('install'), options({ dataGuard }));
    assert.equal(calls.length, 0, 'an install replaces nothing');
    await deploy(target(cluster), await request('upgrade', SCALED), options({ dataGuard, dryRun: true }));
    assert.equal(calls.length, 0, 'a dry run changes no data');

    await deploy(target(cluster), await request('upgrade', SCALED), options({ dataGuard }));
    assert.deepEqual(
      calls.map((c) => [c.kind, c.deployed.revision, c.planned.description]),
      [['upgrade', 1, 'upgrade complete']],
    );
    assert.deepEqual(after, [1], 'called back once the revision is applied');
    const [upgraded, installed] = await records(cluster);
    assert.equal(upgraded?.backup, 'backup-0001');
    assert.equal(installed?.backup, undefined);
  });

  test('a guard that names no backup records none', async () => {
    const cluster = new FakeCluster();
    const { dataGuard } = guard();
    await deploy(target(cluster), await request('install'), options());
    await deploy(target(cluster), await request('upgrade', SCALED), options({ dataGuard }));
    const [upgraded] = await records(cluster);
    assert.equal(upgraded?.revision, 2);
    assert.equal('backup' in (upgraded ?? {}), false);
  });
});

describe('runs that are no no-op', () => {
  test('a rollback to the revision already running still records a revision', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    await deploy(target(cluster), await request('upgrade', SCALED), options());
    await deploy(target(cluster), { kind: 'rollback', revision: 1 }, options());
    const again = await deploy(target(cluster), { kind: 'rollback', revision: 1 }, options());
    assert.equal(again.status, 'deployed');
    assert.equal(again.revision, 4);
    assert.deepEqual(
      (await records(cluster)).map((r) => `${r.revision}:${r.status}:${r.rollbackOf ?? ''}`),
      ['4:deployed:1', '3:superseded:1', '2:superseded:', '1:superseded:'],
    );
  });

  test('a saved plan of a missing release that saw a revision is stale', async () => {
    const cluster = new FakeCluster();
    await assert.rejects(
      deploy(
        target(cluster),
        { ...(await request('upgrade')), installIfMissing: true },
        options({ pinned: { revision: 5, objects: {} } }),
      ),
      { code: 'BERTH_PLAN_STALE', message: /the newest revision is none, the plan saw 5/ },
    );
    assert.deepEqual(await records(cluster), []);
  });
});

describe('settling revisions still marked deployed', () => {
  test('every older one is marked superseded, and progress names them all', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    const store = new ReleaseStore(cluster.client);
    const [installed] = await records(cluster);
    assert.ok(installed);
    for (const revision of [2, 3]) await store.save({ ...installed, revision });
    const opts = options();
    const result = await deploy(target(cluster), await request('upgrade', SCALED), opts);
    assert.equal(result.revision, 4);
    assert.deepEqual(
      (await records(cluster)).map((r) => `${r.revision}:${r.status}`),
      ['4:deployed', '3:superseded', '2:superseded', '1:superseded'],
    );
    assert.deepEqual(
      opts.events.filter((e) => e.type === 'info'),
      [{ type: 'info', message: 'recovered: revision 2, 1 was still marked deployed; marked it superseded' }],
    );
  });
});

describe('the same install again', () => {
  test('is a no-op that says so, is no dry run, and reports nothing recovered', async () => {
    const cluster = new FakeCluster();
    const first = await deploy(target(cluster), await request('install'), options());
    const opts = options();
    const again = await deploy(target(cluster), await request('install'), opts);
    assert.deepEqual(again, {
      release: RELEASE,
      namespace: NS,
      revision: 1,
      status: 'unchanged',
      blueprint: first.blueprint,
      description: 'no changes',
      notes: first.notes,
      dryRun: false,
    });
    assert.deepEqual(
      opts.events.filter((e) => e.type === 'info'),
      [],
    );
  });
});
