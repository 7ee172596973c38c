/** `berth export helm|gitops`: the rendered release for tools other than berth. */
import type { Command } from 'commander';
import { getBlueprint } from '../../blueprints/registry.ts';
import { writeExport } from '../../export/files.ts';
import { helmChart } from '../../export/helm.ts';
import { collectUserValues } from '../../values/sources.ts';
import { note, parseOutputFormat, printJson } from '../output.ts';
import { addValueOptions, valueSources } from '../value-options.ts';
import { blueprintJsonSchema } from './info.ts';

interface ExportOptions {
  values: string[];
  outputDir: string;
  output: string;
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
      const blueprint = await getBlueprint(name);
      const userValues = collectUserValues(valueSources(options.values, process.argv));
      const files = await helmChart(blueprint, userValues, { jsonSchema: await blueprintJsonSchema(name) });
      writeExport(options.outputDir, files);
      report('HelmChart', options.outputDir, files, format);
    });
}
