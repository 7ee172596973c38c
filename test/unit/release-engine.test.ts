/**
 * The release engine's rules on an in-memory cluster: install vs upgrade, kept generated secrets,
 * the lock, recovery of an interrupted run, --atomic, ownership and history pruning.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { describe, test } from 'node:test';
import type { Blueprint } from '../../src/blueprints/blueprint.ts';
import { getBlueprint } from '../../src/blueprints/registry.ts';
import { KubeConnectionError } from '../../src/kube/errors.ts';
import type { ReadinessWaiter } from '../../src/release/apply.ts';
import { type DeployRequest, deploy } from '../../src/release/engine.ts';
import { LEASE_SECONDS } from '../../src/release/lock.ts';
import type { ReleaseRecord } from '../../src/release/record.ts';
import { ReleaseStore } from '../../src/release/store.ts';
import { GENERATED_KEYS_ANNOTATION } from '../../src/render/annotations.ts';
import { apiError, deployOptions, FakeCluster, killAt, releaseRecords } from '../support/fake-cluster.ts';

const NS = 'shop';
const RELEASE = 'lf';
const rolloutFails: ReadinessWaiter = async () => {
  throw new Error('Deployment/lf-web did not become ready: CrashLoopBackOff');
};

const options = deployOptions;

let langfuse: Blueprint | undefined;
async function request(
  kind: 'install' | 'upgrade',
  values: Record<string, unknown> = {},
  extra: { readonly installIfMissing?: boolean; readonly rotateSecrets?: readonly string[] } = {},
): Promise<DeployRequest> {
  langfuse ??= await getBlueprint('langfuse');
  return { kind, blueprint: langfuse, values, rotateSecrets: [], ...extra };
}

const target = (cluster: FakeCluster) => ({ client: cluster.client, namespace: NS, release: RELEASE });

const records = (cluster: FakeCluster) => releaseRecords(cluster, NS, RELEASE);

async function statuses(cluster: FakeCluster): Promise<string[]> {
  return (await records(cluster)).map((r) => `${r.revision}:${r.status}`);
}

function secretValue(cluster: FakeCluster, name: string, key: string): string {
  const data = cluster.find('Secret', name)?.data as Record<string, string> | undefined;
  assert.ok(data?.[key], `Secret ${name} has ${key}`);
  return Buffer.from(data[key], 'base64').toString();
}

const webReplicas = (cluster: FakeCluster) =>
  (cluster.find('Deployment', `${RELEASE}-web`)?.spec as { replicas?: number } | undefined)?.replicas;

/** A rollout that cannot finish while the web Deployment asks for this many replicas. */
function unschedulableAt(cluster: FakeCluster, replicas: number): ReadinessWaiter {
  return async (objects, options) => {
    if (objects.some((o) => o.name === `${RELEASE}-web`) && webReplicas(cluster) === replicas)
      await rolloutFails(objects, options);
  };
}

