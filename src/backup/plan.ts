/** What a backup does with each store of a release: which stores it runs, and their records. */
import { storePath } from './jobs.ts';
import type { StoreRecord } from './record.ts';
import type { Store, StoreInventory } from './stores.ts';
import type { Target } from './target.ts';

export const METHOD: Record<Store['kind'], string> = {
  postgresql: 'pg_dump -Fc of every database',
  clickhouse: 'BACKUP DATABASE ... TO S3',
  minio: 'mc mirror of every bucket',
  redis: 'redis-cli --rdb (a copy of the dataset)',
};

/** What a backup to `target` runs, and a record for each store it leaves out, with the reason. */
export function planBackup(found: StoreInventory, target: Target): { runs: Store[]; notRun: StoreRecord[] } {
  const notRun: StoreRecord[] = found.uncovered.map((u) => ({
    component: u.component,
    status: u.kind,
    method: 'none',
    objects: [],
    reason: u.reason,
  }));
  const runs: Store[] = [];
  for (const store of found.stores) {
    if (store.kind === 'clickhouse' && target.kind === 'pvc')
      notRun.push({
        component: store.component,
        status: 'skipped',
        method: METHOD.clickhouse,
        objects: [],
        reason:
          'ClickHouse writes BACKUP on its own server, not into a claim: use an s3:// target to include it',
      });
    else runs.push(store);
  }
  return { runs, notRun };
}

/** The record of one store of backup `id`, before its Job has run. */
export function storeRecord(
  store: Pick<Store, 'component' | 'kind'>,
  at: { readonly release: string; readonly id: string; readonly target: string; readonly job: string },
): StoreRecord {
  return {
    component: store.component,
    status: 'pending',
    method: METHOD[store.kind],
    job: at.job,
    location: `${at.target}/${storePath(at.release, at.id, store.component)}`,
    objects: [],
  };
}
