/** restore: writers down, each store restored from a backup, writers up. */
import { type RestoreResult, restoreRelease } from '../backup/restore.ts';
import { checkLabelName } from '../names.ts';
import { silent } from '../release/progress.ts';
import { connectRelease } from './cluster.ts';
import type { ActionEvents, ReleaseAt } from './deploy.ts';

export interface RestoreRequest extends ReleaseAt {
  readonly backup: string;
  readonly timeoutMs: number;
}

export function restore(request: RestoreRequest, events: ActionEvents = {}): Promise<RestoreResult> {
  checkLabelName('--backup', request.backup, `berth backups ${request.release} lists them`);
  return restoreRelease(connectRelease(request.release, request.cluster), {
    backup: request.backup,
    timeoutMs: request.timeoutMs,
    progress: events.progress ?? silent,
  });
}