describe('release engine: install and upgrade', () => {
  test('install applies every manifest, records revision 1 as deployed and creates the namespace', async () => {
    const cluster = new FakeCluster();
    const result = await deploy(target(cluster), await request('install'), options());
    assert.equal(result.revision, 1);
    assert.equal(result.status, 'deployed');
    assert.equal(result.description, 'install complete');
    assert.deepEqual(await statuses(cluster), ['1:deployed']);
    assert.deepEqual(cluster.names('Namespace'), [NS]);
    assert.ok(cluster.find('StatefulSet', `${RELEASE}-postgresql`));
    assert.ok(cluster.find('Deployment', `${RELEASE}-web`));
    assert.deepEqual(cluster.names('Lease'), [], 'the lock is released');
  });

  test('the record keeps Secret key names, never their values', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    const password = secretValue(cluster, `${RELEASE}-postgresql`, 'password');
    const [record] = await records(cluster);
    const secret = record!.manifests.find((m) => m.object.metadata.name === `${RELEASE}-postgresql`);
    assert.ok(secret?.secretKeys?.includes('password'));
    assert.ok(!JSON.stringify(record).includes(password));
  });

  test('install of an existing release is refused; upgrade of a missing one too', async () => {
    const cluster = new FakeCluster();
    await assert.rejects(deploy(target(cluster), await request('upgrade'), options()), {
      code: 'BERTH_RELEASE_NOT_FOUND',
    });
    await deploy(target(cluster), await request('install'), options());
    await assert.rejects(
      deploy(target(cluster), await request('install', { services: { web: { replicas: 3 } } }), options()),
      { code: 'BERTH_RELEASE_EXISTS' },
    );
    assert.deepEqual(await statuses(cluster), ['1:deployed']);
  });

  test('the same install again (its first run was killed after it finished) changes nothing', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    const again = await deploy(target(cluster), await request('install'), options());
    assert.equal(again.status, 'unchanged');
    assert.equal(again.revision, 1);
    assert.deepEqual(await statuses(cluster), ['1:deployed']);
  });

  test('a run killed between recording its revision deployed and superseding the last one is settled by the next', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    const values = { services: { web: { replicas: 3 } } };
    cluster.fault = (call, object) => {
      const labels = object?.metadata.labels as Record<string, string> | undefined;
      if (call.operation === 'apply' && labels?.['berth.dev/status'] === 'superseded')
        throw new Error('killed');
    };
    await assert.rejects(deploy(target(cluster), await request('upgrade', values), options()), /killed/);
    cluster.fault = undefined;
    assert.deepEqual(await statuses(cluster), ['2:deployed', '1:deployed']);
    await cluster.delete({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace: NS,
      name: `berth.${RELEASE}.lock`,
    });
    const opts = options();
    const again = await deploy(target(cluster), await request('upgrade', values), opts);
    assert.equal(again.status, 'unchanged');
    assert.deepEqual(await statuses(cluster), ['2:deployed', '1:superseded']);
    assert.deepEqual(opts.events, [
      { type: 'info', message: 'recovered: revision 1 was still marked deployed; marked it superseded' },
    ]);
  });

  test('upgrade --install installs a missing release', async () => {
    const cluster = new FakeCluster();
    const result = await deploy(
      target(cluster),
      await request('upgrade', {}, { installIfMissing: true }),
      options(),
    );
    assert.equal(result.description, 'install complete');
    assert.deepEqual(await statuses(cluster), ['1:deployed']);
  });

  test('upgrade supersedes the deployed revision and keeps generated secrets', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    const password = secretValue(cluster, `${RELEASE}-postgresql`, 'password');
    const result = await deploy(
      target(cluster),
      await request('upgrade', { services: { web: { replicas: 3 } } }),
      options(),
    );
    assert.equal(result.revision, 2);
    assert.equal(result.description, 'upgrade complete');
    assert.deepEqual(await statuses(cluster), ['2:deployed', '1:superseded']);
    assert.equal(webReplicas(cluster), 3);
    assert.equal(secretValue(cluster, `${RELEASE}-postgresql`, 'password'), password);
  });

  test('--rotate-secret draws a new value for that Secret only', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    const postgres = secretValue(cluster, `${RELEASE}-postgresql`, 'password');
    const redis = secretValue(cluster, `${RELEASE}-redis`, 'password');
    await deploy(target(cluster), await request('upgrade', {}, { rotateSecrets: ['postgresql'] }), options());
    assert.notEqual(secretValue(cluster, `${RELEASE}-postgresql`, 'password'), postgres);
    assert.equal(secretValue(cluster, `${RELEASE}-redis`, 'password'), redis);
  });

  test('an upgrade without changes records nothing', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    const result = await deploy(target(cluster), await request('upgrade'), options());
    assert.equal(result.status, 'unchanged');
    assert.equal(result.revision, 1);
    assert.deepEqual(await statuses(cluster), ['1:deployed']);
  });

  test('a dry run writes neither objects nor records', async () => {
    const cluster = new FakeCluster();
    const result = await deploy(target(cluster), await request('install'), options({ dryRun: true }));
    assert.equal(result.dryRun, true);
    assert.match(result.description, /^dry run: /);
    assert.deepEqual(cluster.names('StatefulSet'), []);
    assert.deepEqual(await statuses(cluster), []);
  });

  test('objects that left the inventory are pruned, data and its credentials kept', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    const opts = options();
    await deploy(
      target(cluster),
      await request('upgrade', {
        integrations: { redis: { enabled: true, host: 'redis.example', existingSecret: 'redis-creds' } },
      }),
      opts,
    );
    assert.equal(cluster.find('StatefulSet', `${RELEASE}-redis`), undefined);
    assert.ok(cluster.find('Secret', `${RELEASE}-redis`), 'generated credentials of the redis data stay');
    assert.ok(opts.events.some((e) => e.type === 'pruned' && e.object.startsWith('StatefulSet/lf-redis')));
    assert.ok(opts.events.some((e) => e.type === 'kept' && e.object.startsWith('Secret/lf-redis')));
  });

  test('objects of someone else are refused before anything is written, unless adopted', async () => {
    const cluster = new FakeCluster();
    cluster.seed({ apiVersion: 'v1', kind: 'Service', metadata: { name: `${RELEASE}-web`, namespace: NS } });
    await assert.rejects(deploy(target(cluster), await request('install'), options()), {
      code: 'BERTH_NOT_OWNED',
    });
    assert.deepEqual(cluster.names('StatefulSet'), []);
    assert.deepEqual(await statuses(cluster), []);
    await deploy(target(cluster), await request('install'), options({ adopt: true }));
    assert.deepEqual(await statuses(cluster), ['1:deployed']);
  });
});

