/** backups: the backups of a release, newest first. */
import type { BackupRecord } from '../backup/record.ts';
import { listBackups } from '../backup/run.ts';
import { connectRelease } from './cluster.ts';
import type { ReleaseAt } from './deploy.ts';

export function backups(request: ReleaseAt): Promise<BackupRecord[]> {
  return listBackups(connectRelease(request.release, request.cluster));
}
