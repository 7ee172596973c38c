/** uninstall: remove a release's objects and records; data volumes stay unless asked. */
import { silent } from '../release/progress.ts';
import { uninstall as removeRelease, type UninstallResult } from '../release/uninstall.ts';
import { connectRelease } from './cluster.ts';
import type { ActionEvents, ReleaseAt } from './deploy.ts';

export interface UninstallRequest extends ReleaseAt {
  readonly deleteData: boolean;
  readonly wait: boolean;
  readonly timeoutMs: number;
}

export function uninstall(request: UninstallRequest, events: ActionEvents = {}): Promise<UninstallResult> {
  const { deleteData, wait, timeoutMs } = request;
  return removeRelease(connectRelease(request.release, request.cluster), {
    deleteData,
    wait,
    timeoutMs,
    progress: events.progress ?? silent,
  });
}
