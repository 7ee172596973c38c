/**
 * The blueprints berth ships, one `src/blueprints/<name>/` folder each (`blueprint.ts` exports
 * `blueprint`, `contract.ts` its upstream contract). The table is written out, not read from the
 * folder, so the bundler can split each blueprint into a chunk of its own: only the one asked for is
 * loaded, which keeps start-up fast. test/unit/blueprint-catalog.test.ts keeps it equal to the folders.
 * A folder added to a checkout (`berth import compose --output-dir src/blueprints/<name>`) is found
 * too: bin/berth then runs src/ (newer than the bundle), where such a folder loads like the others.
 */
import { existsSync, readdirSync } from 'node:fs';
import { BerthError } from '../errors.ts';
import { INSTALL_ROOT } from '../root.ts';
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

const LOCAL = new URL('src/blueprints/', INSTALL_ROOT);
const FOLDER_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** A blueprint folder of the checkout that is not in the table (an imported or hand-written one). */
function localFile(name: string, file: 'blueprint.ts' | 'contract.ts'): URL | undefined {
  if (Object.hasOwn(CATALOG, name) || !FOLDER_NAME.test(name)) return undefined;
  const url = new URL(`${name}/${file}`, LOCAL);
  return existsSync(url) ? url : undefined;
}

function localNames(): string[] {
  try {
    return readdirSync(LOCAL).filter((name) => localFile(name, 'blueprint.ts') !== undefined);
  } catch {
    return [];
  }
}

export function blueprintNames(): string[] {
  return [...Object.keys(CATALOG), ...localNames()].sort();
}

/** The whole module of a blueprint (it may export more than `blueprint`), or undefined. */
export async function blueprintModule(name: string): Promise<BlueprintModule | undefined> {
  if (Object.hasOwn(CATALOG, name)) return CATALOG[name]!.module();
  const local = localFile(name, 'blueprint.ts');
  return local && ((await import(local.href)) as BlueprintModule);
}

export async function listBlueprints(): Promise<Blueprint[]> {
  return Promise.all(blueprintNames().map(async (name) => (await blueprintModule(name))!.blueprint));
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
  if (Object.hasOwn(CATALOG, name)) return (await CATALOG[name]!.contract()).contract;
  const local = localFile(name, 'contract.ts');
  return local && ((await import(local.href)) as { contract: UpstreamContract }).contract;
}