describe('release engine: lock and recovery', () => {
  const lease = (holder: string, renewed: Date) => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: `berth.${RELEASE}.lock`, namespace: NS },
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: LEASE_SECONDS,
      acquireTime: renewed.toISOString(),
      renewTime: renewed.toISOString(),
    },
  });

  test('a live holder keeps the lock: nothing is written', async () => {
    const cluster = new FakeCluster();
    cluster.seed(lease('berth/elsewhere/42/abcd', new Date()));
    await assert.rejects(deploy(target(cluster), await request('install'), options()), {
      code: 'BERTH_RELEASE_LOCKED',
      message: /locked by berth\/elsewhere\/42\/abcd/,
    });
    assert.deepEqual(await statuses(cluster), []);
    assert.equal(
      (cluster.find('Lease', `berth.${RELEASE}.lock`)?.spec as { holderIdentity?: string } | undefined)
        ?.holderIdentity,
      'berth/elsewhere/42/abcd',
    );
  });

  test('a holder whose process is gone on this host loses the lock at once', async () => {
    const cluster = new FakeCluster();
    const dead = `berth/${hostname()}/2147483646/abcd`;
    cluster.seed(lease(dead, new Date()));
    const opts = options();
    await deploy(target(cluster), await request('install'), opts);
    assert.ok(
      opts.events.some((e) => e.type === 'info' && e.message.includes(`took over the lock from ${dead}`)),
    );
  });

  test('an expired lease is taken over', async () => {
    const cluster = new FakeCluster();
    cluster.seed(lease('berth/elsewhere/42/abcd', new Date(Date.now() - (LEASE_SECONDS + 5) * 1000)));
    const result = await deploy(target(cluster), await request('install'), options());
    assert.equal(result.status, 'deployed');
  });

  test('a lease created although the answer was lost (a 5xx) is ours: the run proceeds', async () => {
    const cluster = new FakeCluster();
    cluster.fault = (call, object) => {
      if (call.operation !== 'create' || call.kind !== 'Lease' || !object) return;
      cluster.fault = undefined;
      cluster.seed(object);
      throw apiError('create', 'Lease', 503, 'the answer was lost');
    };
    const result = await deploy(target(cluster), await request('install'), options());
    assert.equal(result.status, 'deployed');
    assert.deepEqual(cluster.names('Lease'), []);
  });

  test('a lease create refused with a 5xx that left nothing behind is tried again', async () => {
    const cluster = new FakeCluster();
    cluster.fault = (call) => {
      if (call.operation !== 'create' || call.kind !== 'Lease') return;
      cluster.fault = undefined;
      throw apiError('create', 'Lease', 504, 'timed out');
    };
    const result = await deploy(target(cluster), await request('install'), options());
    assert.equal(result.status, 'deployed');
  });

  test('a conflict on taking the lock with no holder in sight is reported as it is, not as a holder', async () => {
    const cluster = new FakeCluster();
    cluster.fault = (call) => {
      if (call.operation === 'create' && call.kind === 'Lease')
        throw apiError('create', 'Lease', 409, 'injected conflict');
    };
    await assert.rejects(deploy(target(cluster), await request('install'), options()), (error: Error) => {
      assert.doesNotMatch(error.message, /locked by/);
      assert.match(error.message, /injected conflict/);
      return true;
    });
    assert.deepEqual(await statuses(cluster), []);
  });

  test('the lock is released when the operation fails', async () => {
    const cluster = new FakeCluster();
    await assert.rejects(
      deploy(target(cluster), await request('install'), options({ waiter: rolloutFails })),
    );
    assert.deepEqual(cluster.names('Lease'), []);
  });

  test('a run killed mid-apply is recovered by the next one: marked failed, applied again', async () => {
    const cluster = new FakeCluster();
    // Killed during the StatefulSet stage: nothing after that gets written, not even the failed mark.
    killAt(cluster, 'StatefulSet');
    await assert.rejects(deploy(target(cluster), await request('install'), options()), /killed/);
    cluster.fault = undefined;
    const [pending] = await records(cluster);
    assert.equal(pending?.status, 'pending-install');
    assert.equal(pending?.description, 'install in progress', 'an interrupted run never claims success');
    await cluster.delete({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace: NS,
      name: `berth.${RELEASE}.lock`,
    });
    const result = await deploy(target(cluster), await request('install'), options());
    assert.equal(result.revision, 2);
    assert.match(result.recovered ?? '', /revision 1 was interrupted \(pending-install\)/);
    const [second, first] = await records(cluster);
    assert.equal(second?.status, 'deployed');
    assert.equal(second?.description, 'install complete');
    assert.equal(first?.status, 'failed');
    assert.equal(first?.description, 'interrupted: the berth run stopped during install');
  });

  test('an apply stopped by an unreachable API server still records the revision failed once it is back', async () => {
    const cluster = new FakeCluster();
    const unreachable = () =>
      new KubeConnectionError(
        'apply',
        { kind: 'Secret' },
        'https://127.0.0.1:6443',
        'ECONNREFUSED',
        undefined,
      );
    // Down from the first StatefulSet until berth has tried twice to record the failure.
    let down = false;
    let recordWrites = 0;
    const opts = options();
    const toldBeforeRetry: number[] = [];
    cluster.fault = (call, object) => {
      if (call.operation !== 'apply') return;
      down ||= call.kind === 'StatefulSet';
      const labels = object?.metadata.labels as Record<string, string> | undefined;
      if (down && labels?.['berth.dev/owner'] === 'berth' && ++recordWrites > 1)
        toldBeforeRetry.push(opts.events.filter((e) => e.type === 'info').length);
      if (recordWrites > 2) down = false;
      if (down) throw unreachable();
    };
    await assert.rejects(deploy(target(cluster), await request('install'), opts), KubeConnectionError);
    const [record] = await records(cluster);
    assert.equal(record?.status, 'failed');
    assert.match(record?.description ?? '', /^install failed: apply Secret: cannot reach the API server/);
    assert.deepEqual(
      opts.events.filter((e) => e.type === 'info'),
      [
        {
          type: 'info',
          message:
            'cannot reach the API server at https://127.0.0.1:6443: nothing listens there (ECONNREFUSED); retrying to record revision 1 as failed',
        },
      ],
      'said once, however many retries',
    );
    assert.deepEqual(toldBeforeRetry, [1, 1], 'said at the first failure');
  });

  test('a failed rollout records the revision as failed with the reason', async () => {
    const cluster = new FakeCluster();
    await assert.rejects(
      deploy(target(cluster), await request('install'), options({ waiter: rolloutFails })),
    );
    const [record] = await records(cluster);
    assert.equal(record?.status, 'failed');
    assert.equal(
      record?.description,
      'install failed: Deployment/lf-web did not become ready: CrashLoopBackOff',
    );
  });
});

