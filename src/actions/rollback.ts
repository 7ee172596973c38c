/** rollback: put an earlier revision back (default: the previous one). */
import type { ReleaseResult } from '../release/engine.ts';
import { type ActionEvents, type DeploySettings, type ReleaseAt, runDeploy } from './deploy.ts';

export interface RollbackRequest extends ReleaseAt {
  readonly settings: DeploySettings;
  readonly revision?: number | undefined;
  /** Across a platform version change: restore the backup the upgrade took. */
  readonly restore?: boolean | undefined;
}

export function rollback(request: RollbackRequest, events: ActionEvents = {}): Promise<ReleaseResult> {
  const { revision, restore = false } = request;
  return runDeploy(
    request,
    revision === undefined ? { kind: 'rollback', restore } : { kind: 'rollback', revision, restore },
    request.settings,
    events,
  );
}
