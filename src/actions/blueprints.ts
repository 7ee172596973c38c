/** blueprints: the platforms berth can deploy. */
import { listBlueprints } from '../blueprints/registry.ts';

export interface BlueprintSummary {
  readonly name: string;
  readonly version: string;
  readonly appVersion: string;
  readonly description: string;
}

export async function blueprints(): Promise<BlueprintSummary[]> {
  return (await listBlueprints()).map(({ name, version, appVersion, description }) => ({
    name,
    version,
    appVersion,
    description,
  }));
}