describe('release engine: --atomic', () => {
  // The claim a StatefulSet creates from its template carries the release's labels.
  const claim = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: `data-${RELEASE}-postgresql-0`,
      namespace: NS,
      labels: { 'app.kubernetes.io/instance': RELEASE, 'app.kubernetes.io/managed-by': 'berth' },
    },
  };

  test('a failed upgrade puts the deployed revision back', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    const error = await deploy(
      target(cluster),
      await request('upgrade', { services: { web: { replicas: 4 } } }),
      options({ atomic: true, waiter: unschedulableAt(cluster, 4) }),
    ).then(
      () => assert.fail('the upgrade should fail'),
      (e: unknown) => e as Error & { code: string; recovery?: string },
    );
    assert.equal(error.code, 'BERTH_ROLLED_BACK');
    assert.equal(error.recovery, 'rolled back to revision 1 (--atomic)');
    assert.deepEqual(await statuses(cluster), ['3:deployed', '2:failed', '1:superseded']);
    assert.equal(webReplicas(cluster), 1);
    const [rollback] = await records(cluster);
    assert.equal(rollback?.rollbackOf, 1);
  });

  test('without --atomic a failed upgrade stays as it is', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    await assert.rejects(
      deploy(
        target(cluster),
        await request('upgrade', { services: { web: { replicas: 4 } } }),
        options({ waiter: unschedulableAt(cluster, 4) }),
      ),
    );
    assert.deepEqual(await statuses(cluster), ['2:failed', '1:deployed']);
    assert.equal(webReplicas(cluster), 4);
  });

  test('a failed first install is removed, but data volumes and their generated credentials stay', async () => {
    const cluster = new FakeCluster();
    const opts = options({
      atomic: true,
      waiter: async (objects, waitOptions) => {
        if (objects.some((o) => o.kind === 'StatefulSet')) cluster.seed(claim);
        if (objects.some((o) => o.kind === 'Deployment')) await rolloutFails(objects, waitOptions);
      },
    });
    await assert.rejects(deploy(target(cluster), await request('install'), opts), {
      code: 'BERTH_INSTALL_REMOVED',
    });
    assert.deepEqual(await statuses(cluster), []);
    assert.deepEqual(cluster.names('StatefulSet'), []);
    assert.deepEqual(cluster.names('Deployment'), []);
    assert.deepEqual(cluster.names('PersistentVolumeClaim'), [claim.metadata.name]);
    const kept = cluster.names('Secret').filter((name) => !name.startsWith('berth.'));
    assert.ok(kept.includes(`${RELEASE}-postgresql`), `kept: ${kept.join(', ')}`);
    for (const name of kept)
      assert.ok(cluster.find('Secret', name)?.metadata.annotations?.[GENERATED_KEYS_ANNOTATION], name);
    assert.ok(
      opts.events.some((e) => e.type === 'kept' && e.object.startsWith(`Secret/${RELEASE}-postgresql`)),
    );
  });

  test('a reinstall after such a removal finds the kept credentials', async () => {
    const cluster = new FakeCluster();
    cluster.seed(claim);
    await assert.rejects(
      deploy(target(cluster), await request('install'), options({ atomic: true, waiter: rolloutFails })),
    );
    const password = secretValue(cluster, `${RELEASE}-postgresql`, 'password');
    await deploy(target(cluster), await request('install'), options());
    assert.equal(secretValue(cluster, `${RELEASE}-postgresql`, 'password'), password);
  });

  test('a failed first install without data leaves nothing behind', async () => {
    const cluster = new FakeCluster();
    await assert.rejects(
      deploy(target(cluster), await request('install'), options({ atomic: true, waiter: rolloutFails })),
      { code: 'BERTH_INSTALL_REMOVED' },
    );
    assert.deepEqual(cluster.names('Secret'), []);
    assert.deepEqual(cluster.names('Service'), []);
  });
});

