/**
 * The release lock on the in-memory cluster: the Lease it writes, when a holder counts as dead,
 * the refusal a live holder causes, compare-and-swap between racing takers, renewal, and release.
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, test } from 'node:test';
import {
  acquireLock,
  forceUnlock,
  holderIdentity,
  holderIsDead,
  LEASE_SECONDS,
} from '../../src/release/lock.ts';
import { apiError, FakeCluster } from '../support/fake-cluster.ts';

const NS = 'shop';
const LOCK = 'berth.lf.lock';
const MICRO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}000Z$/;
const ago = (seconds: number) => new Date(Date.now() - seconds * 1000).toISOString();
const DEAD_HERE = `berth/${hostname()}/2147483646/abcd`;

const lease = (spec: Record<string, unknown>) => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: LOCK, namespace: NS },
  spec,
});
const leaseSpec = (cluster: FakeCluster) =>
  cluster.find('Lease', LOCK)?.spec as Record<string, unknown> | undefined;

/** Records the options of every apply (the lock must take the Lease over with force). */
class RecordingCluster extends FakeCluster {
  readonly applyOptions: unknown[] = [];
  override async apply(o: Parameters<FakeCluster['apply']>[0], options: { dryRun?: boolean } = {}) {
    this.applyOptions.push(options);
    return super.apply(o, options);
  }
}

interface CapturedTimer {
  readonly run: () => void;
  readonly ms: number | undefined;
  unref: boolean;
  cleared: boolean;
}

/** The renewal interval, captured instead of scheduled, so a test can run it by hand. */
const timers = {
  callbacks: [] as CapturedTimer[],
  realSet: globalThis.setInterval,
  realClear: globalThis.clearInterval,
};

/** Runs a test with setInterval and clearInterval captured (the test shim has no hooks). */
function withTimers(name: string, fn: () => Promise<void>): void {
  test(name, async () => {
    timers.callbacks = [];
    globalThis.setInterval = ((run: () => void, ms?: number) => {
      const timer: CapturedTimer = { run, ms, unref: false, cleared: false };
      timers.callbacks.push(timer);
      return {
        timer,
        unref: () => {
          timer.unref = true;
        },
      };
    }) as unknown as typeof setInterval;
    globalThis.clearInterval = ((handle: { timer?: CapturedTimer } | undefined) => {
      if (handle?.timer) handle.timer.cleared = true;
    }) as unknown as typeof clearInterval;
    try {
      await fn();
    } finally {
      globalThis.setInterval = timers.realSet;
      globalThis.clearInterval = timers.realClear;
    }
  });
}

describe('when a holder counts as dead', () => {
  const now = new Date();
  const at = (msAgo: number) => new Date(now.getTime() - msAgo).toISOString();

  test('a lease renewed within its duration is alive; one past it is dead', () => {
    const other = 'berth/elsewhere/42/abcd';
    assert.equal(holderIsDead(other, now, { renewTime: at(5_000), leaseDurationSeconds: 30 }), false);
    assert.equal(holderIsDead(other, now, { renewTime: at(30_000), leaseDurationSeconds: 30 }), false);
    assert.equal(holderIsDead(other, now, { renewTime: at(30_001), leaseDurationSeconds: 30 }), true);
    assert.equal(holderIsDead(other, now, { renewTime: at(40_000), leaseDurationSeconds: 60 }), false);
    assert.equal(holderIsDead(other, now, { renewTime: at(40_000) }), true, `${LEASE_SECONDS} s by default`);
    assert.equal(holderIsDead(other, now, { renewTime: at(20_000) }), false);
  });

  test('the renewal time counts, else the acquire time; a lease with neither is dead', () => {
    const other = 'berth/elsewhere/42/abcd';
    assert.equal(holderIsDead(other, now, { renewTime: at(1_000), acquireTime: at(3_600_000) }), false);
    assert.equal(holderIsDead(other, now, { acquireTime: at(1_000) }), false);
    assert.equal(holderIsDead(other, now, { acquireTime: at(3_600_000) }), true);
    assert.equal(holderIsDead(other, now, {}), true);
  });

  test('on this host, a holder whose process is gone is dead at once; a running one is not', () => {
    const fresh = { renewTime: at(1_000) };
    assert.equal(holderIsDead(DEAD_HERE, now, fresh), true);
    assert.equal(holderIsDead(`berth/${hostname()}/${process.pid}/abcd`, now, fresh), false);
    assert.equal(holderIsDead(`berth/${hostname()}`, now, fresh), false, 'no pid: cannot tell');
    assert.equal(
      holderIsDead('berth/elsewhere/2147483646/abcd', now, fresh),
      false,
      'another host: cannot tell',
    );
  });

  test('holders are named berth/<host>/<pid>/<nonce>', () => {
    const holder = holderIdentity();
    assert.match(holder, new RegExp(`^berth/${hostname()}/${process.pid}/[0-9a-f]{8}$`));
    assert.notEqual(holderIdentity(), holder);
  });
});

