/** `berth import compose`: a compose file in, a blueprint skeleton and a report out. No printing here. */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { BerthError } from '../errors.ts';
import { readInputFile } from '../input.ts';
import { type GeneratedFiles, generateFiles } from './generate.ts';
import { parseEnvFile, type Variables } from './interpolate.ts';
import { loadCompose } from './load.ts';
import { buildPlan, dnsName, type FileLookup, type ImportPlan } from './plan.ts';

export type { ImportPlan } from './plan.ts';

export interface ImportComposeOptions {
  readonly file: string;
  readonly name?: string;
  readonly envFile?: string;
  readonly profiles?: readonly string[];
  /** Variables from the environment running the import (process.env in the CLI). */
  readonly environment?: Variables;
  readonly srcRoot?: string;
}

export interface ImportResult {
  readonly plan: ImportPlan;
  readonly files: GeneratedFiles;
}

/** A file a service mounts, read relative to the compose file (never an absolute host path). */
function readNextTo(dir: string, file: string): FileLookup | undefined {
  if (/^[/~]/.test(file)) return undefined;
  const full = resolve(dir, file);
  if (!existsSync(full)) return undefined;
  if (statSync(full).isDirectory()) return { directory: true };
  return { content: readInputFile(full, { code: 'BERTH_COMPOSE_FILE', label: `mounted file ${file}` }) };
}

function readEnvFile(path: string, label: string): Record<string, string> {
  return parseEnvFile(readInputFile(path, { code: 'BERTH_COMPOSE_ENV_FILE', label }));
}

export function importCompose(options: ImportComposeOptions): ImportResult {
  const path = resolve(options.file);
  if (!existsSync(path))
    throw new BerthError('BERTH_COMPOSE_MISSING', `compose file ${options.file} does not exist`);
  const dir = dirname(path);
  // Like compose: the shell environment wins over the .env file.
  const envFile = options.envFile ?? (existsSync(resolve(dir, '.env')) ? resolve(dir, '.env') : undefined);
  if (options.envFile && !existsSync(resolve(options.envFile))) {
    throw new BerthError('BERTH_COMPOSE_ENV_FILE', `--env-file ${options.envFile} does not exist`);
  }
  const variables = {
    ...(envFile
      ? readEnvFile(envFile, options.envFile ? `--env-file ${options.envFile}` : `env file ${envFile}`)
      : {}),
    ...(options.environment ?? {}),
  };
  const text = readInputFile(path, { code: 'BERTH_COMPOSE_FILE', label: `compose file ${options.file}` });
  const project = loadCompose(text, {
    source: `compose file ${options.file}`,
    variables,
    profiles: options.profiles ?? [],
    readEnvFile: (file) => {
      const full = resolve(dir, file);
      return existsSync(full) ? readEnvFile(full, `env_file ${file}`) : undefined;
    },
  });
  const name = dnsName(options.name ?? basename(dir));
  const plan = buildPlan(project, name, { readFile: (file) => readNextTo(dir, file) });
  return {
    plan,
    files: generateFiles(plan, {
      source: basename(path),
      ...(options.srcRoot ? { srcRoot: options.srcRoot } : {}),
    }),
  };
}