describe('release engine: credentials a user supplies', () => {
  const apiKey = 'sk-live-9f8e7d6c5b4a39281706';
  const dsn = 'postgresql://app:Pa55-w0rd-xyz@db.example:5432/app';
  const withCredentials = {
    services: {
      web: {
        extraEnv: [
          { name: 'OPENAI_API_KEY', value: apiKey },
          { name: 'EXPORT_DSN', value: dsn },
          { name: 'LOG_FORMAT', value: 'json' },
        ],
      },
    },
  };

  test('records hold neither the values nor the manifests in clear; loading restores the manifests', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install', withCredentials), options());
    const payloads = cluster
      .names('Secret')
      .filter((name) => name.startsWith('berth.') && !name.endsWith('.credentials'))
      .map((name) => JSON.stringify(cluster.find('Secret', name)));
    assert.ok(payloads.length > 0);
    const [record] = await records(cluster);
    const raw = await new ReleaseStore(cluster.client).load(NS, RELEASE, 1);
    assert.deepEqual(raw, record);
    const web = record!.manifests.find(
      (m) => m.object.kind === 'Deployment' && m.object.metadata.name === 'lf-web',
    );
    assert.ok(JSON.stringify(web).includes(apiKey), 'a loaded record can be applied again');
    assert.ok(!JSON.stringify(record!.values).includes(apiKey));
    assert.ok(!JSON.stringify(record!.values).includes('Pa55-w0rd-xyz'));
    assert.ok(JSON.stringify(record!.values).includes('postgresql://app:<redacted>@db.example:5432/app'));
    assert.ok(JSON.stringify(record!.values).includes('"json"'), 'plain values stay');
    // The stored record payload (gzip) is decoded the way `kubectl get secret` readers would.
    const { gunzipSync } = await import('node:zlib');
    const head = cluster.find('Secret', `berth.${RELEASE}.v1`)!;
    const stored = gunzipSync(
      Buffer.from(Buffer.from((head.data as { record: string }).record, 'base64').toString(), 'base64'),
    ).toString();
    assert.ok(!stored.includes(apiKey) && !stored.includes('Pa55-w0rd-xyz'), 'stored record is redacted');
    assert.ok(stored.includes('<redacted>'));
  });

  test('an --atomic rollback applies the recorded credentials again', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install', withCredentials), options());
    const changed = structuredClone(withCredentials);
    changed.services.web.extraEnv[0]!.value = 'sk-live-rotated-0000000000';
    Object.assign(changed.services.web, { replicas: 4 });
    await assert.rejects(
      deploy(
        target(cluster),
        await request('upgrade', changed),
        options({ atomic: true, waiter: unschedulableAt(cluster, 4) }),
      ),
      { code: 'BERTH_ROLLED_BACK' },
    );
    const env = (
      cluster.find('Deployment', `${RELEASE}-web`)!.spec as {
        template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } };
      }
    ).template.spec.containers[0]!.env!;
    assert.equal(env.find((e) => e.name === 'OPENAI_API_KEY')?.value, apiKey);
    assert.equal(env.find((e) => e.name === 'EXPORT_DSN')?.value, dsn);
  });

  test("history pruning removes a revision's credentials with its record", async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install', withCredentials), options());
    await deploy(
      target(cluster),
      await request('upgrade', {
        ...withCredentials,
        services: { web: { ...withCredentials.services.web, replicas: 2 } },
      }),
      options({ historyMax: 1 }),
    );
    assert.deepEqual(
      cluster.names('Secret').filter((n) => n.startsWith('berth.')),
      [`berth.${RELEASE}.v2`, `berth.${RELEASE}.v2.credentials`],
    );
  });
});

