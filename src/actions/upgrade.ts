/** upgrade: a release to new values or a new blueprint version (optionally installing it). */
import type { SavedPlan } from '../plan/saved.ts';
import type { ReleaseResult } from '../release/engine.ts';
import { type ActionEvents, runDeploy } from './deploy.ts';
import type { InstallRequest } from './install.ts';

export interface UpgradeRequest extends InstallRequest {
  /** Install the release when it does not exist. */
  readonly installIfMissing?: boolean | undefined;
  /** Apply exactly this saved plan: refused when the inputs differ or the cluster moved since. */
  readonly plan?: SavedPlan | undefined;
}

export function upgrade(request: UpgradeRequest, events: ActionEvents = {}): Promise<ReleaseResult> {
  const { blueprint, values, rotateSecrets = [], installIfMissing = false } = request;
  return runDeploy(
    request,
    { kind: 'upgrade', blueprint, values, rotateSecrets, installIfMissing },
    request.settings,
    events,
    request.plan,
  );
}
