/**
 * The release engine's rules at their edges, on the in-memory cluster: the exact refusals and
 * their hints, rollbacks, upgrades over failed revisions, dry runs, the namespace, recovery after
 * a takeover, and what --atomic says and keeps.
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, test } from 'node:test';
import type { Blueprint } from '../../src/blueprints/blueprint.ts';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import type { BerthError } from '../../src/errors.ts';
import type { ReadinessWaiter } from '../../src/release/apply.ts';
import { type DeployRequest, deploy } from '../../src/release/engine.ts';
import { LEASE_SECONDS } from '../../src/release/lock.ts';
import {
  apiError,
  FakeCluster,
  killAt,
  deployOptions as options,
  releaseRecords,
} from '../support/fake-cluster.ts';

const NS = 'shop';
const RELEASE = 'lf';
const EXTERNAL_REDIS = {
  integrations: { redis: { enabled: true, host: 'redis.example', existingSecret: 'redis-creds' } },
};
const SCALED = { services: { web: { replicas: 3 } } };
const fails: ReadinessWaiter = async (objects) => {
  if (objects.some((o) => o.kind === 'Deployment')) throw new Error('Deployment/lf-web did not become ready');
};

let langfuse: Blueprint | undefined;
async function request(
  kind: 'install' | 'upgrade',
  values: Record<string, unknown> = {},
  installIfMissing = false,
) {
  langfuse ??= await getBlueprint('langfuse');
  return { kind, blueprint: langfuse, values, rotateSecrets: [], installIfMissing } satisfies DeployRequest;
}
const rollback = (revision?: number): DeployRequest => ({
  kind: 'rollback',
  ...(revision ? { revision } : {}),
});
const target = (cluster: FakeCluster) => ({ client: cluster.client, namespace: NS, release: RELEASE });

const records = (cluster: FakeCluster) => releaseRecords(cluster, NS, RELEASE);
const statuses = async (cluster: FakeCluster) =>
  (await records(cluster)).map((r) => `${r.revision}:${r.status}`);
const webReplicas = (cluster: FakeCluster) =>
  (cluster.find('Deployment', `${RELEASE}-web`)?.spec as { replicas?: number } | undefined)?.replicas;
const password = (cluster: FakeCluster) =>
  (cluster.find('Secret', `${RELEASE}-postgresql`)?.data as Record<string, string> | undefined)?.password;

describe('refusals say what is wrong and what to do', () => {
  test('install of an existing release, upgrade of a missing one, rollback of one never deployed', async () => {
    const cluster = new FakeCluster();
    await assert.rejects(deploy(target(cluster), await request('upgrade'), options()), {
      code: 'BERTH_RELEASE_NOT_FOUND',
      message: 'release lf not found in namespace shop',
      hint: 'use berth install, or berth upgrade --install',
    });
    await assert.rejects(deploy(target(cluster), rollback(), options()), {
      code: 'BERTH_RELEASE_NOT_FOUND',
      message: 'release lf has no deployed revision to roll back to',
      hint: undefined,
    });
    await deploy(target(cluster), await request('install'), options());
    // The same install again is a no-op (a killed run's retry); one that would change it is refused.
    const changed = { services: { web: { replicas: 3 } } };
    await assert.rejects(deploy(target(cluster), await request('install', changed), options()), {
      code: 'BERTH_RELEASE_EXISTS',
      message: 'release lf already exists in namespace shop',
      hint: 'use berth upgrade lf to change it',
    });
  });

  test('a release whose deployed record is gone but which was deployed before still exists', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    await deploy(
      target(cluster),
      await request('upgrade', { services: { web: { replicas: 2 } } }),
      options(),
    );
    await cluster.delete({ apiVersion: 'v1', kind: 'Secret', namespace: NS, name: `berth.${RELEASE}.v2` });
    assert.deepEqual(await statuses(cluster), ['1:superseded']);
    await assert.rejects(deploy(target(cluster), await request('install'), options()), {
      code: 'BERTH_RELEASE_EXISTS',
    });
  });

  test('an upgrade over a failed first install is an upgrade, not an install', async () => {
    const cluster = new FakeCluster();
    await assert.rejects(deploy(target(cluster), await request('install'), options({ waiter: fails })));
    const result = await deploy(target(cluster), await request('upgrade'), options());
    assert.equal(result.revision, 2);
    assert.equal(result.description, 'upgrade complete');
    const upgraded = await deploy(target(cluster), await request('upgrade', {}, true), options());
    assert.equal(upgraded.status, 'unchanged', '--install changes nothing once the release exists');
  });
});

describe('rollback', () => {
  async function twoRevisions(cluster: FakeCluster) {
    await deploy(target(cluster), await request('install'), options());
    await deploy(
      target(cluster),
      await request('upgrade', { services: { web: { replicas: 3 } } }),
      options(),
    );
  }

  test('goes back to the superseded revision by default, with its generated credentials', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    const installed = webReplicas(cluster);
    await deploy(
      target(cluster),
      await request('upgrade', { services: { web: { replicas: 3 } } }),
      options(),
    );
    assert.equal(webReplicas(cluster), 3);
    const before = password(cluster);
    assert.ok(before);
    const result = await deploy(target(cluster), rollback(), options());
    assert.equal(result.revision, 3);
    assert.equal(result.status, 'deployed');
    assert.equal(result.description, 'rollback to 1');
    assert.deepEqual(await statuses(cluster), ['3:deployed', '2:superseded', '1:superseded']);
    const [latest] = await records(cluster);
    assert.equal(latest?.rollbackOf, 1);
    assert.equal(webReplicas(cluster), installed);
    assert.equal(password(cluster), before, 'the Secret keeps its value');
    assert.equal(
      cluster.find('Deployment', `${RELEASE}-web`)?.stringData,
      undefined,
      'only Secrets get data back',
    );
  });

  test('to a revision that does not exist, or with none to go back to, is refused', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    await assert.rejects(deploy(target(cluster), rollback(), options()), {
      code: 'BERTH_ROLLBACK_NONE',
      message: 'release lf has no earlier revision to roll back to',
    });
    await assert.rejects(deploy(target(cluster), rollback(9), options()), {
      code: 'BERTH_REVISION_NOT_FOUND',
      message: 'release lf has no revision 9',
      hint: 'berth history lf lists the revisions kept',
    });
    assert.deepEqual(await statuses(cluster), ['1:deployed']);
  });

  test('is refused when a recorded Secret key is gone from the cluster', async () => {
    const cluster = new FakeCluster();
    await twoRevisions(cluster);
    const secret = cluster.find('Secret', `${RELEASE}-postgresql`)!;
    const { password: _gone, ...rest } = secret.data as Record<string, string>;
    cluster.seed({ ...secret, data: rest });
    await assert.rejects(deploy(target(cluster), rollback(1), options()), {
      code: 'BERTH_ROLLBACK_SECRET',
      message: 'cannot restore Secret lf-postgresql: keys password are gone from the cluster',
    });
    cluster.seed({ ...secret, data: {} });
    await assert.rejects(deploy(target(cluster), rollback(1), options()), {
      message: 'cannot restore Secret lf-postgresql: keys password, username are gone from the cluster',
    });
  });
});

describe('upgrades after a failed revision', () => {
  test('an object of both the deployed and the failed revision that the next one drops is pruned once', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    await assert.rejects(
      deploy(target(cluster), await request('upgrade', SCALED), options({ waiter: fails })),
    );
    const opts = options();
    await deploy(target(cluster), await request('upgrade', EXTERNAL_REDIS), opts);
    assert.equal(cluster.find('StatefulSet', `${RELEASE}-redis`), undefined);
    assert.deepEqual(
      opts.events
        .flatMap((e) => (e.type === 'pruned' ? [e.object] : []))
        .filter((object) => object.startsWith('StatefulSet/')),
      [`StatefulSet/${RELEASE}-redis in ${NS}`],
    );
  });

  test('objects only the failed revision created are pruned by the next one, once', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install', EXTERNAL_REDIS), options());
    assert.equal(cluster.find('StatefulSet', `${RELEASE}-redis`), undefined);
    await assert.rejects(deploy(target(cluster), await request('upgrade'), options({ waiter: fails })));
    assert.ok(cluster.find('StatefulSet', `${RELEASE}-redis`), 'the failed upgrade created it');
    const opts = options();
    const result = await deploy(target(cluster), await request('upgrade', EXTERNAL_REDIS), opts);
    assert.equal(result.status, 'deployed', 'the same values as the deployed revision apply again');
    assert.equal(cluster.find('StatefulSet', `${RELEASE}-redis`), undefined);
    const pruned = opts.events.filter((e) => e.type === 'pruned').map((e) => e.object);
    assert.equal(new Set(pruned).size, pruned.length, `each object pruned once: ${pruned.join(', ')}`);
    assert.ok(pruned.includes(`StatefulSet/${RELEASE}-redis in ${NS}`));
  });
});

describe('dry runs, results and the namespace', () => {
  test('a dry run reports the planned revision and creates no namespace', async () => {
    const cluster = new FakeCluster();
    const result = await deploy(target(cluster), await request('install'), options({ dryRun: true }));
    assert.deepEqual(
      { ...result, notes: [] },
      {
        release: RELEASE,
        namespace: NS,
        revision: 1,
        status: 'pending-install',
        blueprint: result.blueprint,
        description: 'dry run: install complete',
        notes: [],
        dryRun: true,
      },
    );
    assert.equal(result.blueprint.name, 'langfuse');
    assert.deepEqual(cluster.names('Namespace'), []);
  });

  test('a dry run that fails records nothing', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    cluster.fault = (call) => {
      if (call.operation === 'apply' && call.kind === 'Deployment')
        throw new Error('admission webhook denied');
    };
    await assert.rejects(
      deploy(
        target(cluster),
        await request('upgrade', { services: { web: { replicas: 2 } } }),
        options({ dryRun: true }),
      ),
      /admission webhook denied/,
    );
    assert.deepEqual(await statuses(cluster), ['1:deployed']);
  });

  test('an unchanged release says so and is no dry run', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    const result = await deploy(target(cluster), await request('upgrade'), options());
    assert.deepEqual(
      { ...result, notes: [] },
      {
        release: RELEASE,
        namespace: NS,
        revision: 1,
        status: 'unchanged',
        blueprint: result.blueprint,
        description: 'no changes',
        notes: [],
        dryRun: false,
      },
    );
  });

  test('the namespace is created when asked and missing, and a lost creation race is no error', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options({ createNamespace: false }));
    assert.deepEqual(cluster.names('Namespace'), []);

    const racing = new FakeCluster();
    racing.fault = (call) => {
      if (call.operation === 'create' && call.kind === 'Namespace')
        throw apiError('create', 'Namespace', 409, 'exists');
    };
    assert.equal((await deploy(target(racing), await request('install'), options())).status, 'deployed');

    const forbidden = new FakeCluster();
    forbidden.fault = (call) => {
      if (call.operation === 'create' && call.kind === 'Namespace')
        throw apiError('create', 'Namespace', 403, 'forbidden');
    };
    await assert.rejects(deploy(target(forbidden), await request('install'), options()), /forbidden/);
    assert.deepEqual(forbidden.names('Secret'), []);

    const existing = new FakeCluster();
    existing.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await deploy(target(existing), await request('install'), options());
    assert.equal(existing.calls.filter((c) => c.operation === 'create' && c.kind === 'Namespace').length, 0);
  });

  test('the rollout deadline is the time-out from now', async () => {
    const cluster = new FakeCluster();
    const deadlines: number[] = [];
    const started = Date.now();
    await deploy(
      target(cluster),
      await request('install'),
      options({ timeoutMs: 90_000, waiter: async (_o, { deadline }) => void deadlines.push(deadline) }),
    );
    assert.ok(deadlines.length > 0);
    for (const deadline of deadlines)
      assert.ok(deadline >= started + 90_000 && deadline <= Date.now() + 90_000);
  });
});

describe('recovery after a takeover', () => {
  test('the interrupted revision names the run that stopped; progress says what happened', async () => {
    const cluster = new FakeCluster();
    // Killed during the StatefulSet stage: nothing after that gets written, not even the failed mark.
    killAt(cluster, 'StatefulSet');
    await assert.rejects(deploy(target(cluster), await request('install'), options()), /killed/);
    cluster.fault = undefined;
    const dead = `berth/${hostname()}/2147483646/abcd`;
    const now = new Date().toISOString();
    cluster.seed({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: `berth.${RELEASE}.lock`, namespace: NS },
      spec: { holderIdentity: dead, leaseDurationSeconds: LEASE_SECONDS, acquireTime: now, renewTime: now },
    });
    const opts = options();
    const result = await deploy(target(cluster), await request('install'), opts);
    const recovered =
      'revision 1 was interrupted (pending-install); marked it failed and applying again from the start';
    assert.equal(result.recovered, recovered);
    assert.deepEqual(
      opts.events.filter((e) => e.type === 'info'),
      [
        { type: 'info', message: `took over the lock from ${dead}, which is no longer running` },
        { type: 'info', message: `recovered: ${recovered}` },
      ],
    );
    const failed = (await records(cluster)).find((r) => r.revision === 1);
    assert.equal(failed?.description, `interrupted: the berth run ${dead} stopped during install`);
    assert.ok(failed?.finishedAt);
  });
});

describe('--atomic says what it did', () => {
  test('a failed upgrade is rolled back with all the time it needs, and the error says so', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    const deadlines: number[] = [];
    let upgrading = true;
    const waiter: ReadinessWaiter = async (objects, waitOptions) => {
      if (!upgrading) deadlines.push(waitOptions.deadline);
      if (upgrading && objects.some((o) => o.kind === 'Deployment')) {
        upgrading = false;
        await fails(objects, waitOptions);
      }
    };
    const started = Date.now();
    await assert.rejects(
      deploy(
        target(cluster),
        await request('upgrade', { services: { web: { replicas: 3 } } }),
        options({ atomic: true, timeoutMs: 1000, waiter }),
      ),
      (error: Error & { code?: string; exitCode?: number; cause?: unknown }) => {
        assert.equal(error.code, 'BERTH_ROLLED_BACK');
        assert.equal(error.message, 'Deployment/lf-web did not become ready');
        assert.equal((error as BerthError).recovery, 'rolled back to revision 1 (--atomic)');
        assert.equal(error.exitCode, 3);
        assert.match(String((error.cause as Error).message), /did not become ready/);
        return true;
      },
    );
    assert.ok(deadlines.length > 0);
    for (const deadline of deadlines) assert.ok(deadline >= started + 5 * 60_000, 'five minutes at least');
    const [rolledBack] = await records(cluster);
    assert.equal(rolledBack?.description, 'rollback to 1 (--atomic)');
  });

  test('a removed first install says what it kept, deleting the rest last object first', async () => {
    const cluster = new FakeCluster();
    const claim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: `data-${RELEASE}-postgresql-0`,
        namespace: NS,
        labels: { 'app.kubernetes.io/instance': RELEASE, 'app.kubernetes.io/managed-by': 'berth' },
      },
    };
    const opts = options({
      atomic: true,
      waiter: async (objects, waitOptions) => {
        if (objects.some((o) => o.kind === 'StatefulSet')) cluster.seed(claim);
        await fails(objects, waitOptions);
      },
    });
    await assert.rejects(deploy(target(cluster), await request('install'), opts), {
      code: 'BERTH_INSTALL_REMOVED',
      message: 'Deployment/lf-web did not become ready',
      recovery:
        'removed the failed install of lf (--atomic); kept its data volumes and the generated credentials they were created with',
      hint: 'berth uninstall --delete-data removes what was kept',
      exitCode: 3,
    });
    const kept = opts.events.filter((e) => e.type === 'kept');
    assert.deepEqual(kept[0], {
      type: 'kept',
      object: `PersistentVolumeClaim/${claim.metadata.name} in ${NS}`,
      reason: 'data volume (berth uninstall --delete-data removes it)',
    });
    assert.ok(kept.length > 1);
    for (const event of kept.slice(1)) {
      assert.equal(
        event.type === 'kept' && event.reason,
        'generated credentials of kept data (berth uninstall --delete-data removes it)',
      );
      assert.match(event.type === 'kept' ? event.object : '', /^Secret\//);
    }
    const applied = cluster.calls
      .filter(
        (c) =>
          c.operation === 'apply' &&
          !['Secret', 'Lease', 'Namespace', 'PersistentVolumeClaim'].includes(c.kind),
      )
      .map((c) => `${c.kind}/${c.name}`);
    const deleted = cluster.calls
      .filter((c) => c.operation === 'delete' && !['Secret', 'Lease'].includes(c.kind))
      .map((c) => `${c.kind}/${c.name}`);
    assert.deepEqual(
      deleted.filter((name) => applied.includes(name)),
      [...applied].reverse(),
    );
    assert.ok(deleted.indexOf('Deployment/lf-web') < deleted.indexOf('StatefulSet/lf-postgresql'));
  });

  test('a failed upgrade rolled back removes what only it created', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install', EXTERNAL_REDIS), options());
    let failing = true;
    const failsOnce: ReadinessWaiter = async (objects, waitOptions) => {
      if (failing && objects.some((o) => o.kind === 'Deployment')) {
        failing = false;
        await fails(objects, waitOptions);
      }
    };
    await assert.rejects(
      deploy(target(cluster), await request('upgrade'), options({ atomic: true, waiter: failsOnce })),
      { code: 'BERTH_ROLLED_BACK' },
    );
    assert.equal(cluster.find('StatefulSet', `${RELEASE}-redis`), undefined);
    assert.deepEqual(await statuses(cluster), ['3:deployed', '2:failed', '1:superseded']);
  });

  test('a removed first install keeps what is annotated keep, without data as with it', async () => {
    const cluster = new FakeCluster();
    const keep = {
      target: { kind: 'Service', name: `${RELEASE}-postgresql` },
      patch: { metadata: { annotations: { 'berth.dev/resource-policy': 'keep' } } },
    };
    const opts = options({ atomic: true, waiter: fails });
    await assert.rejects(deploy(target(cluster), await request('install', { patches: [keep] }), opts), {
      code: 'BERTH_INSTALL_REMOVED',
    });
    assert.ok(cluster.find('Service', `${RELEASE}-postgresql`), 'the annotated Service stays');
    assert.deepEqual(
      opts.events.filter((e) => e.type === 'kept'),
      [
        {
          type: 'kept',
          object: `Service/${RELEASE}-postgresql in ${NS}`,
          reason: 'annotated berth.dev/resource-policy: keep (berth uninstall --delete-data removes it)',
        },
      ],
    );
    assert.deepEqual(cluster.names('Secret'), [], 'no data kept, so no credentials either');
  });

  test('a revision whose record could not be written is rolled back or removed all the same', async () => {
    const pendingWriteFails = (cluster: FakeCluster) => {
      cluster.fault = (call, object) => {
        const labels = object?.metadata.labels as Record<string, string> | undefined;
        if (call.operation === 'apply' && labels?.['berth.dev/status']?.startsWith('pending')) {
          cluster.fault = undefined;
          throw apiError('apply', 'Secret', 500, 'etcd unavailable');
        }
      };
    };
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    pendingWriteFails(cluster);
    await assert.rejects(
      deploy(target(cluster), await request('upgrade', EXTERNAL_REDIS), options({ atomic: true })),
      {
        code: 'BERTH_ROLLED_BACK',
        message: /etcd unavailable$/,
        recovery: 'rolled back to revision 1 (--atomic)',
      },
    );
    assert.deepEqual(await statuses(cluster), ['3:deployed', '1:superseded']);

    const fresh = new FakeCluster();
    pendingWriteFails(fresh);
    await assert.rejects(deploy(target(fresh), await request('install'), options({ atomic: true })), {
      code: 'BERTH_INSTALL_REMOVED',
    });
    assert.deepEqual(await statuses(fresh), []);
  });

  test('a removed first install without data says nothing was kept', async () => {
    const cluster = new FakeCluster();
    await assert.rejects(
      deploy(target(cluster), await request('install'), options({ atomic: true, waiter: fails })),
      {
        code: 'BERTH_INSTALL_REMOVED',
        message: 'Deployment/lf-web did not become ready',
        recovery: 'removed the failed install of lf (--atomic)',
      },
    );
  });
});
