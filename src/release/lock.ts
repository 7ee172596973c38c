/**
 * One writer per release: a coordination.k8s.io Lease with holder identity, renewed while the
 * holder works. A holder that died (its process is gone on this host, or its lease expired) loses
 * the lock to the next run, so a crash never leaves a release stuck.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { BerthError, ExitCode } from '../errors.ts';
import type { ClusterApi } from '../kube/cluster-api.ts';
import { KubeApiError } from '../kube/errors.ts';
import type { LiveObject } from '../kube/types.ts';
import { lockName } from './labels.ts';

export const LEASE_SECONDS = 30;
const RENEW_EVERY_MS = 10_000;

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
}

/** `berth/<host>/<pid>/<nonce>`: enough to tell whether the holder still runs. */
export function holderIdentity(): string {
  return `berth/${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
}

function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function holderIsDead(holder: string, now: Date, spec: LeaseSpec): boolean {
  const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? '');
  const expired =
    Number.isNaN(renewed) || renewed + (spec.leaseDurationSeconds ?? LEASE_SECONDS) * 1000 < now.getTime();
  if (expired) return true;
  const [, host, pid] = holder.split('/');
  if (host !== hostname() || !pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export class ReleaseLockedError extends BerthError {
  constructor(release: string, holder: string, since: string) {
    super('BERTH_RELEASE_LOCKED', `release ${release} is locked by ${holder} since ${since}`, {
      exitCode: ExitCode.runtime,
      hint: 'another berth command is working on this release; wait for it to finish (a crashed holder loses the lock on its own)',
    });
  }
}

export interface HeldLock {
  readonly holder: string;
  /** The previous holder, when it had died and this run took the lock over. */
  readonly tookOverFrom?: string;
  release(): Promise<void>;
}

function leaseObject(namespace: string, release: string, spec: LeaseSpec, resourceVersion?: string) {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: lockName(release),
      namespace,
      labels: { 'berth.dev/owner': 'berth', 'berth.dev/release': release },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    spec,
  };
}

export async function acquireLock(
  client: ClusterApi,
  namespace: string,
  release: string,
  holder = holderIdentity(),
): Promise<HeldLock> {
  const ref = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace, name: lockName(release) };
  const now = new Date();
  const live: LiveObject | undefined = await client.get(ref);
  const spec = (live?.spec ?? {}) as LeaseSpec;
  let tookOverFrom: string | undefined;
  if (live && spec.holderIdentity) {
    if (!holderIsDead(spec.holderIdentity, now, spec)) {
      throw new ReleaseLockedError(release, spec.holderIdentity, spec.acquireTime ?? 'an unknown time');
    }
    tookOverFrom = spec.holderIdentity;
  }
  const fresh: LeaseSpec = {
    holderIdentity: holder,
    leaseDurationSeconds: LEASE_SECONDS,
    acquireTime: microTime(now),
    renewTime: microTime(now),
  };
  let current: LiveObject;
  // Create when absent, else compare-and-swap on the resourceVersion: of two racing takers, one
  // gets a conflict.
  const lease = leaseObject(namespace, release, fresh, live?.metadata.resourceVersion);
  try {
    current = live ? await client.apply(lease, { force: true }) : await client.create(lease);
  } catch (error) {
    if (!(error instanceof KubeApiError)) throw error;
    // Whether the write took effect is read back: a create whose answer was lost may have made the
    // lease ours, a server error that left nothing behind is worth one more create, and a conflict
    // is a holder's only when there is one.
    const after = await client.get(ref);
    const winner = (after?.spec ?? {}) as LeaseSpec;
    if (after && winner.holderIdentity === holder) current = after;
    else if (!live && !after && error.status >= 500) current = await client.create(lease);
    else if (error.status === 409 && winner.holderIdentity)
      throw new ReleaseLockedError(release, winner.holderIdentity, winner.acquireTime ?? microTime(now));
    else throw error;
  }
  let lost = false;
  // A renewal still in flight when the lock is released would put the Lease back after its delete.
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    const renewed = { ...fresh, renewTime: microTime(new Date()) };
    renewing = client
      .apply(leaseObject(namespace, release, renewed, current.metadata.resourceVersion), { force: true })
      .then((updated) => {
        current = updated;
      })
      .catch((error: unknown) => {
        // Someone took the lease over (we looked dead): stop renewing it.
        if (error instanceof KubeApiError && error.status === 409) {
          lost = true;
          clearInterval(timer);
        }
      });
  }, RENEW_EVERY_MS);
  timer.unref();
  return {
    holder,
    ...(tookOverFrom ? { tookOverFrom } : {}),
    async release() {
      clearInterval(timer);
      await renewing;
      if (!lost) await client.delete(ref);
    },
  };
}

/** For humans only: drop a lock whatever its holder. Never needed after a crash. */
export async function forceUnlock(
  client: ClusterApi,
  namespace: string,
  release: string,
): Promise<string | undefined> {
  const ref = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace, name: lockName(release) };
  const live = await client.get(ref);
  if (!live) return undefined;
  await client.delete(ref);
  return ((live.spec ?? {}) as LeaseSpec).holderIdentity;
}
