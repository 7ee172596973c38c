/**
 * The blueprints berth ships, one `src/blueprints/<name>/` folder each (`blueprint.ts` exports
 * `blueprint`, `contract.ts` its upstream contract). The table is written out, not read from the
 * folder, so the bundler can split each blueprint into a chunk of its own: only the one asked for is
 * loaded, which keeps start-up fast. test/unit/blueprint-catalog.test.ts keeps it equal to the folders.
 */
import { BerthError } from '../errors.ts';
import { nearest } from '../values/suggest.ts';
import type { UpstreamContract } from '../verify/contract.ts';
import type { Blueprint } from './blueprint.ts';

type BlueprintModule = { readonly blueprint: Blueprint } & Record<string, unknown>;

interface CatalogEntry {
  module(): Promise<BlueprintModule>;
  contract(): Promise<{ readonly contract: UpstreamContract }>;
}

const CATALOG: Readonly<Record<string, CatalogEntry>> = {
  csghub: { module: () => import('./csghub/blueprint.ts'), contract: () => import('./csghub/contract.ts') },
  dify: { module: () => import('./dify/blueprint.ts'), contract: () => import('./dify/contract.ts') },
  langfuse: {
    module: () => import('./langfuse/blueprint.ts'),
    contract: () => import('./langfuse/contract.ts'),
  },
  'model-router': {
    module: () => import('./model-router/blueprint.ts'),
    contract: () => import('./model-router/contract.ts'),
  },
  swanlab: {
    module: () => import('./swanlab/blueprint.ts'),
    contract: () => import('./swanlab/contract.ts'),
  },
};

export function blueprintNames(): string[] {
  return Object.keys(CATALOG).sort();
}

/** The whole module of a shipped blueprint (it may export more than `blueprint`), or undefined. */
export async function blueprintModule(name: string): Promise<BlueprintModule | undefined> {
  return Object.hasOwn(CATALOG, name) ? CATALOG[name]!.module() : undefined;
}

export async function listBlueprints(): Promise<Blueprint[]> {
  return Promise.all(blueprintNames().map(async (name) => (await CATALOG[name]!.module()).blueprint));
}

export async function getBlueprint(name: string): Promise<Blueprint> {
  const module = await blueprintModule(name);
  if (module) return module.blueprint;
  const known = blueprintNames();
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
  return Object.hasOwn(CATALOG, name) ? (await CATALOG[name]!.contract()).contract : undefined;
}
