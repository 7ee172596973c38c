import { BerthError } from '../errors.ts';
import { nearest } from '../values/suggest.ts';
import type { Blueprint } from './blueprint.ts';
import { langfuse } from './langfuse/blueprint.ts';

const all: readonly Blueprint[] = [langfuse as unknown as Blueprint];

export function listBlueprints(): readonly Blueprint[] {
  return all;
}

export function getBlueprint(name: string): Blueprint {
  const found = all.find((b) => b.name === name);
  if (found) return found;
  const guess = nearest(
    name,
    all.map((b) => b.name),
  );
  throw new BerthError(
    'BERTH_BLUEPRINT_UNKNOWN',
    `unknown blueprint "${name}"${guess ? `; did you mean ${guess}?` : ''}`,
    {
      hint: `known blueprints: ${all.map((b) => b.name).join(', ')} (berth blueprints)`,
    },
  );
}
