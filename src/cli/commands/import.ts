import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { importCompose } from '../../compose/index.ts';
import { importHelmValues } from '../../import/helm-values/index.ts';
import { toYaml } from '../../yaml.ts';
import { note, parseOutputFormat, printJson, warn } from '../output.ts';
import { makeOutputDir, writeOutputFile } from '../output-dir.ts';

interface ImportComposeFlags {
  name?: string;
  outputDir?: string;
  envFile?: string;
  profile: string[];
  output: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerImportCommand(program: Command): void {
  const importCommand = program
    .command('import')
    .description('turn other deployment formats into berth blueprints');
  importCommand
    .command('compose')
    .description(
      'turn a docker-compose file into a blueprint skeleton (TypeScript), values.yaml and REPORT.md',
    )
    .argument('<file>', 'the compose file, e.g. docker-compose.yaml')
    .option('--name <blueprint>', 'blueprint name (default: the folder of the compose file)')
    .option('--output-dir <dir>', 'where to write the files (default: ./<name>)')
    .option('--env-file <file>', 'variables for $VAR interpolation (default: .env next to the compose file)')
    .option('--profile <profile>', 'include services of this compose profile (repeatable)', collect, [])
    .option('-o, --output <format>', 'text (write files) or json (print the plan, write nothing)', 'text')
    .action((file: string, flags: ImportComposeFlags) => {
      const format = parseOutputFormat(flags.output, ['text', 'json'] as const);
      if (flags.outputDir && format === 'text') makeOutputDir('--output-dir', flags.outputDir, false);
      const result = importCompose({
        file,
        ...(flags.name ? { name: flags.name } : {}),
        ...(flags.envFile ? { envFile: flags.envFile } : {}),
        profiles: flags.profile,
        environment: process.env,
      });
      const { plan } = result;
      if (format === 'json') {
        printJson({ apiVersion: 'berth.dev/v1alpha1', kind: 'ComposeImportPlan', ...plan });
        return;
      }
      const dir = flags.outputDir ?? plan.name;
      makeOutputDir('--output-dir', dir);
      for (const [name, content] of Object.entries(result.files))
        writeOutputFile('--output-dir', dir, name, content);
      note(`wrote ${Object.keys(result.files).join(', ')} to ${dir}`);
      note(
        `${plan.components.length} components; stages: ${Object.entries(plan.stages)
          .filter(([, names]) => names.length)
          .map(([stage, names]) => `${stage} (${names.join(', ')})`)
          .join(' → ')}`,
      );
      if (plan.skipped.length) note(`left out (profiles not selected): ${plan.skipped.join(', ')}`);
      for (const item of plan.unsupported)
        warn(`${item.service}: ${item.key} not translated — ${item.reason}`);
      note(`review ${join(dir, 'REPORT.md')}, then copy the folder to src/blueprints/${plan.name}/`);
    });
  importCommand
    .command('helm-values')
    .description("turn the values of a platform's Helm chart into berth values, with a report of every key")
    .argument('<blueprint>', 'the berth blueprint (swanlab, langfuse, dify, csghub)')
    .argument('<file>', 'the chart values file, e.g. values.yaml')
    .option('-f, --file <out>', 'write the berth values here (default: stdout)')
    .option('-o, --output <format>', 'yaml (the values) or json (values and report)', 'yaml')
    .action(async (blueprint: string, file: string, flags: { file?: string; output: string }) => {
      const format = parseOutputFormat(flags.output, ['yaml', 'json'] as const);
      const result = await importHelmValues(blueprint, file);
      if (format === 'json') {
        printJson({ apiVersion: 'berth.dev/v1', kind: 'HelmValuesImport', ...result });
        return;
      }
      const header = `# berth values for ${blueprint}, imported from ${file} (${result.chart})\n`;
      const yaml = header + toYaml(result.values);
      if (flags.file) writeOutputFile('--file', dirname(flags.file), basename(flags.file), yaml);
      else process.stdout.write(yaml);
      const { mapped, changed, unsupported } = result.report;
      note(`${mapped.length} keys kept, ${changed.length} renamed, ${unsupported.length} not supported`);
      for (const item of changed) note(`${item.from} → ${item.to}${item.note ? ` (${item.note})` : ''}`);
      for (const item of unsupported) warn(`${item.key}: not supported — ${item.reason}`);
      if (flags.file) note(`wrote ${flags.file}; check it with berth lint ${blueprint} -f ${flags.file}`);
    });
}
