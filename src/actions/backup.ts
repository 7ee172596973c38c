/** backup: one Job per bundled store of a release, recorded with sizes and checksums. */
import type { BackupRecord } from '../backup/record.ts';
import { backupRelease, type BackupRequest as CoreBackupRequest } from '../backup/run.ts';
import { silent } from '../release/progress.ts';
import { connectRelease } from './cluster.ts';
import type { ActionEvents, ReleaseAt } from './deploy.ts';

export interface BackupRequest extends ReleaseAt, Omit<CoreBackupRequest, 'progress' | 'trigger'> {}

export function backup(request: BackupRequest, events: ActionEvents = {}): Promise<BackupRecord> {
  const { cluster: _cluster, release, ...rest } = request;
  return backupRelease(connectRelease(release, request.cluster), {
    ...rest,
    trigger: 'manual',
    progress: events.progress ?? silent,
  });
}
