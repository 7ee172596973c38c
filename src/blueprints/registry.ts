/**
 * Blueprints are discovered by folder: every `src/blueprints/<name>/blueprint.ts` exports `blueprint`.
 * Only the one asked for is loaded, which keeps start-up fast.
 */
import { existsSync, readdirSync } from 'node:fs';
import { BerthError } from '../errors.ts';
import { nearest } from '../values/suggest.ts';
import type { UpstreamContract } from '../verify/contract.ts';
import type { Blueprint } from './blueprint.ts';

const ROOT = new URL('./', import.meta.url);

export function blueprintNames(): string[] {
  return readdirSync(ROOT, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(new URL(`${entry.name}/blueprint.ts`, ROOT)))
    .map((entry) => entry.name)
    .sort();
}

async function load(name: string): Promise<Blueprint> {
  const module = (await import(new URL(`${name}/blueprint.ts`, ROOT).href)) as { blueprint: Blueprint };
  return module.blueprint;
}

export async function listBlueprints(): Promise<Blueprint[]> {
  return Promise.all(blueprintNames().map(load));
}

export async function getBlueprint(name: string): Promise<Blueprint> {
  const known = blueprintNames();
  if (known.includes(name)) return load(name);
  const guess = nearest(name, known);
  throw new BerthError(
    'BERTH_BLUEPRINT_UNKNOWN',
    `unknown blueprint "${name}"${guess ? `; did you mean ${guess}?` : ''}`,
    {
      hint: `known blueprints: ${known.join(', ')} (berth blueprints)`,
    },
  );
}

/** The blueprint's upstream contract (`<name>/contract.ts`), when it has one. */
export async function getContract(name: string): Promise<UpstreamContract | undefined> {
  const url = new URL(`${name}/contract.ts`, ROOT);
  if (!existsSync(url)) return undefined;
  return ((await import(url.href)) as { contract: UpstreamContract }).contract;
}
