/** What a backup does with each store of a release: which stores it runs, and their records. */
import { storePath } from './jobs.ts';
import type { StoreRecord } from './record.ts';
import type { Store, StoreInventory } from './stores.ts';

const METHOD: Record<Store['kind'], string> = {
  postgresql: 'pg_dump -Fc of every database',
  clickhouse: 'SHOW CREATE TABLE and SELECT ... FORMAT Native of every table',
  minio: 'mc mirror of every bucket',
  redis: 'redis-cli --rdb (a copy of the dataset)',
};

/** How a store is backed up to a target (`pvc:...` or `s3://...`): ClickHouse writes to S3 itself. */
export function methodOf(kind: Store['kind'], target: string): string {
  return kind === 'clickhouse' && target.startsWith('s3://') ? 'BACKUP DATABASE ... TO S3' : METHOD[kind];
}

/** What a backup runs, and a record for each store it leaves out, with the reason. */
export function planBackup(found: StoreInventory): { runs: readonly Store[]; notRun: StoreRecord[] } {
  const notRun: StoreRecord[] = found.uncovered.map((u) => ({
    component: u.component,
    status: u.kind,
    method: 'none',
    objects: [],
    reason: u.reason,
  }));
  return { runs: found.stores, notRun };
}

/** The record of one store of backup `id`, before its Job has run. */
export function storeRecord(
  store: Pick<Store, 'component' | 'kind'>,
  at: { readonly release: string; readonly id: string; readonly target: string; readonly job: string },
): StoreRecord {
  return {
    component: store.component,
    status: 'pending',
    method: methodOf(store.kind, at.target),
    job: at.job,
    location: `${at.target}/${storePath(at.release, at.id, store.component)}`,
    objects: [],
  };
}
