/** `berth export helm|gitops`: the rendered release for tools other than berth. */
import { basename, isAbsolute, normalize } from 'node:path';
import type { Command } from 'commander';
import { exportGitops, exportHelm } from '../../actions/export.ts';
import { getBlueprint } from '../../blueprints/registry.ts';
import { BerthError } from '../../errors.ts';
import { writeExport } from '../../export/files.ts';
import { SECRET_MODES, type SecretMode } from '../../export/gitops.ts';
import { collectUserValues } from '../../values/sources.ts';
import { note, parseOutputFormat, printJson } from '../output.ts';
import { makeOutputDir } from '../output-dir.ts';
import { addOfflineRenderOptions, addValueOptions, valueSources } from '../value-options.ts';

interface ExportOptions {
  values: string[];
  outputDir: string;
  output: string;
}

interface GitopsExportOptions extends ExportOptions {
  namespace: string;
  release?: string;
  secrets: string;
  secretStore?: string;
  secretStoreKind: string;
  remoteKeyPrefix: string;
  fluxSource: string;
  fluxSourceNamespace: string;
  fluxPath?: string;
}

function oneOf<const T extends readonly string[]>(flag: string, value: string, allowed: T): T[number] {
  if ((allowed as readonly string[]).includes(value)) return value as T[number];
  throw new BerthError(
    'BERTH_FLAG_INVALID',
    `${flag}: expected one of ${allowed.join(', ')}, got "${value}"`,
  );
}

function fluxSource(value: string, namespace: string): { kind: string; name: string; namespace: string } {
  const [kind, name, ...rest] = value.split('/');
  if (!kind || !name || rest.length) {
    throw new BerthError(
      'BERTH_FLAG_INVALID',
      `--flux-source: expected <Kind>/<name> (e.g. GitRepository/flux-system), got "${value}"`,
    );
  }
  return { kind, name, namespace };
}

/** The output folder as a repository path, when it is relative; the user names it otherwise. */
function defaultFluxPath(outputDir: string): string {
  return isAbsolute(outputDir) ? `./${basename(outputDir)}` : `./${normalize(outputDir)}`;
}

function externalSecretsOptions(options: GitopsExportOptions, mode: SecretMode) {
  if (mode !== 'external-secrets') return undefined;
  if (!options.secretStore) {
    throw new BerthError(
      'BERTH_FLAG_INVALID',
      '--secret-store: expected the name of the SecretStore to read from, with --secrets external-secrets',
    );
  }
  return {
    store: options.secretStore,
    storeKind: oneOf('--secret-store-kind', options.secretStoreKind, [
      'SecretStore',
      'ClusterSecretStore',
    ] as const),
    keyPrefix: options.remoteKeyPrefix,
  };
}

function report(
  kind: string,
  dir: string,
  files: ReadonlyMap<string, string>,
  format: 'text' | 'json',
): void {
  if (format === 'json') {
    printJson({
      apiVersion: 'berth.dev/v1',
      kind: `${kind}Export`,
      outputDir: dir,
      files: [...files.keys()],
    });
  } else {
    note(`wrote ${files.size} files to ${dir}`);
  }
}

export function registerExportCommands(program: Command): void {
  const exporter = program
    .command('export')
    .description('export a rendered blueprint as a Helm chart or a GitOps folder');

  addValueOptions(
    exporter
      .command('helm')
      .description('a Helm chart whose helm template equals berth render for these values')
      .argument('<blueprint>', 'blueprint name (see berth blueprints)'),
  )
    .requiredOption('--output-dir <dir>', 'chart folder to write (new, empty, or an earlier export)')
    .option('-o, --output <format>', 'text or json (the files written)', 'text')
    .action(async (name: string, options: ExportOptions) => {
      const format = parseOutputFormat(options.output, ['text', 'json'] as const);
      makeOutputDir('--output-dir', options.outputDir, false);
      const blueprint = await getBlueprint(name);
      const values = collectUserValues(valueSources(options.values, process.argv));
      const files = await exportHelm({ blueprint, values });
      makeOutputDir('--output-dir', options.outputDir);
      writeExport(options.outputDir, files);
      report('HelmChart', options.outputDir, files, format);
    });

  addOfflineRenderOptions(
    exporter
      .command('gitops')
      .description('one file per object, a folder per stage and a kustomization.yaml, for Argo CD and Flux'),
  )
    .requiredOption('--output-dir <dir>', 'folder to write (new, empty, or an earlier export)')
    .option('--secrets <mode>', `what to do with Secrets: ${SECRET_MODES.join(' or ')}`, 'omit')
    .option('--secret-store <name>', 'external-secrets: the SecretStore to read from')
    .option(
      '--secret-store-kind <kind>',
      'external-secrets: SecretStore or ClusterSecretStore',
      'SecretStore',
    )
    .option(
      '--remote-key-prefix <prefix>',
      'external-secrets: remote key of a Secret = prefix + its name',
      '',
    )
    .option('--flux-source <kind/name>', 'the Flux source holding this folder', 'GitRepository/flux-system')
    .option(
      '--flux-source-namespace <namespace>',
      'namespace of the Flux source and Kustomizations',
      'flux-system',
    )
    .option(
      '--flux-path <path>',
      'path of this folder in the Flux source (default: --output-dir if relative, else its last part)',
    )
    .option('-o, --output <format>', 'text or json (the files written)', 'text')
    .action(async (name: string, options: GitopsExportOptions) => {
      const format = parseOutputFormat(options.output, ['text', 'json'] as const);
      makeOutputDir('--output-dir', options.outputDir, false);
      const secrets = oneOf('--secrets', options.secrets, SECRET_MODES);
      const externalSecrets = externalSecretsOptions(options, secrets);
      const source = fluxSource(options.fluxSource, options.fluxSourceNamespace);
      const blueprint = await getBlueprint(name);
      const values = collectUserValues(valueSources(options.values, process.argv));
      const files = await exportGitops({
        blueprint,
        values,
        options: {
          release: options.release ?? blueprint.name,
          namespace: options.namespace,
          secrets,
          ...(externalSecrets ? { externalSecrets } : {}),
          flux: { source, path: options.fluxPath ?? defaultFluxPath(options.outputDir) },
        },
      });
      makeOutputDir('--output-dir', options.outputDir);
      writeExport(options.outputDir, files);
      report('GitopsFolder', options.outputDir, files, format);
    });
}