describe('taking the lock', () => {
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  withTimers(
    'writes a Lease naming the holder, with berth labels and microsecond times, and releases it',
    async () => {
      const cluster = new FakeCluster();
      const lock = await acquireLock(cluster.client, NS, 'lf', 'berth/here/1/abcd');
      assert.equal(lock.holder, 'berth/here/1/abcd');
      assert.equal(lock.tookOverFrom, undefined);
      assert.equal('tookOverFrom' in lock, false);
      const live = cluster.find('Lease', LOCK)!;
      assert.deepEqual(live.metadata.labels, { 'berth.dev/owner': 'berth', 'berth.dev/release': 'lf' });
      const spec = leaseSpec(cluster)!;
      assert.equal(spec.holderIdentity, 'berth/here/1/abcd');
      assert.equal(spec.leaseDurationSeconds, 30);
      assert.match(String(spec.acquireTime), MICRO);
      assert.equal(spec.renewTime, spec.acquireTime);
      assert.equal(timers.callbacks[0]?.ms, 10_000);
      assert.equal(timers.callbacks[0]?.unref, true, 'renewal never keeps the process alive');
      await lock.release();
      assert.equal(timers.callbacks[0]?.cleared, true);
      assert.deepEqual(cluster.names('Lease'), []);
    },
  );

  withTimers('a live holder keeps it: the refusal names the holder and since when', async () => {
    const cluster = new FakeCluster();
    const since = ago(5);
    cluster.seed(lease({ holderIdentity: 'berth/elsewhere/42/abcd', acquireTime: since, renewTime: ago(1) }));
    await assert.rejects(acquireLock(cluster.client, NS, 'lf'), {
      code: 'BERTH_RELEASE_LOCKED',
      message: `release lf is locked by berth/elsewhere/42/abcd since ${since}`,
      hint: 'another berth command is working on this release; wait for it to finish (a crashed holder loses the lock on its own)',
      exitCode: 3,
    });
    const noTime = new FakeCluster();
    noTime.seed(lease({ holderIdentity: 'berth/elsewhere/42/abcd', renewTime: ago(1) }));
    await assert.rejects(acquireLock(noTime.client, NS, 'lf'), {
      message: 'release lf is locked by berth/elsewhere/42/abcd since an unknown time',
    });
  });

  withTimers('a dead holder is taken over with force, on the resourceVersion it was read at', async () => {
    const cluster = new RecordingCluster();
    cluster.seed(lease({ holderIdentity: DEAD_HERE, renewTime: ago(1) }));
    const lock = await acquireLock(cluster.client, NS, 'lf', 'berth/here/1/abcd');
    assert.equal(lock.tookOverFrom, DEAD_HERE);
    assert.equal(leaseSpec(cluster)?.holderIdentity, 'berth/here/1/abcd');
    assert.deepEqual(cluster.applyOptions, [{ force: true }]);
    await lock.release();
  });

  withTimers('a Lease without a holder is taken without a takeover', async () => {
    const cluster = new FakeCluster();
    cluster.seed(lease({}));
    const lock = await acquireLock(cluster.client, NS, 'lf', 'berth/here/1/abcd');
    assert.equal(lock.tookOverFrom, undefined);
    assert.equal(leaseSpec(cluster)?.holderIdentity, 'berth/here/1/abcd');
    await lock.release();
  });

  withTimers(
    'of two runs taking over at once, the slower gets a conflict and the winner is named',
    async () => {
      const cluster = new FakeCluster();
      cluster.seed(lease({ holderIdentity: DEAD_HERE, renewTime: ago(1) }));
      const winnerSince = ago(0);
      cluster.fault = (call) => {
        if (call.operation === 'apply' && call.kind === 'Lease') {
          cluster.fault = undefined;
          cluster.seed(
            lease({
              holderIdentity: 'berth/winner/7/beef',
              acquireTime: winnerSince,
              renewTime: winnerSince,
            }),
          );
        }
      };
      await assert.rejects(acquireLock(cluster.client, NS, 'lf'), {
        code: 'BERTH_RELEASE_LOCKED',
        message: `release lf is locked by berth/winner/7/beef since ${winnerSince}`,
      });
      assert.equal(leaseSpec(cluster)?.holderIdentity, 'berth/winner/7/beef');
    },
  );

  withTimers(
    'a conflict on creation with no holder in the Lease is reported as it is; a server error stays one',
    async () => {
      const cluster = new FakeCluster();
      cluster.fault = (call) => {
        if (call.operation === 'create' && call.kind === 'Lease') {
          cluster.seed(lease({}));
          throw apiError('create', 'Lease', 409, 'already exists');
        }
      };
      await assert.rejects(
        acquireLock(cluster.client, NS, 'lf'),
        (error: Error) => /already exists/.test(error.message) && !/locked by/.test(error.message),
      );
      const broken = new FakeCluster();
      broken.fault = (call) => {
        if (call.operation === 'create') throw apiError('create', 'Lease', 500, 'etcd unavailable');
      };
      await assert.rejects(acquireLock(broken.client, NS, 'lf'), { status: 500 });
    },
  );

  withTimers('a failed write is created again only after a server error that left no Lease', async () => {
    const oneShot = (cluster: FakeCluster, operation: 'create' | 'apply', fail: () => never) => {
      let failed = false;
      cluster.fault = (call) => {
        if (call.operation === operation && call.kind === 'Lease' && !failed) {
          failed = true;
          fail();
        }
      };
    };
    const creates = (cluster: FakeCluster) =>
      cluster.calls.filter((c) => c.operation === 'create' && c.kind === 'Lease').length;

    const retried = new FakeCluster();
    oneShot(retried, 'create', () => {
      throw apiError('create', 'Lease', 500, 'etcd timeout');
    });
    const lock = await acquireLock(retried.client, NS, 'lf', 'berth/here/1/abcd');
    assert.equal(leaseSpec(retried)?.holderIdentity, 'berth/here/1/abcd');
    assert.equal(creates(retried), 2);
    await lock.release();

    const forbidden = new FakeCluster();
    oneShot(forbidden, 'create', () => {
      throw apiError('create', 'Lease', 403, 'forbidden');
    });
    await assert.rejects(acquireLock(forbidden.client, NS, 'lf'), { status: 403 });
    assert.equal(creates(forbidden), 1);

    const raced = new FakeCluster();
    oneShot(raced, 'create', () => {
      raced.seed(lease({ holderIdentity: 'berth/elsewhere/42/abcd', renewTime: ago(0) }));
      throw apiError('create', 'Lease', 500, 'etcd timeout');
    });
    await assert.rejects(acquireLock(raced.client, NS, 'lf'), { status: 500 });
    assert.equal(leaseSpec(raced)?.holderIdentity, 'berth/elsewhere/42/abcd');

    const takeover = new FakeCluster();
    takeover.seed(lease({ holderIdentity: DEAD_HERE, renewTime: ago(1) }));
    oneShot(takeover, 'apply', () => {
      throw apiError('apply', 'Lease', 503, 'unavailable');
    });
    await assert.rejects(acquireLock(takeover.client, NS, 'lf'), { status: 503, code: 'BERTH_KUBE_API' });
    assert.equal(creates(takeover), 0);
  });

  withTimers('a write that got no answer from the API server fails with its own error', async () => {
    const cluster = new FakeCluster();
    let wrote = false;
    cluster.fault = (call) => {
      if (call.kind !== 'Lease') return;
      if (call.operation === 'create') wrote = true;
      if (wrote) throw new Error(`${call.operation}: socket hang up`);
    };
    await assert.rejects(acquireLock(cluster.client, NS, 'lf'), { message: 'create: socket hang up' });
  });

  withTimers(
    'renewal moves the renew time on; a lock taken over meanwhile is left to its new holder',
    async () => {
      const cluster = new FakeCluster();
      const lock = await acquireLock(cluster.client, NS, 'lf', 'berth/here/1/abcd');
      const acquired = leaseSpec(cluster)!;
      const renew = timers.callbacks[0]!.run;
      await new Promise((resolve) => setTimeout(resolve, 5));
      renew();
      await settle();
      const first = leaseSpec(cluster)!;
      assert.equal(first.holderIdentity, 'berth/here/1/abcd');
      assert.equal(first.acquireTime, acquired.acquireTime);
      assert.match(String(first.renewTime), MICRO);
      assert.ok(String(first.renewTime) > String(acquired.renewTime), 'renewed later');
      await new Promise((resolve) => setTimeout(resolve, 5));
      renew();
      await settle();
      assert.ok(String(leaseSpec(cluster)!.renewTime) > String(first.renewTime), 'renewed twice in a row');
      assert.equal(timers.callbacks[0]?.cleared, false);

      cluster.seed(lease({ holderIdentity: 'berth/other/9/cafe', renewTime: ago(0) }));
      renew();
      await settle();
      assert.equal(timers.callbacks[0]?.cleared, true, 'renewal stops once the lease is lost');
      await lock.release();
      assert.equal(leaseSpec(cluster)?.holderIdentity, 'berth/other/9/cafe', "the new holder's lease stays");
    },
  );

  withTimers('a renewal that fails for another reason keeps trying', async () => {
    const cluster = new FakeCluster();
    const lock = await acquireLock(cluster.client, NS, 'lf', 'berth/here/1/abcd');
    cluster.fault = (call) => {
      if (call.operation === 'apply') throw apiError('apply', 'Lease', 503, 'unavailable');
    };
    timers.callbacks[0]!.run();
    await settle();
    cluster.fault = undefined;
    assert.equal(timers.callbacks[0]?.cleared, false);
    await lock.release();
    assert.deepEqual(cluster.names('Lease'), []);
  });
});

describe('force-unlock', () => {
  test('drops the Lease whoever holds it and names the holder; no Lease, nothing to say', async () => {
    const cluster = new FakeCluster();
    assert.equal(await forceUnlock(cluster.client, NS, 'lf'), undefined);
    cluster.seed(lease({ holderIdentity: 'berth/elsewhere/42/abcd', renewTime: ago(0) }));
    assert.equal(await forceUnlock(cluster.client, NS, 'lf'), 'berth/elsewhere/42/abcd');
    assert.deepEqual(cluster.names('Lease'), []);
    cluster.seed(lease({}));
    assert.equal(await forceUnlock(cluster.client, NS, 'lf'), undefined);
    assert.deepEqual(cluster.names('Lease'), []);
  });
});