describe('release engine: history', () => {
  test('pruning keeps the newest revisions and never the deployed one', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    // Three failed upgrades after the deployed revision, with room for only two records.
    for (const replicas of [2, 3, 4]) {
      await assert.rejects(
        deploy(
          target(cluster),
          await request('upgrade', { services: { web: { replicas } } }),
          options({ waiter: rolloutFails }),
        ),
      );
    }
    await new ReleaseStore(cluster.client).prune(NS, RELEASE, 2);
    assert.deepEqual(await statuses(cluster), ['4:failed', '3:failed', '1:deployed']);
  });

  test('--history-max prunes after a successful run', async () => {
    const cluster = new FakeCluster();
    await deploy(target(cluster), await request('install'), options());
    for (const replicas of [2, 3, 4])
      await deploy(
        target(cluster),
        await request('upgrade', { services: { web: { replicas } } }),
        options({ historyMax: 2 }),
      );
    assert.deepEqual(await statuses(cluster), ['4:deployed', '3:superseded']);
  });
});

describe('release store', () => {
  test('a record split into several chunks reads back identically', async () => {
    const cluster = new FakeCluster();
    const store = new ReleaseStore(cluster.client);
    // Random text does not compress: about 2 MiB of it needs several 512 KiB chunks.
    const noise = Array.from({ length: 3 }, () => randomBytes(600_000).toString('base64'));
    const record: ReleaseRecord = {
      release: RELEASE,
      namespace: NS,
      revision: 7,
      status: 'deployed',
      blueprint: { name: 'langfuse', version: '1.0.0', appVersion: '3' },
      berthVersion: '0.1.0',
      values: { noise },
      manifests: [],
      digest: 'abc',
      description: 'install complete',
      notes: ['a note'],
      startedAt: '2025-01-01T00:00:00.000Z',
    };
    await store.save(record);
    const chunks = cluster.names('Secret').filter((n) => n.startsWith(`berth.${RELEASE}.v7`));
    assert.ok(chunks.length >= 4, `chunks: ${chunks.join(', ')}`);
    assert.deepEqual(await store.load(NS, RELEASE, 7), record);
    assert.deepEqual(
      (await store.summaries(NS, RELEASE)).map((s) => s.revision),
      [7],
      'only the head is a summary',
    );
    await store.remove(NS, RELEASE, 7);
    assert.deepEqual(cluster.names('Secret'), []);
  });

  test('a missing continuation chunk is an error, not a truncated record', async () => {
    const cluster = new FakeCluster();
    const store = new ReleaseStore(cluster.client);
    const noise = randomBytes(900_000).toString('base64');
    await store.save({
      release: RELEASE,
      namespace: NS,
      revision: 1,
      status: 'deployed',
      blueprint: { name: 'x', version: '1', appVersion: '1' },
      berthVersion: '0',
      values: { noise },
      manifests: [],
      digest: '',
      description: '',
      notes: [],
      startedAt: '',
    });
    await cluster.delete({ apiVersion: 'v1', kind: 'Secret', namespace: NS, name: `berth.${RELEASE}.v1.1` });
    await assert.rejects(store.load(NS, RELEASE, 1), /missing chunk 1/);
  });
});
