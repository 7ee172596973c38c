/** install: a blueprint as a new release. */
import type { ReleaseResult } from '../release/engine.ts';
import {
  type ActionEvents,
  type BlueprintValues,
  type DeploySettings,
  type ReleaseAt,
  runDeploy,
} from './deploy.ts';

export interface InstallRequest extends ReleaseAt, BlueprintValues {
  readonly settings: DeploySettings;
}

export function install(request: InstallRequest, events: ActionEvents = {}): Promise<ReleaseResult> {
  const { blueprint, values, rotateSecrets = [] } = request;
  return runDeploy(request, { kind: 'install', blueprint, values, rotateSecrets }, request.settings, events);
}
