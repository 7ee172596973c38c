import { join } from 'node:path';
import type { Command } from 'commander';
import { render } from '../../actions/render.ts';
import { getBlueprint } from '../../blueprints/registry.ts';
import { STAGES } from '../../render/model.ts';
import type { Manifest, RenderResult } from '../../render/render.ts';
import { collectUserValues } from '../../values/sources.ts';
import { toYaml } from '../../yaml.ts';
import { note, parseOutputFormat, warn } from '../output.ts';
import { makeOutputDir, writeOutputFile } from '../output-dir.ts';
import { addOfflineRenderOptions, valueSources } from '../value-options.ts';

interface RenderOptions {
  values: string[];
  namespace: string;
  release?: string;
  output: string;
  outputDir?: string;
}

function manifestYaml(manifest: Manifest): string {
  const source = `# stage: ${manifest.stage}${manifest.component ? `, component: ${manifest.component}` : ''}`;
  return `---\n${source}\n${toYaml(manifest.object)}`;
}

export function manifestsYaml(result: RenderResult): string {
  return result.manifests.map(manifestYaml).join('');
}

function manifestsList(result: RenderResult): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'List', items: result.manifests.map((m) => m.object) };
}

function writeOutputDir(dir: string, result: RenderResult, format: 'yaml' | 'json'): string[] {
  return result.manifests.map((manifest, index) => {
    const folder = `${STAGES.indexOf(manifest.stage) + 1}-${manifest.stage}`;
    const base = `${String(index).padStart(3, '0')}-${manifest.object.kind.toLowerCase()}-${manifest.object.metadata.name}`;
    return writeOutputFile(
      '--output-dir',
      dir,
      join(folder, `${base}.${format}`),
      format === 'json' ? `${JSON.stringify(manifest.object, null, 2)}\n` : manifestYaml(manifest),
    );
  });
}

export function registerRenderCommand(program: Command): void {
  addOfflineRenderOptions(
    program
      .command('render')
      .description('render a blueprint to Kubernetes objects, offline (like helm template)'),
  )
    .option('-o, --output <format>', 'yaml or json (a Kubernetes List)', 'yaml')
    .option('--output-dir <dir>', 'write one file per object into this folder instead of stdout')
    .action(async (name: string, options: RenderOptions) => {
      const format = parseOutputFormat(options.output, ['yaml', 'json'] as const);
      if (options.outputDir) makeOutputDir('--output-dir', options.outputDir, false);
      const blueprint = await getBlueprint(name);
      const values = collectUserValues(valueSources(options.values, process.argv));
      const result = await render({
        blueprint,
        values,
        namespace: options.namespace,
        release: options.release,
      });
      if (options.outputDir) {
        const files = writeOutputDir(options.outputDir, result, format);
        note(`wrote ${files.length} files to ${options.outputDir}`);
      } else if (format === 'json') {
        process.stdout.write(`${JSON.stringify(manifestsList(result), null, 2)}\n`);
      } else {
        process.stdout.write(manifestsYaml(result));
      }
      for (const warning of result.warnings) warn(warning);
      if (result.generatedSecrets.length) {
        warn(
          `generated fresh random values for ${result.generatedSecrets.join(', ')}; berth install generates them once and keeps them — do not commit rendered Secrets`,
        );
      }
      for (const line of result.notes) note(line);
    });
}
