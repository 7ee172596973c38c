/**
 * Backup records: one ConfigMap per backup, labelled for its release next to the release records
 * (a backup holds no secret, only object names, sizes and checksums).
 */
import type { KubeClient } from '../kube/client.ts';
import type { LiveObject } from '../kube/types.ts';
import { LABEL } from '../release/labels.ts';
import type { ObjectResult } from './commands.ts';

export type BackupStatus = 'running' | 'succeeded' | 'failed';
export type StoreStatus = 'pending' | 'succeeded' | 'failed' | 'skipped' | 'external';

export interface StoreRecord {
  readonly component: string;
  status: StoreStatus;
  /** How it is backed up (`pg_dump -Fc`, ...), or why it is not. */
  readonly method: string;
  readonly job?: string;
  /** Where the store's part lives under the target. */
  readonly location?: string;
  objects: ObjectResult[];
  reason?: string;
}

export interface BackupRecord {
  readonly apiVersion: 'berth.dev/v1';
  readonly kind: 'Backup';
  readonly id: string;
  readonly release: string;
  readonly namespace: string;
  /** The release revision that was deployed when the backup was taken. */
  readonly revision: number;
  readonly blueprint: { readonly name: string; readonly version: string; readonly appVersion: string };
  /** The platform's images when the backup was taken (see platformVersion). */
  readonly platform: string;
  readonly target: string;
  /** `manual`, `upgrade` when the upgrade guard took it, `schedule` for a run of backup.schedule. */
  readonly trigger: 'manual' | 'upgrade' | 'schedule';
  status: BackupStatus;
  readonly startedAt: string;
  finishedAt?: string;
  readonly stores: StoreRecord[];
  reason?: string;
}

const CONFIG_MAP = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
const KIND_LABEL = 'berth.dev/record';

export function backupRecordName(release: string, id: string): string {
  return `berth.${release}.backup.${id}`;
}

function decode(object: LiveObject): BackupRecord {
  return JSON.parse(String((object.data as Record<string, string>).record)) as BackupRecord;
}

export class BackupStore {
  private readonly client: KubeClient;

  constructor(client: KubeClient) {
    this.client = client;
  }

  async save(record: BackupRecord): Promise<void> {
    await this.client.apply(
      {
        ...CONFIG_MAP,
        metadata: {
          name: backupRecordName(record.release, record.id),
          namespace: record.namespace,
          labels: {
            [LABEL.owner]: 'berth',
            [LABEL.release]: record.release,
            [KIND_LABEL]: 'backup',
            [LABEL.status]: record.status,
          },
        },
        data: { record: JSON.stringify(record) },
      },
      { force: true },
    );
  }

  async load(namespace: string, release: string, id: string): Promise<BackupRecord | undefined> {
    const object = await this.client.get({ ...CONFIG_MAP, namespace, name: backupRecordName(release, id) });
    return object ? decode(object) : undefined;
  }

  async remove(namespace: string, release: string, id: string): Promise<void> {
    await this.client.delete({ ...CONFIG_MAP, namespace, name: backupRecordName(release, id) });
  }

  /** Newest first. */
  async list(namespace: string, release: string): Promise<BackupRecord[]> {
    const objects = await this.client.list({
      ...CONFIG_MAP,
      namespace,
      labelSelector: `${LABEL.owner}=berth,${LABEL.release}=${release},${KIND_LABEL}=backup`,
    });
    return objects.map(decode).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }
}
