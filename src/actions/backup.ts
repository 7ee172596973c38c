/** backup: one Job per bundled store of a release, recorded with sizes and checksums. */
import type { BackupRecord } from '../backup/record.ts';
import { backupRelease, type BackupRequest as CoreBackupRequest } from '../backup/run.ts';
import { parseTargetText } from '../backup/target.ts';
import { BerthError } from '../errors.ts';
import { checkObjectName } from '../names.ts';
import { silent } from '../release/progress.ts';
import { connectRelease } from './cluster.ts';
import type { ActionEvents, ReleaseAt } from './deploy.ts';

export interface BackupRequest extends ReleaseAt, Omit<CoreBackupRequest, 'progress' | 'trigger'> {}

/** The flags' syntax, before anything connects (what they mean for the release is checked on it). */
function checkBackupFlags({ to, s3 }: BackupRequest): void {
  if (to !== undefined) parseTargetText(to, '--to');
  if (s3?.existingSecret !== undefined) checkObjectName('--s3-secret', s3.existingSecret);
  if (s3?.endpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(s3.endpoint))
    throw new BerthError(
      'BERTH_FLAG_INVALID',
      `--s3-endpoint: expected an http:// or https:// URL, got ${JSON.stringify(s3.endpoint)}`,
    );
}

export function backup(request: BackupRequest, events: ActionEvents = {}): Promise<BackupRecord> {
  const { cluster: _cluster, release, ...rest } = request;
  checkBackupFlags(request);
  return backupRelease(connectRelease(release, request.cluster), {
    ...rest,
    trigger: 'manual',
    progress: events.progress ?? silent,
  });
}
